package uds

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/internal/soapx"
)

// transactionNS qualifies the AnA request headers and, we assume (inferred, not documented), the
// udsTransactionID and authToken response headers. Responses are read by local name in any
// namespace, so a server that qualifies them otherwise still works.
const transactionNS = "http://ws.arcot.com/UDSTransaction/1.0"

// respMeta are the response header values of one exchange.
type respMeta struct {
	transactionID string
	authToken     string // secret: kept by the session, never exposed
}

// exchange wraps one generated-stub call: it attaches the header blocks, captures the
// response headers, and turns what came back into this package's errors.
func (c *Client) exchange(op string, do func(ctx context.Context) error) exchange {
	return func(ctx context.Context, headers []any) (respMeta, error) {
		if len(headers) > 0 {
			ctx = soapx.WithRequestHeaders(ctx, headers...)
		}
		ctx, resp := soapx.CaptureResponse(ctx)
		err := do(ctx)
		meta := respMeta{
			// Free text from the server, shown in results and errors: scrubbed like the rest.
			transactionID: c.secrets.Value(headerText(resp, "udsTransactionID")),
			authToken:     headerText(resp, "authToken"),
		}
		return meta, convertError(op, err, resp, meta)
	}
}

// headerText is the text of the response header block local, preferably in transactionNS.
func headerText(r *soapx.Response, local string) string {
	if h, ok := r.Header(transactionNS, local); ok {
		return h.Text
	}
	h, _ := r.Header("", local)
	return h.Text
}

// convertError maps the runtime's answer onto this package's errors. Only SOAP 1.2 is a
// valid answer: a SOAP 1.1 envelope (Fault or not) means something other than UDS answered.
func convertError(op string, err error, resp *soapx.Response, meta respMeta) error {
	if err == nil {
		if resp.Version != soapx.SOAP12 {
			return fmt.Errorf("uds: %s: %w", op, &soapx.ProtocolError{
				Reason:      "answer is not a SOAP 1.2 envelope",
				HTTPStatus:  resp.StatusCode,
				ContentType: resp.HTTPHeader.Get("Content-Type"),
			})
		}
		return nil
	}
	// A SOAP 1.1 answer (Fault or not) is a *soapx.ProtocolError from the runtime, which may
	// wrap the 1.1 Fault: it must stay a protocol error, not become a ServiceError.
	var pe *soapx.ProtocolError
	var f *soapx.Fault
	if !errors.As(err, &pe) && errors.As(err, &f) {
		if f.Version != soapx.SOAP12 {
			return fmt.Errorf("uds: %s: %w", op, &soapx.ProtocolError{
				Reason:      "SOAP 1.1 Fault answered to a SOAP 1.2 request",
				HTTPStatus:  f.HTTPStatus,
				ContentType: resp.HTTPHeader.Get("Content-Type"),
				Err:         f,
			})
		}
		return newServiceError(op, f, meta.transactionID)
	}
	return fmt.Errorf("uds: %s: %w", op, err)
}
