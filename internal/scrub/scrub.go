// Package scrub removes known secret values from text: the one mechanism every client of the
// module uses to keep a password, an OTP, an authToken, a session ticket or a session cookie
// out of what it returns and logs, whatever a server echoes back in free text where no
// element or header name marks the value as secret.
//
// A Set holds the values a client knows (its configured credentials, and tokens, tickets,
// cookies and OTPs as they are issued or used). String removes every one of them from a text
// in each form it can take on the way back:
//
//   - raw;
//   - XML- or HTML-escaped, once or more: the named entities (&amp; &lt; &gt; &quot; &apos;),
//     decimal and hexadecimal character references as Go and .NET write them (&#34; &#x22;
//     &#xD; &#xA;, leading zeros, either case, surrogate pairs as two references), and the
//     nested forms of an escaped escape (&amp;lt;);
//   - URL-encoded (%XX in either case, + for a space);
//   - quoted as Go's %q or a JSON string does (\" \\ \n \xNN \uXXXX, surrogate pairs);
//   - any mix of these within one occurrence;
//   - cut at the end of the text: when a text ends inside a secret (an excerpt cut at its
//     limit), the tail from the secret's start is removed once at least PartialMin bytes of
//     the secret are there.
//
// Each occurrence is replaced by Redacted.
//
// The short-secret rule: a secret shorter than MinLen bytes is not removed by value, because it
// cannot be told from ordinary text ("a" or "12" would cut words and numbers out of every
// message). Such a value is still redacted wherever a name marks it (the runtime's element,
// attribute, form-field and header names) and is never printed by the clients' own String and
// Format methods; a real credential that short is not worth protecting by value anyway.
package scrub

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Redacted replaces each secret found in a text.
const Redacted = "[REDACTED]"

const (
	// MinLen is the shortest secret (in bytes) removed by value; see the package comment.
	MinLen = 4
	// PartialMin is how many leading bytes of a secret a text must end with for its tail to be
	// removed as a secret cut at the end of the text.
	PartialMin = 3
	// maxAdded bounds the values Add registers: a session renewed for days must not grow the
	// list without end. The oldest added are dropped first; the values given to New (the
	// configured credentials) are never dropped.
	maxAdded = 64
	// maxEscapes bounds how many times over a text is taken to be escaped (&amp;amp;…).
	maxEscapes = 8
)

// Set is a set of secret values. It is safe for concurrent use: Add may run while other
// goroutines scrub. A nil *Set scrubs nothing.
//
// The values are kept two pointers away from any struct holding a *Set: fmt prints a
// struct's unexported fields without calling their methods, and dereferences one pointer
// level when it does (a bad verb such as %s of a client value), so a value held in the Set
// itself would be printed.
type Set struct {
	mu  sync.Mutex               // serialises Add
	v   *values                  // guarded by mu
	cur atomic.Pointer[snapshot] // immutable snapshot of v's values
}

// snapshot is the values of a Set, longest first, with the forms of each (same index).
type snapshot struct {
	vals  []string
	forms [][]string
}

// formsOf gives the forms a secret most often comes back in, written out once: v itself, then
// its escaped forms that differ from it. They are found by a plain prefix test whatever the
// text around them, so a text crafted to use up match's work budget (runs of backslashes or
// ampersands that open escapes which then fail) cannot hide them; match still finds the rarer
// forms and mixes, within its budget.
func formsOf(v string) []string {
	forms := []string{v}
	add := func(f string) {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(v)) // Go: &#34; &#39; &#xA;…
	add(x.String())
	add(dotnetEscaper.Replace(v)) // .NET: &quot; &apos;
	add(url.QueryEscape(v))
	add(url.PathEscape(v))
	q := strconv.Quote(v)
	add(q[1 : len(q)-1]) // Go's %q
	if j, err := json.Marshal(v); err == nil {
		add(string(j[1 : len(j)-1])) // JSON: \u003c for <
	}
	return forms
}

var dotnetEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

type values struct {
	pinned []string // from New, kept for the Set's life
	added  []string // from Add, oldest first, at most maxAdded
}

