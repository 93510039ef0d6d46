package castest

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx/soapsrv/asmxread"
)

// The fake's own statement of the wire contract: for each
// operation, the request element's children in the order the WSDL declares them, all in
// http://ca.tvinci.com/, with their occurrence and simple type. Requests are read against it
// token by token, independently of the generated types the client marshals, so a client that
// drifts from the contract is caught here even when its generated code drifted with it.
//
// What the real server does with a deviation is what XmlSerializer does: an element in
// another namespace, an unknown element or a repeated one is skipped, a missing required int or
// boolean reads as 0/false and a missing enum as its first member. The fake does the same (it
// reads with asmxread, which holds those rules) and records each deviation in Violations,
// since the server would silently do something else than the caller meant.

var (
	transactionTypes = []string{"PPV", "Subscription", "Collection", "ProgramAssetGroupOffer"}
	orderBys         = []string{"PurchaseDateAsc", "PurchaseDateDesc"}
	userTaskTypes    = []string{"Delete", "DeleteDomain"}
)

// opt is an optional string, req a required value type (minOccurs 1), enum a required enum
// whose first member is XmlSerializer's default; typ is the .NET type, for the fault text.
func opt(name string) asmxread.Member { return asmxread.Member{Name: name} }
func req(name string, k asmxread.Kind) asmxread.Member {
	return asmxread.Member{Name: name, Required: true, Kind: k}
}
func enum(name, typ string, vals []string) asmxread.Member {
	return asmxread.Member{Name: name, Required: true, Kind: asmxread.Enum, Values: vals, Type: typ}
}

// contracts: request members per operation, in wire order.
var contracts = map[string][]asmxread.Member{
	opName: {opt("sWSUserName"), opt("sWSPassword"), req("domainId", asmxread.Int), opt("userId"),
		enum("actionType", "ApiObjects.UserTaskType", userTaskTypes)},
	"GetDomainEntitlements": {opt("sWSUserName"), opt("sWSPassword"), req("domainId", asmxread.Int),
		enum("type", "ApiObjects.eTransactionType", transactionTypes), req("isExpired", asmxread.Bool),
		req("pageSize", asmxread.Int), req("pageIndex", asmxread.Int), enum("orderBy", "ApiObjects.EntitlementOrderBy", orderBys)},
	"GetDomainPermittedSubscriptions": {opt("sWSUserName"), opt("sWSPassword"), req("nDomainID", asmxread.Int)},
	"GetUserPermittedSubscriptions":   {opt("sWSUserName"), opt("sWSPassword"), opt("sSiteGUID")},
	"GetUserCAStatus":                 {opt("sWSUserName"), opt("sWSPassword"), opt("sSiteGUID")},
	// userId, udid and userIp are the current server's trailing parameters.
	"CancelSubscriptionRenewal": {opt("sWSUserName"), opt("sWSPassword"), req("nDomainId", asmxread.Int), opt("sSubscriptionCode"),
		opt("userId"), opt("udid"), opt("userIp")},
	"CancelServiceNow": {opt("sWSUserName"), opt("sWSPassword"), req("nDomainId", asmxread.Int), req("nAssetID", asmxread.Int),
		enum("transactionType", "ApiObjects.eTransactionType", transactionTypes), req("bIsForce", asmxread.Bool), opt("udid")},
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

// readParams reads body, the raw XML of the Body's element, as operation op against its
// contract. It returns the values (defaults filled in as XmlSerializer fills them), the
// deviations from the contract, and the *asmxread.Fault for a value the server cannot read:
// the request fails with a soap:Client Fault "Server was unable to read request. ---> There
// is an error in XML document. ---> …".
func readParams(op string, body []byte) (params, []Violation, error) {
	contract := contracts[op]
	r := asmxread.Read(asmxread.Contract{Namespace: tns, Operation: op, Members: contract}, body)
	var violations []Violation
	for _, f := range r.Findings {
		violations = append(violations, violation(op, contract, f))
	}
	if r.Fault != nil {
		return nil, violations, r.Fault
	}
	p := params{}
	for _, m := range contract {
		if v, ok := r.Values[m.Name]; ok {
			p[m.Name] = asmxread.Canonical(m, v)
		} else if m.Required {
			p[m.Name] = m.Zero()
		}
	}
	return p, violations, nil
}

// violation says what the server does with f, a deviation of a request for op.
func violation(op string, contract []asmxread.Member, f asmxread.Finding) Violation {
	name := f.Element.Local
	var reason string
	switch f.Kind {
	case asmxread.WrongElement:
		reason = fmt.Sprintf("the Body's element is {%s}%s, not {%s}%s: the server reads an empty request", f.Element.Space, name, tns, op)
	case asmxread.OtherNamespace:
		reason = fmt.Sprintf("<%s> is in namespace %q, not %q: the server ignores it", name, f.Element.Space, tns)
	case asmxread.Unknown:
		reason = fmt.Sprintf("<%s> is not a member of %s: the server ignores it", name, op)
	case asmxread.Repeated:
		reason = fmt.Sprintf("<%s> appears twice: the server reads the first one", name)
	case asmxread.OutOfOrder:
		reason = fmt.Sprintf("<%s> comes after <%s>: the WSDL order is %s", name, f.After, names(contract))
	case asmxread.Missing:
		zero := f.Member.Zero()
		if zero == "" {
			zero = "null"
		}
		reason = fmt.Sprintf("required <%s> is missing: the server reads %s", name, zero)
	default:
		reason = f.String()
	}
	path := op
	if name != "" && name != op {
		path += "/" + name
	}
	return Violation{Operation: op, Path: path, Element: f.Element, Reason: reason}
}

func names(contract []asmxread.Member) string {
	var b strings.Builder
	for i, m := range contract {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.Name)
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
		known := slices.ContainsFunc(contract, func(m asmxread.Member) bool { return strings.EqualFold(m.Name, k) })
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
		v, ok := get(m.Name)
		if !ok {
			return nil, violations, "System.InvalidOperationException: Missing parameter: " + m.Name + "."
		}
		switch m.Kind {
		case asmxread.Int:
			n, err := asmxread.ParseInt(v)
			if err != nil {
				return nil, violations, "System.ArgumentException: Cannot convert " + v + " to System.Int32.\r\nParameter name: type ---> System.FormatException: Input string was not in a correct format."
			}
			v = strconv.Itoa(n)
		case asmxread.Bool:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				v = "true"
			case "false":
				v = "false"
			default:
				return nil, violations, "System.ArgumentException: Cannot convert " + v + " to System.Boolean.\r\nParameter name: type ---> System.FormatException: String was not recognized as a valid Boolean."
			}
		case asmxread.Enum:
			name := strings.TrimSpace(v)
			if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < len(m.Values) {
				name = m.Values[n]
			}
			if !slices.Contains(m.Values, name) {
				return nil, violations, "System.ArgumentException: Cannot convert " + v + " to " + m.Type + ".\r\nParameter name: type ---> System.ArgumentException: Requested value '" + v + "' was not found."
			}
			v = name
		}
		p[m.Name] = v
	}
	return p, violations, ""
}
