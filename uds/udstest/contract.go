package udstest

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/uds"
)

// udsNS is the namespace of the UserSchema types' members (ArcotUserSchema.xsd is
// elementFormDefault="qualified"); msgsNS qualifies the request wrappers and their direct
// children.
const udsNS = "http://ws.arcot.com/UserSchema/1.0"

// The fake's own statement of the request contract of every operation it serves
// (updateUserStatus, getUserStatus, retrieveUser, deleteUser, listUserAccounts and
// deleteUserAccount), written by hand from the vendor documentation (the vendor's
// ArcotUserManagementSvc.wsdl and ArcotUserSchema.xsd), deliberately not derived from the
// generated types: a mistake in wsdl/uds.wsdl shows up as a violation instead of being agreed
// with. Axis2's ADB data binding reads a sequence strictly in order, so anything else (a wrong
// namespace, an unknown or repeated element, a missing required one, a value of the wrong type)
// is refused with a Fault; the fake also records it as a Violation.

// kind is an element's simple type, or kindComplex for one with members.
type kind int

const (
	kindString kind = iota
	kindInt
	kindBoolean
	kindDateTime
	kindComplex
)

// elem is one member of a sequence: its expanded name, occurrences and type.
type elem struct {
	name     xml.Name
	min, max int // max -1: unbounded
	kind     kind
	members  []elem // kindComplex
}

func msgs(local string, min, max int, k kind, members ...elem) elem {
	return elem{name: xml.Name{Space: msgsNS, Local: local}, min: min, max: max, kind: k, members: members}
}

func udsE(local string, min, max int, k kind, members ...elem) elem {
	return elem{name: xml.Name{Space: udsNS, Local: local}, min: min, max: max, kind: k, members: members}
}

var (
	// UserIdentifierType: orgName?, userName, userRefId? (xs:int).
	userIdentifierType = []elem{udsE("orgName", 0, 1, kindString), udsE("userName", 1, 1, kindString), udsE("userRefId", 0, 1, kindInt)}
	// UserAccountType: accountType, accountID?, accountStatus?, accountIDAttribute*,
	// dateCreated?, dateModified?, accountCustomAttribute*.
	userAccountType = []elem{
		udsE("accountType", 1, 1, kindString), udsE("accountID", 0, 1, kindString), udsE("accountStatus", 0, 1, kindInt),
		udsE("accountIDAttribute", 0, -1, kindString), udsE("dateCreated", 0, 1, kindDateTime), udsE("dateModified", 0, 1, kindDateTime),
		udsE("accountCustomAttribute", 0, -1, kindComplex, udsE("attributeName", 1, 1, kindString), udsE("attributeValue", 1, 1, kindString)),
	}
	// UserFilterType extends UserBaseFilterType: the base members first.
	userFilterType = []elem{udsE("includeImage", 0, 1, kindBoolean), udsE("includeAccounts", 0, 1, kindBoolean), udsE("deepSearch", 0, 1, kindBoolean)}

	contracts = map[string]elem{
		// The user status operations, from the vendor's operation pages and WSDL: userId is
		// repeatable in an update (one status for many users).
		"updateUserStatus": msgs("updateUserStatusRequest", 1, 1, kindComplex,
			msgs("userId", 1, -1, kindComplex, userIdentifierType...), msgs("status", 1, 1, kindString),
			msgs("startLockTime", 0, 1, kindDateTime), msgs("endLockTime", 0, 1, kindDateTime),
			msgs("clientTxId", 0, 1, kindString)),
		"getUserStatus": msgs("getUserStatusRequest", 1, 1, kindComplex,
			msgs("userId", 1, 1, kindComplex, userIdentifierType...), msgs("clientTxId", 0, 1, kindString)),
		"retrieveUser": msgs("retrieveUserRequest", 1, 1, kindComplex,
			msgs("userIdentifier", 1, 1, kindString), msgs("orgName", 0, 1, kindString), msgs("accountType", 0, 1, kindString),
			msgs("filter", 0, 1, kindComplex, userFilterType...), msgs("clientTxId", 0, 1, kindString)),
		"deleteUser": msgs("deleteUserRequest", 1, 1, kindComplex,
			msgs("userId", 1, 1, kindComplex, userIdentifierType...), msgs("clientTxId", 0, 1, kindString)),
		"listUserAccounts": msgs("listUserAccountRequest", 1, 1, kindComplex,
			msgs("userId", 1, 1, kindComplex, userIdentifierType...), msgs("account", 0, 1, kindComplex, userAccountType...),
			msgs("clientTxId", 0, 1, kindString)),
		"deleteUserAccount": msgs("deleteUserAccountRequest", 1, 1, kindComplex,
			msgs("userId", 1, 1, kindComplex, userIdentifierType...), msgs("account", 1, 1, kindComplex, userAccountType...),
			msgs("clientTxId", 0, 1, kindString)),
	}
)

