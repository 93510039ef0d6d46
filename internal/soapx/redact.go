package soapx

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/offboard-go/offboard/internal/scrub"
)

const redacted = "[REDACTED]"

// Secrets travel in bodies here (cas puts sWSPassword in the request, provisioning the OTP,
// projector the password and the session ticket), so redaction works on element names,
// form fields and header names rather than on a few well-known HTTP headers only.
var defaultRedactNames = []string{
	"password", "sWSPassword", "Password", "credential", "authToken", "SessionTicket",
	"OTP", "validationCode", "CrossoverTicket",
	"Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization",
}

var defaultRedactor = newRedactor(nil)

// redactor matches names case-insensitively. It only runs on the logging and error paths,
// so it favours robustness on truncated or non-XML input over speed.
type redactor struct {
	names  map[string]struct{}
	maxLen int
}

func newRedactor(extra []string) *redactor {
	r := &redactor{names: make(map[string]struct{})}
	for _, list := range [][]string{defaultRedactNames, extra} {
		for _, n := range list {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" {
				continue
			}
			r.names[n] = struct{}{}
			r.maxLen = max(r.maxLen, len(n))
		}
	}
	return r
}

func (r *redactor) match(name []byte) bool {
	if len(name) == 0 || len(name) > r.maxLen || len(name) > 64 {
		return false
	}
	var buf [64]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	_, ok := r.names[string(buf[:len(name)])]
	return ok
}

func (r *redactor) matchString(name string) bool {
	if len(name) == 0 || len(name) > r.maxLen {
		return false
	}
	_, ok := r.names[strings.ToLower(name)]
	return ok
}

// xml replaces the content of every element whose local name matches (any prefix, with or
// without attributes) and the value of every matching attribute. It copes with truncated
// input: an element cut before its end tag is redacted to the end.
func (r *redactor) xml(b []byte) []byte {
	out := make([]byte, 0, len(b)+32)
	i := 0
	for i < len(b) {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			out = append(out, b[i:]...)
			break
		}
		out = append(out, b[i:i+j]...)
		i += j
		rest := b[i:]
		// Comment and CDATA contents are scanned like markup: over-redacting a commented-out
		// element is harmless, and an unclosed "<!--" must not hide what follows it.
		if bytes.HasPrefix(rest, []byte("<!--")) || bytes.HasPrefix(rest, []byte("<![CDATA[")) {
			n := 4
			if rest[1] == '!' && rest[2] == '[' {
				n = 9
			}
			out = append(out, rest[:n]...)
			i += n
			continue
		}
		if len(rest) > 1 && (rest[1] == '?' || rest[1] == '!' || rest[1] == '/') {
			// Skip to '>', but never past a '<': in XML, one cannot occur before the '>'.
			k := bytes.IndexAny(rest[1:], "<>")
			if k < 0 {
				return append(out, rest...)
			}
			k++
			if rest[k] == '>' {
				k++
			}
			out = append(out, rest[:k]...)
			i += k
			continue
		}
		k := 1
		for k < len(rest) && !isXMLSpace(rest[k]) && rest[k] != '>' && rest[k] != '/' && rest[k] != '<' {
			k++
		}
		qname := rest[1:k]
		if len(qname) == 0 {
			out = append(out, '<')
			i++
			continue
		}
		out = append(out, rest[:k]...)
		n, selfClosing, complete := r.copyAttrs(&out, rest, k)
		i += n
		if !complete {
			return out
		}
		if selfClosing || !r.match(localPart(qname)) {
			continue
		}
		out = append(out, redacted...)
		m := findEndTag(b[i:], qname)
		if m < 0 {
			return out
		}
		i += m
	}
	return out
}

