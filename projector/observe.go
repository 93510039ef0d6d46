package projector

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
)

// WithObserver reports every call of the client to o: service "projector", the wire operation
// (PwsDeleteUser; PwsAuthenticate for Authenticate, PwsUnauthenticate for Close), its outcome,
// the first ErrorNumber of the PwsMessages of a failed answer as the observation's Code
// ("50024", "10004"…; the ErrorCode mnemonic when no message has a number), each HTTP exchange, and the session events: authentication,
// re-authentication after a rejected ticket, refused credentials, RedirectUrl hops and
// rate-limit pauses. A nil o observes nothing; without it a call costs nothing more. See
// CallInfo, CallEvent and CallResult.
func WithObserver(o Observer) Option { return func(opts *options) { opts.observer = o } }

// actions are the SOAP actions of the operations a call can be.
var actions = map[string]string{
	opAuthenticate:   projectorwsdl.ActionPwsAuthenticate,
	opUnauthenticate: projectorwsdl.ActionPwsUnauthenticate,
	opDeleteUser:     projectorwsdl.ActionPwsDeleteUser,
	opGetUserList:    projectorwsdl.ActionPwsGetUserList,
}

// startCall begins the observation of a call of op, at the endpoint the client talks to now.
func (c *client) startCall(ctx context.Context, op string) (context.Context, *soapx.Call) {
	if c.obs == nil {
		return ctx, nil
	}
	return c.obs.StartAt(ctx, op, actions[op], c.currentEndpoint())
}

// endCall ends the observation of a call with its errorCode.
func (c *client) endCall(call *soapx.Call, err error) {
	if call == nil {
		return
	}
	call.End(err, errorCode(err))
}

// emitRedirect adds a RedirectUrl hop to target to the call under way.
func (c *client) emitRedirect(ctx context.Context, target string) {
	if c.obs == nil {
		return
	}
	host := ""
	if u, err := url.Parse(target); err == nil {
		host = u.Host
	}
	soapx.Emit(ctx, observe.Event{Kind: observe.EventRedirect, Host: host})
}

// emitPause adds a rate-limit pause of wait to the call under way.
func (c *client) emitPause(ctx context.Context, wait time.Duration) {
	if c.obs != nil {
		soapx.Emit(ctx, observe.Event{Kind: observe.EventRateLimitPause, Wait: wait})
	}
}

// errorCode is the observation code of a failed call: the first ErrorNumber of its messages,
// or the first ErrorCode mnemonic when no message has a number (Projector's codes for bad
// credentials are not documented), "" without a *ServiceError.
func errorCode(err error) string {
	var se *ServiceError
	if !errors.As(err, &se) {
		return ""
	}
	for _, m := range se.Messages {
		if m.ErrorNumber != 0 {
			return strconv.Itoa(m.ErrorNumber)
		}
	}
	for _, m := range se.Messages {
		if m.ErrorCode != "" {
			return m.ErrorCode
		}
	}
	return ""
}
