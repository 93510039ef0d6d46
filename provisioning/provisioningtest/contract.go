package provisioningtest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The fake's own statement of every operation's wire contract: the vendor's operation pages
// for the session and the provisioning tasks, other clients' code for the token operations.
// Each request's members are listed in order, with their types, all in the blackshield
// namespace. Requests are read against it element by element, not through the types the
// client marshals, and the handlers work on what this reader found (a call).
//
// An ASMX server (XmlSerializer) skips an element in another namespace or an unknown one,
// reads a missing value-type member as its zero value, and refuses (a Fault) a value it
// cannot convert: each of those is a Violation.

// ns is the namespace of every BSIDCA element.
const ns = "http://www.cryptocard.com/blackshield/"

// xsiNS is the XML Schema instance namespace (xsi:nil).
const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// kind is the XML Schema type of a member.
type kind int

const (
	text       kind = iota // xs:string
	integer                // xs:int
	boolean                // xs:boolean
	dateTime               // xs:dateTime
	enum                   // a string enumeration (member.values)
	stringList             // ArrayOfString: <string> items in the blackshield namespace
)

type member struct {
	name     string
	kind     kind
	required bool     // minOccurs 1 and a value type: absent is read as its zero value
	nillable bool     // xsi:nil="true" is a null (the enum type of GetTokens)
	values   []string // enum: the allowed values, as spelled on the wire
	enumName string   // enum: the type's name, for the server's message
}

func str(name string) member     { return member{name: name, kind: text} }
func reqInt(name string) member  { return member{name: name, kind: integer, required: true} }
func reqBool(name string) member { return member{name: name, kind: boolean, required: true} }
func list(name string) member    { return member{name: name, kind: stringList} }
func reqDate(name string) member { return member{name: name, kind: dateTime, required: true} }
func revokeSel(name string) member {
	return member{name: name, kind: enum, required: true, enumName: "RevokeSelection", values: revokeSelections}
}

// revokeSelections are the values of the RevokeSelection enum (revokeMode, tokenOption).
var revokeSelections = []string{"ReturntoInventory_Initialized", "ReturntoInventory_NotInitialized", "Faulty", "Lost"}

// tokenTypes are the values of the TokenType enum (the vendor's AllocateHardware sample).
var tokenTypes = []string{"KT", "RB", "MP", "LEGACY", "SMS", "OATH", "CUSTOM", "GOLD", "eToken", "MobilePASS", "GoogleAuthenticator"}

var contracts = map[string][]member{
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
	"GetTokens": {str("state"), {name: "type", kind: enum, nillable: true, enumName: "TokenType", values: tokenTypes},
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
	n, _ := strconv.ParseInt(strings.TrimSpace(c.values[name]), 10, 32)
	return int(n)
}

func (c *call) bool(name string) bool {
	v := strings.TrimSpace(c.values[name])
	return v == "true" || v == "1"
}

func (c *call) time(name string) time.Time {
	t, _ := parseDateTime(c.values[name])
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
	contract := contracts[op]
	c := &call{op: op, values: map[string]string{}, lists: map[string][]string{}}
	violate := func(path string, name xml.Name, format string, args ...any) {
		c.violations = append(c.violations, Violation{Operation: op, Path: path, Element: name, Reason: fmt.Sprintf(format, args...)})
	}
	refuse := func(path string, name xml.Name, reason string) {
		violate(path, name, "the server refuses the request: %s", reason)
		if c.refusal == "" {
			c.refusal = "Server was unable to read request. ---> There is an error in XML document. ---> " + reason
		}
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	if _, err := firstStart(d); err != nil {
		refuse(op, xml.Name{Space: ns, Local: op}, err.Error())
		return c
	}
	last := -1
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			refuse(op, xml.Name{}, err.Error())
			return c
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue // text between members, the end of the operation element
		}
		i := slices.IndexFunc(contract, func(m member) bool { return m.name == t.Name.Local })
		switch {
		case t.Name.Space != ns:
			violate(op, t.Name, "in namespace %q, not %q: the server ignores it", t.Name.Space, ns)
			_ = d.Skip()
			continue
		case i < 0:
			violate(op, t.Name, "not a member of %s: the server ignores it", op)
			_ = d.Skip()
			continue
		case seen[t.Name.Local]:
			// XmlSerializer reads each member once and skips it when it comes again.
			violate(op, t.Name, "appears twice: the server ignores all but the first")
			_ = d.Skip()
			continue
		case i < last:
			violate(op, t.Name, "comes after <%s>, against the contract's order (the server reads members by name)", contract[last].name)
		}
		seen[t.Name.Local] = true
		last = max(last, i)
		m := contract[i]
		nilled := isNil(t)
		if m.kind == stringList {
			if nilled {
				delete(c.lists, m.name)
				_ = d.Skip()
				continue
			}
			items, err := readList(d, op+"/"+m.name, violate)
			if err != nil {
				refuse(op, t.Name, err.Error())
				return c
			}
			c.lists[m.name] = items
			continue
		}
		v, err := readText(d)
		if err != nil {
			refuse(op, t.Name, err.Error())
			return c
		}
		if nilled {
			if m.required && !m.nillable {
				refuse(op, t.Name, fmt.Sprintf("<%s> is nil, but a %s cannot be", m.name, kindName(m)))
			}
			delete(c.values, m.name)
			continue
		}
		if reason := checkValue(m, v); reason != "" {
			refuse(op, t.Name, reason)
			continue
		}
		c.values[m.name] = v
	}
	for _, m := range contract {
		if m.required && !seen[m.name] {
			violate(op, xml.Name{Space: ns, Local: m.name}, "required member is missing: the server reads its zero value")
		}
	}
	return c
}