// Violation is a request element that breaks the fake's statement of the contract.
type Violation struct {
	Operation string   // wire operation, e.g. "deleteUserAccount"
	Path      string   // where, e.g. "deleteUserAccountRequest/account"
	Element   xml.Name // the element concerned (as sent, or as expected when missing)
	Reason    string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: {%s}%s: %s", v.Operation, v.Path, v.Element.Space, v.Element.Local, v.Reason)
}

// node is an element of a request body, namespaces resolved.
type node = soapsrv.Element

// child returns the first child of n named local in namespace ns, or nil.
func child(n *node, ns, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name.Space == ns && c.Name.Local == local {
			return c
		}
	}
	return nil
}

// value is the trimmed text of n's child, "" when absent.
func value(n *node, ns, local string) string {
	if c := child(n, ns, local); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return ""
}

// check holds n to e, reporting every deviation: ADB reads a sequence in order, each member
// between its minOccurs and maxOccurs, simple values of their type.
func check(op, path string, n *node, e elem, report func(Violation)) {
	if e.kind != kindComplex {
		if len(n.Children) > 0 {
			report(Violation{op, path, n.Name, "a simple value has child elements"})
			return
		}
		if p := valueProblem(e.kind, strings.TrimSpace(n.Text)); p != "" {
			report(Violation{op, path, n.Name, p})
		}
		return
	}
	if strings.TrimSpace(n.Text) != "" {
		report(Violation{op, path, n.Name, "text in an element that has members"})
	}
	ms := e.members
	pos, count := 0, 0 // the member being read, and how many times it was so far
	for _, ch := range n.Children {
		j, found := pos, false
		for j < len(ms) {
			if ms[j].name == ch.Name {
				found = true
				break
			}
			// Member j may be passed over only when it already has its minimum.
			if (j == pos && count < ms[j].min) || (j > pos && ms[j].min > 0) {
				break
			}
			j++
		}
		if !found {
			report(Violation{op, path, ch.Name, whyUnexpected(ms, pos, j, ch.Name)})
			continue
		}
		if j != pos {
			pos, count = j, 0
		}
		count++
		if ms[pos].max >= 0 && count > ms[pos].max {
			report(Violation{op, path, ch.Name, fmt.Sprintf("occurs more than %d time(s)", ms[pos].max)})
		}
		check(op, path+"/"+ch.Name.Local, ch, ms[pos], report)
	}
	for j := pos; j < len(ms); j++ {
		have := 0
		if j == pos {
			have = count
		}
		if have < ms[j].min {
			report(Violation{op, path, ms[j].name, fmt.Sprintf("required element missing (minOccurs %d)", ms[j].min)})
		}
	}
}

// whyUnexpected says why name cannot be read at position pos of ms (stop is where the search
// for it ended).
func whyUnexpected(ms []elem, pos, stop int, name xml.Name) string {
	for j, m := range ms {
		switch {
		case m.name == name && j < pos:
			return fmt.Sprintf("out of order (must come before {%s}%s)", ms[pos].name.Space, ms[pos].name.Local)
		case m.name == name && stop < len(ms):
			return fmt.Sprintf("out of order: required {%s}%s must come first", ms[stop].name.Space, ms[stop].name.Local)
		case m.name.Local == name.Local && m.name.Space != name.Space:
			return "wrong namespace (want " + m.name.Space + ")"
		}
	}
	want := make([]string, len(ms))
	for i, m := range ms {
		want[i] = m.name.Local
	}
	return "unknown element (the sequence is " + strings.Join(want, ", ") + ")"
}

