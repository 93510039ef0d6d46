// Package session is the one session engine of the service clients: uds (AnA authToken),
// projector (PWS session ticket), provisioning (BSIDCA session cookie) and cas (a web-service
// password that is either accepted or refused). It is written once so that the four behave
// alike:
//
//   - Lazy login on first use; the session is shared by every call of the client.
//   - Single flight: any number of concurrent callers that need a login cause exactly one.
//     The login runs on a context detached from the cancellation of the caller that started
//     it (bounded by Config.LoginTimeout instead), so one caller giving up never fails the
//     others; every waiter still honours its own context.
//   - Invalidation by generation: a caller that failed with an old session drops it only if
//     it is still the current one, never a newer one another caller obtained meanwhile.
//   - Refused credentials are remembered: once the server refuses them, every caller gets a
//     *RefusedError without another request, until Reset (or Config.Cooldown, if set).
//   - Proactive renewal when the session's lifetime is known (Config.Lifetime): the first
//     call inside the renewal window logs in again while the others keep the still-valid
//     session; reactive renewal is Invalidate followed by Get.
//
// A login is whatever establishes the session: a dedicated operation (PwsAuthenticate,
// Connect; Get runs it detached) or, for services without one (uds, cas), the leader's own
// request sent with the credentials (GetOwn runs it on the leader's context, since it is the
// leader's call). Such a login reports "no verdict" with Inconclusive, and the callers
// waiting for it then try again themselves rather than inherit an answer that was not theirs.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
)

// ErrClosed is returned by Get after Close. Every service package re-exports it as its
// ErrClosed: the same value, whichever client was closed.
var ErrClosed = errors.New("offboard: client closed")

// Config tunes an Engine. The zero value is usable: no known lifetime, refusals remembered
// until Reset, logins bounded by DefaultLoginTimeout.
type Config struct {
	// Lifetime is how long a session lasts from its login, when the service says so or the
	// caller configured it; 0: unknown, the session is used until the server rejects it.
	Lifetime time.Duration
	// RenewBefore is how long before the end of Lifetime the session is renewed; 0: a tenth
	// of Lifetime, at most DefaultRenewBefore.
	RenewBefore time.Duration
	// LoginTimeout bounds a login, which does not end when the caller that started it gives
	// up; 0: DefaultLoginTimeout.
	LoginTimeout time.Duration
	// Cooldown is how long refused credentials are remembered; 0: until Reset.
	Cooldown time.Duration
	// Refused reports whether a login error means that the server refused the credentials.
	// nil: no error does (nothing is remembered).
	Refused func(error) bool
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// OnEvent, if set, is told what the engine does for a caller (events.go), on that caller's
	// context and goroutine; it must not block. Options.Config sets Observe.
	OnEvent func(ctx context.Context, ev Event)
}

// Defaults for Config's zero fields.
const (
	DefaultLoginTimeout = 2 * time.Minute
	DefaultRenewBefore  = 5 * time.Minute
)

// Session is one established session. It is immutable: a renewal replaces it, so a caller
// holding an old one never sees a half-updated state. Compare sessions by pointer.
type Session[S any] struct {
	Value S
	// Gen numbers the sessions of an engine from 1, in the order they were established.
	Gen     uint64
	expires time.Time // zero: unknown
	renewAt time.Time // zero: never proactively
}

// Login establishes a session. It runs on a context that the caller who started it cannot
// cancel. An error that the Config's Refused accepts is remembered; an error wrapped by
// Inconclusive says nothing about the credentials; any other error fails this login (and
// the callers waiting for it) without being remembered.
type Login[S any] func(ctx context.Context) (S, error)

// Inconclusive marks a login error that gives no verdict on the credentials (for a login
// that is the leader's own request: a business fault without a token, a transport error
// before the server answered). The leader gets err; the waiters try again themselves.
func Inconclusive(err error) error {
	if err == nil {
		return nil
	}
	return &inconclusive{err}
}

type inconclusive struct{ err error }

func (e *inconclusive) Error() string { return e.err.Error() }
func (e *inconclusive) Unwrap() error { return e.err }

// RefusedError is what every call gets, without a request, once the server has refused the
// credentials. Err is the server's answer to the login that was refused (it answers
// errors.Is with the service's authentication category); errors.Is and errors.As reach it.
type RefusedError struct {
	Err error
	At  time.Time // when the server refused them
}

func (e *RefusedError) Error() string {
	return "not sent: the server refused these credentials earlier (reset the client's credential memory to try again): " + e.Err.Error()
}

func (e *RefusedError) Unwrap() error { return e.Err }

// Is reports the shared authentication category: the client took the answer for refused
// credentials even when the server's own error number is not one it knows.
func (e *RefusedError) Is(target error) bool { return target == soapx.ErrAuthentication }

