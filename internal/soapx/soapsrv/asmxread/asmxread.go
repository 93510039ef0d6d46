// Package asmxread reads a request's body element the way an ASMX service reads a web
// method's parameters with .NET's XmlSerializer, against a contract the caller states: the
// operation's members in order, with their types. It is the reading rules of the fakes that
// front ASMX services; the contracts, and the words in which a fake reports a deviation, stay
// with each fake.
//
// What XmlSerializer does with a deviation is what Read does, and reports as a Finding:
//
//   - a Body element other than {Namespace}Operation is skipped: the method reads an empty
//     request (WrongElement);
//   - a member in another namespace, an unknown element, or a member sent again is skipped
//     (OtherNamespace, Unknown, Repeated): it reads each member once, by name, and the first
//     one stands;
//   - a member that comes after one the contract puts later is read all the same, since members
//     are read by name (OutOfOrder);
//   - a required member left out (a value type: int, boolean, dateTime, enum) reads as its zero
//     value, an enum as its first member (Missing);
//   - in a string list, an element other than an item is skipped and a nil item is left out
//     (NotAnItem).
//
// A value it cannot convert (a number that is not an xs:int, a boolean, dateTime or enum
// member it does not know, xsi:nil on a value type that is not nillable, an element inside a
// simple value) makes it throw: the request fails with a soap:Client Fault "Server was unable to
// read request. ---> There is an error in XML document. ---> …". Read stops there, as the server
// does, and returns the Fault.
package asmxread

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

// XSINamespace is the XML Schema instance namespace (xsi:nil).
const XSINamespace = "http://www.w3.org/2001/XMLSchema-instance"

// Kind is the XML Schema type of a member.
type Kind int

const (
	String     Kind = iota // xs:string
	Int                    // xs:int
	Bool                   // xs:boolean
	DateTime               // xs:dateTime
	Enum                   // a string enumeration (Member.Values)
	StringList             // ArrayOfString: Member.Item elements in the contract's namespace
)

// Member is one member of a request: a parameter of the .NET method.
type Member struct {
	Name     string
	Kind     Kind
	Required bool     // minOccurs 1 and a value type: absent is read as its zero value (Zero)
	Nillable bool     // xsi:nil="true" is a null rather than a Fault
	Values   []string // Enum: the members as spelled on the wire; the first is XmlSerializer's default
	Type     string   // Enum: the .NET type ("ApiObjects.UserTaskType"); Faults name it without its namespace
	Item     string   // StringList: the local name of an item ("string")
}

// Zero is the value the server reads for the member when it is left out: 0, false, the
// enum's first member, DateTime.MinValue; "" (null) for a string or a list.
func (m Member) Zero() string {
	switch m.Kind {
	case Int:
		return "0"
	case Bool:
		return "false"
	case DateTime:
		return "0001-01-01T00:00:00"
	case Enum:
		if len(m.Values) > 0 {
			return m.Values[0]
		}
	}
	return ""
}

// typeName names the member's type the way the server's messages do.
func (m Member) typeName() string {
	switch m.Kind {
	case Int:
		return "int"
	case Bool:
		return "boolean"
	case DateTime:
		return "dateTime"
	case Enum:
		return m.Type[strings.LastIndex(m.Type, ".")+1:]
	case StringList:
		return "ArrayOfString"
	}
	return "string"
}

// Contract is an operation's request as a fake states it.
type Contract struct {
	Namespace string   // of the Body's element, its members and list items
	Operation string   // the Body's element's local name
	Members   []Member // in the order the contract declares them
}

// FindingKind is what XmlSerializer does with a deviation it reads past.
type FindingKind int

const (
	WrongElement   FindingKind = iota + 1 // the Body's element is not {Namespace}Operation: an empty request
	OtherNamespace                        // a member in another namespace: skipped
	Unknown                               // an element that is not a member: skipped
	Repeated                              // a member sent again: skipped, the first one stands
	OutOfOrder                            // a member after one the contract puts later: read
	Missing                               // a required member left out: read as its Zero
	NotAnItem                             // in a list, an element other than an item: skipped
)

