package main

import (
	"context"
	"errors"
	"iter"
	"strings"
	"sync"
	"sync/atomic"
)

// A system is one service's part of offboarding. offboard reads what it needs (the current
// state) and then, unless it is a dry run, sends the destructive steps through x, which
// journals them. It returns the report row and the error that made it fail (nil when it did
// not), so that the engine can tell refused credentials.
type system interface {
	name() string
	offboard(ctx context.Context, u user, x *stepper) (result, error)
	// authError reports whether err means the system refused the credentials.
	authError(err error) bool
}

// hookPoint names a step boundary, for tests that stop the process there.
type hookPoint string

const (
	beforeIntent hookPoint = "before-intent" // before the intent is recorded
	afterIntent  hookPoint = "after-intent"  // the intent is on disk, the call not sent yet
	afterCall    hookPoint = "after-call"    // the call answered, the outcome not recorded yet
	afterOutcome hookPoint = "after-outcome" // the outcome is recorded
)

// engine offboards users through the configured systems. Each system has its own lane: its
// own limit of users in progress there, so that users of different systems overlap and the
// slow system does not hold the others back; at most window users are in progress at once,
// so that memory does not grow with the number of users. It is safe for concurrent use.
type engine struct {
	lanes   []*lane
	dryRun  bool
	journal *journal   // nil: no journal (dry run, or the demo without -journal)
	prior   *priorRuns // nil: not resuming
	window  int
	scrub   scrubber
	// hook, when set, is called at every step boundary (tests stop the process there).
	hook func(hookPoint, stepID)
}

// lane is one system with its limit and its state for the run.
type lane struct {
	sys  system
	sem  chan struct{} // one slot per user in progress in this system
	gate gate          // the first contact with the system runs alone
	// refused is set once the system refused the credentials: the remaining users are
	// skipped there without a request.
	refused atomic.Bool
}

func newLane(s system, limit int) *lane {
	return &lane{sys: s, sem: make(chan struct{}, max(1, limit)), gate: newGate()}
}

// gate lets one caller through at a time until one of them has talked to the system (made a
// request and got an answer or an error), then everyone. So a system that refuses the
// credentials sees exactly one login attempt, whatever the concurrency.
type gate struct {
	token chan struct{} // holds the single pass while the gate is closed
	open  chan struct{} // closed once the gate is open
	once  *sync.Once
}

func newGate() gate {
	g := gate{token: make(chan struct{}, 1), open: make(chan struct{}), once: &sync.Once{}}
	g.token <- struct{}{}
	return g
}

// enter waits for the gate. holding reports that the caller took the single pass and must
// give it back with leave.
func (g gate) enter(stop context.Context) (holding bool, err error) {
	select {
	case <-g.open:
		return false, nil
	default:
	}
	select {
	case <-g.open:
		return false, nil
	case <-g.token:
		return true, nil
	case <-stop.Done():
		return false, stop.Err()
	}
}

// leave gives the pass back; contacted opens the gate for good.
func (g gate) leave(contacted bool) {
	if contacted {
		g.openNow()
	}
	g.token <- struct{}{}
}

// openNow opens the gate for good.
func (g gate) openNow() { g.once.Do(func() { close(g.open) }) }

// errStopped is the answer of a step asked to start after the run was told to stop.
var errStopped = errors.New("stopped before this step")

// runAll offboards users, at most e.window at once, and gives each user's report to emit as
// soon as the user is finished, and each system's row to row (both may be called
// concurrently). Once stop ends, no new step starts: the steps in flight finish and are
// recorded (their calls use work, which stop does not cancel), and every user or system not
// started is reported as not started, without a request.
func (e *engine) runAll(stop, work context.Context, users iter.Seq[user], row func(user, result), emit func(userReport)) {
	slots := make(chan struct{}, max(1, e.window))
	var wg sync.WaitGroup
	for u := range users {
		select {
		case slots <- struct{}{}:
		case <-stop.Done():
		}
		if stop.Err() != nil {
			rep := e.notStarted(u)
			for _, r := range rep.Results {
				row(u, r)
			}
			emit(rep)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			emit(e.offboard(stop, work, u, row))
		}()
	}
	wg.Wait()
}

