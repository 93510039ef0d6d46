package projectortest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
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
// element name, and for a nested data contract its own members in order.
//
// The layout is written here by hand from the vendor samples, deliberately not
// derived from the generated types: the fake is a second, independent reading of the contract,
// so a mistake in wsdl/projector.wsdl shows up as a violation instead of being agreed with.
type member struct {
	name     xml.Name
	members  []member
	required bool // IsRequired: WCF refuses the request without it (reported as a violation)
}

func req(local string) member { return member{name: xml.Name{Space: nsReq, Local: local}} }
func com(local string) member { return member{name: xml.Name{Space: nsCom, Local: local}} }

// must marks a member IsRequired.
func must(m member) member { m.required = true; return m }

// pwsUserRef is Shared/Common PwsUserRef: members in alphabetical order (inferred, not documented).
var pwsUserRef = []member{com("UserDisplayName"), com("UserId"), com("UserReferenceSystemId"), com("UserUid")}

// baseRequest is PwsServiceRequest: the base members come before the derived ones.
func baseRequest(derived ...member) []member {
	return append([]member{req("RequestId"), req("SessionTicket")}, derived...)
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
		members: baseRequest(req("AccountCode"), req("CultureName"), req("Fingerprint"), req("Password"),
			req("UserName"), req("UtcOffsetMinutes")),
	},
	actionPrefix + "PwsUnauthenticate": {
		name:    "PwsUnauthenticate",
		members: baseRequest(),
	},
	actionPrefix + "PwsDeleteUser": {
		name: "PwsDeleteUser",
		members: baseRequest(req("EndDateIfInUse"),
			member{name: xml.Name{Space: nsReq, Local: "UserIdentity"}, members: pwsUserRef},
			req("UserTimestamp")),
	},
	// PwsGetUserListRq (the vendor's member list): IncludeInactiveFlag is
	// required; the others are optional.
	actionPrefix + "PwsGetUserList": {
		name: "PwsGetUserList",
		members: baseRequest(must(req("IncludeInactiveFlag")), req("LastUpdatedSinceTimestamp"), req("MaxRowsToReturn"),
			req("QueryString"), member{name: xml.Name{Space: nsReq, Local: "UserIdentity"}, members: pwsUserRef}),
	},
}

// actionPrefix is the SOAPAction of every operation without the operation name.
const actionPrefix = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/"

// Violation is a request element that WCF would silently ignore: in the wrong namespace, out of
// DataContract order, repeated, or unknown. The fake drops it (the call goes on as if it were
// absent, exactly like the real service) and records it, so tests can assert there are none.
type Violation struct {
	Operation string   // wire operation, e.g. "PwsDeleteUser"
	Path      string   // where the element was, e.g. "PwsDeleteUser/serviceRequest"
	Element   xml.Name // the element as sent (namespace and local name)
	Reason    string   // why WCF ignores it
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: {%s}%s ignored: %s", v.Operation, v.Path, v.Element.Space, v.Element.Local, v.Reason)
}

// node is an element of a request body, namespaces resolved.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string
	children []*node
}

// parseTree reads one element tree from XML (the SOAP Body's operation element).
func parseTree(body []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				n.attrs = append(n.attrs, a)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			} else {
				return nil, fmt.Errorf("more than one element in the SOAP Body")
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("empty SOAP Body")
	}
	return root, nil
}

// filter keeps the children of n that DataContractSerializer would read for members, in order,
// and reports every other child as a violation. WCF reads members in declaration order: an
// element matching a later member skips the ones in between (they are optional), an element
// matching an earlier member or none at all is ignored.
func filter(op, path string, n *node, members []member, report func(Violation)) {
	kept := n.children[:0]
	pos := 0
	for _, ch := range n.children {
		j := indexOf(members, pos, ch.name)
		if j < 0 {
			report(Violation{Operation: op, Path: path, Element: ch.name, Reason: whyIgnored(members, pos, ch.name)})
			continue
		}
		pos = j + 1
		if members[j].members != nil {
			filter(op, path+"/"+ch.name.Local, ch, members[j].members, report)
		}
		kept = append(kept, ch)
	}
	n.children = kept
	for _, m := range members {
		if m.required && !slices.ContainsFunc(kept, func(ch *node) bool { return ch.name == m.name }) {
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

// encode writes n back as XML, each element with its own namespace declaration, so the kept
// elements can be decoded into the generated request types.
func (n *node) encode(e *xml.Encoder) error {
	start := xml.StartElement{Name: n.name, Attr: n.attrs}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if len(n.children) == 0 {
		if err := e.EncodeToken(xml.CharData(n.text)); err != nil {
			return err
		}
	}
	for _, ch := range n.children {
		if err := ch.encode(e); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func (n *node) bytes() ([]byte, error) {
	var b bytes.Buffer
	e := xml.NewEncoder(&b)
	if err := n.encode(e); err != nil {
		return nil, err
	}
	if err := e.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
