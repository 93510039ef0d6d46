// Package otelobserve adapts the offboard clients' observation hook (the Observer of every client package, cas.Observer, uds.Observer…: one type) to
// OpenTelemetry: one client span per call and two metrics.
//
//	obs, err := otelobserve.New(otel.GetTracerProvider(), otel.GetMeterProvider())
//	c, err := uds.New(endpoint, creds, uds.WithObserver(obs))
//
// Spans follow OpenTelemetry's RPC semantic conventions: the name is "{rpc.service}/{rpc.method}"
// ("uds/getUserStatus"), the kind is client, and the attributes are rpc.system ("soap"),
// rpc.service (the client: cas, uds, projector, provisioning), rpc.method (the wire
// operation), server.address and server.port, http.response.status_code (of the last
// exchange) and, on failure, error.type (the module's error category: not_found,
// authentication, unavailable…). The module's own details are under offboard.*: the SOAP
// action and version, the outcome, the service's code (cas Code, uds errorNumber, projector
// ErrorNumber, BSIDCA result), the number of HTTP exchanges and the bytes sent and received.
// Each HTTP exchange is a span event ("attempt"), and so is every session event (a login, a
// renewal, refused credentials, a redirect, a rate-limit pause, a retry). A failed call has
// status Error with the error's text (which the clients scrub of every secret).
//
// Metrics: rpc.client.call.duration (histogram, seconds) and offboard.client.calls (counter),
// both with rpc.system, rpc.service, rpc.method, server.address, offboard.outcome and, on
// failure, error.type.
//
// The context the client's call runs with carries the span, so a transport instrumented with
// otelhttp records its HTTP spans as children of the call's span, and the caller's span is
// the parent of it.
package otelobserve

import (
	"context"
	"net"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/offboard-go/offboard/internal/observe"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/offboard-go/offboard/examples/otel/otelobserve"

// Attribute keys. The rpc.*, server.*, http.* and error.type keys are OpenTelemetry's
// semantic conventions; offboard.* are this adapter's own.
const (
	KeyRPCSystem      = attribute.Key("rpc.system")
	KeyRPCService     = attribute.Key("rpc.service")
	KeyRPCMethod      = attribute.Key("rpc.method")
	KeyServerAddress  = attribute.Key("server.address")
	KeyServerPort     = attribute.Key("server.port")
	KeyHTTPStatusCode = attribute.Key("http.response.status_code")
	KeyErrorType      = attribute.Key("error.type")

	KeySOAPAction    = attribute.Key("offboard.soap.action")
	KeySOAPVersion   = attribute.Key("offboard.soap.version")
	KeyOutcome       = attribute.Key("offboard.outcome")
	KeyCode          = attribute.Key("offboard.code")
	KeyAttempts      = attribute.Key("offboard.attempts")
	KeyAttempt       = attribute.Key("offboard.attempt")
	KeyBytesSent     = attribute.Key("offboard.bytes_sent")
	KeyBytesReceived = attribute.Key("offboard.bytes_received")
	KeyDuration      = attribute.Key("offboard.duration_ms")
	KeyWait          = attribute.Key("offboard.wait_ms")
	KeyReason        = attribute.Key("offboard.reason")
)

// Metric names.
const (
	MetricDuration = "rpc.client.call.duration"
	MetricCalls    = "offboard.client.calls"
)

// Observer is an observe.Observer that records OpenTelemetry spans and metrics. It is safe for
// concurrent use; one Observer serves any number of clients.
type Observer struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
	calls    metric.Int64Counter
}

