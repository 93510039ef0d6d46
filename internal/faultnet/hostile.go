package faultnet

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/offboard-go/offboard/internal/scrub"
)

// The hostile-server suites: a server (or a proxy in front of it) that echoes every secret a
// client knows (password, OTP, authToken, session ticket, session cookie) into every free-text
// place of every answer shape, in every form it can take. The secrets carry XML-special,
// URL-special and non-ASCII characters, so that an escaped echo differs from the raw value.
//
// Each service package drives its client through the session (so that the server issues the
// token, ticket or cookie first) and then against each Shape built by HostileShapes (plus its
// own service-status shapes), and checks with a Leaks that the error (under every fmt verb,
// each error of its chain, and their exported fields), the results and the debug log show no
// secret.

// Hostile secrets, one per kind. The prefixes are distinctive so that a cut secret (the start of
// one at the end of an excerpt) can be searched for too.
const (
	HostilePassword = `Pw<&>"ü'Ωx`
	HostileOTP      = `Otp&<ä>91`
	HostileToken    = `Tok<én>&"k9`
	HostileTicket   = `Tkt&"ß<x>7`
	// HostileCookie has only the characters a Set-Cookie value may carry.
	HostileCookie = `Ck<&>%41zq`
)

// EchoForm writes a secret the way a server may echo it into XML text: every form is safe to
// put between tags.
type EchoForm struct {
	Name  string
	Write func(secret string) string
}

// EchoForms are the forms of a secret in XML text: escaped the way Go and .NET escape it,
// escaped twice (an escaped XML document inside a message), as character references, URL- and
// JSON-encoded.
func EchoForms() []EchoForm {
	return []EchoForm{
		{"xml", xmlEscape},
		{"dotnet xml", func(s string) string {
			return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
		}},
		{"escaped twice", func(s string) string { return xmlEscape(xmlEscape(s)) }},
		{"character references", func(s string) string {
			var b strings.Builder
			for _, r := range s {
				fmt.Fprintf(&b, "&#x%X;", r)
			}
			return b.String()
		}},
		{"url", func(s string) string { return xmlEscape(url.QueryEscape(s)) }},
		{"json", func(s string) string {
			j, _ := json.Marshal(s)
			return xmlEscape(string(j))
		}},
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Shape is one hostile answer: status, Content-Type, extra headers and body.
type Shape struct {
	Name        string
	Status      int
	ContentType string
	Header      http.Header
	Body        string
}

// Handler serves the shape.
func (s Shape) Handler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range s.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if s.ContentType != "" {
			w.Header().Set("Content-Type", s.ContentType)
		}
		w.WriteHeader(s.Status)
		_, _ = w.Write([]byte(s.Body))
	}
}

const (
	env11Open = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	env11End  = `</soap:Body></soap:Envelope>`
	env12Open = `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>`
	env12End  = `</env:Body></env:Envelope>`
)