// flight is one login under way; callers that need a session meanwhile wait for it.
type flight[S any] struct {
	done chan struct{}
	s    *Session[S] // on success
	err  error       // on failure, as Login returned it (Inconclusive unwrapped)
	// retry: the login gave no verdict (Inconclusive), so a waiter tries again.
	retry bool
	// refused: the login was refused; the waiters, who sent nothing, get this.
	refused *RefusedError
}

// Engine holds one client's session. It is safe for concurrent use; its zero value is not
// usable, use New.
type Engine[S any] struct {
	cfg Config

	mu        sync.Mutex
	cur       *Session[S]
	gen       uint64
	flight    *flight[S]
	refused   *RefusedError
	renewHold time.Time // no proactive renewal before this, after one failed
	closed    bool
	attempted uint64 // logins started (tests and diagnostics)
}

// New returns an engine with cfg.
func New[S any](cfg Config) *Engine[S] {
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = DefaultLoginTimeout
	}
	if cfg.Lifetime > 0 && cfg.RenewBefore <= 0 {
		cfg.RenewBefore = min(cfg.Lifetime/10, DefaultRenewBefore)
	}
	if cfg.RenewBefore >= cfg.Lifetime {
		cfg.RenewBefore = cfg.Lifetime / 2
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Engine[S]{cfg: cfg}
}

// Fresh returns the current session when a call can use it as it is: established, not
// expired, and not due for renewal (unless a renewal is already under way). It never logs
// in; nil means that the caller must go through Get. It is the per-call fast path and
// allocates nothing.
func (e *Engine[S]) Fresh() *Session[S] {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.cur == nil {
		return nil
	}
	if e.cur.expires.IsZero() {
		return e.cur // no known lifetime: nothing to compare with the clock
	}
	now := e.cfg.Now()
	if e.cur.expired(now) || e.renewNow(e.cur, now) {
		return nil
	}
	return e.cur
}

// renewNow reports whether a caller should start a proactive renewal of cur. e.mu is held.
func (e *Engine[S]) renewNow(cur *Session[S], now time.Time) bool {
	return cur.renewDue(now) && e.flight == nil && !now.Before(e.renewHold)
}

// Get returns a session to use, logging in with login when there is none (or the current
// one is due for renewal). Concurrent callers share one login. It fails at once, with no
// login, after Close (ErrClosed) and while refused credentials are remembered
// (*RefusedError).
//
// led reports whether this caller's login ran to completion: a login that is the leader's
// own request (uds, cas) has then carried the caller's call, and its outcome is in the
// caller's closure, whatever err says. When the caller's context ends first, led is false
// and err is the context's: the login goes on for the others, and its outcome is not the
// caller's to read.
func (e *Engine[S]) Get(ctx context.Context, login Login[S]) (s *Session[S], led bool, err error) {
	for {
		s, f, lead, cur, err := e.acquire(ctx)
		if s != nil || err != nil {
			return s, false, err
		}
		if lead {
			go e.run(context.WithoutCancel(ctx), f, login)
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			// led is false: the login may still be running, and its outcome is not the
			// caller's to read.
			return nil, false, context.Cause(ctx)
		}
		if s, led, again, err := e.settle(ctx, f, lead, cur); !again {
			return s, led, err
		}
	}
}

// GetOwn is Get for a login that is the caller's own request (uds, cas: there is no login
// operation, a request authenticates by carrying the credentials). That request stays the
// caller's: it runs on the caller's context, not a detached one, so the caller's deadline
// bounds it. If the caller's context ends before the server answered, the login gives no
// verdict and one of the waiting callers leads with its own request instead; so a caller
// that gives up still never fails the others.
//
// login runs only in the caller's goroutine and is never kept: a closure over the caller's
// request stays on the caller's stack (the per-call path allocates nothing for it).
func (e *Engine[S]) GetOwn(ctx context.Context, login Login[S]) (s *Session[S], led bool, err error) {
	for {
		s, f, lead, cur, err := e.acquire(ctx)
		if s != nil || err != nil {
			return s, false, err
		}
		if lead {
			e.runOwn(ctx, f, login) // has run to its end: f.done is closed
		} else {
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, false, context.Cause(ctx)
			}
		}
		if s, led, again, err := e.settle(ctx, f, lead, cur); !again {
			return s, led, err
		}
	}
}

// RenewOwn is Renew with GetOwn's login.
func (e *Engine[S]) RenewOwn(ctx context.Context, stale *Session[S], login Login[S]) (*Session[S], bool, error) {
	e.reactive(ctx, stale)
	e.Invalidate(stale)
	return e.GetOwn(ctx, login)
}

