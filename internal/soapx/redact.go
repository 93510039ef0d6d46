package soapx

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strings"
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
		switch {
		case k < len(s) && (s[k] == '=' || s[k] == ':'):
			k++
		case strings.HasPrefix(s[k:], "&gt;"):
			k += 4
			stop = "&lt;"
		default:
			i = j
			continue
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
		case strings.HasPrefix(s[k:], "&quot;"):
			vs = k + 6
			if e := strings.Index(s[vs:], "&quot;"); e >= 0 {
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

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// excerpt turns the start of a body into something safe to put in an error: redacted as
// XML, as free text and (for forms) as fields, cut at max bytes on a rune boundary, and
// valid UTF-8.
func (r *redactor) excerpt(b []byte, contentType string, maxLen int) string {
	if len(b) == 0 {
		return ""
	}
	s := r.text(string(r.xml(b)))
	if strings.HasPrefix(mediaType(contentType), "application/x-www-form-urlencoded") {
		s = r.form(s)
	}
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