// New returns a Set holding secrets (empty values are ignored). These stay in the Set
// however many values Add registers later.
func New(secrets ...string) *Set {
	s := &Set{v: &values{}}
	for _, v := range secrets {
		if len(v) >= MinLen && !slices.Contains(s.v.pinned, v) {
			s.v.pinned = append(s.v.pinned, v)
		}
	}
	s.publish()
	return s
}

// Add registers a secret value as it becomes known. Empty values and values already in the
// Set are ignored; a value shorter than MinLen is kept out of the by-value scrubbing (see the
// package comment). Add on a nil Set does nothing.
func (s *Set) Add(secret string) {
	if s == nil || len(secret) < MinLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil { // a zero Set, not made by New
		s.v = &values{}
	}
	v := s.v
	if slices.Contains(v.pinned, secret) || slices.Contains(v.added, secret) {
		return
	}
	v.added = append(v.added, secret)
	if len(v.added) > maxAdded {
		v.added = slices.Delete(v.added, 0, len(v.added)-maxAdded)
	}
	s.publish()
}

// publish stores a new snapshot of the Set's values; s.mu is held (or s is not shared yet).
func (s *Set) publish() {
	vals := make([]string, 0, len(s.v.pinned)+len(s.v.added))
	vals = append(append(vals, s.v.pinned...), s.v.added...)
	// Longest first, so a secret that contains another is removed whole.
	slices.SortStableFunc(vals, func(a, b string) int { return len(b) - len(a) })
	next := &snapshot{vals: vals, forms: make([][]string, len(vals))}
	for i, v := range vals {
		next.forms[i] = formsOf(v)
	}
	s.cur.Store(next)
}

func (s *Set) list() *snapshot {
	if s == nil {
		return nil
	}
	return s.cur.Load()
}

// Format prints the Set without its values, whatever the verb.
func (s *Set) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "scrub.Set(%d values)", s.Len()) }

// Len returns the number of values the Set scrubs.
func (s *Set) Len() int {
	if p := s.list(); p != nil {
		return len(p.vals)
	}
	return 0
}

// String returns text with every registered secret replaced by Redacted, in every form listed
// in the package comment.
func (s *Set) String(text string) string {
	snap := s.list()
	if snap == nil || len(snap.vals) == 0 || text == "" {
		return text
	}
	secrets := snap.vals
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		end := -1
		for j, sec := range secrets {
			if !firstMatches(text, i, sec) {
				continue
			}
			if e := matchAt(text, i, sec, snap.forms[j]); e > end {
				end = e
			}
		}
		if end <= i {
			i++
			continue
		}
		if last == 0 && b.Len() == 0 {
			b.Grow(len(text))
		}
		b.WriteString(text[last:i])
		b.WriteString(Redacted)
		last, i = end, end
	}
	if last == 0 && b.Len() == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// Value is String for a complete value the caller may send back or compare (a token serial, a
// result code): only whole occurrences of a secret are removed. String also removes a secret
// cut at the end of a text, which is right for an excerpt, but would turn a serial that merely
// ends like the start of a session id ("7000123" with a secret "123…") into a wrong one.
func (s *Set) Value(text string) string {
	if s.Len() == 0 || text == "" {
		return text
	}
	// A NUL after the text means the text never ends inside a secret; no secret contains one
	// (every value given to a client is refused with control characters in it), and XML text
	// cannot hold one, so it comes back as the last byte.
	return strings.TrimSuffix(s.String(text+"\x00"), "\x00")
}

// Contains reports whether text shows any registered secret (as String would remove it).
func (s *Set) Contains(text string) bool {
	snap := s.list()
	if snap == nil || len(snap.vals) == 0 {
		return false
	}
	secrets := snap.vals
	for i := 0; i < len(text); i++ {
		for j, sec := range secrets {
			if firstMatches(text, i, sec) && matchAt(text, i, sec, snap.forms[j]) > i {
				return true
			}
		}
	}
	return false
}

// Bytes is String for a byte slice; it returns b itself when nothing was removed.
func (s *Set) Bytes(b []byte) []byte {
	if s.Len() == 0 || len(b) == 0 {
		return b
	}
	out := s.String(string(b))
	if len(out) == len(b) && out == string(b) {
		return b
	}
	return []byte(out)
}