// acquire is the first half of Get and GetOwn: it returns a session the caller can use as it
// is, or an error that needs no login (closed, refused), or else the flight to wait for, lead
// telling whether the caller must run its login, and cur the session being renewed (nil
// when there is none).
func (e *Engine[S]) acquire(ctx context.Context) (s *Session[S], f *flight[S], lead bool, cur *Session[S], err error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, nil, false, nil, ErrClosed
	}
	now := e.cfg.Now()
	if e.refused != nil {
		if e.cfg.Cooldown <= 0 || now.Before(e.refused.At.Add(e.cfg.Cooldown)) {
			r := e.refused
			e.mu.Unlock()
			e.emit(ctx, Event{Kind: EventRefusalRemembered})
			return nil, nil, false, nil, r
		}
		e.refused = nil // the cooldown is over: one new attempt
	}
	cur = e.cur
	if cur != nil && !cur.expired(now) && !e.renewNow(cur, now) {
		e.mu.Unlock()
		return cur, nil, false, nil, nil
	}
	f = e.flight
	if f == nil {
		f, lead = &flight[S]{done: make(chan struct{})}, true
		e.flight = f
		e.attempted++
	}
	e.mu.Unlock()
	if lead {
		if cur != nil { // there is a session, but its known lifetime is ending
			e.emit(ctx, Event{Kind: EventRenewal, Proactive: true})
		}
		e.emit(ctx, Event{Kind: EventLoginStarted})
	}
	return nil, f, lead, cur, nil
}

// settle is the second half of Get and GetOwn, once f is done: what the caller gets, or again
// when the caller must try once more (the leader's own request gave no verdict).
func (e *Engine[S]) settle(ctx context.Context, f *flight[S], lead bool, cur *Session[S]) (s *Session[S], led, again bool, err error) {
	switch {
	case f.err == nil:
		if lead {
			e.emit(ctx, Event{Kind: EventLoginSucceeded})
		}
		return f.s, lead, false, nil
	case lead:
		if f.refused != nil {
			e.emit(ctx, Event{Kind: EventRefused})
		} else {
			e.emit(ctx, Event{Kind: EventLoginFailed})
		}
		// A proactive renewal that failed (and was not refused) leaves the old session,
		// still valid, in use.
		if cur != nil && !cur.expired(e.cfg.Now()) && e.current() == cur {
			return cur, true, false, nil
		}
		return nil, true, false, f.err
	case f.retry && ctx.Err() == nil:
		return nil, false, true, nil // the leader's request said nothing about the credentials
	case f.refused != nil:
		e.emit(ctx, Event{Kind: EventRefusalRemembered})
		return nil, false, false, f.refused
	}
	return nil, false, false, f.err
}

// run performs one detached login and publishes its outcome.
func (e *Engine[S]) run(ctx context.Context, f *flight[S], login Login[S]) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.LoginTimeout)
	defer cancel()
	v, err := login(ctx)
	e.publish(f, v, err)
}

// runOwn performs a login that is the caller's own request, on the caller's context. A
// context that ended makes it inconclusive: the waiters try again themselves.
func (e *Engine[S]) runOwn(ctx context.Context, f *flight[S], login Login[S]) {
	v, err := login(ctx)
	if _, ok := err.(*inconclusive); !ok && err != nil && ctx.Err() != nil {
		err = Inconclusive(err)
	}
	e.publish(f, v, err)
}

// publish records the outcome of the login of f and wakes its waiters.
func (e *Engine[S]) publish(f *flight[S], v S, err error) {
	now := e.cfg.Now()

	e.mu.Lock()
	defer e.mu.Unlock()
	defer close(f.done)
	e.flight = nil
	inc, isInconclusive := err.(*inconclusive)
	switch {
	case err == nil:
		e.gen++
		s := &Session[S]{Value: v, Gen: e.gen}
		if e.cfg.Lifetime > 0 {
			s.expires = now.Add(e.cfg.Lifetime)
			s.renewAt = s.expires.Add(-e.cfg.RenewBefore)
		}
		f.s = s
		if !e.closed {
			e.cur = s
		}
	case isInconclusive:
		f.err, f.retry = inc.err, true
	default:
		f.err = err
		if e.cfg.Refused != nil && e.cfg.Refused(err) {
			e.refused = &RefusedError{Err: err, At: now}
			f.refused = e.refused
			e.cur = nil
		}
	}
	if err != nil && e.cur != nil {
		// A proactive renewal failed while the session is still valid: the next try waits a
		// little, so a failing server does not get a login per call until the expiry.
		e.renewHold = now.Add(max(e.cfg.RenewBefore/8, time.Second))
	}
}

func (e *Engine[S]) current() *Session[S] {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur
}

// Adopt replaces old, if it is still the current session, by one holding v: a server that
// hands out a new token in an answer (uds) renews the session without a login. It returns
// the session now current.
func (e *Engine[S]) Adopt(old *Session[S], v S) *Session[S] {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != old || old == nil || e.closed {
		return e.cur
	}
	e.gen++
	s := &Session[S]{Value: v, Gen: e.gen}
	if e.cfg.Lifetime > 0 {
		s.expires = e.cfg.Now().Add(e.cfg.Lifetime)
		s.renewAt = s.expires.Add(-e.cfg.RenewBefore)
	}
	e.cur = s
	return s
}

