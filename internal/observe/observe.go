// Package observe is the observation hook of the module's four clients (cas, uds, projector,
// provisioning): one Observer, given to a client with its WithObserver option, sees every call
// the client makes, with its operation, outcome, retries and session events. It depends on
// nothing but the standard library; adapters to a tracing or metrics system (OpenTelemetry:
// examples/otel) live in modules of their own, so the core module gains no dependency.
//
// # Calls, attempts and events
//
// A call is one method call of a client (uds.GetUserStatus, projector.DeleteUser, one page of
// provisioning.AllTasks): what the caller asked for, which may take several HTTP exchanges (a
// login first, a retry, a renewal of the session and the call again). The Observer's Start
// runs when the call begins and the Call's End when it returns, with the context passed
// through: the context Start returns is the one the call runs with, so a tracer's span opened
// in Start is the parent of whatever the transport does (an instrumented http.RoundTripper
// sees it), and a caller's trace context flows into the call.
//
// Each HTTP exchange is an attempt, reported as an Event of the call (EventAttempt), not as a
// call of its own: the caller made one call, and its duration, outcome and count are what a
// dashboard measures; the attempts inside it (the login's PwsAuthenticate, the retry after a
// renewal) are how it went, which is what span events are for. An attempt event carries
// what the wire saw (action, SOAP version, host, HTTP status, duration, bytes); the Result
// sums them up (Attempts, BytesSent, BytesReceived, the last HTTPStatus). Session events
// (login, renewal, refused credentials, redirect, rate-limit pause, retry) are events of the
// call in which they happen.
//
// # Guarantees
//
//   - A client without an Observer costs one nil check per call: nothing is allocated and no
//     clock is read for observation (internal/bench/BENCHMARKS.md, "Observation").
//   - The methods of one Call are never called concurrently, and never after End. Calls of
//     one client run concurrently: an Observer must be safe for concurrent use.
//   - No secret reaches an Observer: every text that comes from a server or from the
//     client's configuration (hosts, the service's code, a redirect target) is scrubbed of the
//     client's secrets (credentials, OTPs, tokens, tickets, cookies) before it is handed over;
//     Err is the error the caller gets, which is scrubbed too; operation names and SOAP
//     actions are the service packages' constants.
//   - Input refused before anything is sent (ErrInvalidInput) is returned at once, without an
//     observation: no call reached the service.
package observe

import (
	"context"
	"time"
)

// Observer sees the calls of a client. Start is called when a call begins; the returned
// context is the context the call runs with (return ctx itself, or one derived from it, never
// nil) and the returned Call receives the call's events and its end (a nil Call ignores them).
// An Observer must be safe for concurrent use.
type Observer interface {
	Start(ctx context.Context, info CallInfo) (context.Context, Call)
}

// Call receives the events of one call and its end. Its methods are never called
// concurrently, and never after End.
type Call interface {
	Event(e Event)
	End(r Result)
}

// CallInfo describes a call as it begins.
type CallInfo struct {
	Service   string // "cas", "uds", "projector" or "provisioning"
	Operation string // the wire operation, e.g. "HandleUserTask", "getUserStatus", "PwsDeleteUser"
	Action    string // its SOAP action ("" for cas' HTTP POST form, which has none)
	// SOAPVersion is "1.1" or "1.2", "" for cas' HTTP POST form.
	SOAPVersion string
	Host        string // the endpoint's host[:port] when the call begins
}

// Outcome is how a call or an attempt ended: OK, or the module's shared error category of
// the error (errors.Is with ErrNotFound, ErrAuthentication…), or how the context ended. An
// error in none of them is OutcomeError.
type Outcome string

// The outcomes. They are stable strings, fit for a metric attribute.
const (
	OutcomeOK               Outcome = "ok"
	OutcomeNotFound         Outcome = "not_found"
	OutcomePermissionDenied Outcome = "permission_denied"
	OutcomeAuthentication   Outcome = "authentication"
	OutcomeSessionExpired   Outcome = "session_expired"
	OutcomeRateLimited      Outcome = "rate_limited"
	OutcomeInvalidInput     Outcome = "invalid_input"
	OutcomeUnavailable      Outcome = "unavailable"
	OutcomeBodyTooLarge     Outcome = "body_too_large"
	OutcomeProtocol         Outcome = "protocol"
	OutcomeCanceled         Outcome = "canceled"
	OutcomeDeadlineExceeded Outcome = "deadline_exceeded"
	// OutcomeFault is an attempt answered with a SOAP Fault that the runtime does not
	// classify by itself (the service package does, for the call's Result).
	OutcomeFault Outcome = "fault"
	// OutcomeError is any other error: a service answer outside the shared categories
	// (cas 1 Error, provisioning's NotChanged), a closed client.
	OutcomeError Outcome = "error"
)

