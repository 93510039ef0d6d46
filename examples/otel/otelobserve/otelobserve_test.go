package otelobserve_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/offboard-go/offboard/examples/otel/otelobserve"
	"github.com/offboard-go/offboard/internal/observe"
)

// The events a scripted run against the fakes does not produce (retry, rate-limit pause,
// redirect, refused credentials), and their attributes.
func TestEventsAndAttributes(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	o, err := otelobserve.New(tp, sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	require.NoError(t, err)

	now := time.Now()
	_, call := o.Start(context.Background(), observe.CallInfo{Service: "projector", Operation: "PwsDeleteUser",
		Action: "urn:a", SOAPVersion: "1.1", Host: "secure.projectorpsa.com"})
	events := []observe.Event{
		{Kind: observe.EventLoginStarted, Time: now},
		{Kind: observe.EventAttempt, Time: now, Attempt: 1, Action: "urn:auth", HTTPStatus: 200, Outcome: observe.OutcomeOK,
			Duration: 1500 * time.Microsecond, BytesSent: 10, BytesRecv: 20, Host: "secure.projectorpsa.com"},
		{Kind: observe.EventRedirect, Time: now, Host: "eu1.projectorpsa.com:8443"},
		{Kind: observe.EventRefused, Time: now},
		{Kind: observe.EventRetry, Time: now, Attempt: 2, Wait: 2 * time.Second, Outcome: observe.OutcomeUnavailable},
		{Kind: observe.EventRateLimitPause, Time: now, Wait: 5 * time.Second},
		{Kind: observe.EventRenewal, Time: now, Reason: "proactive"},
	}
	for _, e := range events {
		call.Event(e)
	}
	call.End(observe.Result{Outcome: observe.OutcomeAuthentication, Code: "AuthenticationFailed",
		Err: errors.New("projector: PwsAuthenticate: refused"), HTTPStatus: 200, Attempts: 1, Duration: time.Second})

	got := spans.GetSpans()
	require.Len(t, got, 1)
	s := got[0]
	require.Equal(t, "projector/PwsDeleteUser", s.Name)
	require.Equal(t, codes.Error, s.Status.Code)
	require.Equal(t, "projector: PwsAuthenticate: refused", s.Status.Description)
	attrs := attribute.NewSet(s.Attributes...)
	for k, want := range map[attribute.Key]attribute.Value{
		otelobserve.KeyServerAddress:  attribute.StringValue("secure.projectorpsa.com"),
		otelobserve.KeyErrorType:      attribute.StringValue("authentication"),
		otelobserve.KeyCode:           attribute.StringValue("AuthenticationFailed"),
		otelobserve.KeyHTTPStatusCode: attribute.IntValue(200),
		otelobserve.KeyAttempts:       attribute.IntValue(1),
	} {
		v, ok := attrs.Value(k)
		require.True(t, ok, k)
		require.Equal(t, want, v, k)
	}
	_, hasPort := attrs.Value(otelobserve.KeyServerPort)
	require.False(t, hasPort, "no port in the host: none reported")

	require.Len(t, s.Events, len(events))
	wantEvents := []struct {
		name  string
		attrs map[attribute.Key]attribute.Value
	}{
		{"login.started", nil},
		{"attempt", map[attribute.Key]attribute.Value{otelobserve.KeyAttempt: attribute.IntValue(1),
			otelobserve.KeyHTTPStatusCode: attribute.IntValue(200), otelobserve.KeyDuration: attribute.Float64Value(1.5),
			otelobserve.KeyBytesSent: attribute.Int64Value(10), otelobserve.KeyBytesReceived: attribute.Int64Value(20)}},
		{"redirect", map[attribute.Key]attribute.Value{otelobserve.KeyServerAddress: attribute.StringValue("eu1.projectorpsa.com")}},
		{"credentials.refused", nil},
		{"retry", map[attribute.Key]attribute.Value{otelobserve.KeyWait: attribute.Int64Value(2000),
			otelobserve.KeyOutcome: attribute.StringValue("unavailable")}},
		{"rate_limit.pause", map[attribute.Key]attribute.Value{otelobserve.KeyWait: attribute.Int64Value(5000)}},
		{"renewal", map[attribute.Key]attribute.Value{otelobserve.KeyReason: attribute.StringValue("proactive")}},
	}
	for i, w := range wantEvents {
		e := s.Events[i]
		require.Equal(t, w.name, e.Name)
		require.True(t, e.Time.Equal(now), w.name)
		set := attribute.NewSet(e.Attributes...)
		for k, want := range w.attrs {
			v, ok := set.Value(k)
			require.True(t, ok, "%s: %s", w.name, k)
			require.Equal(t, want, v, "%s: %s", w.name, k)
		}
	}

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	var calls []metricdata.DataPoint[int64]
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == otelobserve.MetricCalls {
			calls = m.Data.(metricdata.Sum[int64]).DataPoints
		}
	}
	require.Len(t, calls, 1)
	require.Equal(t, int64(1), calls[0].Value)
	v, _ := calls[0].Attributes.Value(otelobserve.KeyErrorType)
	require.Equal(t, "authentication", v.AsString())
	_, hasCode := calls[0].Attributes.Value(otelobserve.KeyCode)
	require.False(t, hasCode, "a code is a span attribute, not a metric dimension")
}