// Invalidate drops s if it is still the current session (the server rejected it). A caller
// whose session was already replaced by another caller's renewal changes nothing.
func (e *Engine[S]) Invalidate(s *Session[S]) {
	if s == nil {
		return
	}
	e.mu.Lock()
	if e.cur == s {
		e.cur = nil
	}
	e.mu.Unlock()
}

// Renew drops stale (if still current) and returns a session newer than it: another
// caller's, or one this caller logs in for. It is the reactive renewal after the server
// rejected stale.
func (e *Engine[S]) Renew(ctx context.Context, stale *Session[S], login Login[S]) (*Session[S], bool, error) {
	e.reactive(ctx, stale)
	e.Invalidate(stale)
	return e.Get(ctx, login)
}

// Refused returns the remembered refusal, or nil.
func (e *Engine[S]) Refused() *RefusedError {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refused
}

// Reset forgets refused credentials, so that the next call logs in again (after the
// operator corrected the password, say). The current session, if any, is kept.
func (e *Engine[S]) Reset() {
	e.mu.Lock()
	e.refused = nil
	e.mu.Unlock()
}

// Logins returns how many logins the engine has started.
func (e *Engine[S]) Logins() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.attempted
}

// Close makes every later Get fail with ErrClosed, waits (within ctx) for a login under
// way so that its session is not left open behind the caller, and returns the session that
// was current, if any, for the caller to end on the server. Close may be called again; it
// then returns nil.
func (e *Engine[S]) Close(ctx context.Context) (*Session[S], error) {
	e.mu.Lock()
	e.closed = true
	f := e.flight
	e.mu.Unlock()
	var err error
	if f != nil {
		select {
		case <-f.done:
		case <-ctx.Done():
			err = context.Cause(ctx)
		}
	}
	e.mu.Lock()
	s := e.cur
	e.cur = nil
	if f != nil && f.s != nil && s == nil {
		s = f.s // established after Close began: still to be ended
	}
	e.mu.Unlock()
	return s, err
}

func (s *Session[S]) expired(now time.Time) bool {
	return !s.expires.IsZero() && !now.Before(s.expires)
}

func (s *Session[S]) renewDue(now time.Time) bool {
	return !s.renewAt.IsZero() && !now.Before(s.renewAt)
}

// Closed reports whether Close was called.
func (e *Engine[S]) Closed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Options are the session settings that every client offers with the same options
// (WithSessionLifetime, WithRefusalCooldown); a client embeds them in its own options.
type Options struct {
	Lifetime     time.Duration    // WithSessionLifetime; 0: unknown
	Cooldown     time.Duration    // WithRefusalCooldown; 0: until the client's ResetRefusal
	LoginTimeout time.Duration    // from the client's timeout; 0: DefaultLoginTimeout
	Now          func() time.Time // the clock (tests); nil: time.Now
	// Logger, if set, is told the engine's decisions that an operator needs to see, at the
	// same levels in every client: refused credentials at Warn, a renewal at Info.
	Logger *slog.Logger
}

// Config is the engine configuration for o, with refused classifying the service's login
// errors.
func (o Options) Config(refused func(error) bool) Config {
	onEvent := Observe
	if l := o.Logger; l != nil {
		onEvent = func(ctx context.Context, ev Event) {
			Observe(ctx, ev)
			switch ev.Kind {
			case EventRefused:
				l.LogAttrs(ctx, slog.LevelWarn, "the server refused the credentials: no call will send them again until ResetRefusal (or the refusal cooldown)")
			case EventRenewal:
				l.LogAttrs(ctx, slog.LevelInfo, "renewing the session", slog.Bool("proactive", ev.Proactive))
			}
		}
	}
	return Config{Lifetime: o.Lifetime, Cooldown: o.Cooldown, LoginTimeout: o.LoginTimeout, Refused: refused, Now: o.Now,
		OnEvent: onEvent}
}

// Waited is what a client returns when err ended a caller's wait for a login (what: "the AnA
// authentication", "Connect"…) because the caller's own context ended: a *soapx.TransportError
// for endpoint, as if the caller had waited for its own exchange, which is ErrUnavailable for
// no one and context.Canceled or DeadlineExceeded as the context says. ok is false for any
// other error.
func Waited(ctx context.Context, err error, endpoint, what string) (te *soapx.TransportError, ok bool) {
	if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		return nil, false
	}
	return &soapx.TransportError{Op: "POST " + endpoint, Err: fmt.Errorf("waiting for %s: %w", what, err)}, true
}
