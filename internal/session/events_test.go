package session_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
)

// eventLog records the engine's events by kind name, per caller context.
type eventLog struct {
	mu  sync.Mutex
	got []string
}

var kindNames = map[session.EventKind]string{
	session.EventLoginStarted:      "login.started",
	session.EventLoginSucceeded:    "login.succeeded",
	session.EventLoginFailed:       "login.failed",
	session.EventRenewal:           "renewal",
	session.EventRefused:           "refused",
	session.EventRefusalRemembered: "refusal.remembered",
}

func (l *eventLog) on(_ context.Context, ev session.Event) {
	name := kindNames[ev.Kind]
	if ev.Kind == session.EventRenewal {
		name += "(reactive)"
		if ev.Proactive {
			name = "renewal(proactive)"
		}
	}
	l.mu.Lock()
	l.got = append(l.got, name)
	l.mu.Unlock()
}

func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	got := l.got
	l.got = nil
	return got
}

func TestEngineEvents(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	now := time.Unix(1_000_000, 0)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }
	var answer error
	login := func(context.Context) (string, error) { return "token", answer }
	e := session.New[string](session.Config{
		Lifetime: time.Hour, RenewBefore: 5 * time.Minute, Now: clock, OnEvent: log.on,
		Refused: func(err error) bool { return errors.Is(err, errRefused) },
	})

	steps := []struct {
		name    string
		do      func() error
		want    []string
		wantErr bool
	}{
		{"first call logs in", func() error { _, _, err := e.Get(ctx, login); return err },
			[]string{"login.started", "login.succeeded"}, false},
		{"a fresh session: nothing to report", func() error { _, _, err := e.Get(ctx, login); return err }, nil, false},
		{"inside the renewal window", func() error { advance(56 * time.Minute); _, _, err := e.Get(ctx, login); return err },
			[]string{"renewal(proactive)", "login.started", "login.succeeded"}, false},
		{"the server rejected the session", func() error { _, _, err := e.Renew(ctx, e.Fresh(), login); return err },
			[]string{"renewal(reactive)", "login.started", "login.succeeded"}, false},
		{"a login that fails", func() error {
			answer = soapx.ErrUnavailable
			_, _, err := e.Renew(ctx, e.Fresh(), login)
			return err
		}, []string{"renewal(reactive)", "login.started", "login.failed"}, true},
		{"refused credentials", func() error {
			answer = errRefused
			_, _, err := e.Get(ctx, login)
			return err
		}, []string{"login.started", "refused"}, true},
		{"then remembered", func() error { _, _, err := e.Get(ctx, login); return err },
			[]string{"refusal.remembered"}, true},
		{"a first login has no renewal", func() error {
			e.Reset()
			answer = nil
			_, _, err := e.Renew(ctx, nil, login)
			return err
		}, []string{"login.started", "login.succeeded"}, false},
	}
	for _, s := range steps {
		if err := s.do(); s.wantErr {
			require.Error(t, err, s.name)
		} else {
			require.NoError(t, err, s.name)
		}
		require.Equal(t, s.want, log.take(), s.name)
	}
}

func TestEngineEventsOfWaiters(t *testing.T) {
	var log eventLog
	e := session.New[string](session.Config{OnEvent: log.on, Refused: func(err error) bool { return errors.Is(err, errRefused) }})
	release := make(chan struct{})
	login := func(context.Context) (string, error) { <-release; return "", errRefused }
	ctx := context.Background()
	leader := make(chan error)
	go func() { _, _, err := e.Get(ctx, login); leader <- err }()
	require.Eventually(t, func() bool { return e.Logins() == 1 }, 5*time.Second, time.Millisecond)
	require.Equal(t, []string{"login.started"}, log.take())
	waiter := make(chan error)
	go func() { _, _, err := e.Get(ctx, login); waiter <- err }()
	time.Sleep(10 * time.Millisecond) // the waiter waits for the flight (or, if late, finds the refusal remembered)
	close(release)
	require.ErrorIs(t, <-leader, errRefused)
	require.ErrorIs(t, <-waiter, errRefused)
	got := log.take()
	require.ElementsMatch(t, []string{"refused", "refusal.remembered"}, got, "the leader's refusal; the waiter sent nothing")
	require.Equal(t, uint64(1), e.Logins())
}

// Options.Config forwards the engine's events to the observation of the caller's call.
func TestEngineEventsReachTheCallObservation(t *testing.T) {
	var rec observetest.Recorder
	e := session.New[string](session.Options{Lifetime: time.Hour}.Config(nil))
	ctx, call := soapx.NewHook(&rec, "svc", soapx.SOAP11, "https://svc.example/x", nil).Start(context.Background(), "Op", "urn:Op")
	_, _, err := e.Get(ctx, func(context.Context) (string, error) { return "t", nil })
	require.NoError(t, err)
	_, _, err = e.Renew(ctx, e.Fresh(), func(context.Context) (string, error) { return "u", nil })
	require.NoError(t, err)
	call.End(nil, "")
	require.Equal(t, []string{"svc Op: ok code= attempts=0 [login.started login.succeeded renewal(reactive) login.started login.succeeded]"},
		rec.Summaries())
	require.Equal(t, "reactive", rec.Calls()[0].Events[2].Reason)
}
