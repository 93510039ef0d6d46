package observe_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/observe/observetest"
)

type ctxKey struct{}

func TestFuncs(t *testing.T) {
	info := observe.CallInfo{Service: "uds", Operation: "getUserStatus"}
	var got []string
	tests := []struct {
		name     string
		funcs    observe.Funcs
		wantCall bool
		want     []string
	}{
		{"nothing", observe.Funcs{}, false, nil},
		{"start only", observe.Funcs{OnStart: func(ctx context.Context, i observe.CallInfo) context.Context {
			got = append(got, "start "+i.Operation)
			return context.WithValue(ctx, ctxKey{}, "v")
		}}, false, []string{"start getUserStatus"}},
		{"end only", observe.Funcs{OnEnd: func(ctx context.Context, i observe.CallInfo, r observe.Result) {
			got = append(got, "end "+string(r.Outcome))
		}}, true, []string{"end ok"}},
		{"all", observe.Funcs{
			OnStart: func(ctx context.Context, _ observe.CallInfo) context.Context {
				return context.WithValue(ctx, ctxKey{}, "v")
			},
			OnEvent: func(ctx context.Context, _ observe.CallInfo, e observe.Event) {
				got = append(got, "event "+string(e.Kind)+" "+ctx.Value(ctxKey{}).(string))
			},
			OnEnd: func(ctx context.Context, _ observe.CallInfo, r observe.Result) {
				got = append(got, "end "+string(r.Outcome)+" "+ctx.Value(ctxKey{}).(string))
			},
		}, true, []string{"event login.started v", "end ok v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			ctx, call := tt.funcs.Start(context.Background(), info)
			require.NotNil(t, ctx)
			require.Equal(t, tt.wantCall, call != nil)
			if call != nil {
				call.Event(observe.Event{Kind: observe.EventLoginStarted})
				call.End(observe.Result{Outcome: observe.OutcomeOK})
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestLog(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))

	_, call := observe.Log(logger, slog.LevelDebug).Start(context.Background(), observe.CallInfo{Service: "uds"})
	require.Nil(t, call, "a level the logger does not log: no call to follow")

	o := observe.Log(logger, slog.LevelInfo)
	_, call = o.Start(context.Background(), observe.CallInfo{Service: "projector", Operation: "PwsDeleteUser", Host: "eu1.projectorpsa.com"})
	call.Event(observe.Event{Kind: observe.EventLoginStarted})
	call.Event(observe.Event{Kind: observe.EventAttempt, Attempt: 1})
	call.Event(observe.Event{Kind: observe.EventRedirect, Host: "eu2.projectorpsa.com"})
	call.Event(observe.Event{Kind: observe.EventRateLimitPause, Wait: 5 * time.Second})
	call.Event(observe.Event{Kind: observe.EventRenewal, Reason: "reactive"})
	call.End(observe.Result{Outcome: observe.OutcomeNotFound, Code: "50024", Err: errors.New("projector: PwsDeleteUser: not found"),
		HTTPStatus: 200, Attempts: 3, BytesSent: 10, BytesRecv: 20, Duration: 1500 * time.Microsecond})
	line := strings.TrimSpace(buf.String())
	for _, want := range []string{`msg="offboard call"`, "service=projector", "operation=PwsDeleteUser", "host=eu1.projectorpsa.com",
		"outcome=not_found", "code=50024", "attempts=3", "http_status=200", "duration=1.5ms", "bytes_sent=10", "bytes_received=20",
		`events="login.started redirect(eu2.projectorpsa.com) rate_limit.pause(5s) renewal(reactive)"`,
		`error="projector: PwsDeleteUser: not found"`} {
		require.Contains(t, line, want)
	}
	require.Equal(t, 1, strings.Count(buf.String(), "\n"), "one line per call")
}

func TestRecorderSummary(t *testing.T) {
	var rec observetest.Recorder
	_, call := rec.Start(context.Background(), observe.CallInfo{Service: "uds", Operation: "getUserStatus"})
	for _, e := range []observe.Event{
		{Kind: observe.EventAttempt, Attempt: 1, HTTPStatus: 500, Outcome: observe.OutcomeFault},
		{Kind: observe.EventRetry, Attempt: 1, Wait: time.Second},
		{Kind: observe.EventRenewal, Reason: "reactive"},
		{Kind: observe.EventRateLimitPause, Wait: 5 * time.Second},
		{Kind: observe.EventLoginSucceeded},
	} {
		call.Event(e)
	}
	_, open := rec.Start(context.Background(), observe.CallInfo{Service: "cas", Operation: "HandleUserTask"})
	call.End(observe.Result{Outcome: observe.OutcomeOK, Code: "0", Attempts: 1})
	require.Equal(t, []string{
		"uds getUserStatus: ok code=0 attempts=1 [attempt#1:500:fault retry#1(1s) renewal(reactive) rate_limit.pause(5s) login.succeeded]",
		"cas HandleUserTask:  code= attempts=0 [] (not ended)",
	}, rec.Summaries())
	require.Panics(t, func() { call.End(observe.Result{}) }, "End twice")
	require.Panics(t, func() { call.Event(observe.Event{}) }, "Event after End")
	open.End(observe.Result{Outcome: observe.OutcomeOK})
	rec.Reset()
	require.Empty(t, rec.Calls())
}
