package session

import (
	"context"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/soapx"
)

// EventKind names what the engine did for a caller.
type EventKind int

// The events Config.OnEvent is told about. Each is reported on the context of the caller it
// concerns, so that it lands in that caller's observation (observe.Event).
const (
	// EventLoginStarted: the caller leads a login (the others wait for it).
	EventLoginStarted EventKind = iota + 1
	// EventLoginSucceeded: the caller's login established a session.
	EventLoginSucceeded
	// EventLoginFailed: the caller's login established none, and the server did not refuse
	// the credentials (an unavailable server, a login without a verdict, a failed renewal).
	EventLoginFailed
	// EventRenewal: the caller replaces the session: Proactive when its known lifetime is
	// ending (reported with the login it starts), else reactive (Renew, RenewOwn: the server
	// rejected it).
	EventRenewal
	// EventRefused: the server refused the credentials of the caller's login; the engine
	// remembers it.
	EventRefused
	// EventRefusalRemembered: the caller fails at once with the remembered refusal.
	EventRefusalRemembered
)

// Event is one thing the engine did for a caller.
type Event struct {
	Kind      EventKind
	Proactive bool // EventRenewal
}

func (e *Engine[S]) emit(ctx context.Context, ev Event) {
	if e.cfg.OnEvent != nil {
		e.cfg.OnEvent(ctx, ev)
	}
}

// reactive reports the renewal of a session the server rejected (stale nil: a first login,
// no renewal).
func (e *Engine[S]) reactive(ctx context.Context, stale *Session[S]) {
	if stale != nil {
		e.emit(ctx, Event{Kind: EventRenewal})
	}
}

// Observe is the OnEvent of every client's engine: it adds the event to the observation of the
// call ctx carries (soapx.Hook.Start), if any. Events are rare (logins, renewals, refusals),
// so the context lookup costs nothing on the per-call path.
func Observe(ctx context.Context, ev Event) {
	if ev.Kind <= 0 || int(ev.Kind) >= len(kinds) {
		return
	}
	oe := observe.Event{Kind: kinds[ev.Kind]}
	if ev.Kind == EventRenewal {
		oe.Reason = "reactive"
		if ev.Proactive {
			oe.Reason = "proactive"
		}
	}
	soapx.Emit(ctx, oe)
}

var kinds = [...]observe.EventKind{
	EventLoginStarted:      observe.EventLoginStarted,
	EventLoginSucceeded:    observe.EventLoginSucceeded,
	EventLoginFailed:       observe.EventLoginFailed,
	EventRenewal:           observe.EventRenewal,
	EventRefused:           observe.EventRefused,
	EventRefusalRemembered: observe.EventRefusalRemembered,
}