// offboard runs the user through every lane at once and returns the user's report, its rows
// in lane order.
func (e *engine) offboard(stop, work context.Context, u user, row func(user, result)) userReport {
	rep := userReport{User: u.Label, Line: u.Line, Results: make([]result, len(e.lanes))}
	var wg sync.WaitGroup
	for i, l := range e.lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := e.scrub.result(e.inLane(stop, work, l, u))
			rep.Results[i] = res
			row(u, res)
		}()
	}
	wg.Wait()
	rep.tally()
	return rep
}

// inLane runs one user in one system, within the lane's limit, behind its gate, and skips the
// user there once the system has refused the credentials.
func (e *engine) inLane(stop, work context.Context, l *lane, u user) result {
	name := l.sys.name()
	// The gate first, then a slot: a user waiting at the gate holds no slot, so the gate's
	// holder always gets one back after lending it (see stepper.do).
	holding, err := l.gate.enter(stop)
	if err != nil {
		return notStartedResult(name)
	}
	select {
	case l.sem <- struct{}{}:
	case <-stop.Done():
		if holding {
			l.gate.leave(false)
		}
		return notStartedResult(name)
	}
	defer func() { <-l.sem }()
	if l.refused.Load() {
		if holding {
			l.gate.leave(false)
		}
		return result{System: name, Action: "-", Outcome: outcomeSkipped,
			Detail: detailRefused + ": " + name + " refused them for an earlier user, so no request was sent"}
	}
	if stop.Err() != nil {
		if holding {
			l.gate.leave(false)
		}
		return notStartedResult(name)
	}
	x := &stepper{e: e, lane: l, stop: stop, user: u.key(), system: name}
	res, err := l.sys.offboard(work, u, x)
	if err != nil && l.sys.authError(err) {
		l.refused.Store(true)
		res.Detail = joinDetail(res.Detail, "credentials refused: the remaining users are skipped in "+name)
	}
	if res.Outcome != outcomeSkipped && res.Outcome != outcomeNotStarted {
		l.gate.openNow()
	}
	if errors.Is(err, errStopped) {
		res = stoppedResult(res, x.changed)
	}
	if holding {
		l.gate.leave(false)
	}
	if e.journal != nil && !e.dryRun && !x.reused && res.Outcome != outcomeNotStarted && res.Outcome != outcomeSkipped {
		r := res
		_ = e.journal.append(record{Kind: kindResult, stepID: stepID{User: x.user, System: name}, Result: &r}, false)
	}
	return res
}

// notStarted is the report of a user the run stopped before.
func (e *engine) notStarted(u user) userReport {
	rep := userReport{User: u.Label, Line: u.Line}
	for _, l := range e.lanes {
		rep.Results = append(rep.Results, notStartedResult(l.sys.name()))
	}
	rep.tally()
	return rep
}

func notStartedResult(system string) result {
	return result{System: system, Action: "-", Outcome: outcomeNotStarted, Detail: "the run was stopped before this user; -resume does it"}
}

