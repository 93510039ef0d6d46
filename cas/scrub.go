package cas

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The runtime redacts sWSPassword by element and field name, which covers what this client
// sends. A server can still echo the password in free text (a fault reason quoting the
// request, an HTML error page), where no name marks it. The client knows its own password,
// so it removes it, in every form it can take on the wire, from the error strings it returns
// and from the log records its logger receives.

const redactedText = "[REDACTED]"

// scrubber replaces one secret in text.
type scrubber struct {
	forms []string // the secret as sent and as a server may echo it
}

func newScrubber(secret string) *scrubber {
	if secret == "" {
		return &scrubber{}
	}
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(secret))
	// StatusError quotes the server's message with %q, which escapes quotes and backslashes.
	quoted := strconv.Quote(secret)
	seen := map[string]bool{}
	var forms []string
	for _, f := range []string{secret, esc.String(), url.QueryEscape(secret), url.PathEscape(secret), quoted[1 : len(quoted)-1]} {
		if !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	return &scrubber{forms: forms}
}

func (s *scrubber) text(in string) string {
	for _, f := range s.forms {
		if strings.Contains(in, f) {
			in = strings.ReplaceAll(in, f, redactedText)
		}
	}
	return in
}

func (s *scrubber) contains(in string) bool {
	for _, f := range s.forms {
		if strings.Contains(in, f) {
			return true
		}
	}
	return false
}

// error returns err unchanged unless its text shows the secret.
func (s *scrubber) error(err error) error {
	if err == nil || !s.contains(err.Error()) {
		return err
	}
	return &scrubbedError{err: err, s: s}
}

// scrubbedError is err with the secret removed from its text; errors.Is and errors.As see
// err unchanged.
type scrubbedError struct {
	err error
	s   *scrubber
}

func (e *scrubbedError) Error() string                  { return e.s.text(e.err.Error()) }
func (e *scrubbedError) Unwrap() error                  { return e.err }
func (e *scrubbedError) Format(f fmt.State, _ rune)     { _, _ = f.Write([]byte(e.Error())) }
func (s *scrubber) handler(h slog.Handler) slog.Handler { return &scrubHandler{h: h, s: s} }

// scrubHandler removes the secret from every attribute before the caller's handler sees it.
type scrubHandler struct {
	h slog.Handler
	s *scrubber
}

func (h *scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &scrubHandler{h: h.h.WithAttrs(clean), s: h.s}
}

func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{h: h.h.WithGroup(name), s: h.s}
}

func (h *scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.text(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, x := range g {
			clean[i] = h.attr(x)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case http.Header:
			c := make(http.Header, len(x))
			for k, vs := range x {
				for _, s := range vs {
					c[k] = append(c[k], h.s.text(s))
				}
			}
			return slog.Any(a.Key, c)
		case error:
			return slog.Any(a.Key, h.s.error(x))
		default:
			if s := fmt.Sprint(x); h.s.contains(s) {
				return slog.String(a.Key, h.s.text(s))
			}
		}
	}
	return a
}
