package soapx

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// The wire log is for debugging an integration, so it shows what was really sent and
// received (headers and bodies), but it is redacted first: these services carry
// passwords, OTPs and session tickets in bodies, and debug logs get shared.

func (c *Client) logRequest(ctx context.Context, ex *exchange, req *http.Request, body []byte, attempt int) {
	c.logger.LogAttrs(ctx, slog.LevelDebug, "soap request",
		slog.String("method", req.Method),
		slog.String("url", redactURL(ex.url)),
		slog.String("action", ex.action),
		slog.Int("attempt", attempt),
		slog.Any("headers", c.red.header(req.Header)),
		slog.String("body", c.logBody(body, ex.version == 0)),
	)
}

func (c *Client) logResponse(ctx context.Context, ex *exchange, resp *http.Response, br *bodyReader, d time.Duration, err error, attempt int) {
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("method", http.MethodPost),
		slog.String("url", redactURL(ex.url)),
		slog.String("action", ex.action),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	)
	if resp != nil {
		attrs = append(attrs,
			slog.Int("status", resp.StatusCode),
			slog.Any("headers", c.red.header(resp.Header)),
		)
	}
	if br != nil {
		attrs = append(attrs, slog.Int64("size", br.n), slog.String("body", c.logBody(br.debug, false)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.red.all(err.Error())))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "soap response", attrs...)
}

func (c *Client) logBody(b []byte, form bool) string {
	truncated := len(b) > debugBodySize
	if truncated {
		b = b[:debugBodySize]
	}
	var s string
	if form {
		s = c.red.text(c.red.form(string(b)))
	} else {
		s = c.red.text(string(c.red.xml(b)))
	}
	s = c.secrets.String(s) // before the suffix, so a secret cut at the limit is still seen
	if truncated {
		s += "…(truncated at " + strconv.Itoa(debugBodySize) + " bytes)"
	}
	return s
}