// valueProblem says why s is not a valid value of kind k ("" when it is).
func valueProblem(k kind, s string) string {
	switch k {
	case kindInt:
		if _, err := strconv.ParseInt(s, 10, 32); err != nil {
			return fmt.Sprintf("%q is not an xs:int", s)
		}
	case kindBoolean:
		switch s {
		case "true", "false", "1", "0":
		default:
			return fmt.Sprintf("%q is not an xs:boolean", s)
		}
	case kindDateTime:
		if _, err := soapx.ParseDateTime(s); err != nil || s == "" {
			return fmt.Sprintf("%q is not an xs:dateTime", s)
		}
	}
	return ""
}

// Call holds the values of a request as the fake read them from the XML, against its own
// statement of the contract (not through the client's types).
type Call struct {
	// Users are the users the request names, in order: each userId (orgName, userName,
	// userRefId; updateUserStatus may name several, the other operations name one), or for
	// retrieveUser its userIdentifier and orgName. A userRefId that is not an xs:int reads 0
	// (and is a Violation).
	Users []uds.UserID
	// Status is updateUserStatus's status, as sent.
	Status uds.Status
	// StartLockTime and EndLockTime are updateUserStatus's lock window; zero when not sent.
	StartLockTime, EndLockTime time.Time
	// AccountType and AccountID are account/accountType and account/accountID (retrieveUser:
	// the request's accountType).
	AccountType, AccountID string
	// The retrieveUser filter flags.
	IncludeImage, IncludeAccounts, DeepSearch bool
	// ClientTxID is clientTxId, the caller's own transaction id.
	ClientTxID string
}

// User is the first user the call names (the only one but for updateUserStatus); zero
// when it names none.
func (c *Call) User() uds.UserID {
	if c == nil || len(c.Users) == 0 {
		return uds.UserID{}
	}
	return c.Users[0]
}

// readCall holds the request body of op to the fake's contract and reads its values from the
// XML itself.
func readCall(op string, body []byte) (*Call, []Violation, error) {
	root, err := soapsrv.ParseElement(body)
	if err != nil {
		return nil, nil, err
	}
	contract := contracts[op]
	var vs []Violation
	report := func(v Violation) { vs = append(vs, v) }
	if root.Name != contract.name {
		report(Violation{op, "Body", root.Name, fmt.Sprintf("expected {%s}%s", contract.name.Space, contract.name.Local)})
		return &Call{}, vs, nil
	}
	check(op, root.Name.Local, root, contract, report)
	c := &Call{ClientTxID: value(root, msgsNS, "clientTxId")}
	if op == "retrieveUser" {
		c.Users = []uds.UserID{{OrgName: value(root, msgsNS, "orgName"), UserName: value(root, msgsNS, "userIdentifier")}}
		c.AccountType = value(root, msgsNS, "accountType")
		if f := child(root, msgsNS, "filter"); f != nil {
			c.IncludeImage = isTrue(value(f, udsNS, "includeImage"))
			c.IncludeAccounts = isTrue(value(f, udsNS, "includeAccounts"))
			c.DeepSearch = isTrue(value(f, udsNS, "deepSearch"))
		}
		return c, vs, nil
	}
	for _, ch := range root.Children {
		if ch.Name != (xml.Name{Space: msgsNS, Local: "userId"}) {
			continue
		}
		ref, _ := strconv.ParseInt(value(ch, udsNS, "userRefId"), 10, 32)
		c.Users = append(c.Users, uds.UserID{OrgName: value(ch, udsNS, "orgName"), UserName: value(ch, udsNS, "userName"), UserRefID: int32(ref)})
	}
	c.Status = uds.Status(value(root, msgsNS, "status"))
	c.StartLockTime = dateTime(value(root, msgsNS, "startLockTime"))
	c.EndLockTime = dateTime(value(root, msgsNS, "endLockTime"))
	if a := child(root, msgsNS, "account"); a != nil {
		c.AccountType = value(a, udsNS, "accountType")
		c.AccountID = value(a, udsNS, "accountID")
	}
	return c, vs, nil
}

// dateTime reads an xs:dateTime; zero when absent or invalid (a Violation then).
func dateTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := soapx.ParseDateTime(s)
	return t
}

func isTrue(s string) bool { return s == "true" || s == "1" }
