package soapx

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/scrub"
)

// Observation: a service package makes a Hook from the client's observe.Observer (nil when
// there is none) and brackets each façade call with Hook.Start and Call.End. The Call travels
// in the context, so the runtime reports each HTTP exchange of the call (WithObserver tells
// it to look) and the session engine and the façades add their events with Emit. Without an
// Observer, the per-call cost is the façade's nil check of its Hook and the runtime's test of
// one bool.

// WithObserver tells the client that its calls may be observed: each exchange made with a
// context carrying a Call (Hook.Start) is reported to it as an observe.EventAttempt, and each
// retry of the RetryPolicy as an observe.EventRetry. A nil Observer turns it off.
func WithObserver(o observe.Observer) Option { return func(c *config) { c.observed = o != nil } }

// Hook is a client's observation settings. A nil *Hook observes nothing.
type Hook struct {
	obs      observe.Observer
	service  string
	version  string
	endpoint string
	host     string // of endpoint
	secrets  *scrub.Set
}

// NewHook returns the Hook of a client of service whose calls go to endpoint in envelopes of
// version (0: cas' HTTP POST form), or nil when o is nil.
//
// The texts handed to o are scrubbed of secrets, each once: the hosts (an endpoint, a
// redirect target) when they are first seen, the service's code and the reason of an event
// when they are reported. Operations and SOAP actions are not: they are the service packages'
// constants, and scrubbing them on every call would cost more than the rest of the hook.
func NewHook(o observe.Observer, service string, version Version, endpoint string, secrets *scrub.Set) *Hook {
	if o == nil {
		return nil
	}
	return &Hook{obs: o, service: service, version: versionName(version), endpoint: endpoint,
		host: secrets.String(hostOf(endpoint)), secrets: secrets}
}

func versionName(v Version) string {
	switch v {
	case SOAP11:
		return "1.1"
	case SOAP12:
		return "1.2"
	}
	return ""
}

func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Host
}

type callKey struct{}

// Start begins the observation of a call of operation op (SOAP action action) and returns the
// context the call must run with. On a nil Hook it returns ctx and a nil *Call, whose End does
// nothing.
func (h *Hook) Start(ctx context.Context, op, action string) (context.Context, *Call) {
	if h == nil {
		return ctx, nil
	}
	return h.start(ctx, op, action, h.host)
}

// StartAt is Start for a call that begins at endpoint rather than the client's configured one
// (projector after a redirect).
func (h *Hook) StartAt(ctx context.Context, op, action, endpoint string) (context.Context, *Call) {
	if h == nil {
		return ctx, nil
	}
	host := h.host
	if endpoint != h.endpoint {
		host = h.secrets.String(hostOf(endpoint))
	}
	return h.start(ctx, op, action, host)
}

func (h *Hook) start(ctx context.Context, op, action, host string) (context.Context, *Call) {
	info := observe.CallInfo{
		Service:     h.service,
		Operation:   op,
		Action:      action,
		SOAPVersion: h.version,
		Host:        host,
	}
	c := &Call{secrets: h.secrets, host: host, start: time.Now()}
	octx, oc := h.obs.Start(ctx, info)
	if octx == nil {
		octx = ctx
	}
	c.c = oc
	return context.WithValue(octx, callKey{}, c), c
}

// Call is the observation of one call under way. Its methods are safe for concurrent use (a
// detached login reports from another goroutine) and do nothing on a nil *Call or after End.
type Call struct {
	secrets *scrub.Set
	host    string // scrubbed host of the call's start
	start   time.Time

	mu       sync.Mutex
	c        observe.Call // nil: the Observer wants no events
	ended    bool
	code     string // SetCode
	attempts int
	sent     int64
	recv     int64
	status   int
}

// callFrom returns the Call that ctx carries, or nil.
func callFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// Emit adds e to the call ctx carries, if any: the session engine's and the façades' events.
// It costs a context lookup, so callers on a per-call path test their Hook first.
func Emit(ctx context.Context, e observe.Event) {
	if c := callFrom(ctx); c != nil {
		c.Event(e)
	}
}

// SetCode records the service's code for the answer of the call ctx carries, if any, for an
// End that is given none (an operation's body knows the code; the façade that ends the call
// may not).
func SetCode(ctx context.Context, code string) {
	if c := callFrom(ctx); c != nil {
		c.mu.Lock()
		c.code = code
		c.mu.Unlock()
	}
}

// Code returns the code SetCode recorded ("" on a nil Call).
func (c *Call) Code() string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code
}

