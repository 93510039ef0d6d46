package cas

import (
	"context"
	"errors"
	"strconv"

	"github.com/offboard-go/offboard/cas/internal/caswsdl"
	"github.com/offboard-go/offboard/internal/scrub"
	"github.com/offboard-go/offboard/internal/soapx"
)

// WithObserver reports every call of the client to o: service "cas", operation
// HandleUserTask, its outcome, the Status Code as the observation's Code ("0" for OK, "1020"…),
// each HTTP exchange, and the refused-credential events. A nil o observes nothing; without it
// a call costs nothing more. See CallInfo, CallEvent and CallResult.
func WithObserver(o Observer) Option { return func(opts *options) { opts.observer = o } }

func newHook(o Observer, form wireForm, endpoint string, secrets *scrub.Set) *soapx.Hook {
	var v soapx.Version
	switch form {
	case formSOAP11:
		v = soapx.SOAP11
	case formSOAP12:
		v = soapx.SOAP12
	}
	return soapx.NewHook(o, "cas", v, endpoint, secrets)
}

// startOp begins the observation of a call of the wire operation op, if the client has an
// Observer.
func (c *Client) startOp(ctx context.Context, op string) (context.Context, *soapx.Call) {
	if c.obs == nil {
		return ctx, nil
	}
	action := "" // the HTTP POST form has no SOAP action
	switch {
	case c.form == formHTTPPost:
	case op == opHandleUserTask:
		action = caswsdl.ActionHandleUserTask // the most frequent call: no concatenation
	default:
		action = actionNS + op
	}
	return c.obs.Start(ctx, op, action)
}

// actionNS is the namespace of the module's SOAP actions (caswsdl.ActionHandleUserTask…).
const actionNS = "http://ca.tvinci.com/"

// endCall ends the observation of a call with its Status Code: res's for an answer with a
// Result, the *ServiceError's for a failure.
func (c *Client) endCall(call *soapx.Call, res *Result, err error) {
	if call == nil {
		return
	}
	code := ""
	var se *ServiceError
	switch {
	case res != nil:
		code = strconv.Itoa(int(res.Code))
	case errors.As(err, &se) && se.Fault == nil:
		code = strconv.Itoa(int(se.Code))
	}
	call.End(err, code)
}