// firstMatches is a quick test that text[i:] may start an occurrence of sec.
func firstMatches(text string, i int, sec string) bool {
	c := text[i]
	return c == sec[0] || c == '&' || c == '%' || c == '+' || c == '\\'
}

// matchAt returns the end of an occurrence of sec starting at text[i], or -1. A text that ends
// inside the occurrence after at least PartialMin bytes of the secret counts as one that runs
// to the end of the text.
func matchAt(text string, i int, sec string, forms []string) int {
	budget := 16 * (len(sec) + 4)
	end := match(text, i, sec, 0, &budget)
	if budget < 0 {
		return matchForms(text, i, sec, forms, end)
	}
	return end // match explored every way: its answer is complete
}

// matchForms is matchAt once match gave up: the forms written out still hold, whatever the
// text spent match's budget on.
func matchForms(text string, i int, sec string, forms []string, end int) int {
	rest := text[i:]
	for _, f := range forms {
		switch {
		case strings.HasPrefix(rest, f):
			end = max(end, i+len(f))
		case f == sec && len(rest) >= PartialMin && len(rest) < len(f) && strings.HasPrefix(f, rest):
			end = len(text) // cut at the end of the text (an escaped form cut short is match's)
		}
	}
	return end
}

func match(text string, i int, sec string, k int, budget *int) int {
	for k < len(sec) {
		*budget--
		if *budget < 0 {
			return -1
		}
		if i >= len(text) || k >= PartialMin && truncatedUnit(text[i:]) {
			if k >= PartialMin {
				return len(text) // the text ends inside the secret, or inside an escape of it
			}
			return -1
		}
		c := text[i]
		// Encoded alternatives first, then the raw byte.
		switch c {
		case '&':
			if e := matchEntity(text, i, sec, k, budget); e >= 0 {
				return e
			}
		case '%':
			if i+3 <= len(text) {
				if h, ok := hexByte(text[i+1], text[i+2]); ok && h == sec[k] {
					if e := match(text, i+3, sec, k+1, budget); e >= 0 {
						return e
					}
				}
			}
		case '+':
			if sec[k] == ' ' {
				if e := match(text, i+1, sec, k+1, budget); e >= 0 {
					return e
				}
			}
		case '\\':
			if e := matchBackslash(text, i, sec, k, budget); e >= 0 {
				return e
			}
		}
		if c != sec[k] {
			// The text may end in the middle of an escape ("&am", "%4"): a cut secret.
			if k >= PartialMin && truncatedUnit(text[i:]) {
				return len(text)
			}
			return -1
		}
		i++
		k++
	}
	return i
}

// matchRune continues a match after a unit that decoded to r and ended at next.
func matchRune(text string, next int, r rune, sec string, k int, budget *int) int {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if r == utf8.RuneError && n == 3 && !strings.HasPrefix(sec[k:], "\uFFFD") {
		return -1
	}
	if !strings.HasPrefix(sec[k:], string(buf[:n])) {
		return -1
	}
	return match(text, next, sec, k+n, budget)
}

// matchEntity tries the character references at text[i] ('&'): the whole chain of an escaped
// escape decoded to one character (&amp;lt; is '<'), and each "&amp;" level as a literal '&'.
func matchEntity(text string, i int, sec string, k int, budget *int) int {
	p, amps := i+1, 0
	for amps < maxEscapes && strings.HasPrefix(text[p:], "amp;") {
		p += 4
		amps++
	}
	if r, n := entity(text[p:]); n > 0 {
		if isHighSurrogate(r) {
			if r2, next, ok := lowSurrogateEntity(text, p+n); ok {
				if e := matchRune(text, next, combine(r, r2), sec, k, budget); e >= 0 {
					return e
				}
			}
		} else if e := matchRune(text, p+n, r, sec, k, budget); e >= 0 {
			return e
		}
	}
	for m := amps; m >= 1; m-- {
		if sec[k] == '&' {
			if e := match(text, i+1+4*m, sec, k+1, budget); e >= 0 {
				return e
			}
		}
	}
	return -1
}