// Finding is one deviation of a request from its contract that the server reads past.
type Finding struct {
	Kind FindingKind
	// Element is the element as sent; for Missing, the member as the contract names it.
	Element xml.Name
	// Member is the contract's member: the one concerned (Repeated, OutOfOrder, Missing), the
	// list the element is in (NotAnItem); zero otherwise.
	Member Member
	// After is, for OutOfOrder, the member read before it that the contract puts after it.
	After string
}

// String describes the finding in neutral words; fakes report findings in their own.
func (f Finding) String() string {
	what := map[FindingKind]string{
		WrongElement:   "not the operation's element: read as an empty request",
		OtherNamespace: "in another namespace: skipped",
		Unknown:        "not a member: skipped",
		Repeated:       "repeated: skipped, the first one stands",
		OutOfOrder:     "after <" + f.After + ">: read",
		Missing:        "missing: read as " + strconv.Quote(f.Member.Zero()),
		NotAnItem:      "not an item of <" + f.Member.Name + ">: skipped",
	}[f.Kind]
	return fmt.Sprintf("{%s}%s: %s", f.Element.Space, f.Element.Local, what)
}

// Fault is a request the server refuses because XmlSerializer cannot read it: a soap:Client
// Fault "Server was unable to read request. ---> There is an error in XML document. ---> "
// followed by Reason.
type Fault struct {
	Element xml.Name // the member being read; zero when the XML itself could not be read
	Reason  string   // the exception's message
}

func (f *Fault) Error() string { return f.Reason }

// Result is a request as Read read it.
type Result struct {
	Values   map[string]string   // scalar members read (not nil), by name, text as received
	Lists    map[string][]string // list members read (not nil): their non-nil items
	Findings []Finding           // in the order read; Missing ones last
	Fault    *Fault              // set when the server refuses the request; reading stopped there
}

// Read reads body, the raw XML of the Body's element, against c.
func Read(c Contract, body []byte) Result {
	r := Result{Values: map[string]string{}, Lists: map[string][]string{}}
	d := xml.NewDecoder(bytes.NewReader(body))
	op := xml.Name{Space: c.Namespace, Local: c.Operation}
	root, err := firstStart(d)
	switch {
	case errors.Is(err, io.EOF):
		// No element at all: every member is left out.
		r.missing(c, nil)
		return r
	case err != nil:
		r.Fault = &Fault{Element: op, Reason: err.Error()}
		return r
	case root.Name != op:
		// XmlSerializer skips an element it does not expect: the method reads no parameter,
		// and none counts as left out.
		r.Findings = append(r.Findings, Finding{Kind: WrongElement, Element: root.Name})
		return r
	}
	last := -1
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.Fault = &Fault{Reason: err.Error()}
			return r
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue // text between members, the end of the operation's element
		}
		i := slices.IndexFunc(c.Members, func(m Member) bool { return m.Name == t.Name.Local })
		skip := Finding{Element: t.Name}
		switch {
		case t.Name.Space != c.Namespace:
			skip.Kind = OtherNamespace
		case i < 0:
			skip.Kind = Unknown
		case seen[t.Name.Local]:
			// XmlSerializer reads each member once and skips it when it comes again.
			skip.Kind, skip.Member = Repeated, c.Members[i]
		case i < last:
			// Read all the same: members are read by name.
			r.Findings = append(r.Findings, Finding{Kind: OutOfOrder, Element: t.Name, Member: c.Members[i], After: c.Members[last].Name})
		}
		if skip.Kind != 0 {
			r.Findings = append(r.Findings, skip)
			if err := d.Skip(); err != nil {
				r.Fault = &Fault{Element: t.Name, Reason: err.Error()}
				return r
			}
			continue
		}
		seen[t.Name.Local] = true
		last = max(last, i)
		if f := r.member(d, c, c.Members[i], t); f != nil {
			r.Fault = f
			return r
		}
	}
	r.missing(c, seen)
	return r
}

