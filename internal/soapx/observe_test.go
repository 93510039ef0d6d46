package soapx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/internal/scrub"
	"github.com/offboard-go/offboard/internal/soapx"
)

func TestObservedCallReportsEachAttempt(t *testing.T) {
	m := newMock(t)
	answers := []struct {
		status int
		ct     string
		body   string
	}{
		{http.StatusServiceUnavailable, "text/html", "<html>busy</html>"},
		{http.StatusOK, ct11, env11("", echoBody)},
	}
	n := 0
	httpmock.RegisterResponder(http.MethodPost, testURL, func(r *http.Request) (*http.Response, error) {
		a := answers[n]
		n++
		resp := httpmock.NewStringResponse(a.status, a.body)
		resp.Header.Set("Content-Type", a.ct)
		return resp, nil
	})
	var rec observetest.Recorder
	secrets := scrub.New("hunter22")
	c := m.client(t, soapx.WithObserver(&rec), soapx.WithSecrets(secrets), soapx.WithRetry(soapx.RetryTransient(3, 0)))
	hook := soapx.NewHook(&rec, "svc", soapx.SOAP11, testURL, secrets)

	ctx, call := hook.Start(context.Background(), "Echo", action)
	var out echoResp
	err := c.Call(ctx, action, &echoReq{Text: "ping"}, &out)
	// What a server sent is scrubbed: a code, an event's host or reason.
	soapx.Emit(ctx, observe.Event{Kind: observe.EventRedirect, Host: "hunter22.example"})
	call.End(err, "0-hunter22")
	require.NoError(t, err)

	require.Equal(t, []string{"svc Echo: ok code=0-[REDACTED] attempts=2 [attempt#1:503:unavailable retry#1(0s) attempt#2:200:ok redirect]"},
		rec.Summaries())
	got := rec.Calls()[0]
	require.Equal(t, observe.CallInfo{Service: "svc", Operation: "Echo", Action: action, SOAPVersion: "1.1", Host: "soap.test"}, got.Info)
	require.Equal(t, "[REDACTED].example", got.Events[3].Host)
	a1, a2 := got.Events[0], got.Events[2]
	require.Equal(t, action, a1.Action)
	require.Equal(t, "1.1", a1.SOAPVersion)
	require.Equal(t, "soap.test", a1.Host)
	require.Positive(t, a1.BytesSent)
	require.Equal(t, a1.BytesSent, a2.BytesSent, "the same request bytes are sent again")
	require.Equal(t, int64(len(answers[0].body)), a1.BytesRecv)
	require.Equal(t, int64(len(answers[1].body)), a2.BytesRecv)
	res := got.Result
	require.Equal(t, a1.BytesSent+a2.BytesSent, res.BytesSent)
	require.Equal(t, a1.BytesRecv+a2.BytesRecv, res.BytesRecv)
	require.Equal(t, http.StatusOK, res.HTTPStatus)
	require.GreaterOrEqual(t, res.Duration, a1.Duration+a2.Duration)
	for _, e := range got.Events {
		require.False(t, e.Time.IsZero())
	}
	require.NotContains(t, rec.Text(), "hunter22")
}

func TestObservationEdges(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, http.StatusOK, ct11, env11("", echoBody))

	t.Run("no hook", func(t *testing.T) {
		var h *soapx.Hook
		require.Nil(t, soapx.NewHook(nil, "svc", soapx.SOAP11, testURL, nil))
		ctx := context.Background()
		got, call := h.Start(ctx, "Echo", action)
		require.Equal(t, ctx, got)
		require.Nil(t, call)
		call.End(errors.New("x"), "") // a nil Call ignores End and events
		call.Event(observe.Event{Kind: observe.EventRedirect})
	})
	t.Run("observed client, call without observation", func(t *testing.T) {
		var rec observetest.Recorder
		c := m.client(t, soapx.WithObserver(&rec))
		require.NoError(t, c.Call(context.Background(), action, &echoReq{Text: "ping"}, &echoResp{}))
		require.Empty(t, rec.Calls())
	})
	t.Run("nothing after End", func(t *testing.T) {
		var rec observetest.Recorder // panics on an event or End after End
		c := m.client(t, soapx.WithObserver(&rec))
		ctx, call := soapx.NewHook(&rec, "svc", soapx.SOAP12, testURL, nil).Start(context.Background(), "Echo", action)
		call.End(nil, "")
		call.End(nil, "")
		soapx.Emit(ctx, observe.Event{Kind: observe.EventRedirect})
		require.NoError(t, c.Call(ctx, action, &echoReq{Text: "ping"}, &echoResp{}))
		require.Equal(t, []string{"svc Echo: ok code= attempts=0 []"}, rec.Summaries())
		require.Equal(t, "1.2", rec.Calls()[0].Info.SOAPVersion)
	})
	t.Run("a code recorded by the operation", func(t *testing.T) {
		var rec observetest.Recorder
		h := soapx.NewHook(&rec, "svc", soapx.SOAP11, testURL, scrub.New("hunter22"))
		for _, end := range []string{"", "explicit"} {
			ctx, call := h.Start(context.Background(), "Echo", action)
			soapx.SetCode(ctx, "Fail-hunter22")
			require.Equal(t, "Fail-hunter22", call.Code())
			call.End(nil, end)
		}
		soapx.SetCode(context.Background(), "nowhere") // no call: nothing
		require.Equal(t, []string{"svc Echo: ok code=Fail-[REDACTED] attempts=0 []", "svc Echo: ok code=explicit attempts=0 []"},
			rec.Summaries())
	})
	t.Run("observer without a Call", func(t *testing.T) {
		o := observe.Funcs{OnStart: func(ctx context.Context, _ observe.CallInfo) context.Context { return ctx }}
		c := m.client(t, soapx.WithObserver(o))
		ctx, call := soapx.NewHook(o, "svc", soapx.SOAP11, testURL, nil).Start(context.Background(), "Echo", action)
		require.NoError(t, c.Call(ctx, action, &echoReq{Text: "ping"}, &echoResp{}))
		call.End(nil, "")
	})
}

func TestClassify(t *testing.T) {
	fault := &soapx.Fault{Code: "Server", Reason: "boom"}
	tests := []struct {
		err  error
		want observe.Outcome
	}{
		{nil, observe.OutcomeOK},
		{context.Canceled, observe.OutcomeCanceled},
		{fmt.Errorf("waiting: %w", context.DeadlineExceeded), observe.OutcomeDeadlineExceeded},
		{fmt.Errorf("x: %w", soapx.ErrNotFound), observe.OutcomeNotFound},
		{soapx.ErrPermissionDenied, observe.OutcomePermissionDenied},
		{errors.Join(soapx.ErrAuthentication, soapx.ErrSessionExpired), observe.OutcomeSessionExpired},
		{&soapx.HTTPError{StatusCode: http.StatusUnauthorized}, observe.OutcomeAuthentication},
		{&soapx.HTTPError{StatusCode: http.StatusTooManyRequests}, observe.OutcomeRateLimited},
		{&soapx.InputError{Field: "f", Reason: "r"}, observe.OutcomeInvalidInput},
		{&soapx.HTTPError{StatusCode: http.StatusBadGateway}, observe.OutcomeUnavailable},
		{soapx.ErrBodyTooLarge, observe.OutcomeBodyTooLarge},
		{&soapx.HTTPError{StatusCode: http.StatusNotFound}, observe.OutcomeProtocol},
		{fmt.Errorf("svc: %w", fault), observe.OutcomeFault},
		{errors.New("something else"), observe.OutcomeError},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			require.Equal(t, tt.want, soapx.Classify(tt.err))
		})
	}
}
