package provisioningtest

import (
	"encoding/xml"
	"fmt"
	"time"

	"github.com/offboard-go/offboard/internal/soapx/soapsrv/asmxread"
)

// The fake's own statement of every operation's wire contract: the vendor's operation pages
// for the session and the provisioning tasks, other clients' code for the token operations.
// Each request's members are listed in order, with their types, all in the blackshield
// namespace. Requests are read against it element by element, not through the types the
// client marshals, and the handlers work on what this reader found (a call).
//
// An ASMX server (XmlSerializer) skips an element in another namespace or an unknown one,
// reads a missing value-type member as its zero value, and refuses (a Fault) a value it
// cannot convert: each of those is a Violation. Those rules are asmxread's; the contracts and
// the words of the Violations are the fake's.

// ns is the namespace of every BSIDCA element.
const ns = "http://www.cryptocard.com/blackshield/"

// Strings and lists may be left out; value types (required) are read as their zero value when
// they are. A list is an ArrayOfString: <string> items in the blackshield namespace; a nil item
// is left out (the server gets a null entry, which matches no user).
func str(name string) asmxread.Member { return asmxread.Member{Name: name, Kind: asmxread.String} }
func reqInt(name string) asmxread.Member {
	return asmxread.Member{Name: name, Kind: asmxread.Int, Required: true}
}
func reqBool(name string) asmxread.Member {
	return asmxread.Member{Name: name, Kind: asmxread.Bool, Required: true}
}
func list(name string) asmxread.Member {
	return asmxread.Member{Name: name, Kind: asmxread.StringList, Item: "string"}
}
func reqDate(name string) asmxread.Member {
	return asmxread.Member{Name: name, Kind: asmxread.DateTime, Required: true}
}
func revokeSel(name string) asmxread.Member {
	return asmxread.Member{Name: name, Kind: asmxread.Enum, Required: true, Type: "RevokeSelection", Values: revokeSelections}
}

// revokeSelections are the values of the RevokeSelection enum (revokeMode, tokenOption).
var revokeSelections = []string{"ReturntoInventory_Initialized", "ReturntoInventory_NotInitialized", "Faulty", "Lost"}

// tokenTypes are the values of the TokenType enum (the vendor's AllocateHardware sample).
var tokenTypes = []string{"KT", "RB", "MP", "LEGACY", "SMS", "OATH", "CUSTOM", "GOLD", "eToken", "MobilePASS", "GoogleAuthenticator"}

var contracts = map[string][]asmxread.Member{
	// The session and the provisioning tasks, from the vendor's operation pages: the members
	// are the .NET method's parameters in order; value types (Int32, Boolean, DateTime) are
	// always present, strings and lists may be left out. Connect's challenge is an out
	// parameter: not in the request.
	"Connect":                          {str("OperatorEmail"), str("OTP"), str("validationCode")},
	"PingConnection":                   {},
	"GetProvisioningTaskCount":         {str("organization")},
	"GetProvisioningTaskDetails":       {reqInt("taskID"), str("organization")},
	"GetProvisioningTasks":             {str("organization"), reqInt("startRecord"), reqInt("numberOfRecords")},
	"GetProvisioningTasksForUser":      {str("user"), str("organization"), reqInt("startRecord"), reqInt("numberOfRecords")},
	"GetProvisioningTasksForUserCount": {str("user"), str("organization")},
	"RemoveProvisioningTask":           {reqInt("taskID"), reqBool("sendNotificationEmail"), str("organization")},
	"RemoveUsersFromProvisioningTask": {reqInt("taskID"), list("userNames"), reqBool("sendNotificationEmail"),
		str("organization")},
	"UpdateProvisioningStopDate": {reqInt("taskID"), list("userNames"), reqDate("newStopDate"), str("organization")},

	// The token operations, as other clients send them.
	"GetTokensByOwner": {str("userName"), str("organization")},
	// type is minOccurs 1 but nillable: absent or nil reads as null, which is "any type".
	"GetTokens": {str("state"), {Name: "type", Kind: asmxread.Enum, Nillable: true, Type: "TokenType", Values: tokenTypes},
		str("serial"), str("container"), str("organization"), reqInt("startRecord"), reqInt("pageSize")},
	"RevokeToken": {str("serial"), str("userName"), str("comment"), revokeSel("revokeMode"),
		reqBool("revokeStaticPassword"), str("organization")},
	// Inferred: the order of RemoveUser's members is not established.
	"RemoveUser": {str("userName"), revokeSel("tokenOption"), str("organization")},
}