// lowSurrogateEntity decodes a character reference (escaped any number of times) at text[p:]
// that is a low surrogate.
func lowSurrogateEntity(text string, p int) (rune, int, bool) {
	if p >= len(text) || text[p] != '&' {
		return 0, 0, false
	}
	q := p + 1
	for n := 0; n < maxEscapes && strings.HasPrefix(text[q:], "amp;"); n++ {
		q += 4
	}
	r, n := entity(text[q:])
	if n == 0 || !isLowSurrogate(r) {
		return 0, 0, false
	}
	return r, q + n, true
}

// entity decodes the reference after '&' at the start of s ("lt;", "#60;", "#x3C;") and
// returns the character and the length consumed, or 0.
func entity(s string) (rune, int) {
	for _, e := range [...]struct {
		name string
		r    rune
	}{{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", '\u00a0'}} {
		if strings.HasPrefix(s, e.name) {
			return e.r, len(e.name)
		}
	}
	if len(s) < 3 || s[0] != '#' {
		return 0, 0
	}
	p, base := 1, rune(10)
	if s[1] == 'x' || s[1] == 'X' {
		p, base = 2, 16
	}
	var r rune
	start := p
	for p < len(s) && p-start < 10 {
		d := digit(s[p], base)
		if d < 0 {
			break
		}
		r = r*base + rune(d)
		p++
	}
	if p == start || p >= len(s) || s[p] != ';' || r > utf8.MaxRune {
		return 0, 0
	}
	return r, p + 1
}

// matchBackslash tries Go's and JSON's string escapes at text[i] ('\\').
func matchBackslash(text string, i int, sec string, k int, budget *int) int {
	if i+1 >= len(text) {
		return -1
	}
	var simple byte
	switch text[i+1] {
	case '&':
		// A quoted string escaped again for XML: \&quot; is \" (JSON inside an XML text).
		p := i + 2
		for n := 0; n < maxEscapes && strings.HasPrefix(text[p:], "amp;"); n++ {
			p += 4
		}
		if r, n := entity(text[p:]); n > 0 && (r == '"' || r == '\'' || r == '\\' || r == '/') && byte(r) == sec[k] {
			return match(text, p+n, sec, k+1, budget)
		}
		return -1
	case '"', '\\', '\'', '/':
		simple = text[i+1]
	case 'n':
		simple = '\n'
	case 'r':
		simple = '\r'
	case 't':
		simple = '\t'
	case 'a':
		simple = '\a'
	case 'b':
		simple = '\b'
	case 'f':
		simple = '\f'
	case 'v':
		simple = '\v'
	case 'x':
		if i+4 <= len(text) {
			if h, ok := hexByte(text[i+2], text[i+3]); ok && h == sec[k] {
				return match(text, i+4, sec, k+1, budget)
			}
		}
		return -1
	case 'u', 'U':
		n := 4
		if text[i+1] == 'U' {
			n = 8
		}
		r, ok := hexRune(text, i+2, n)
		if !ok {
			return -1
		}
		next := i + 2 + n
		if isHighSurrogate(r) {
			if next+6 <= len(text) && text[next] == '\\' && text[next+1] == 'u' {
				if r2, ok := hexRune(text, next+2, 4); ok && isLowSurrogate(r2) {
					return matchRune(text, next+6, combine(r, r2), sec, k, budget)
				}
			}
			return -1
		}
		return matchRune(text, next, r, sec, k, budget)
	default:
		return -1
	}
	if simple != sec[k] {
		return -1
	}
	return match(text, i+2, sec, k+1, budget)
}

// truncatedUnit reports whether s, the rest of a text, is only the unfinished start of an
// encoded unit: "&am", "&#x2", "%4", "\u00": a text cut in the middle of an escape.
func truncatedUnit(s string) bool {
	if len(s) == 0 || len(s) > 12+4*maxEscapes {
		return false
	}
	switch s[0] {
	case '&':
		p := 1
		for strings.HasPrefix(s[p:], "amp;") {
			p += 4
		}
		if strings.IndexByte(s[p:], ';') >= 0 {
			return false
		}
		for j := p; j < len(s); j++ {
			c := s[j]
			if !(c == '#' || c == ';' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		}
		return true
	case '%':
		return len(s) < 3 && (len(s) == 1 || digit(s[1], 16) >= 0)
	case '\\':
		if len(s) == 1 {
			return true
		}
		n := 0
		switch s[1] {
		case 'x':
			n = 4
		case 'u':
			n = 6
		case 'U':
			n = 10
		default:
			return false
		}
		if len(s) >= n {
			return false
		}
		for j := 2; j < len(s); j++ {
			if digit(s[j], 16) < 0 {
				return false
			}
		}
		return true
	}
	return false
}

func hexByte(a, b byte) (byte, bool) {
	x, y := digit(a, 16), digit(b, 16)
	if x < 0 || y < 0 {
		return 0, false
	}
	return byte(x<<4 | y), true
}

func hexRune(s string, p, n int) (rune, bool) {
	if p+n > len(s) {
		return 0, false
	}
	var r rune
	for j := p; j < p+n; j++ {
		d := digit(s[j], 16)
		if d < 0 {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, r <= utf8.MaxRune
}

func digit(c byte, base rune) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case base == 16 && 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case base == 16 && 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isHighSurrogate(r rune) bool { return 0xD800 <= r && r < 0xDC00 }
func isLowSurrogate(r rune) bool  { return 0xDC00 <= r && r < 0xE000 }
func combine(hi, lo rune) rune    { return (hi-0xD800)<<10 | (lo - 0xDC00) + 0x10000 }

// Error returns err with its text scrubbed: Error() and every fmt verb print err's message
// with the Set's secrets removed, while errors.Is and errors.As see err's chain unchanged.
// When none of err's printed forms (%v, %+v, %#v) shows a secret, err itself is returned, so
// that an error with nothing to hide keeps its type; nil stays nil, and a nil or empty Set
// returns err.
func (s *Set) Error(err error) error {
	if err == nil || s.Len() == 0 {
		return err
	}
	var se *scrubbedError
	if errors.As(err, &se) && se.s == s {
		return err
	}
	if !s.Contains(err.Error()) && !s.Contains(fmt.Sprintf("%+v", err)) && !s.Contains(fmt.Sprintf("%#v", err)) {
		return err
	}
	return &scrubbedError{err: err, s: s}
}

// scrubbedError is an error whose printed forms are scrubbed.
type scrubbedError struct {
	err error
	s   *Set
}

func (e *scrubbedError) Error() string { return e.s.String(e.err.Error()) }
func (e *scrubbedError) Unwrap() error { return e.err }

// Format prints the scrubbed message for every verb: %+v or %#v of the error underneath
// could show fields that hold what the server sent.
func (e *scrubbedError) Format(f fmt.State, verb rune) {
	msg := e.Error()
	if verb == 'q' {
		msg = fmt.Sprintf("%q", msg)
	}
	_, _ = f.Write([]byte(msg))
}

// Handler returns a slog.Handler that scrubs the message and every attribute (strings,
// groups, errors, http.Header values, anything printed with fmt) before h sees them. With a
// nil Set it returns h itself.
func (s *Set) Handler(h slog.Handler) slog.Handler {
	if s == nil || h == nil {
		return h
	}
	if sh, ok := h.(*handler); ok && sh.s == s {
		return h
	}
	return &handler{h: h, s: s}
}

type handler struct {
	h slog.Handler
	s *Set
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.s.Attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.s.Attr(a)
	}
	return &handler{h: h.h.WithAttrs(clean), s: h.s}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{h: h.h.WithGroup(h.s.String(name)), s: h.s}
}

// Attr returns a with its key and value scrubbed (groups recursively).
func (s *Set) Attr(a slog.Attr) slog.Attr {
	if s.Len() == 0 {
		return a
	}
	key := s.String(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(key, s.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]slog.Attr, len(g))
		for i, x := range g {
			clean[i] = s.Attr(x)
		}
		return slog.Attr{Key: key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		switch x := v.Any().(type) {
		case http.Header:
			return slog.Any(key, s.Header(x))
		case error:
			return slog.Any(key, s.Error(x))
		case []byte:
			return slog.String(key, s.String(string(x)))
		default:
			if str := fmt.Sprintf("%+v", x); s.Contains(str) {
				return slog.String(key, s.String(str))
			}
		}
	}
	return slog.Attr{Key: key, Value: v}
}

// Header returns a copy of h with every value scrubbed.
func (s *Set) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = s.String(v)
		}
		out[s.String(k)] = c
	}
	return out
}