// firstStart returns the first start element of d.
func firstStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		if t, ok := tok.(xml.StartElement); ok {
			return t, nil
		}
	}
}

func isNil(t xml.StartElement) bool {
	for _, a := range t.Attr {
		if a.Name.Space == xsiNS && a.Name.Local == "nil" {
			v := strings.TrimSpace(a.Value)
			return v == "true" || v == "1"
		}
	}
	return false
}

// readText reads the text of a simple element up to its end; an element inside is refused,
// as XmlSerializer refuses it.
func readText(d *xml.Decoder) (string, error) {
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", fmt.Errorf("<%s> inside a simple value", t.Name.Local)
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

// readList reads the <string> items of an ArrayOfString up to its end. Nil items are left out
// (the server gets a null entry, which matches no user); other elements are ignored.
func readList(d *xml.Decoder, path string, violate func(string, xml.Name, string, ...any)) ([]string, error) {
	items := []string{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != ns || t.Name.Local != "string" {
				violate(path, t.Name, "not a {%s}string item: the server ignores it", ns)
				if err := d.Skip(); err != nil {
					return nil, err
				}
				continue
			}
			nilled := isNil(t)
			v, err := readText(d)
			if err != nil {
				return nil, err
			}
			if !nilled {
				items = append(items, v)
			}
		case xml.EndElement:
			return items, nil
		}
	}
}

// checkValue says why the server cannot convert v for m ("" when it can), in the words of
// .NET's XmlConvert and XmlSerializer.
func checkValue(m member, v string) string {
	switch m.kind {
	case integer:
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err != nil {
			return fmt.Sprintf("<%s>: Input string was not in a correct format (%q).", m.name, v)
		}
	case boolean:
		switch strings.TrimSpace(v) {
		case "true", "false", "1", "0":
		default:
			return fmt.Sprintf("<%s>: The string '%s' is not a valid Boolean value.", m.name, v)
		}
	case dateTime:
		if _, err := parseDateTime(v); err != nil {
			return fmt.Sprintf("<%s>: The string '%s' is not a valid AllXsd value.", m.name, v)
		}
	case enum:
		if !slices.Contains(m.values, v) {
			return fmt.Sprintf("Instance validation error: '%s' is not a valid value for %s.", v, m.enumName)
		}
	}
	return ""
}

func kindName(m member) string {
	switch m.kind {
	case integer:
		return "int"
	case boolean:
		return "boolean"
	case dateTime:
		return "dateTime"
	case enum:
		return m.enumName
	}
	return "string"
}

// parseDateTime reads an xs:dateTime as XmlConvert does: with or without fraction and offset.
func parseDateTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an xs:dateTime: %q", v)
}
