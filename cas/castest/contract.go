package castest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The fake's own statement of the wire contract: for each
// operation, the request element's children in the order the WSDL declares them, all in
// http://ca.tvinci.com/, with their occurrence and simple type. Requests are read against it
// token by token, independently of the generated types the client marshals, so a client that
// drifts from the contract is caught here even when its generated code drifted with it.
//
// What the real server does with a deviation is what XmlSerializer does: an element in
// another namespace, an unknown element or a repeated one is skipped, a missing required int or
// boolean reads as 0/false and a missing enum as its first member. The fake does the same and
// records each deviation in Violations, since the server would silently do something else than
// the caller meant.

type kind int

const (
	kString kind = iota
	kInt
	kBool
	kEnum
)

type member struct {
	name     string
	required bool // minOccurs 1
	kind     kind
	enum     []string // kEnum: the members, the first is XmlSerializer's default
	enumType string   // kEnum: the .NET type, for the fault text
}

var (
	transactionTypes = []string{"PPV", "Subscription", "Collection", "ProgramAssetGroupOffer"}
	orderBys         = []string{"PurchaseDateAsc", "PurchaseDateDesc"}
	userTaskTypes    = []string{"Delete", "DeleteDomain"}
)

func opt(name string) member         { return member{name: name} }
func req(name string, k kind) member { return member{name: name, required: true, kind: k} }
func enum(name, typ string, vals []string) member {
	return member{name: name, required: true, kind: kEnum, enum: vals, enumType: typ}
}

// contracts: request members per operation, in wire order.
var contracts = map[string][]member{
	opName: {opt("sWSUserName"), opt("sWSPassword"), req("domainId", kInt), opt("userId"),
		enum("actionType", "ApiObjects.UserTaskType", userTaskTypes)},
	"GetDomainEntitlements": {opt("sWSUserName"), opt("sWSPassword"), req("domainId", kInt),
		enum("type", "ApiObjects.eTransactionType", transactionTypes), req("isExpired", kBool),
		req("pageSize", kInt), req("pageIndex", kInt), enum("orderBy", "ApiObjects.EntitlementOrderBy", orderBys)},
	"GetDomainPermittedSubscriptions": {opt("sWSUserName"), opt("sWSPassword"), req("nDomainID", kInt)},
	"GetUserPermittedSubscriptions":   {opt("sWSUserName"), opt("sWSPassword"), opt("sSiteGUID")},
	"GetUserCAStatus":                 {opt("sWSUserName"), opt("sWSPassword"), opt("sSiteGUID")},
	// userId, udid and userIp are the current server's trailing parameters.
	"CancelSubscriptionRenewal": {opt("sWSUserName"), opt("sWSPassword"), req("nDomainId", kInt), opt("sSubscriptionCode"),
		opt("userId"), opt("udid"), opt("userIp")},
	"CancelServiceNow": {opt("sWSUserName"), opt("sWSPassword"), req("nDomainId", kInt), req("nAssetID", kInt),
		enum("transactionType", "ApiObjects.eTransactionType", transactionTypes), req("bIsForce", kBool), opt("udid")},
}

// Violation is one deviation of a request from the wire contract as this fake states it:
// something the real server would silently read otherwise than the caller meant, or refuse.
type Violation struct {
	Operation string   // wire operation, e.g. "HandleUserTask" ("" when the request was refused before routing)
	Path      string   // where, e.g. "HandleUserTask/domainId"; "" for a request-level deviation
	Element   xml.Name // the element as sent (namespace and local name); zero for a request-level deviation
	Reason    string   // what the server does with it
}

func (v Violation) String() string {
	where := v.Path
	if where == "" {
		where = v.Operation
	}
	if where == "" {
		return v.Reason
	}
	return where + ": " + v.Reason
}

// params is a request as the contract reads it: the value of each member present, by name.
type params map[string]string

func (p params) int(name string) int {
	n, _ := strconv.Atoi(p[name])
	return n
}

func (p params) bool(name string) bool { return p[name] == "true" || p[name] == "1" }

// readFault is a value XmlSerializer cannot read: the request fails with a soap:Client Fault
// "Server was unable to read request. ---> There is an error in XML document. ---> …".
type readFault struct{ reason string }

func (e *readFault) Error() string { return e.reason }

