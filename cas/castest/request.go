package castest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/internal/caswsdl"
)

// Request is one request as the server received it and what it answered.
type Request struct {
	WireForm    cas.WireForm // SOAP11, SOAP12 or HTTPPost as the server read it; 0 when it could not tell
	Method      string
	Path        string
	ContentType string
	// SOAPAction is the SOAPAction header exactly as received (quotes included), and
	// HasSOAPAction tells an absent header from an empty one: ASMX treats them differently.
	SOAPAction    string
	HasSOAPAction bool
	Header        http.Header // all request headers
	// Body is the request decoded into the generated type the client marshals, nil when
	// the request was refused before decoding. It holds the password as received.
	Body *caswsdl.HandleUserTask
	// Operation is the wire operation the request was routed to ("" when it was refused
	// before routing).
	Operation string
	// Params are the members of an entitlement read or cancellation as the server read
	// them against its own statement of the contract (nil for HandleUserTask and for requests
	// refused before). They hold the password as received.
	Params map[string]string

	HTTPStatus int      // status of the answer
	Code       cas.Code // Status.Code answered (when Answered)
	Message    string   // Status.Message answered (when Answered)
	Answered   bool     // a Status was answered (HTTP 200, or 404 for bad credentials)
	Refusal    string   // the fault reason or error text when the request was refused
}

// Format prints the request without the password, for every verb.
func (r Request) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "castest.Request{%s %s %s content-type=%q", r.WireForm, r.Method, r.Path, r.ContentType)
	if r.HasSOAPAction {
		fmt.Fprintf(f, " SOAPAction=%q", r.SOAPAction)
	}
	if b := r.Body; b != nil {
		action := "<nil>"
		if b.ActionType != nil {
			action = string(*b.ActionType)
		}
		fmt.Fprintf(f, " body={sWSUserName:%q sWSPassword:[REDACTED] domainId:%d userId:%q actionType:%s}",
			b.SWSUserName, b.DomainId, b.UserId, action)
	}
	if r.Operation != "" && r.Operation != "HandleUserTask" {
		fmt.Fprintf(f, " op=%s", r.Operation)
		for _, k := range slices.Sorted(maps.Keys(r.Params)) {
			if k == "sWSPassword" {
				fmt.Fprintf(f, " %s=[REDACTED]", k)
				continue
			}
			fmt.Fprintf(f, " %s=%q", k, r.Params[k])
		}
	}
	fmt.Fprintf(f, " → HTTP %d", r.HTTPStatus)
	if r.Answered {
		fmt.Fprintf(f, " Status{%d %q}", int(r.Code), r.Message)
	}
	if r.Refusal != "" {
		fmt.Fprintf(f, " refused: %q", r.Refusal)
	}
	f.Write([]byte("}"))
}