// member reads the value of m, whose start t has just been read, up to its end.
func (r *Result) member(d *xml.Decoder, c Contract, m Member, t xml.StartElement) *Fault {
	nilled := isNil(t)
	if m.Kind == StringList {
		if nilled { // a null list: absent
			if err := d.Skip(); err != nil {
				return &Fault{Element: t.Name, Reason: err.Error()}
			}
			return nil
		}
		items, err := r.list(d, c, m)
		if err != nil {
			return &Fault{Element: t.Name, Reason: err.Error()}
		}
		r.Lists[m.Name] = items
		return nil
	}
	v, err := readText(d)
	if err != nil {
		return &Fault{Element: t.Name, Reason: err.Error()}
	}
	if nilled {
		if m.Required && !m.Nillable {
			return &Fault{Element: t.Name, Reason: fmt.Sprintf("<%s> is nil, but a %s cannot be", m.Name, m.typeName())}
		}
		return nil // a null: absent
	}
	if reason := check(m, v); reason != "" {
		return &Fault{Element: t.Name, Reason: reason}
	}
	r.Values[m.Name] = v
	return nil
}

// missing records the required members not in seen.
func (r *Result) missing(c Contract, seen map[string]bool) {
	for _, m := range c.Members {
		if m.Required && !seen[m.Name] {
			r.Findings = append(r.Findings, Finding{Kind: Missing, Element: xml.Name{Space: c.Namespace, Local: m.Name}, Member: m})
		}
	}
}

// list reads the items of list member m up to its end. Nil items are left out (the server
// gets a null entry); other elements are skipped.
func (r *Result) list(d *xml.Decoder, c Contract, m Member) ([]string, error) {
	items := []string{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != c.Namespace || t.Name.Local != m.Item {
				r.Findings = append(r.Findings, Finding{Kind: NotAnItem, Element: t.Name, Member: m})
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
		if a.Name.Space == XSINamespace && a.Name.Local == "nil" {
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

// check says why the server cannot convert v for m ("" when it can), in the words of .NET's
// XmlConvert and XmlSerializer.
func check(m Member, v string) string {
	switch m.Kind {
	case Int:
		if _, err := ParseInt(v); err != nil {
			return "Input string was not in a correct format."
		}
	case Bool:
		if _, err := ParseBool(v); err != nil {
			return "The string '" + v + "' is not a valid Boolean value."
		}
	case DateTime:
		if _, err := ParseDateTime(v); err != nil {
			return "The string '" + v + "' is not a valid AllXsd value."
		}
	case Enum:
		if !slices.Contains(m.Values, v) {
			return "Instance validation error: '" + v + "' is not a valid value for " + m.typeName() + "."
		}
	}
	return ""
}

// ParseInt reads an xs:int as XmlConvert.ToInt32 does: surrounding white space allowed.
func ParseInt(v string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	return int(n), err
}

// ParseBool reads an xs:boolean as XmlConvert.ToBoolean does: true, false, 1 or 0, surrounding
// white space allowed.
func ParseBool(v string) (bool, error) {
	switch strings.TrimSpace(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("not an xs:boolean: %q", v)
}

// ParseDateTime reads an xs:dateTime as XmlConvert does: with or without fraction and offset.
func ParseDateTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an xs:dateTime: %q", v)
}

// Canonical is a value read for m as the server holds it: an int without sign or leading
// zeros, a boolean as true or false, anything else as received.
func Canonical(m Member, v string) string {
	switch m.Kind {
	case Int:
		if n, err := ParseInt(v); err == nil {
			return strconv.Itoa(n)
		}
	case Bool:
		if b, err := ParseBool(v); err == nil {
			return strconv.FormatBool(b)
		}
	}
	return v
}