// HostileShapes returns the generic answer shapes that echo echo (XML-safe text: one or more
// secrets written with an EchoForm) and raw (the secrets as they are, for the places that are
// not XML). SOAP Faults come in the version v of the client (11 or 12); a client of one version
// also receives the other's (a version mismatch is reported with what came).
func HostileShapes(echo string, raw []string) []Shape {
	rawText := strings.Join(raw, " / ")
	htmlText := xmlEscape(rawText)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	// Header values cannot carry every byte: URL-encode the raw text there.
	hv := url.QueryEscape(rawText)
	pad := func(n int) string { return strings.Repeat("x", max(0, n)) }
	fault11 := env11Open + `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; ` +
		echo + `</faultstring><faultactor>` + echo + `</faultactor><detail><Echo xmlns="urn:echo" value="` + echo + `">` + echo +
		`</Echo><errorMessage>` + echo + `</errorMessage></detail></soap:Fault>` + env11End
	fault12 := env12Open + `<env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">` +
		echo + `</env:Text></env:Reason><env:Node>` + echo + `</env:Node><env:Role>` + echo + `</env:Role><env:Detail><Echo xmlns="urn:echo">` +
		echo + `</Echo><userRegistryError xmlns="http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs"><errorContext xmlns="http://ws.arcot.com/UserSchema/1.0">` +
		echo + `</errorContext><errorMessage xmlns="http://ws.arcot.com/UserSchema/1.0">` + echo +
		`</errorMessage><errorNumber xmlns="http://ws.arcot.com/UserSchema/1.0">` + echo + `</errorNumber></userRegistryError></env:Detail></env:Fault>` + env12End
	html := func(before int) string {
		return "<html><head><title>500</title></head><body>" + pad(before) + htmlText + "<pre>" + echo + "</pre></body></html>"
	}
	return []Shape{
		{Name: "SOAP 1.1 Fault", Status: 500, ContentType: "text/xml; charset=utf-8", Body: fault11},
		{Name: "SOAP 1.2 Fault", Status: 500, ContentType: "application/soap+xml; charset=utf-8", Body: fault12},
		{Name: "SOAP 1.1 Fault with HTTP 200", Status: 200, ContentType: "text/xml; charset=utf-8", Body: fault11},
		{Name: "HTML error page", Status: 500, ContentType: "text/html", Body: html(0)},
		{Name: "HTML page, secret across the 160-byte cut", Status: 502, ContentType: "text/html", Body: html(160 - 60 - 4)},
		{Name: "HTML page, secret across the 512-byte cut", Status: 500, ContentType: "text/html", Body: html(512 - 60 - 4)},
		{Name: "text page, secret across the 1024-byte cut", Status: 503, ContentType: "text/plain", Body: pad(1024-3) + rawText,
			Header: hdr("Retry-After", "1")},
		{Name: "plain text", Status: 400, ContentType: "text/plain; charset=utf-8", Body: "bad request: " + rawText},
		{Name: "text/xml that is not SOAP", Status: 200, ContentType: "text/xml", Body: `<error><message>` + echo + `</message></error>`},
		{Name: "truncated envelope", Status: 200, ContentType: "text/xml; charset=utf-8", Body: env11Open + `<Answer>` + echo},
		{Name: "malformed XML around the secret", Status: 200, ContentType: "text/xml; charset=utf-8", Body: env11Open + `<a x="` + echo + `" <` + echo + env11End},
		{Name: "JSON error", Status: 500, ContentType: "application/json", Body: `{"error":` + jsonString(rawText) + `}`},
		{Name: "headers", Status: 401, ContentType: "text/plain", Body: "denied",
			Header: hdr("WWW-Authenticate", `Basic realm="`+hv+`"`, "X-Echo", hv, "Set-Cookie", "echo="+hv+"; Path=/")},
		{Name: "redirect", Status: 302, ContentType: "text/html", Body: `<a href="/x?s=` + url.QueryEscape(rawText) + `">moved</a>`,
			Header: hdr("Location", "https://elsewhere.example/login?s="+hv)},
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Leaks checks texts for secrets: raw, in the forms EchoForms writes, Go-quoted, and cut (a
// start of at least 5 bytes). It is stricter than the scrubber it tests, and independent of it
// but for one last check with scrub.Set.Contains.
type Leaks struct {
	secrets []string
	forms   map[string][]string // secret → needles
	set     *scrub.Set
	checked int
}

// NewLeaks returns a checker for secrets.
func NewLeaks(secrets ...string) *Leaks {
	l := &Leaks{secrets: secrets, forms: map[string][]string{}, set: scrub.New(secrets...)}
	for _, s := range secrets {
		needles := []string{s, s[:prefixLen(s, 5)]}
		for _, f := range EchoForms() {
			needles = append(needles, f.Write(s))
		}
		q := strconv.Quote(s)
		needles = append(needles, q[1:len(q)-1], url.QueryEscape(s), url.PathEscape(s), xmlEscape(s))
		l.forms[s] = needles
	}
	return l
}

// prefixLen is the length of the first n runes of s, in bytes.
func prefixLen(s string, n int) int {
	i := 0
	for range n {
		if i >= len(s) {
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// Checked is how many renderings were checked.
func (l *Leaks) Checked() int { return l.checked }

// Text fails t when text shows a secret.
func (l *Leaks) Text(t testing.TB, where, text string) {
	t.Helper()
	l.checked++
	for _, s := range l.secrets {
		for _, n := range l.forms[s] {
			if n != "" && strings.Contains(text, n) {
				t.Errorf("%s shows secret %q (as %q):\n%s", where, s, n, text)
				return
			}
		}
	}
	if l.set.Contains(text) {
		t.Errorf("%s shows a secret in an encoded form:\n%s", where, text)
	}
}

// Error checks err under every fmt verb, each error of its chain the same way, and every
// exported string field reachable from each of them.
func (l *Leaks) Error(t testing.TB, err error) {
	t.Helper()
	seen := map[error]bool{}
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 16 || seen[e] {
			return
		}
		seen[e] = true
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			l.Text(t, fmt.Sprintf("error %T under %s", e, verb), fmt.Sprintf(verb, e))
		}
		l.Value(t, fmt.Sprintf("fields of %T", e), e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
}

// Value checks every exported string, []byte and fmt rendering reachable from v (results).
func (l *Leaks) Value(t testing.TB, where string, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		l.Text(t, where+" under "+verb, fmt.Sprintf(verb, v))
	}
	var strs []string
	collect(reflect.ValueOf(v), &strs, map[uintptr]bool{}, 0)
	for _, s := range strs {
		l.Text(t, where+" (a field)", s)
	}
}

func collect(v reflect.Value, out *[]string, seen map[uintptr]bool, depth int) {
	if !v.IsValid() || depth > 12 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			if seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
		}
		collect(v.Elem(), out, seen, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				collect(v.Field(i), out, seen, depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			*out = append(*out, string(v.Bytes()))
			return
		}
		for i := range min(v.Len(), 256) {
			collect(v.Index(i), out, seen, depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			collect(it.Key(), out, seen, depth+1)
			collect(it.Value(), out, seen, depth+1)
		}
	}
}

// LogBuffer is a debug-level slog.Logger writing text records to a buffer, safe for
// concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Logger returns a debug logger writing to b (text records; JSON would escape differently,
// both are checked by the same needles since Leaks includes the quoted forms).
func (b *LogBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// String returns what was logged.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
