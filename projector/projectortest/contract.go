package projectortest

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
)

// The XML namespaces of the PWS wire contract.
const (
	nsSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsPWS    = "http://projectorpsa.com/PwsProjectorServices/"
	nsReq    = "http://projectorpsa.com/DataContracts/Requests/"
	nsCom    = "http://projectorpsa.com/DataContracts/Shared/Common/"
	nsCS     = "http://projectorpsa.com/CommonServices/"
	nsRsp    = "http://projectorpsa.com/DataContracts/Responses/"
	nsXSI    = "http://www.w3.org/2001/XMLSchema-instance"
)

// member is one DataContract member as WCF's DataContractSerializer expects it: the expanded
// element name, its type, and for a nested data contract its own members in order.
//
// The layout is written here by hand from the vendor samples, deliberately not
// derived from the generated types: the fake is a second, independent reading of the contract,
// so a mistake in wsdl/projector.wsdl shows up as a violation instead of being agreed with.
type member struct {
	name     xml.Name
	kind     kind     // the member's type; kindContract when members is set
	members  []member // a nested data contract's members, in order
	required bool     // IsRequired: WCF refuses the request without it (reported as a violation)
}

// kind is the XML Schema type of a member's value, as DataContractSerializer reads it.
type kind int

const (
	kindString   kind = iota // xs:string
	kindInt16                // xs:short
	kindInt32                // xs:int
	kindInt64                // xs:long
	kindBool                 // xs:boolean
	kindDateTime             // xs:dateTime (System.DateTime)
	kindBase64               // xs:base64Binary (byte[], a row version)
	kindContract             // a nested data contract
)

func (k kind) String() string {
	return [...]string{"xs:string", "xs:short", "xs:int", "xs:long", "xs:boolean", "xs:dateTime", "xs:base64Binary", "a data contract"}[k]
}

func req(local string, k kind) member {
	return member{name: xml.Name{Space: nsReq, Local: local}, kind: k}
}
func com(local string, k kind) member {
	return member{name: xml.Name{Space: nsCom, Local: local}, kind: k}
}

// contract is a member holding a nested data contract.
func contract(name xml.Name, members ...member) member {
	return member{name: name, kind: kindContract, members: members}
}

// must marks a member IsRequired.
func must(m member) member { m.required = true; return m }

// pwsUserRef is Shared/Common PwsUserRef: UserId Int32, UserUid Int64 (the PwsUserRef page),
// members in alphabetical order (inferred, not documented).
var pwsUserRef = []member{com("UserDisplayName", kindString), com("UserId", kindInt32),
	com("UserReferenceSystemId", kindString), com("UserUid", kindInt64)}

// baseRequest is PwsServiceRequest: the base members come before the derived ones.
func baseRequest(derived ...member) []member {
	return append([]member{req("RequestId", kindInt32), req("SessionTicket", kindString)}, derived...)
}

// operation describes one operation's request: the wrapper element in the pws namespace with a
// single serviceRequest member whose contract is members.
type operation struct {
	name    string // wire operation name, also the wrapper element's local name
	members []member
}

var operations = map[string]operation{
	actionPrefix + "PwsAuthenticate": {
		name: "PwsAuthenticate",
		// PwsAuthenticateRq (the PwsAuthenticate page): AccountCode, Password and UserName are
		// required, UtcOffsetMinutes is an Int16; CrossoverTicket is internal, not for clients.
		members: baseRequest(must(req("AccountCode", kindString)), req("CultureName", kindString), req("Fingerprint", kindString),
			must(req("Password", kindString)), must(req("UserName", kindString)), req("UtcOffsetMinutes", kindInt16)),
	},
	actionPrefix + "PwsUnauthenticate": {
		name:    "PwsUnauthenticate",
		members: baseRequest(),
	},
	actionPrefix + "PwsDeleteUser": {
		name: "PwsDeleteUser",
		members: baseRequest(req("EndDateIfInUse", kindDateTime),
			contract(xml.Name{Space: nsReq, Local: "UserIdentity"}, pwsUserRef...),
			req("UserTimestamp", kindBase64)),
	},
	// PwsGetUserListRq (the vendor's member list): IncludeInactiveFlag is
	// required; the others are optional.
	actionPrefix + "PwsGetUserList": {
		name: "PwsGetUserList",
		members: baseRequest(must(req("IncludeInactiveFlag", kindBool)), req("LastUpdatedSinceTimestamp", kindDateTime),
			req("MaxRowsToReturn", kindInt32), req("QueryString", kindString),
			contract(xml.Name{Space: nsReq, Local: "UserIdentity"}, pwsUserRef...)),
	},
}