// stoppedResult is the row of a system the run stopped in, between two steps: interrupted
// when a step had changed something, not started otherwise.
func stoppedResult(res result, changed bool) result {
	if changed {
		res.Outcome = outcomeInterrupted
		res.Detail = joinDetail(res.Detail, "the run was stopped before the next step; -resume finishes it")
		return res
	}
	res.Outcome = outcomeNotStarted
	res.Detail = joinDetail(res.Detail, "the run was stopped before the first change; -resume does it")
	return res
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// stepper runs the destructive steps of one user in one system and journals them.
type stepper struct {
	e      *engine
	lane   *lane
	stop   context.Context
	user   string // the user's key
	system string
	// changed is set once a step of this user in this system was sent.
	changed bool
	// reused is set when the result is the one an earlier run recorded.
	reused bool
}

// contact is told the answer of the first call to the system: from then on the other users
// may call it at once, unless it refused the credentials (they are then skipped).
func (x *stepper) contact(err error) {
	if err != nil && x.lane.sys.authError(err) {
		x.lane.refused.Store(true)
	}
	x.lane.gate.openNow()
}

func (x *stepper) id(step, target string) stepID {
	return stepID{User: x.user, System: x.system, Step: step, Target: target}
}

// dryRun reports whether destructive steps are only planned.
func (x *stepper) dryRun() bool { return x.e.dryRun }

// recordedResult returns the result an earlier run recorded as a success for this user and
// system: it is reused without a request.
func (x *stepper) recordedResult() (result, bool) {
	r, ok := x.e.prior.result(x.user, x.system)
	x.reused = ok
	if ok {
		r.Detail = joinDetail(r.Detail, "recorded by an earlier run (journal); nothing sent")
	}
	return r, ok
}

// prior returns what earlier runs recorded about a step.
func (x *stepper) prior(step, target string) stepState { return x.e.prior.step(x.id(step, target)) }

// recorded returns the outcome of a step an earlier run recorded as a success: the step is
// not sent again.
func (x *stepper) recorded(step, target string) (*record, bool) {
	st := x.prior(step, target)
	if st.outcome != nil && st.outcome.Outcome.success() {
		return st.outcome, true
	}
	return nil, false
}

// pending reports that an earlier run recorded the step's intent but no outcome: it may have
// been done. The caller reads the system (where it can) before sending it again.
func (x *stepper) pending(step, target string) bool {
	st := x.prior(step, target)
	return st.intent && st.outcome == nil
}

// stepOutcome is what a step's call did.
type stepOutcome struct {
	Outcome       outcome
	Code, Message string
	Detail        string
	Err           error
}

// do sends one destructive step: unless the run is stopping, it records the intent (on disk
// before anything is sent), calls, and records the outcome.
func (x *stepper) do(ctx context.Context, step, target, detail string, call func(ctx context.Context) stepOutcome) stepOutcome {
	if x.stop.Err() != nil {
		return stepOutcome{Outcome: outcomeNotStarted, Err: errStopped}
	}
	id := x.id(step, target)
	x.at(beforeIntent, id)
	if j := x.e.journal; j != nil {
		// The lane bounds the calls in progress in the system: its slot is lent to another
		// user while this one waits for the disk.
		<-x.lane.sem
		err := j.append(record{Kind: kindIntent, stepID: id, Detail: detail}, true)
		x.lane.sem <- struct{}{}
		if err == nil && x.stop.Err() != nil { // stopped while waiting: not sent, and so recorded
			x.note(id, stepOutcome{Outcome: outcomeNotStarted, Detail: "not sent: the run was stopped"})
			return stepOutcome{Outcome: outcomeNotStarted, Err: errStopped}
		}
		if err != nil {
			// Without the intent on disk the step is not sent: a crash could not be resumed.
			return stepOutcome{Outcome: outcomeFailed, Message: "not sent: " + err.Error(), Err: err}
		}
	}
	x.at(afterIntent, id)
	out := call(ctx)
	x.changed = true
	x.at(afterCall, id)
	x.note(id, out)
	x.at(afterOutcome, id)
	return out
}

// note records the outcome of a step (also one concluded by reading, without a call).
func (x *stepper) note(id stepID, out stepOutcome) {
	if j := x.e.journal; j != nil {
		_ = j.append(record{Kind: kindOutcome, stepID: id, Outcome: out.Outcome, Code: out.Code, Message: out.Message, Detail: out.Detail}, false)
	}
}

// confirm records that a read showed a pending step done (by the interrupted run).
func (x *stepper) confirm(step, target, detail string) {
	x.note(x.id(step, target), stepOutcome{Outcome: outcomeDone, Detail: detail})
}

func (x *stepper) at(p hookPoint, id stepID) {
	if x.e.hook != nil {
		x.e.hook(p, id)
	}
}

// Details shared by the steps.
const (
	detailRefused   = "credentials refused"
	detailConfirmed = "done by the interrupted run: confirmed by reading before sending it again"
	detailRecorded  = "done by an earlier run (journal); not sent again"
)

// detailRepeated is the detail of a step sent again after an unrecorded outcome, that the
// server answered as already done.
func detailRepeated(answer string) string {
	return "done by the interrupted run: sent again (no read operation), the server answered " + answer
}

// send sends one destructive step, unless an earlier run recorded it as done: then its
// recorded outcome is returned and nothing is sent.
func (x *stepper) send(ctx context.Context, step, target, detail string, call func(ctx context.Context) stepOutcome) stepOutcome {
	if rec, ok := x.recorded(step, target); ok {
		return stepOutcome{Outcome: rec.Outcome, Code: rec.Code, Message: rec.Message, Detail: detailRecorded}
	}
	return x.do(ctx, step, target, detail, call)
}

// confirmGone records as done the steps named step whose intent an earlier run recorded
// without an outcome and whose target the read no longer shows (present reports false): the
// interrupted run did them. It returns their targets.
func (x *stepper) confirmGone(step string, present func(target string) bool) []string {
	var done []string
	for _, id := range x.e.prior.stepsOf(x.user, x.system) {
		if id.Step != step || present(id.Target) || !x.pending(step, id.Target) {
			continue
		}
		x.confirm(step, id.Target, detailConfirmed)
		done = append(done, id.Target)
	}
	return done
}

// doneBefore reports whether an earlier run recorded a step of this user in this system as
// done: a system the read then finds with nothing left was offboarded by that run, not
// "already".
func (x *stepper) doneBefore() bool {
	for _, id := range x.e.prior.stepsOf(x.user, x.system) {
		if st := x.prior(id.Step, id.Target); st.outcome != nil && st.outcome.Outcome == outcomeDone {
			return true
		}
	}
	return false
}

// nothingLeft settles res, whose read found nothing left to do: already done, unless this
// run confirmed confirmed steps that an interrupted run had sent, or an earlier run recorded
// a step done; then the access ended by a run of this job, and res says which.
func (x *stepper) nothingLeft(res *result, confirmed int) {
	switch {
	case confirmed > 0:
		res.Outcome, res.Detail = outcomeDone, joinDetail(detailConfirmed, res.Detail)
	case x.doneBefore():
		res.Outcome, res.Detail = outcomeDone, joinDetail(detailRecorded, res.Detail)
	}
}

// stepTally sums up the steps of one user in one system.
type stepTally struct {
	done, already, failed, stopped int
	err                            error  // the first failure's error
	code, message                  string // the first failure's answer, for the row
}

// add counts one step's outcome; label names the step in a failure's message.
func (t *stepTally) add(label string, o stepOutcome) {
	switch o.Outcome {
	case outcomeDone:
		t.done++
	case outcomeAlready:
		t.already++
	case outcomeNotStarted:
		t.stopped++
	default:
		t.failed++
		if t.err == nil {
			t.err = o.Err
			if t.err == nil {
				t.err = errors.New(label + ": " + o.Message)
			}
			t.code, t.message = o.Code, label+": "+o.Message
		}
	}
}

// outcome is the system's outcome: failed when a step failed, not started when the run
// stopped before a step, done when a step was done, already when every step was.
func (t *stepTally) outcome() outcome {
	switch {
	case t.failed > 0:
		return outcomeFailed
	case t.stopped > 0:
		return outcomeNotStarted
	case t.done > 0:
		return outcomeDone
	}
	return outcomeAlready
}

// finish sets res's outcome (and the first failure's answer) from the tally, and returns
// the error the system failed with: errStopped when the run stopped before a step.
func (t *stepTally) finish(res *result) error {
	res.Outcome = t.outcome()
	switch res.Outcome {
	case outcomeFailed: // the row shows the first failure; the items have them all
		res.Code, res.Message = t.code, t.message
		return t.err
	case outcomeNotStarted:
		return errStopped
	}
	return nil
}

// item returns the item of a step's outcome.
func item(kind, id string, o stepOutcome) itemResult {
	msg := o.Message
	if o.Detail != "" && o.Outcome != outcomeFailed {
		msg = joinDetail(msg, o.Detail)
	}
	return itemResult{Kind: kind, ID: id, Outcome: o.Outcome, Code: o.Code, Message: msg}
}

// itemsByOutcome sums up items of a kind by outcome: "accounts deleted: A, B; already gone: C".
func itemsByOutcome(items []itemResult, kind, doneText, alreadyText string) []string {
	by := map[outcome][]string{}
	for _, it := range items {
		if it.Kind == kind {
			by[it.Outcome] = append(by[it.Outcome], it.ID)
		}
	}
	var parts []string
	for _, o := range []struct {
		outcome outcome
		text    string
	}{{outcomeDone, doneText}, {outcomeAlready, alreadyText}, {outcomeFailed, "failed"}, {outcomeNotStarted, "not started"}} {
		if ids := by[o.outcome]; len(ids) > 0 {
			parts = append(parts, kind+"s "+o.text+": "+strings.Join(ids, ", "))
		}
	}
	return parts
}