// copyAttrs copies a start tag's attributes from rest[k:], redacting matching values.
func (r *redactor) copyAttrs(out *[]byte, rest []byte, k int) (n int, selfClosing, complete bool) {
	for k < len(rest) {
		c := rest[k]
		switch {
		case isXMLSpace(c):
			*out = append(*out, c)
			k++
		case c == '>':
			*out = append(*out, c)
			return k + 1, false, true
		case c == '/':
			*out = append(*out, c)
			k++
			if k < len(rest) && rest[k] == '>' {
				*out = append(*out, '>')
				return k + 1, true, true
			}
		case c == '<':
			return k, false, true // broken tag: resume scanning at '<'
		default:
			s := k
			for k < len(rest) && rest[k] != '=' && !isXMLSpace(rest[k]) && rest[k] != '>' && rest[k] != '/' && rest[k] != '<' {
				k++
			}
			name := rest[s:k]
			*out = append(*out, name...)
			for k < len(rest) && isXMLSpace(rest[k]) {
				*out = append(*out, rest[k])
				k++
			}
			if k >= len(rest) || rest[k] != '=' {
				continue
			}
			*out = append(*out, '=')
			k++
			for k < len(rest) && isXMLSpace(rest[k]) {
				*out = append(*out, rest[k])
				k++
			}
			if k >= len(rest) {
				return k, false, false
			}
			secret := r.match(localPart(name))
			if q := rest[k]; q == '"' || q == '\'' {
				e := bytes.IndexByte(rest[k+1:], q)
				if lt := bytes.IndexByte(rest[k+1:], '<'); lt >= 0 && (e < 0 || lt < e) {
					// '<' cannot occur in an attribute value: the tag is broken. Resume at '<'.
					*out = append(*out, q)
					if secret {
						*out = append(*out, redacted...)
					} else {
						*out = append(*out, rest[k+1:k+1+lt]...)
					}
					return k + 1 + lt, false, true
				}
				if e < 0 {
					if secret {
						*out = append(*out, q)
						*out = append(*out, redacted...)
					} else {
						*out = append(*out, rest[k:]...)
					}
					return len(rest), false, false
				}
				*out = append(*out, q)
				if secret {
					*out = append(*out, redacted...)
				} else {
					*out = append(*out, rest[k+1:k+1+e]...)
				}
				*out = append(*out, q)
				k += e + 2
				continue
			}
			s = k
			for k < len(rest) && !isXMLSpace(rest[k]) && rest[k] != '>' && rest[k] != '<' {
				k++
			}
			if secret {
				*out = append(*out, redacted...)
			} else {
				*out = append(*out, rest[s:k]...)
			}
		}
	}
	return k, false, false
}

// findEndTag returns the offset of "</qname" followed by optional spaces and '>' (or the
// end of the input), or -1.
func findEndTag(b, qname []byte) int {
	off := 0
	for {
		k := bytes.Index(b[off:], []byte("</"))
		if k < 0 {
			return -1
		}
		p := off + k
		rest := b[p+2:]
		if bytes.HasPrefix(rest, qname) {
			after := rest[len(qname):]
			t := 0
			for t < len(after) && isXMLSpace(after[t]) {
				t++
			}
			if t == len(after) || after[t] == '>' {
				return p
			}
		}
		off = p + 2
	}
}