// Result is how a call ended.
type Result struct {
	Outcome Outcome
	// Code is the service's own code for the answer, "" when there was none:
	// cas: the Status Code ("0" for OK, "1020"…);
	// uds: the userRegistryError errorNumber of a Fault;
	// projector: the first ErrorNumber of the PwsMessages of a failed answer ("50024",
	// "10004"), or their first ErrorCode mnemonic when none has a number;
	// provisioning: the ConnectResult of a Connect ("AUTH_SUCCESS", "AUTH_FAILURE"), the
	// boolean a change answered ("true", "false"), or the result of RevokeToken or RemoveUser
	// ("LastAuth", "Deleted").
	Code string
	// Err is the error the call returned to its caller (nil on success). It is scrubbed of
	// the client's secrets like every error the clients return.
	Err        error
	HTTPStatus int           // of the last attempt; 0 when none got an answer
	Attempts   int           // HTTP exchanges made by the call, logins and retries included
	BytesSent  int64         // request bodies of all attempts
	BytesRecv  int64         // response bodies read, of all attempts
	Duration   time.Duration // from Start to End
}

// EventKind names an event of a call.
type EventKind string

// The events.
const (
	// EventAttempt is one HTTP exchange, finished (Attempt, Action, SOAPVersion, Host,
	// HTTPStatus, Duration, BytesSent, BytesRecv, Outcome).
	EventAttempt EventKind = "attempt"
	// EventRetry: the runtime's retry policy (uds' WithRetry) sends the request again after
	// Wait; Attempt is the attempt that failed, Outcome its outcome.
	EventRetry EventKind = "retry"
	// EventLoginStarted: this call logs in for the client (PwsAuthenticate, Connect, or for
	// uds and cas its own request sent with the credentials).
	EventLoginStarted EventKind = "login.started"
	// EventLoginSucceeded: the login this call started established a session.
	EventLoginSucceeded EventKind = "login.succeeded"
	// EventLoginFailed: the login this call started did not establish a session (but the
	// server did not refuse the credentials: see EventRefused).
	EventLoginFailed EventKind = "login.failed"
	// EventRenewal: the call renews the session; Reason is "proactive" (its known lifetime
	// is ending) or "reactive" (the server rejected it).
	EventRenewal EventKind = "renewal"
	// EventRefused: the server refused the credentials of the login this call started; the
	// client remembers it and sends them no more (until ResetRefusal or the cooldown).
	EventRefused EventKind = "credentials.refused"
	// EventRefusalRemembered: the call fails at once, without a request, because the server
	// refused the credentials earlier.
	EventRefusalRemembered EventKind = "credentials.refusal_remembered"
	// EventRedirect: projector's PwsAuthenticate answered a RedirectUrl, and the login goes
	// on at Host.
	EventRedirect EventKind = "redirect"
	// EventRateLimitPause: projector answered 10016 (or HTTP 429); every call of the client
	// pauses for Wait before this one is retried.
	EventRateLimitPause EventKind = "rate_limit.pause"
)

// Event is something that happened within a call. Which fields are set depends on Kind (see
// the EventKind constants); the others are zero.
type Event struct {
	Kind EventKind
	Time time.Time
	// Attempt numbers the call's HTTP exchanges from 1 (EventAttempt, EventRetry).
	Attempt     int
	Action      string // SOAP action (or cas' HTTP POST operation path) of the exchange
	SOAPVersion string // "1.1", "1.2", or "" for an HTTP POST form
	Host        string // the host[:port] the exchange went to; the redirect target
	HTTPStatus  int    // 0 when no answer came
	Duration    time.Duration
	BytesSent   int64
	BytesRecv   int64
	Outcome     Outcome       // EventAttempt, EventRetry
	Wait        time.Duration // EventRetry, EventRateLimitPause
	Reason      string        // EventRenewal: "proactive" or "reactive"
}

// Funcs is an Observer made of functions, for a quick hook without a type of its own. A nil
// field is skipped: Funcs{OnEnd: …} only sees the results.
type Funcs struct {
	OnStart func(ctx context.Context, info CallInfo) context.Context
	OnEvent func(ctx context.Context, info CallInfo, e Event)
	OnEnd   func(ctx context.Context, info CallInfo, r Result)
}

// Start implements Observer.
func (f Funcs) Start(ctx context.Context, info CallInfo) (context.Context, Call) {
	if f.OnStart != nil {
		ctx = f.OnStart(ctx, info)
	}
	if f.OnEvent == nil && f.OnEnd == nil {
		return ctx, nil
	}
	return ctx, &funcsCall{f: f, ctx: ctx, info: info}
}

type funcsCall struct {
	f    Funcs
	ctx  context.Context
	info CallInfo
}

func (c *funcsCall) Event(e Event) {
	if c.f.OnEvent != nil {
		c.f.OnEvent(c.ctx, c.info, e)
	}
}

func (c *funcsCall) End(r Result) {
	if c.f.OnEnd != nil {
		c.f.OnEnd(c.ctx, c.info, r)
	}
}