// Violation is a deviation of a request from the wire contract as this fake states it:
// something the real server would silently ignore or read otherwise than the client meant
// (an element in another namespace, an unknown, repeated, out-of-order or missing member), or
// would refuse (an unknown SOAPAction, a body of another operation, a value it cannot read).
type Violation struct {
	Operation string   // wire operation, e.g. "RevokeToken" ("" when the request named none the fake knows)
	Path      string   // where the element is, e.g. "RevokeToken" or "RemoveUsersFromProvisioningTask/userNames"
	Element   xml.Name // the element concerned, as sent (or as the contract names it, when missing)
	Reason    string   // what the server does with it
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: {%s}%s: %s", v.Operation, v.Path, v.Element.Space, v.Element.Local, v.Reason)
}

// call is a request as the fake read it: the members present, by name, as received.
type call struct {
	op     string
	values map[string]string   // scalar members present (not nil), as received
	lists  map[string][]string // list members present: their non-nil items
	// violations are the request's deviations from the contract.
	violations []Violation
	// refusal, when set, is why the server would refuse the request (a Client Fault).
	refusal string
}

func (c *call) has(name string) bool {
	_, ok := c.values[name]
	return ok
}

func (c *call) str(name string) string { return c.values[name] }

// int, bool and time give a member read by readCall (so convertible), or its zero value.
func (c *call) int(name string) int {
	n, _ := asmxread.ParseInt(c.values[name])
	return n
}

func (c *call) bool(name string) bool {
	b, _ := asmxread.ParseBool(c.values[name])
	return b
}

func (c *call) time(name string) time.Time {
	t, _ := asmxread.ParseDateTime(c.values[name])
	return t
}

// list gives a list member's items and whether the member was present (not nil).
func (c *call) list(name string) ([]string, bool) {
	l, ok := c.lists[name]
	return l, ok
}

// readCall reads body, the raw XML of the Body's element, as operation op against its
// contract. The Body's element itself has been checked by the caller.
func readCall(op string, body []byte) *call {
	r := asmxread.Read(asmxread.Contract{Namespace: ns, Operation: op, Members: contracts[op]}, body)
	c := &call{op: op, values: r.Values, lists: r.Lists}
	for _, f := range r.Findings {
		c.violations = append(c.violations, violation(op, f))
	}
	if r.Fault != nil {
		c.violations = append(c.violations, Violation{Operation: op, Path: op, Element: r.Fault.Element,
			Reason: "the server refuses the request: " + r.Fault.Reason})
		c.refusal = "Server was unable to read request. ---> There is an error in XML document. ---> " + r.Fault.Reason
	}
	return c
}

// violation says what the server does with f, a deviation of a request for op.
func violation(op string, f asmxread.Finding) Violation {
	path := op
	var reason string
	switch f.Kind {
	case asmxread.OtherNamespace:
		reason = fmt.Sprintf("in namespace %q, not %q: the server ignores it", f.Element.Space, ns)
	case asmxread.Unknown:
		reason = fmt.Sprintf("not a member of %s: the server ignores it", op)
	case asmxread.Repeated:
		reason = "appears twice: the server ignores all but the first"
	case asmxread.OutOfOrder:
		reason = fmt.Sprintf("comes after <%s>, against the contract's order (the server reads members by name)", f.After)
	case asmxread.Missing:
		reason = "required member is missing: the server reads its zero value"
	case asmxread.NotAnItem:
		path = op + "/" + f.Member.Name
		reason = fmt.Sprintf("not a {%s}%s item: the server ignores it", ns, f.Member.Item)
	default:
		reason = f.String()
	}
	return Violation{Operation: op, Path: path, Element: f.Element, Reason: reason}
}