func localPart(qname []byte) []byte {
	if k := bytes.LastIndexByte(qname, ':'); k >= 0 {
		return qname[k+1:]
	}
	return qname
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// form redacts x-www-form-urlencoded fields by name.
func (r *redactor) form(s string) string {
	parts := strings.Split(s, "&")
	changed := false
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if r.matchString(key) {
			parts[i] = k + "=" + redacted
			changed = true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(parts, "&")
}

// all runs every redaction that applies to free text from a server (a fault reason, an
// error message): it may hold raw XML echoing the request ("<sWSPassword>s</sWSPassword>"),
// escaped XML, or name=value pairs.
func (r *redactor) all(s string) string {
	if strings.IndexByte(s, '<') >= 0 {
		s = string(r.xml([]byte(s)))
	}
	return r.text(s)
}

// text is the catch-all for text that is not clean XML: HTML error pages, JSON, form echoes,
// escaped XML inside a page ("&lt;sWSPassword&gt;…"), fault strings. A matching name
// followed by '=', ':' or "&gt;" has its value replaced.
func (r *redactor) text(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isIdentByte(s[i]) || (i > 0 && isIdentByte(s[i-1])) {
			i++
			continue
		}
		j := i
		for j < len(s) && isIdentByte(s[j]) {
			j++
		}
		if !r.matchString(s[i:j]) {
			i = j
			continue
		}
		k := j
		if k < len(s) && (s[k] == '"' || s[k] == '\'') {
			k++
		}
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		var stop string // value terminator
		if k < len(s) && (s[k] == '=' || s[k] == ':') {
			k++
		} else {
			// An element name in escaped XML: "&lt;password&gt;value&lt;/password&gt;", with
			// any prefix and attributes, escaped once or more ("&amp;lt;…" in a wire body).
			tag := tagBefore(s, i)
			end, amps := escapedGT(s, k)
			if end < 0 && tag > 0 {
				end, amps = escapedTagEnd(s, j)
			}
			if end < 0 || tag < 0 {
				// Not a tag, or an end tag ("&lt;/password&gt;"): what follows is no value, and
				// taking it for one would swallow the text up to the next "&lt;".
				i = j
				continue
			}
			k = end
			stop = "&" + strings.Repeat("amp;", amps) + "lt;"
		}
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		vs, ve := k, k
		switch {
		case stop != "":
			if e := strings.Index(s[k:], stop); e >= 0 {
				ve = k + e
			} else {
				ve = len(s)
			}
		case quoteEntity(s[k:]) != "":
			q := quoteEntity(s[k:])
			vs = k + len(q)
			if e := strings.Index(s[vs:], q); e >= 0 {
				ve = vs + e
			} else {
				ve = len(s)
			}
		case k < len(s) && (s[k] == '"' || s[k] == '\''):
			vs = k + 1
			if e := strings.IndexByte(s[vs:], s[k]); e >= 0 {
				ve = vs + e
			} else {
				ve = len(s)
			}
		default:
			ve = k
			for ve < len(s) && !strings.ContainsRune(" \t\r\n&<>;,\"'", rune(s[ve])) {
				ve++
			}
		}
		if ve > vs && s[vs:ve] != redacted {
			b.WriteString(s[last:vs])
			b.WriteString(redacted)
			last = ve
		}
		i = max(ve, j)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// quoteEntity returns the escaped quote s starts with: "&quot;" as .NET writes it, "&#34;" as
// Go does, and the other spellings of both quotes; "" when none.
func quoteEntity(s string) string {
	if len(s) < 5 || s[0] != '&' {
		return ""
	}
	for _, q := range [...]string{"&quot;", "&#34;", "&#x22;", "&apos;", "&#39;", "&#x27;"} {
		if strings.HasPrefix(s, q) {
			return q
		}
	}
	return ""
}

// RedactText removes what looks like a secret from s, a text a server sent (a fault reason,
// an error message in a detail or a status): elements and attributes with a secret's name
// (the default list of WithRedact), raw or escaped, and name=value pairs. Service packages
// put server text through it before it reaches an error string or %#v.
func RedactText(s string) string { return defaultRedactor.all(s) }

// tagBefore classifies the name at s[i:] by what precedes it, a "prefix:" skipped: 1 after an
// escaped "<" ("&lt;", "&amp;lt;"), -1 after "/" (an end tag), 0 otherwise.
func tagBefore(s string, i int) int {
	p := i
	if p > 0 && s[p-1] == ':' {
		p--
		for p > 0 && isIdentByte(s[p-1]) {
			p--
		}
	}
	switch {
	case strings.HasSuffix(s[:p], "/"):
		return -1
	case strings.HasSuffix(s[:p], "lt;"):
		return 1
	}
	return 0
}

// maxEscapes bounds how many times over text is taken to be escaped ("&amp;amp;…gt;"), so
// that a hostile body cannot make the scan quadratic.
const maxEscapes = 8

// escapedGT returns the end of an escaped ">" at s[k:] ("&gt;", "&amp;gt;"…) and how many
// times it was escaped beyond the first, or -1.
func escapedGT(s string, k int) (end, amps int) {
	if k >= len(s) || s[k] != '&' {
		return -1, 0
	}
	p := k + 1
	for amps < maxEscapes && strings.HasPrefix(s[p:], "amp;") {
		p += 4
		amps++
	}
	if strings.HasPrefix(s[p:], "gt;") {
		return p + 3, amps
	}
	return -1, 0
}

// escapedTagEnd finds the escaped ">" that ends an escaped start tag with attributes, looking
// no further than a tag can reasonably be long; -1 when another tag starts first.
func escapedTagEnd(s string, from int) (end, amps int) {
	limit := min(len(s), from+512)
	for p := from; p < limit; p++ {
		switch s[p] {
		case '<', '>':
			return -1, 0
		case '&':
			if end, amps := escapedGT(s, p); end >= 0 {
				return end, amps
			}
			q := p + 1
			for n := 0; n < maxEscapes && strings.HasPrefix(s[q:], "amp;"); n++ {
				q += 4
			}
			if strings.HasPrefix(s[q:], "lt;") {
				return -1, 0
			}
		}
	}
	return -1, 0
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// excerpt turns the start of a body into something safe to put in an error: redacted as
// XML, as free text and (for forms) as fields, cut at max bytes on a rune boundary, and
// valid UTF-8.
func (r *redactor) excerpt(b []byte, contentType string, maxLen int, secrets *scrub.Set) string {
	if len(b) == 0 {
		return ""
	}
	s := r.text(string(r.xml(b)))
	if strings.HasPrefix(mediaType(contentType), "application/x-www-form-urlencoded") {
		s = r.form(s)
	}
	// Before the cut: a secret cut at maxLen would no longer be recognisable whole.
	s = secrets.String(s)
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// header returns a copy of h with matching header values replaced, in key order.
func (r *redactor) header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if r.matchString(k) {
			out[k] = []string{redacted}
			continue
		}
		out[k] = h[k]
	}
	return out
}
