package castest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/offboard-go/offboard/cas"
)

// Request is one request as the server received and read it, and what it answered.
type Request struct {
	// Operation is the wire operation the request was routed to ("HandleUserTask",
	// "CancelSubscriptionRenewal"…), "" when it was refused before routing.
	Operation string
	// Action is the SOAP action the request was routed on: the SOAPAction header without its
	// quotes (SOAP 1.1) or the Content-Type's action parameter (SOAP 1.2); "" for the HTTP
	// POST form or a SOAP 1.2 request routed on its Body element.
	Action      string
	ContentType string
	// Violations are this request's deviations from the wire contract (also in
	// Server.Violations).
	Violations []Violation

	// SOAPVersion is the version of the envelope as the server read it, 0 for the HTTP POST
	// form or a request refused before.
	SOAPVersion cas.SOAPVersion
	// HTTPPost: the request came in the HTTP POST form (<endpoint>/HandleUserTask).
	HTTPPost bool
	Method   string
	Path     string
	// SOAPAction is the SOAPAction header exactly as received (quotes included), and
	// HasSOAPAction tells an absent header from an empty one: ASMX treats them differently.
	SOAPAction    string
	HasSOAPAction bool
	Header        http.Header // all request headers
	// Params are the operation's parameters as the server read them against its own
	// statement of the contract, by wire name ("sWSUserName", "domainId", "actionType"…),
	// with the defaults the server fills in for missing ones; nil when the request was refused
	// before they were read. They hold the password as received.
	Params map[string]string

	HTTPStatus int      // status of the answer
	Code       cas.Code // Status.Code answered (when Answered)
	Message    string   // Status.Message answered (when Answered)
	Answered   bool     // a Status was answered (HTTP 200, or 404 for bad credentials)
	Refusal    string   // the fault reason or error text when the request was refused
}

// Format prints the request without the password, for every verb.
func (r Request) Format(f fmt.State, _ rune) {
	form := "?"
	switch {
	case r.HTTPPost:
		form = "HTTP POST"
	case r.SOAPVersion != 0:
		form = r.SOAPVersion.String()
	}
	fmt.Fprintf(f, "castest.Request{%s %s %s content-type=%q", form, r.Method, r.Path, r.ContentType)
	if r.HasSOAPAction {
		fmt.Fprintf(f, " SOAPAction=%q", r.SOAPAction)
	}
	if r.Operation != "" {
		fmt.Fprintf(f, " op=%s", r.Operation)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Params)) {
		if k == "sWSPassword" {
			fmt.Fprintf(f, " %s=[REDACTED]", k)
			continue
		}
		fmt.Fprintf(f, " %s=%q", k, r.Params[k])
	}
	fmt.Fprintf(f, " → HTTP %d", r.HTTPStatus)
	if r.Answered {
		fmt.Fprintf(f, " Status{%d %q}", int(r.Code), r.Message)
	}
	if r.Refusal != "" {
		fmt.Fprintf(f, " refused: %q", r.Refusal)
	}
	if len(r.Violations) > 0 {
		fmt.Fprintf(f, " violations=%d", len(r.Violations))
	}
	_, _ = f.Write([]byte("}"))
}