// Event adds e to the call, with its time and its texts scrubbed.
func (c *Call) Event(e observe.Event) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.eventLocked(e)
}

func (c *Call) eventLocked(e observe.Event) {
	if c.ended || c.c == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Kind != observe.EventAttempt { // attempt: scrubbed by attempt
		e.Host = c.secrets.String(e.Host)
		e.Reason = c.secrets.String(e.Reason)
	}
	c.c.Event(e)
}

// attempt records one HTTP exchange that ended with err after started.
func (c *Call) attempt(ex *exchange, host string, status int, sent, recv int64, started time.Time, err error) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	if host != c.host { // another host than the call's first (projector after a redirect)
		host = c.secrets.String(host)
	}
	c.attempts++
	c.sent += sent
	c.recv += recv
	c.status = status
	c.eventLocked(observe.Event{
		Kind:        observe.EventAttempt,
		Time:        now,
		Attempt:     c.attempts,
		Action:      ex.action,
		SOAPVersion: versionName(ex.version),
		Host:        host,
		HTTPStatus:  status,
		Duration:    now.Sub(started),
		BytesSent:   sent,
		BytesRecv:   recv,
		Outcome:     Classify(err),
	})
}

// retry records that the runtime's RetryPolicy sends the request again after wait.
func (c *Call) retry(wait time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.eventLocked(observe.Event{Kind: observe.EventRetry, Attempt: c.attempts, Wait: wait, Outcome: Classify(err)})
}

// End ends the call: err is what the call returns to its caller (already scrubbed by the
// service package), code the service's own code for the answer ("": the one SetCode recorded,
// if any).
func (c *Call) End(err error, code string) {
	if c == nil {
		return
	}
	d := time.Since(c.start)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	c.ended = true
	if c.c == nil {
		return
	}
	if code == "" {
		code = c.code
	}
	c.c.End(observe.Result{
		Outcome:    Classify(err),
		Code:       c.secrets.String(code),
		Err:        err,
		HTTPStatus: c.status,
		Attempts:   c.attempts,
		BytesSent:  c.sent,
		BytesRecv:  c.recv,
		Duration:   d,
	})
}

// Classify returns the outcome of err: OK for nil, then how the context ended, then the first
// shared category err is in, in the order of the categories table below (a session error that
// is also an authentication error is SessionExpired; a 401 that is also a protocol error is
// Authentication; an oversized answer BodyTooLarge, not Protocol), then OutcomeFault for a SOAP
// Fault, else OutcomeError.
func Classify(err error) observe.Outcome {
	if err == nil {
		return observe.OutcomeOK
	}
	for _, c := range categories {
		if errors.Is(err, c.err) {
			return c.outcome
		}
	}
	var f *Fault
	if errors.As(err, &f) {
		return observe.OutcomeFault
	}
	return observe.OutcomeError
}

var categories = [...]struct {
	err     error
	outcome observe.Outcome
}{
	{context.Canceled, observe.OutcomeCanceled},
	{context.DeadlineExceeded, observe.OutcomeDeadlineExceeded},
	{ErrNotFound, observe.OutcomeNotFound},
	{ErrPermissionDenied, observe.OutcomePermissionDenied},
	{ErrSessionExpired, observe.OutcomeSessionExpired},
	{ErrAuthentication, observe.OutcomeAuthentication},
	{ErrRateLimited, observe.OutcomeRateLimited},
	{ErrInvalidInput, observe.OutcomeInvalidInput},
	{ErrUnavailable, observe.OutcomeUnavailable},
	{ErrBodyTooLarge, observe.OutcomeBodyTooLarge},
	{ErrProtocol, observe.OutcomeProtocol},
}

// observeAttempt reports one exchange of c to the call ctx carries. c.observed is tested by
// the caller.
func (c *Client) observeAttempt(ctx context.Context, ex *exchange, resp *http.Response, br *bodyReader, sent int, started time.Time, err error) {
	call := callFrom(ctx)
	if call == nil {
		return
	}
	status, recv := 0, int64(0)
	if resp != nil {
		status = resp.StatusCode
	}
	if br != nil {
		recv = br.n
	}
	call.attempt(ex, c.url.Host, status, int64(sent), recv, started, err)
}

// observeRetry reports a retry of the RetryPolicy to the call ctx carries.
func observeRetry(ctx context.Context, wait time.Duration, err error) {
	if call := callFrom(ctx); call != nil {
		call.retry(wait, err)
	}
}