// readParams reads body, the raw XML of the Body's element, as operation op against its
// contract. It returns the values (defaults filled in as XmlSerializer fills them), the
// deviations from the contract, and a *readFault for a value that cannot be read.
func readParams(op string, body []byte) (params, []Violation, error) {
	contract := contracts[op]
	p := params{}
	var violations []Violation
	var at xml.Name // the element being read
	violate := func(format string, args ...any) {
		path := op
		if at.Local != "" && at.Local != op {
			path += "/" + at.Local
		}
		violations = append(violations, Violation{Operation: op, Path: path, Element: at, Reason: fmt.Sprintf(format, args...)})
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	last := -1
	seen := map[string]bool{}
	var cur *member
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, violations, &readFault{reason: err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth <= 2 {
				at = t.Name
			}
			switch depth {
			case 1:
				if t.Name.Space != tns || t.Name.Local != op {
					violate("the Body's element is {%s}%s, not {%s}%s: the server reads an empty request", t.Name.Space, t.Name.Local, tns, op)
					return fillDefaults(contract, p), violations, nil
				}
			case 2:
				cur = nil
				text.Reset()
				i := slices.IndexFunc(contract, func(m member) bool { return m.name == t.Name.Local })
				switch {
				case t.Name.Space != tns:
					violate("<%s> is in namespace %q, not %q: the server ignores it", t.Name.Local, t.Name.Space, tns)
				case i < 0:
					violate("<%s> is not a member of %s: the server ignores it", t.Name.Local, op)
				case seen[t.Name.Local]:
					violate("<%s> appears twice: the server reads the last one", t.Name.Local)
					cur = &contract[i]
				case i < last:
					violate("<%s> comes after <%s>: the WSDL order is %s", t.Name.Local, contract[last].name, names(contract))
					cur = &contract[i]
				default:
					cur = &contract[i]
				}
				if cur != nil {
					seen[cur.name] = true
					last = max(last, i)
				}
			default:
				if depth == 3 && cur != nil {
					violate("<%s> has a child element <%s>: it is a simple value", cur.name, t.Name.Local)
				}
			}
		case xml.CharData:
			if depth == 2 && cur != nil {
				text.Write(t)
			}
		case xml.EndElement:
			if depth == 2 && cur != nil {
				v, err := value(*cur, text.String())
				if err != nil {
					return nil, violations, err
				}
				p[cur.name] = v
			}
			depth--
		}
	}
	for _, m := range contract {
		if m.required && !seen[m.name] {
			at = xml.Name{Space: tns, Local: m.name}
			violate("required <%s> is missing: the server reads %s", m.name, defaultOf(m))
		}
	}
	return fillDefaults(contract, p), violations, nil
}

// value checks a member's text the way XmlSerializer reads it.
func value(m member, s string) (string, error) {
	switch m.kind {
	case kInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
		if err != nil {
			return "", &readFault{reason: "Input string was not in a correct format."}
		}
		return strconv.FormatInt(n, 10), nil
	case kBool:
		switch strings.TrimSpace(s) {
		case "true", "1":
			return "true", nil
		case "false", "0":
			return "false", nil
		}
		return "", &readFault{reason: "The string '" + s + "' is not a valid Boolean value."}
	case kEnum:
		if !slices.Contains(m.enum, s) {
			return "", &readFault{reason: "Instance validation error: '" + s + "' is not a valid value for " + m.enumType[strings.LastIndex(m.enumType, ".")+1:] + "."}
		}
	}
	return s, nil
}

func defaultOf(m member) string {
	switch m.kind {
	case kInt:
		return "0"
	case kBool:
		return "false"
	case kEnum:
		return m.enum[0]
	}
	return "null"
}

func fillDefaults(contract []member, p params) params {
	for _, m := range contract {
		if _, ok := p[m.name]; !ok && m.required {
			p[m.name] = defaultOf(m)
		}
	}
	return p
}

func names(contract []member) string {
	var b strings.Builder
	for i, m := range contract {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.name)
	}
	return b.String()
}

// readForm reads the fields of an HTTP POST request as operation op against its contract, the
// way ASMX's HttpPost protocol binds them: by name, case-insensitively, every member required,
// an int by Int32.Parse and an enum by Enum.Parse (its name or its number). It returns the
// values, the fields the server ignores (unknown ones) as violations, and the text of the
// .NET exception for a request the server refuses ("" when it reads it).
func readForm(op string, form url.Values) (params, []Violation, string) {
	contract := contracts[op]
	var violations []Violation
	for _, k := range slices.Sorted(maps.Keys(form)) {
		known := slices.ContainsFunc(contract, func(m member) bool { return strings.EqualFold(m.name, k) })
		switch {
		case !known:
			violations = append(violations, Violation{Operation: op, Path: op + "/" + k, Reason: "form field " + strconv.Quote(k) + " is not a parameter of " + op + ": the server ignores it"})
		case len(form[k]) > 1:
			violations = append(violations, Violation{Operation: op, Path: op + "/" + k, Reason: "form field " + strconv.Quote(k) + " is sent " + strconv.Itoa(len(form[k])) + " times: the server reads them joined with commas"})
		}
	}
	// NameValueCollection lookups are case-insensitive; a repeated field reads as its values
	// joined with commas.
	get := func(name string) (string, bool) {
		var vals []string
		for _, k := range slices.Sorted(maps.Keys(form)) {
			if strings.EqualFold(k, name) {
				vals = append(vals, form[k]...)
			}
		}
		return strings.Join(vals, ","), len(vals) > 0
	}
	p := params{}
	for _, m := range contract {
		v, ok := get(m.name)
		if !ok {
			return nil, violations, "System.InvalidOperationException: Missing parameter: " + m.name + "."
		}
		switch m.kind {
		case kInt:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
			if err != nil {
				return nil, violations, "System.ArgumentException: Cannot convert " + v + " to System.Int32.\r\nParameter name: type ---> System.FormatException: Input string was not in a correct format."
			}
			v = strconv.FormatInt(n, 10)
		case kBool:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				v = "true"
			case "false":
				v = "false"
			default:
				return nil, violations, "System.ArgumentException: Cannot convert " + v + " to System.Boolean.\r\nParameter name: type ---> System.FormatException: String was not recognized as a valid Boolean."
			}
		case kEnum:
			name := strings.TrimSpace(v)
			if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < len(m.enum) {
				name = m.enum[n]
			}
			if !slices.Contains(m.enum, name) {
				return nil, violations, "System.ArgumentException: Cannot convert " + v + " to " + m.enumType + ".\r\nParameter name: type ---> System.ArgumentException: Requested value '" + v + "' was not found."
			}
			v = name
		}
		p[m.name] = v
	}
	return p, violations, ""
}
