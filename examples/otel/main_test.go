package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/examples/otel/otelobserve"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/uds/udstest"
)

// contexts records the span context of each request the clients send, to check that the
// call's span reaches the transport.
type contexts struct {
	mu   sync.Mutex
	seen []trace.SpanContext
}

func (c *contexts) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.seen = append(c.seen, trace.SpanContextFromContext(r.Context()))
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// The scripted run (a login, a renewal, a fault, a success per service), recorded by the SDK's
// in-memory exporter and manual reader.
func TestScenarioSpansAndMetrics(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	obs, err := otelobserve.New(tp, mp)
	require.NoError(t, err)
	ctx, parent := tp.Tracer("test").Start(context.Background(), "offboard run")
	transport := &contexts{}
	var out bytes.Buffer
	require.NoError(t, scenario(ctx, obs, &http.Client{Transport: transport}, &out), out.String())
	parent.End()

	type want struct {
		name    string
		outcome string
		code    string
		events  []string
	}
	login := []string{"login.started", "attempt", "login.succeeded"}
	renewal := []string{"attempt", "renewal", "login.started", "attempt", "login.succeeded"}
	one := []string{"attempt"}
	wants := []want{
		{"cas/HandleUserTask", "ok", "0", login},
		{"cas/HandleUserTask", "ok", "0", one},
		{"cas/HandleUserTask", "permission_denied", "2001", one},
		{"cas/HandleUserTask", "ok", "0", one},
		{"uds/getUserStatus", "ok", "", login},
		{"uds/getUserStatus", "ok", "", renewal},
		{"uds/getUserStatus", "not_found", "31301", one},
		{"uds/updateUserStatus", "ok", "", one},
		{"projector/PwsDeleteUser", "ok", "", append(login, "attempt")},
		{"projector/PwsDeleteUser", "ok", "", append(renewal, "attempt")},
		{"projector/PwsDeleteUser", "not_found", "50024", one},
		{"projector/PwsUnauthenticate", "ok", "", one},
		{"provisioning/GetProvisioningTaskCount", "ok", "", append(login, "attempt")},
		{"provisioning/GetProvisioningTaskDetails", "ok", "", append(renewal, "attempt")},
		{"provisioning/GetProvisioningTaskCount", "fault", "", one},
		{"provisioning/RemoveUsersFromProvisioningTask", "ok", "true", one},
	}
	got := spans.GetSpans()
	require.Len(t, got, len(wants)+1) // and the test's own parent span, ended last
	callSpans := map[trace.SpanID]bool{}
	for i, w := range wants {
		s := got[i]
		require.Equal(t, w.name, s.Name, "span %d", i)
		require.Equal(t, trace.SpanKindClient, s.SpanKind, w.name)
		require.Equal(t, parent.SpanContext().SpanID(), s.Parent.SpanID(), "%s: a child of the caller's span", w.name)
		require.Equal(t, parent.SpanContext().TraceID(), s.SpanContext.TraceID(), w.name)
		callSpans[s.SpanContext.SpanID()] = true
		attrs := attribute.NewSet(s.Attributes...)
		service, method, _ := strings.Cut(w.name, "/")
		for k, v := range map[attribute.Key]string{
			otelobserve.KeyRPCSystem: "soap", otelobserve.KeyRPCService: service, otelobserve.KeyRPCMethod: method,
			otelobserve.KeyServerAddress: "127.0.0.1", otelobserve.KeyOutcome: w.outcome,
		} {
			got, ok := attrs.Value(k)
			require.True(t, ok, "%s: %s", w.name, k)
			require.Equal(t, v, got.AsString(), "%s: %s", w.name, k)
		}
		code, ok := attrs.Value(otelobserve.KeyCode)
		require.Equal(t, w.code != "", ok, w.name)
		require.Equal(t, w.code, code.AsString(), w.name)
		port, ok := attrs.Value(otelobserve.KeyServerPort)
		require.True(t, ok && port.AsInt64() > 0, w.name)
		var events []string
		for _, e := range s.Events {
			events = append(events, e.Name)
		}
		require.Equal(t, w.events, events, w.name)
		errType, hasErrType := attrs.Value(otelobserve.KeyErrorType)
		if w.outcome == "ok" {
			require.Equal(t, codes.Unset, s.Status.Code, w.name)
			require.False(t, hasErrType, w.name)
		} else {
			require.Equal(t, codes.Error, s.Status.Code, w.name)
			require.NotEmpty(t, s.Status.Description, w.name)
			require.Equal(t, w.outcome, errType.AsString(), w.name)
		}
	}
	// Every request went out with the span of its call in its context.
	require.NotEmpty(t, transport.seen)
	for _, sc := range transport.seen {
		require.True(t, callSpans[sc.SpanID()], "a request outside a call's span")
	}

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	calls := map[string]int64{}      // service/outcome → calls
	durations := map[string]uint64{} // service → histogram count
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otelobserve.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			switch m.Name {
			case otelobserve.MetricCalls:
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					calls[str(dp.Attributes, otelobserve.KeyRPCService)+"/"+str(dp.Attributes, otelobserve.KeyOutcome)] += dp.Value
				}
			case otelobserve.MetricDuration:
				require.Equal(t, "s", m.Unit)
				for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
					durations[str(dp.Attributes, otelobserve.KeyRPCService)] += dp.Count
					require.Positive(t, dp.Sum)
				}
			}
		}
	}
	require.Equal(t, map[string]int64{
		"cas/ok": 3, "cas/permission_denied": 1, "uds/ok": 3, "uds/not_found": 1,
		"projector/ok": 3, "projector/not_found": 1, "provisioning/ok": 3, "provisioning/fault": 1,
	}, calls)
	require.Equal(t, map[string]uint64{"cas": 4, "uds": 4, "projector": 4, "provisioning": 4}, durations)
}

func TestRun(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stdout  []string // what stdout must contain
	}{
		{"stdout by default", nil, nil, []string{`"Name":"cas/HandleUserTask"`, `"offboard.client.calls"`, `"rpc.client.call.duration"`}},
		{"none", []string{"-exporter", "none"}, nil, nil},
		{"unknown exporter", []string{"-exporter", "jaeger"}, errUsage, nil},
		{"extra argument", []string{"extra"}, errUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err, stderr.String())
			for _, s := range tt.stdout {
				require.Contains(t, stdout.String(), s)
			}
			if tt.stdout == nil {
				require.Empty(t, stdout.String())
			}
			for _, secret := range []string{castest.DefaultWSPassword, udstest.DefaultAdminCredential, projectortest.DefaultPassword} {
				require.NotContains(t, stdout.String()+stderr.String(), secret)
			}
		})
	}
}

func str(s attribute.Set, k attribute.Key) string {
	v, _ := s.Value(k)
	return v.AsString()
}