// New returns an Observer recording spans with tp and metrics with mp (the global providers:
// otel.GetTracerProvider(), otel.GetMeterProvider()).
func New(tp trace.TracerProvider, mp metric.MeterProvider) (*Observer, error) {
	meter := mp.Meter(ScopeName)
	duration, err := meter.Float64Histogram(MetricDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of the offboard clients' calls, logins and retries included."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60))
	if err != nil {
		return nil, err
	}
	calls, err := meter.Int64Counter(MetricCalls, metric.WithUnit("{call}"),
		metric.WithDescription("Calls of the offboard clients, by outcome."))
	if err != nil {
		return nil, err
	}
	return &Observer{tracer: tp.Tracer(ScopeName), duration: duration, calls: calls}, nil
}

// Start opens the call's span as a child of the span in ctx.
func (o *Observer) Start(ctx context.Context, info observe.CallInfo) (context.Context, observe.Call) {
	base := make([]attribute.KeyValue, 0, 10)
	base = append(base,
		KeyRPCSystem.String("soap"),
		KeyRPCService.String(info.Service),
		KeyRPCMethod.String(info.Operation),
	)
	host, port := splitHost(info.Host)
	if host != "" {
		base = append(base, KeyServerAddress.String(host))
	}
	spanAttrs := append(base[:len(base):len(base)], KeySOAPAction.String(info.Action), KeySOAPVersion.String(info.SOAPVersion))
	if port > 0 {
		spanAttrs = append(spanAttrs, KeyServerPort.Int(port))
	}
	ctx, span := o.tracer.Start(ctx, info.Service+"/"+info.Operation,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(spanAttrs...))
	return ctx, &call{o: o, ctx: ctx, span: span, base: base}
}

type call struct {
	o    *Observer
	ctx  context.Context
	span trace.Span
	base []attribute.KeyValue // the metric attributes known at the start
}

// Event adds e to the span as an event named after its kind.
func (c *call) Event(e observe.Event) {
	var attrs []attribute.KeyValue
	switch e.Kind {
	case observe.EventAttempt:
		attrs = []attribute.KeyValue{
			KeyAttempt.Int(e.Attempt),
			KeySOAPAction.String(e.Action),
			KeyHTTPStatusCode.Int(e.HTTPStatus),
			KeyOutcome.String(string(e.Outcome)),
			KeyDuration.Float64(float64(e.Duration.Microseconds()) / 1000),
			KeyBytesSent.Int64(e.BytesSent),
			KeyBytesReceived.Int64(e.BytesRecv),
		}
		if host, _ := splitHost(e.Host); host != "" {
			attrs = append(attrs, KeyServerAddress.String(host))
		}
	case observe.EventRetry:
		attrs = []attribute.KeyValue{KeyAttempt.Int(e.Attempt), KeyOutcome.String(string(e.Outcome)), KeyWait.Int64(e.Wait.Milliseconds())}
	case observe.EventRateLimitPause:
		attrs = []attribute.KeyValue{KeyWait.Int64(e.Wait.Milliseconds())}
	case observe.EventRenewal:
		attrs = []attribute.KeyValue{KeyReason.String(e.Reason)}
	case observe.EventRedirect:
		host, _ := splitHost(e.Host)
		attrs = []attribute.KeyValue{KeyServerAddress.String(host)}
	}
	c.span.AddEvent(string(e.Kind), trace.WithTimestamp(e.Time), trace.WithAttributes(attrs...))
}

// End ends the span (status Error on failure) and records the metrics.
func (c *call) End(r observe.Result) {
	outcome := KeyOutcome.String(string(r.Outcome))
	c.span.SetAttributes(outcome,
		KeyAttempts.Int(r.Attempts),
		KeyBytesSent.Int64(r.BytesSent),
		KeyBytesReceived.Int64(r.BytesRecv),
	)
	if r.HTTPStatus != 0 {
		c.span.SetAttributes(KeyHTTPStatusCode.Int(r.HTTPStatus))
	}
	if r.Code != "" {
		c.span.SetAttributes(KeyCode.String(r.Code))
	}
	metricAttrs := append(c.base, outcome)
	if r.Err != nil {
		errType := KeyErrorType.String(string(r.Outcome))
		c.span.SetAttributes(errType)
		c.span.SetStatus(codes.Error, r.Err.Error())
		metricAttrs = append(metricAttrs, errType)
	}
	c.span.End()
	set := metric.WithAttributeSet(attribute.NewSet(metricAttrs...))
	c.o.duration.Record(c.ctx, r.Duration.Seconds(), set)
	c.o.calls.Add(c.ctx, 1, set)
}

// splitHost splits "host:port" (or a bare host); port is 0 when absent.
func splitHost(hostport string) (string, int) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, 0
	}
	port, _ := strconv.Atoi(p)
	return host, port
}