// actionPrefix is the SOAPAction of every operation without the operation name.
const actionPrefix = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/"

// Violation is a deviation from the wire contract in a request: an element WCF would silently
// ignore (in the wrong namespace, out of DataContract order, repeated, unknown, a required one
// missing), or a request it would refuse (a content type other than text/xml, an unknown
// SOAPAction, a body or value that does not deserialize). The fake drops an ignored element
// (the call goes on as if it were absent, exactly like the real service), answers a refused
// request as WCF does, and records both, so tests can assert there are none.
type Violation struct {
	Operation string   // wire operation, e.g. "PwsDeleteUser"; "" when the SOAPAction names none
	Path      string   // where the element was, e.g. "PwsDeleteUser/serviceRequest"; "" for the request as a whole
	Element   xml.Name // the element as sent (namespace and local name); zero for the request as a whole
	Reason    string   // why WCF ignores or refuses it
}

// String is one line: "PwsDeleteUser: PwsDeleteUser/serviceRequest: {ns}Element ignored: reason",
// or for a refused request "PwsDeleteUser: {ns}Element refused: reason".
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Operation)
	if v.Path != "" {
		b.WriteString(": ")
		b.WriteString(v.Path)
	}
	b.WriteString(": ")
	if v.Element != (xml.Name{}) {
		b.WriteString("{" + v.Element.Space + "}" + v.Element.Local + " ")
	} else {
		b.WriteString("request ")
	}
	if r, ok := strings.CutPrefix(v.Reason, refused); ok {
		b.WriteString("refused: " + r)
	} else {
		b.WriteString("ignored: " + v.Reason)
	}
	return b.String()
}

// refused starts the Reason of a Violation for a request WCF refuses as a whole.
const refused = "refused: "

// node is an element of a request body, namespaces resolved, with the member type filter
// found for it; filter drops the children WCF would not read.
type node struct {
	*soapsrv.Element // Name, Attrs, Text
	children         []*node
	kind             kind // the member's type, once filter kept the element
}

// parseTree reads one element tree from XML (the SOAP Body's operation element).
func parseTree(body []byte) (*node, error) {
	e, err := soapsrv.ParseElement(body)
	if err != nil {
		return nil, err
	}
	return newNode(e), nil
}

func newNode(e *soapsrv.Element) *node {
	n := &node{Element: e, children: make([]*node, 0, len(e.Children))}
	for _, c := range e.Children {
		n.children = append(n.children, newNode(c))
	}
	return n
}

// filter keeps the children of n that DataContractSerializer would read for members, in order,
// and reports every other child as a violation. WCF reads members in declaration order: an
// element matching a later member skips the ones in between (they are optional), an element
// matching an earlier member or none at all is ignored.
func filter(op, path string, n *node, members []member, report func(Violation)) {
	kept := n.children[:0]
	pos := 0
	for _, ch := range n.children {
		j := indexOf(members, pos, ch.Name)
		if j < 0 {
			report(Violation{Operation: op, Path: path, Element: ch.Name, Reason: whyIgnored(members, pos, ch.Name)})
			continue
		}
		pos = j + 1
		if members[j].members != nil {
			filter(op, path+"/"+ch.Name.Local, ch, members[j].members, report)
		}
		ch.kind = members[j].kind
		kept = append(kept, ch)
	}
	n.children = kept
	for _, m := range members {
		if m.required && !slices.ContainsFunc(kept, func(ch *node) bool { return ch.Name == m.name }) {
			report(Violation{Operation: op, Path: path, Element: m.name, Reason: "required member missing (IsRequired)"})
		}
	}
}

func indexOf(members []member, from int, name xml.Name) int {
	for j := from; j < len(members); j++ {
		if members[j].name == name {
			return j
		}
	}
	return -1
}

func whyIgnored(members []member, pos int, name xml.Name) string {
	for j, m := range members {
		switch {
		case m.name == name && j < pos:
			if j == pos-1 {
				return "repeated member"
			}
			return fmt.Sprintf("out of DataContract order (must come before {%s}%s)", members[pos-1].name.Space, members[pos-1].name.Local)
		case m.name.Local == name.Local:
			return fmt.Sprintf("wrong namespace (want %s)", m.name.Space)
		}
	}
	var want []string
	for _, m := range members {
		want = append(want, m.name.Local)
	}
	return "unknown member (the contract has " + strings.Join(want, ", ") + ")"
}
