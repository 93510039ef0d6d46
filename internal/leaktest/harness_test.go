package leaktest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// records is a slog handler at LevelDebug that keeps every record rendered as text, with
// all its attributes and groups.
type records struct {
	mu    *sync.Mutex
	lines *[]string
	attrs []slog.Attr
	group []string
}

func newRecords() *records { return &records{mu: new(sync.Mutex), lines: new([]string)} }

func (r *records) Enabled(context.Context, slog.Level) bool { return true }

func (r *records) Handle(_ context.Context, rec slog.Record) error {
	var buf bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	h = h.WithAttrs(r.attrs)
	for _, g := range r.group {
		h = h.WithGroup(g)
	}
	if err := h.Handle(context.Background(), rec); err != nil {
		return err
	}
	// The JSON form too: it escapes differently, and a value may hide in either.
	var js bytes.Buffer
	jh := slog.NewJSONHandler(&js, &slog.HandlerOptions{Level: slog.LevelDebug}).WithAttrs(r.attrs)
	if err := jh.Handle(context.Background(), rec); err != nil {
		return err
	}
	r.mu.Lock()
	*r.lines = append(*r.lines, buf.String()+js.String())
	r.mu.Unlock()
	return nil
}

func (r *records) WithAttrs(as []slog.Attr) slog.Handler {
	c := *r
	c.attrs = append(append([]slog.Attr(nil), r.attrs...), as...)
	return &c
}

func (r *records) WithGroup(name string) slog.Handler {
	c := *r
	c.group = append(append([]string(nil), r.group...), name)
	return &c
}

func (r *records) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), *r.lines...)
}

// wire is a transport that records every exchange, so that the test knows the secrets that
// really travelled (tokens, tickets and cookies the fakes issued), not only those it chose.
type wire struct {
	next http.RoundTripper
	mu   sync.Mutex
	text []string
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	var req []byte
	if r.Body != nil {
		req, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(req))
	}
	resp, err := w.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	w.mu.Lock()
	w.text = append(w.text, fmt.Sprint(r.Header)+string(req), fmt.Sprint(resp.Header)+string(body))
	w.mu.Unlock()
	return resp, nil
}

var wireSecrets = []*regexp.Regexp{
	regexp.MustCompile(`<(?:\w+:)?(?:authToken|SessionTicket|credential|OTP|sWSPassword|Password)\b[^>]*>([^<]+)<`),
	regexp.MustCompile(`(?:ASP\.NET_SessionId|[Ss]ession[A-Za-z]*)=([^;\s\]&]+)`),
	regexp.MustCompile(`(?:sWSPassword|OTP)=([^&\s]+)`),
}

// secrets returns what the wire carried as secret values.
func (w *wire) secrets() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, t := range w.text {
		for _, re := range wireSecrets {
			for _, m := range re.FindAllStringSubmatch(t, -1) {
				v := m[1]
				if u, err := url.QueryUnescape(v); err == nil {
					v = u
				}
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out
}

// leaks collects what a flow produced and checks it against its secrets.
type leaks struct {
	t       *testing.T
	log     *records
	wire    *wire
	secrets map[string]bool
	values  []any
	errs    []error
}

func newLeaks(t *testing.T) *leaks {
	return &leaks{t: t, log: newRecords(), wire: &wire{next: http.DefaultTransport}, secrets: map[string]bool{}}
}

func (l *leaks) logger() *slog.Logger { return slog.New(l.log) }

func (l *leaks) httpClient() *http.Client { return &http.Client{Transport: l.wire} }

// secret adds values that must never show.
func (l *leaks) secret(vs ...string) {
	for _, v := range vs {
		if len(v) < 4 {
			l.t.Fatalf("secret %q too short to search for", v)
		}
		l.secrets[v] = true
	}
}

// value adds values whose fmt output is checked (clients, options, credentials, results).
func (l *leaks) value(vs ...any) { l.values = append(l.values, vs...) }

// err adds an error (nil ones are ignored) and returns it.
func (l *leaks) err(err error) error {
	if err != nil {
		l.errs = append(l.errs, err)
	}
	return err
}

// forms is how a secret may be spelled in a text: as is, XML-escaped, URL-escaped.
func forms(s string) []string {
	var esc strings.Builder
	_ = xmlEscape(&esc, s)
	seen := map[string]bool{}
	var out []string
	for _, f := range []string{s, esc.String(), url.QueryEscape(s), url.PathEscape(s), fmt.Sprintf("%q", s)[1 : len(fmt.Sprintf("%q", s))-1]} {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

func xmlEscape(w io.Writer, s string) error {
	_, err := io.WriteString(w, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s))
	return err
}

// check runs every assertion and returns how many records and rendered values it looked at.
func (l *leaks) check(minRecords int) (records, values int) {
	l.t.Helper()
	for _, s := range l.wire.secrets() {
		if len(s) >= 4 {
			l.secrets[s] = true
		}
	}
	var secrets []string
	for s := range l.secrets {
		secrets = append(secrets, s)
	}
	sort.Strings(secrets)
	search := func(where, text string) {
		for _, s := range secrets {
			for _, f := range forms(s) {
				if strings.Contains(text, f) {
					l.t.Errorf("secret %q (as %q) in %s:\n%s", s, f, where, text)
				}
			}
		}
	}
	lines := l.log.all()
	if len(lines) < minRecords {
		l.t.Errorf("only %d log records, want at least %d: is debug logging on?", len(lines), minRecords)
	}
	for i, line := range lines {
		search(fmt.Sprintf("log record %d", i), line)
	}
	verbs := []string{"%v", "%+v", "%#v", "%s"}
	for i, v := range l.values {
		for _, verb := range verbs {
			search(fmt.Sprintf("value %d %T (%s)", i, v, verb), fmt.Sprintf(verb, v))
			values++
		}
	}
	for i, err := range l.errs {
		search(fmt.Sprintf("error %d Error()", i), err.Error())
		values++
		for _, verb := range verbs {
			search(fmt.Sprintf("error %d %T (%s)", i, err, verb), fmt.Sprintf(verb, err))
			values++
		}
	}
	l.t.Logf("%d secrets (%d found on the wire), %d log records, %d errors, %d values: %d renderings checked",
		len(secrets), len(l.wire.secrets()), len(lines), len(l.errs), len(l.values), values)
	return len(lines), values
}
