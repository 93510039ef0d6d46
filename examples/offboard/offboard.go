package main

import (
	"context"
	"sync"
)

// A step is one system's part of offboarding. plan reads what it needs (the current state)
// and says what it would do; the offboarder then applies the plans, unless it is a dry run.
// Splitting the two is what makes -dry-run exact: a dry run is the plan phase alone.
type step interface {
	system() string
	plan(ctx context.Context, u user) plan
}

// plan is a step's verdict after reading: a result (planned, already, skipped or failed) and,
// when there is something to change, the function that changes it.
type plan struct {
	result
	apply func(ctx context.Context) result // nil: nothing to change
}

// offboarder offboards users through its steps, in order: uds, cas, projector,
// provisioning. Every step holds one client shared by all users (sessions, connection
// pools and projector's in-flight limit are per client). It is safe for concurrent use.
type offboarder struct {
	steps  []step
	dryRun bool
}

// offboard offboards one user: first every step reads and plans (nothing is changed until
// every system has been read), then the plans are applied in order. A failing system does
// not stop the others.
func (o *offboarder) offboard(ctx context.Context, u user) userReport {
	plans := make([]plan, len(o.steps))
	for i, s := range o.steps {
		plans[i] = s.plan(ctx, u)
	}
	rep := userReport{User: u.Label, Line: u.Line, Results: make([]result, len(plans))}
	for i, p := range plans {
		res := p.result
		if p.apply != nil && !o.dryRun {
			res = p.apply(ctx)
		}
		rep.Results[i] = res
		rep.Failed = rep.Failed || res.Outcome == outcomeFailed
	}
	return rep
}

// offboardAll offboards users with at most concurrency of them in progress at once, and
// returns their reports in the order of users. done is called after each user (for the
// progress line). Once ctx ends, users not yet started are reported as failed without
// any request being sent.
func (o *offboarder) offboardAll(ctx context.Context, users []user, concurrency int, done func(userReport)) []userReport {
	reports := make([]userReport, len(users))
	forEach(len(users), concurrency, func(i int) {
		if err := ctx.Err(); err != nil {
			reports[i] = o.notStarted(users[i], err)
		} else {
			reports[i] = o.offboard(ctx, users[i])
		}
		done(reports[i])
	})
	return reports
}

// notStarted is the report of a user the run was interrupted before.
func (o *offboarder) notStarted(u user, err error) userReport {
	rep := userReport{User: u.Label, Line: u.Line, Failed: true}
	for _, s := range o.steps {
		rep.Results = append(rep.Results, result{System: s.system(), Action: "-", Outcome: outcomeFailed,
			Message: "not started: " + err.Error()})
	}
	return rep
}

// forEach calls f(0) … f(n-1) from at most limit goroutines at once and returns when all
// calls have returned.
func forEach(n, limit int, f func(i int)) {
	limit = max(1, min(limit, n))
	next := make(chan int)
	var wg sync.WaitGroup
	for range limit {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// skipped is the step of a system that is not configured: every user is skipped there.
type skipped struct{ name, why string }

func (s skipped) system() string { return s.name }

func (s skipped) plan(context.Context, user) plan {
	return plan{result: result{System: s.name, Action: "-", Outcome: outcomeSkipped, Detail: s.why}}
}
