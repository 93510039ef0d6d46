// Package observetest records the observations of a client for tests: give a Recorder to the
// client's WithObserver option, make calls, then compare Recorder.Summaries with what the
// calls should have looked like, or inspect Recorder.Calls.
package observetest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/offboard-go/offboard/internal/observe"
)

// Call is one recorded call.
type Call struct {
	Info   observe.CallInfo
	Events []observe.Event
	Result observe.Result
	Ended  bool
}

// Recorder is an observe.Observer that keeps every call it sees, in the order they started.
// It is safe for concurrent use; the zero value is ready.
type Recorder struct {
	mu    sync.Mutex
	calls []*Call
}

// Start implements observe.Observer.
func (r *Recorder) Start(ctx context.Context, info observe.CallInfo) (context.Context, observe.Call) {
	c := &Call{Info: info}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return ctx, &recording{r: r, c: c}
}

type recording struct {
	r *Recorder
	c *Call
}

func (x *recording) Event(e observe.Event) {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	if x.c.Ended {
		panic("observetest: Event after End") // the runtime promises never to
	}
	x.c.Events = append(x.c.Events, e)
}

func (x *recording) End(res observe.Result) {
	x.r.mu.Lock()
	defer x.r.mu.Unlock()
	if x.c.Ended {
		panic("observetest: End called twice")
	}
	x.c.Result, x.c.Ended = res, true
}

// Calls returns copies of the recorded calls.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Call, len(r.calls))
	for i, c := range r.calls {
		out[i] = *c
		out[i].Events = append([]observe.Event(nil), c.Events...)
	}
	return out
}

// Reset forgets the calls recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

// Summaries returns Summary of each recorded call.
func (r *Recorder) Summaries() []string {
	calls := r.Calls()
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Summary()
	}
	return out
}

// Summary is the call on one line, without the figures that vary from run to run (times,
// durations, bytes, hosts):
//
//	uds getUserStatus: ok code= attempts=2 [attempt#1:500:fault renewal(reactive) login.started attempt#2:200:ok login.succeeded]
//
// An attempt is attempt#N:HTTPStatus:Outcome, a renewal shows its reason, a pause or a retry
// its wait; "(not ended)" marks a call whose End was not called.
func (c Call) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s code=%s attempts=%d [", c.Info.Service, c.Info.Operation, c.Result.Outcome, c.Result.Code, c.Result.Attempts)
	for i, e := range c.Events {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(EventSummary(e))
	}
	b.WriteByte(']')
	if !c.Ended {
		b.WriteString(" (not ended)")
	}
	return b.String()
}

// EventSummary is an event as Summary shows it.
func EventSummary(e observe.Event) string {
	switch e.Kind {
	case observe.EventAttempt:
		return fmt.Sprintf("attempt#%d:%d:%s", e.Attempt, e.HTTPStatus, e.Outcome)
	case observe.EventRetry:
		return fmt.Sprintf("retry#%d(%s)", e.Attempt, e.Wait)
	case observe.EventRenewal:
		return "renewal(" + e.Reason + ")"
	case observe.EventRateLimitPause:
		return fmt.Sprintf("rate_limit.pause(%s)", e.Wait)
	}
	return string(e.Kind)
}

// Text is everything recorded, every field of every call and event and every form of each
// error (%v, %+v, %#v), for a test to search for what must not be there (a secret).
func (r *Recorder) Text() string {
	var b strings.Builder
	for _, c := range r.Calls() {
		fmt.Fprintf(&b, "%+v\n%#v\n", c.Info, c.Info)
		for _, e := range c.Events {
			fmt.Fprintf(&b, "%+v\n%#v\n", e, e)
		}
		res := c.Result
		res.Err = nil
		fmt.Fprintf(&b, "%+v\n%#v\n", res, res)
		if err := c.Result.Err; err != nil {
			fmt.Fprintf(&b, "%v\n%+v\n%#v\n%s\n", err, err, err, err.Error())
		}
	}
	return b.String()
}
