package observe

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// Log returns an Observer that logs one record per call to l at level, when it ends: service,
// operation, outcome, code, attempts, HTTP status, duration, bytes, the call's events in
// order (attempts counted, not listed) and the error. It is the dependency-free way to watch
// calls (examples/offboard's -observe flag); for traces and metrics see examples/otel.
func Log(l *slog.Logger, level slog.Level) Observer {
	return logObserver{l: l, level: level}
}

type logObserver struct {
	l     *slog.Logger
	level slog.Level
}

func (o logObserver) Start(ctx context.Context, info CallInfo) (context.Context, Call) {
	if !o.l.Enabled(ctx, o.level) {
		return ctx, nil
	}
	return ctx, &logCall{o: o, ctx: ctx, info: info}
}

type logCall struct {
	o      logObserver
	ctx    context.Context
	info   CallInfo
	events []string
}

func (c *logCall) Event(e Event) {
	if e.Kind == EventAttempt {
		return // counted in the Result
	}
	s := string(e.Kind)
	switch {
	case e.Reason != "":
		s += "(" + e.Reason + ")"
	case e.Wait > 0:
		s += "(" + e.Wait.String() + ")"
	case e.Kind == EventRedirect:
		s += "(" + e.Host + ")"
	}
	c.events = append(c.events, s)
}

func (c *logCall) End(r Result) {
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("service", c.info.Service),
		slog.String("operation", c.info.Operation),
		slog.String("host", c.info.Host),
		slog.String("outcome", string(r.Outcome)),
	)
	if r.Code != "" {
		attrs = append(attrs, slog.String("code", r.Code))
	}
	attrs = append(attrs,
		slog.Int("attempts", r.Attempts),
		slog.Int("http_status", r.HTTPStatus),
		slog.Duration("duration", r.Duration.Round(time.Microsecond)),
		slog.Int64("bytes_sent", r.BytesSent),
		slog.Int64("bytes_received", r.BytesRecv),
	)
	if len(c.events) > 0 {
		attrs = append(attrs, slog.String("events", strings.Join(c.events, " ")))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("error", r.Err.Error()))
	}
	c.o.l.LogAttrs(c.ctx, c.o.level, "offboard call", attrs...)
}
