// Package xmltok is a fast XML tokenizer for xml.NewTokenDecoder.
//
// encoding/xml reads its input a byte at a time through ReadByte, builds every name in a
// bytes.Buffer and allocates a string for it, and copies every text into a buffer of its
// own. On a SOAP answer over loopback that was up to half of a call's CPU time (the
// profiles in internal/bench/BENCHMARKS.md). Reader scans a buffer of the input instead, returns
// text that needs no unescaping as a slice of that buffer, and interns names and
// namespace declarations, so the names a service repeats in every answer cost no
// allocation once a Reader is reused.
//
// Reader accepts and refuses exactly what encoding/xml's Decoder.RawToken does in its
// default (strict) mode and returns the same tokens; the differential tests and
// FuzzDifferential hold it to that. Wrapped by xml.NewTokenDecoder, the Decoder above it
// keeps doing namespace translation, nesting checks, Skip and Unmarshal.
package xmltok

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	minBuffer    = 4 << 10
	nameSlots    = 256 // interned strings, indexed by a hash of their bytes
	maxInterned  = 256 // longer namespace declarations are not interned
	maxZeroReads = 100
)

// ErrTooDeep is the error (wrapped) of an element nested deeper than MaxDepth.
var ErrTooDeep = errors.New("xmltok: element nesting too deep")

// ErrTooManyAttrs is the error (wrapped) of a start tag with more than MaxAttrs attributes
// (namespace declarations included).
var ErrTooManyAttrs = errors.New("xmltok: too many attributes in a start tag")

// errShort means the token continues past the buffered input.
var errShort = errors.New("xmltok: token continues past the buffer")

// Reader is an xml.TokenReader over an io.Reader. It is not safe for concurrent use; a
// Reader may be reused for another input with Reset, keeping its buffer and names.
type Reader struct {
	// Charset is consulted when an <?xml ...?> declaration names an encoding other than
	// UTF-8. A nil error means the input can be read as it is (an ASCII label, say);
	// otherwise the error ends the input. A nil Charset refuses every other encoding, as
	// encoding/xml does without a CharsetReader.
	Charset func(label string) error

	// NilAsAbsent makes Token leave out every element whose xsi:nil attribute is true,
	// with its content (XML Schema gives it none): encoding/xml would decode it into a
	// non-nil pointer to a zero value where the sender sent no value, and leaving it out
	// gives the nil pointer (or zero value) an absent element gives. It may be switched
	// between tokens; the namespace bindings it needs are followed from the start.
	NilAsAbsent bool

	// MaxDepth bounds the nesting of elements (0: no bound). An element deeper than that
	// ends the input with an error wrapping ErrTooDeep, before xml.Decoder above stacks
	// it: a few MiB of "<a><a><a>…" would otherwise cost hundreds of MiB of stack there.
	MaxDepth int

	// MaxAttrs bounds the attributes of one start tag, namespace declarations included (0: no
	// bound). A tag with more ends the input with an error wrapping ErrTooManyAttrs. Each
	// attribute costs xml.Decoder far more than its bytes (an xml.Attr, the resolved names,
	// a namespace binding for a declaration): a 16 MiB tag of short attributes would
	// otherwise cost some 300 MiB of heap.
	MaxAttrs int

	r         io.Reader
	buf       []byte
	pos, end  int   // unread input is buf[pos:end]
	dirty     int   // buf[:dirty] has held input since the last Reset
	rerr      error // the input's error (io.EOF at its end); no more reads once set
	err       error // sticky: what Token returned last, once it failed
	lines     int   // newlines in input discarded from buf
	needClose bool  // the last token was the start half of <a/>
	toClose   xml.Name
	text      []byte     // unescaped text of the current token
	attrs     []xml.Attr // attributes of the current start tag, copied out when done
	names     [nameSlots]string
	boxed     [nameSlots]boxedName
	declBoxed [nameSlots]boxedDecl
	depth     int          // open elements
	xsi       []xsiBinding // prefix declarations that bind or unbind the XSI namespace
	skipped   []xml.Name   // open elements inside an element NilAsAbsent leaves out
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// xsiBinding is a prefix declared, at an element depth, to be (or no longer be) the
// XML Schema instance namespace.
type xsiBinding struct {
	prefix string
	depth  int
	xsi    bool
}

// boxedName holds the tokens of one name already boxed in an xml.Token. A StartElement
// without attributes and an EndElement carry nothing but their name, and an interface
// value cannot be changed through, so the same one can be returned again: boxing them
// afresh was a fifth of a call's allocations.
type boxedName struct {
	name       xml.Name
	start, end xml.Token
}

// boxedDecl is the StartElement of one name whose only attribute is a default namespace
// declaration (<Code xmlns="http://ca.tvinci.com/">), boxed once: encoders such as .NET's
// and Go's repeat the declaration on every element of an answer, and copying its attribute
// slice and boxing it afresh was a fifth of a large answer's allocations. The slice is shared
// by every return: xml.Decoder does not change an unprefixed attribute's name in place
// (translate leaves it alone), and nothing in this module writes into a token's Attr.
type boxedDecl struct {
	name xml.Name
	ns   string // interned, as every namespace declaration is
	tok  xml.Token
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	x := &Reader{}
	x.Reset(r)
	return x
}

// Reset makes x read r from its start, keeping its buffer and interned names. What the
// buffers held of the previous input is zeroed first: a pooled Reader must not keep the
// token or ticket of an earlier answer in memory.
func (x *Reader) Reset(r io.Reader) {
	if x.buf == nil {
		x.buf = make([]byte, minBuffer)
	}
	clear(x.buf[:x.dirty])
	clear(x.text[:cap(x.text)])
	clear(x.attrs[:cap(x.attrs)])
	x.dirty = 0
	x.r, x.pos, x.end, x.rerr, x.err, x.lines = r, 0, 0, nil, nil, 0
	x.needClose, x.toClose = false, xml.Name{}
	x.depth, x.xsi = 0, x.xsi[:0]
}

// BufferSize reports the size of the input buffer, which grows to hold the largest token.
func (x *Reader) BufferSize() int { return len(x.buf) }

// Token returns the next token, as encoding/xml's Decoder.RawToken would: names carry
// their prefix in Name.Space, <a/> is a StartElement and an EndElement, CDATA is CharData.
// The bytes of CharData, Comment, ProcInst.Inst and Directive are valid until the next
// call. At the end of the input Token returns nil, io.EOF.
func (x *Reader) Token() (xml.Token, error) {
	for {
		tok, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := x.enter(); err != nil {
				return nil, err
			}
			if len(t.Attr) > 0 {
				x.bindXSI(t.Attr)
				if x.NilAsAbsent && x.isNil(t.Attr) {
					if err := x.skipElement(t.Name); err != nil {
						return nil, err
					}
					continue
				}
			}
		case xml.EndElement:
			x.leave()
		}
		return tok, nil
	}
}

// skipElement reads past the end of the element just started (nested elements included),
// keeping the namespace scopes and the depth in step. It checks the nesting as
// xml.Decoder would have, since the Decoder does not see what is skipped.
func (x *Reader) skipElement(start xml.Name) error {
	open := append(x.skipped[:0], start)
	defer func() { x.skipped = open[:0] }()
	for len(open) > 0 {
		tok, err := x.next()
		if err != nil {
			if err == io.EOF {
				err = x.syntax("unexpected EOF", x.end-x.pos)
				x.err = err
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := x.enter(); err != nil {
				return err
			}
			x.bindXSI(t.Attr)
			open = append(open, t.Name)
		case xml.EndElement:
			s := open[len(open)-1]
			switch {
			case s.Local != t.Name.Local:
				x.err = x.syntax("element <"+s.Local+"> closed by </"+t.Name.Local+">", 0)
			case s.Space != t.Name.Space:
				ns := t.Name.Space
				if ns == "" {
					ns = `""`
				}
				x.err = x.syntax("element <"+s.Local+"> in space "+s.Space+" closed by </"+t.Name.Local+"> in space "+ns, 0)
			}
			if x.err != nil {
				return x.err
			}
			open = open[:len(open)-1]
			x.leave()
		}
	}
	return nil
}

// enter opens an element, within MaxDepth.
func (x *Reader) enter() error {
	if x.depth++; x.MaxDepth > 0 && x.depth > x.MaxDepth {
		x.err = fmt.Errorf("%w: more than %d levels", ErrTooDeep, x.MaxDepth)
		return x.err
	}
	return nil
}

// leave closes the current element: the XSI bindings it declared go out of scope.
func (x *Reader) leave() {
	for len(x.xsi) > 0 && x.xsi[len(x.xsi)-1].depth == x.depth {
		x.xsi = x.xsi[:len(x.xsi)-1]
	}
	x.depth--
}

// bindXSI follows the declarations of prefixes for the XML Schema instance namespace, the
// only ones NilAsAbsent needs: a prefix bound to it, or one that was and is rebound.
func (x *Reader) bindXSI(attrs []xml.Attr) {
	for _, a := range attrs {
		if a.Name.Space != "xmlns" {
			continue
		}
		if isXSI := a.Value == xsiNamespace; isXSI || x.xsiPrefix(a.Name.Local) {
			x.xsi = append(x.xsi, xsiBinding{prefix: a.Name.Local, depth: x.depth, xsi: isXSI})
		}
	}
}

// xsiPrefix reports whether prefix is bound to the XML Schema instance namespace here.
func (x *Reader) xsiPrefix(prefix string) bool {
	for i := len(x.xsi) - 1; i >= 0; i-- {
		if x.xsi[i].prefix == prefix {
			return x.xsi[i].xsi
		}
	}
	return false
}

// isNil reports whether attrs carry xsi:nil with a true value (XML Schema's boolean: "true"
// or "1", whitespace collapsed).
func (x *Reader) isNil(attrs []xml.Attr) bool {
	for _, a := range attrs {
		if a.Name.Local == "nil" && a.Name.Space != "" && x.xsiPrefix(a.Name.Space) {
			v := strings.TrimSpace(a.Value)
			return v == "true" || v == "1"
		}
	}
	return false
}

// next is the tokenizer proper: the next token as RawToken would return it.
func (x *Reader) next() (xml.Token, error) {
	if x.err != nil {
		return nil, x.err
	}
	if x.needClose {
		x.needClose = false
		return x.box(x.toClose, true), nil
	}
	for {
		if x.pos == x.end {
			if x.rerr != nil {
				x.err = x.rerr
				return nil, x.err
			}
			x.fill()
			continue
		}
		final := x.rerr != nil
		tok, n, err := x.scan(x.buf[x.pos:x.end], final)
		if err == errShort {
			if !final {
				x.fill()
				continue
			}
			if x.rerr == io.EOF {
				err = x.syntax("unexpected EOF", x.end-x.pos)
			} else {
				err = x.rerr
			}
		}
		if err != nil {
			x.err = err
			return nil, err
		}
		x.pos += n
		return tok, nil
	}
}

// fill reads more input. A token that did not fit is scanned again from its start, so
// fill at least doubles what is buffered past x.pos (or reaches the end of the input):
// rescanning then costs no more than the token's length in total, however the input
// trickles in.
func (x *Reader) fill() {
	avail := x.end - x.pos
	if x.pos > 0 {
		x.lines += bytes.Count(x.buf[:x.pos], []byte{'\n'})
		copy(x.buf, x.buf[x.pos:x.end])
		x.pos, x.end = 0, avail
	}
	want := max(2*avail, 1)
	if want > len(x.buf) {
		nb := make([]byte, max(want, 2*len(x.buf)))
		copy(nb, x.buf[:x.end])
		clear(x.buf[:x.dirty]) // left to the garbage collector, but not with the input in it
		x.buf = nb
	}
	for zero := 0; x.end < want && x.rerr == nil; {
		n, err := x.r.Read(x.buf[x.end:])
		x.end += n
		x.dirty = max(x.dirty, x.end)
		switch {
		case err != nil:
			x.rerr = err
		case n > 0:
			zero = 0
		default:
			if zero++; zero >= maxZeroReads {
				x.rerr = io.ErrNoProgress
			}
		}
	}
}

// syntax is a *xml.SyntaxError at offset at of the unread input.
func (x *Reader) syntax(msg string, at int) error {
	line := 1 + x.lines + bytes.Count(x.buf[:min(x.pos+at, x.end)], []byte{'\n'})
	return &xml.SyntaxError{Msg: msg, Line: line}
}

// scan reads one token from the start of b. It returns errShort when the token may go
// on past b and more input may come (final is false); when final, b ends the input.
func (x *Reader) scan(b []byte, final bool) (xml.Token, int, error) {
	if b[0] != '<' {
		return x.scanText(b, final)
	}
	if len(b) < 2 {
		return nil, 0, errShort
	}
	switch b[1] {
	case '/':
		return x.scanEnd(b)
	case '?':
		return x.scanProcInst(b)
	case '!':
		return x.scanBang(b)
	}
	return x.scanStart(b)
}

// scanText reads character data up to the next '<' (or the end of the input).
func (x *Reader) scanText(b []byte, final bool) (xml.Token, int, error) {
	i, plain := 0, true
	for i < len(b) {
		c := b[i]
		if textByte[c] {
			i++
			continue
		}
		switch {
		case c == '<':
			return x.finishText(b[:i], plain, i)
		case c == '&' || c == '\r':
			plain = false
			i++
		case c == ']':
			if i+2 >= len(b) && !final {
				return nil, 0, errShort
			}
			if i+2 < len(b) && b[i+1] == ']' && b[i+2] == '>' {
				return nil, 0, x.syntax("unescaped ]]> not in CDATA section", i)
			}
			i++
		default:
			n, err := x.checkChar(b, i, final)
			if err != nil {
				return nil, 0, err
			}
			i += n
		}
	}
	if !final {
		return nil, 0, errShort
	}
	return x.finishText(b, plain, i)
}

func (x *Reader) finishText(raw []byte, plain bool, n int) (xml.Token, int, error) {
	if plain {
		return xml.CharData(raw), n, nil
	}
	text, err := x.unescape(raw, 0)
	if err != nil {
		return nil, 0, err
	}
	return xml.CharData(text), n, nil
}

// checkChar checks the byte at b[i], which is not plain ASCII text, and reports its
// length: a control character is an error, a multi-byte character must be valid UTF-8
// and in XML's character range.
func (x *Reader) checkChar(b []byte, i int, final bool) (int, error) {
	c := b[i]
	if c < utf8.RuneSelf {
		if c == '\t' || c == '\n' || c == '\r' || c >= 0x20 {
			return 1, nil
		}
		return 0, x.syntax(fmt.Sprintf("illegal character code %U", rune(c)), i)
	}
	r, size := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && size == 1 {
		if !final && !utf8.FullRune(b[i:]) {
			return 0, errShort
		}
		return 0, x.syntax("invalid UTF-8", i)
	}
	if !inCharacterRange(r) {
		return 0, x.syntax(fmt.Sprintf("illegal character code %U", r), i)
	}
	return size, nil
}

// unescape turns raw text (already checked character by character) into its value in
// x.text: entity and character references replaced, \r\n and \r turned into \n. at is
// the offset of raw in the unread input, for error lines. A reference must end with ';'
// inside raw: text and attribute values end at bytes no reference can contain.
func (x *Reader) unescape(raw []byte, at int) ([]byte, error) {
	out := x.text[:0]
	var prev byte
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			prev = c
			i++
			continue
		case '\n':
			if prev != '\r' {
				out = append(out, '\n')
			}
			prev = c
			i++
			continue
		case '&':
			var n int
			var err error
			out, n, err = x.reference(out, raw, i, at)
			if err != nil {
				return nil, err
			}
			prev = 0 // encoding/xml forgets the previous byte after a reference
			i += n
			continue
		}
		out = append(out, c)
		prev = c
		i++
	}
	x.text = out
	return out, nil
}

var entities = map[string]byte{"lt": '<', "gt": '>', "amp": '&', "apos": '\'', "quot": '"'}

// reference appends the value of the reference at raw[i] ('&') and reports its length.
func (x *Reader) reference(out, raw []byte, i, at int) ([]byte, int, error) {
	j := i + 1
	bad := func() ([]byte, int, error) {
		ent := string(raw[i:min(j+1, len(raw))])
		if j >= len(raw) || raw[j] != ';' {
			ent = string(raw[i:j]) + " (no semicolon)"
		}
		return nil, 0, x.syntax("invalid character entity "+ent, at+j)
	}
	if j < len(raw) && raw[j] == '#' {
		j++
		base := 10
		if j < len(raw) && raw[j] == 'x' {
			base = 16
			j++
		}
		start := j
		for j < len(raw) && (isDigit(raw[j]) || base == 16 && isHexLetter(raw[j])) {
			j++
		}
		if j >= len(raw) || raw[j] != ';' {
			return bad()
		}
		n, err := strconv.ParseUint(string(raw[start:j]), base, 64)
		if err != nil || n > utf8.MaxRune {
			return bad()
		}
		r := rune(n)
		if !utf8.ValidRune(r) {
			r = utf8.RuneError // what string(rune(n)) gives encoding/xml
		}
		if !inCharacterRange(r) {
			return nil, 0, x.syntax(fmt.Sprintf("illegal character code %U", r), at+j)
		}
		return utf8.AppendRune(out, r), j + 1 - i, nil
	}
	for j < len(raw) && (nameByte[raw[j]] || raw[j] >= utf8.RuneSelf) {
		j++
	}
	if j >= len(raw) || raw[j] != ';' {
		return bad()
	}
	v, ok := entities[string(raw[i+1:j])]
	if !ok {
		return bad()
	}
	return append(out, v), j + 1 - i, nil
}

// scanName reads a name at b[i:] and reports where it ends; ok is false when there is no
// name there (the caller says what was expected).
func (x *Reader) scanName(b []byte, i int) (end int, ok bool, err error) {
	j := i
	ascii := true
	for j < len(b) {
		c := b[j]
		if c >= utf8.RuneSelf {
			ascii = false
		} else if !nameByte[c] {
			break
		}
		j++
	}
	if j == len(b) {
		return 0, false, errShort // the name may go on
	}
	if j == i {
		return j, false, nil
	}
	if !validName(b[i:j], ascii) {
		return 0, false, x.syntax("invalid XML name: "+string(b[i:j]), j)
	}
	return j, true, nil
}

// scanQName reads a name with an optional prefix, as encoding/xml's nsname does: a name
// with more than one colon is no name, and a leading or trailing colon stays in Local.
func (x *Reader) scanQName(b []byte, i int) (xml.Name, int, bool, error) {
	j, ok, err := x.scanName(b, i)
	if err != nil || !ok {
		return xml.Name{}, j, false, err
	}
	s := b[i:j]
	k := bytes.IndexByte(s, ':')
	if k < 0 {
		return xml.Name{Local: x.intern(s)}, j, true, nil
	}
	if bytes.IndexByte(s[k+1:], ':') >= 0 {
		return xml.Name{}, j, false, nil
	}
	if k == 0 || k == len(s)-1 {
		return xml.Name{Local: x.intern(s)}, j, true, nil
	}
	return xml.Name{Space: x.intern(s[:k]), Local: x.intern(s[k+1:])}, j, true, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

func (x *Reader) scanStart(b []byte) (xml.Token, int, error) {
	name, i, ok, err := x.scanQName(b, 1)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, x.syntax("expected element name after <", i)
	}
	attrs := x.attrs[:0]
	empty := false
	for {
		if i = skipSpace(b, i); i >= len(b) {
			return nil, 0, errShort
		}
		if b[i] == '/' {
			if i+1 >= len(b) {
				return nil, 0, errShort
			}
			if b[i+1] != '>' {
				return nil, 0, x.syntax("expected /> in element", i+1)
			}
			empty = true
			i += 2
			break
		}
		if b[i] == '>' {
			i++
			break
		}
		var a xml.Attr
		a.Name, i, ok, err = x.scanQName(b, i)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return nil, 0, x.syntax("expected attribute name in element", i)
		}
		if i = skipSpace(b, i); i >= len(b) {
			return nil, 0, errShort
		}
		if b[i] != '=' {
			return nil, 0, x.syntax("attribute name without = in element", i)
		}
		if i = skipSpace(b, i+1); i >= len(b) {
			return nil, 0, errShort
		}
		if q := b[i]; q != '"' && q != '\'' {
			return nil, 0, x.syntax("unquoted or missing attribute value in element", i)
		}
		// Namespace declarations repeat in every answer: their values are interned. Other
		// values are not, so that no value (a token, say) outlives the call in the cache.
		decl := a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
		if a.Value, i, err = x.scanValue(b, i, decl); err != nil {
			return nil, 0, err
		}
		if x.MaxAttrs > 0 && len(attrs) >= x.MaxAttrs {
			x.attrs = attrs
			x.err = fmt.Errorf("%w: more than %d in <%s>", ErrTooManyAttrs, x.MaxAttrs, name.Local)
			return nil, 0, x.err
		}
		attrs = append(attrs, a)
	}
	x.attrs = attrs
	if empty {
		x.needClose, x.toClose = true, name
	}
	if len(attrs) == 0 {
		return x.box(name, false), i, nil
	}
	if len(attrs) == 1 && attrs[0].Name.Space == "" && attrs[0].Name.Local == "xmlns" {
		return x.boxDecl(name, attrs[0].Value), i, nil
	}
	// A fresh slice: xml.Decoder resolves the attribute names in place.
	return xml.StartElement{Name: name, Attr: append([]xml.Attr(nil), attrs...)}, i, nil
}

// boxDecl returns the StartElement of name with the single attribute xmlns="ns", boxed once.
func (x *Reader) boxDecl(name xml.Name, ns string) xml.Token {
	slot := &x.declBoxed[(slotOf(name.Local)+uint(len(name.Space))*17+uint(len(ns))*31)%nameSlots]
	if slot.name != name || slot.ns != ns || slot.tok == nil {
		*slot = boxedDecl{name: name, ns: ns, tok: xml.StartElement{Name: name,
			Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}}
	}
	return slot.tok
}

// box returns the EndElement (end) or attribute-less StartElement of name, boxed once.
func (x *Reader) box(name xml.Name, end bool) xml.Token {
	slot := &x.boxed[(slotOf(name.Local)+uint(len(name.Space))*17)%nameSlots]
	if slot.name != name {
		*slot = boxedName{name: name}
	}
	if end {
		if slot.end == nil {
			slot.end = xml.EndElement{Name: name}
		}
		return slot.end
	}
	if slot.start == nil {
		slot.start = xml.StartElement{Name: name}
	}
	return slot.start
}

// scanValue reads the quoted attribute value at b[i] and reports where it ends.
func (x *Reader) scanValue(b []byte, i int, intern bool) (string, int, error) {
	q := b[i]
	start := i + 1
	plain := true
	for j := start; j < len(b); {
		c := b[j]
		switch {
		case c == q:
			v := b[start:j]
			if !plain {
				var err error
				if v, err = x.unescape(v, start); err != nil {
					return "", 0, err
				}
			}
			if intern && len(v) <= maxInterned {
				return x.intern(v), j + 1, nil
			}
			return string(v), j + 1, nil
		case c == '<':
			return "", 0, x.syntax("unescaped < inside quoted string", j)
		case textByte[c] || c == ']':
			j++
		case c == '&' || c == '\r':
			plain = false
			j++
		default:
			n, err := x.checkChar(b, j, false)
			if err != nil {
				return "", 0, err
			}
			j += n
		}
	}
	return "", 0, errShort
}

func (x *Reader) scanEnd(b []byte) (xml.Token, int, error) {
	name, i, ok, err := x.scanQName(b, 2)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, x.syntax("expected element name after </", i)
	}
	if i = skipSpace(b, i); i >= len(b) {
		return nil, 0, errShort
	}
	if b[i] != '>' {
		return nil, 0, x.syntax("invalid characters between </"+name.Local+" and >", i)
	}
	return x.box(name, true), i + 1, nil
}

func (x *Reader) scanProcInst(b []byte) (xml.Token, int, error) {
	i, ok, err := x.scanName(b, 2)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, x.syntax("expected target name after <?", i)
	}
	target := x.intern(b[2:i])
	i = skipSpace(b, i)
	k := bytes.Index(b[i:], []byte("?>"))
	if k < 0 {
		return nil, 0, errShort
	}
	inst := b[i : i+k]
	if target == "xml" {
		content := string(inst)
		if ver := procInst("version", content); ver != "" && ver != "1.0" {
			return nil, 0, fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", ver)
		}
		if enc := procInst("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			if x.Charset == nil {
				return nil, 0, fmt.Errorf("xml: encoding %q declared but no charset is accepted", enc)
			}
			if err := x.Charset(enc); err != nil {
				return nil, 0, fmt.Errorf("xml: opening charset %q: %w", enc, err)
			}
		}
	}
	return xml.ProcInst{Target: target, Inst: inst}, i + k + 2, nil
}

// procInst returns the value of param in the content of an <?xml ...?> declaration, the
// way encoding/xml reads it.
func procInst(param, s string) string {
	param += "="
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || len(param)+k >= len(sub) {
			return ""
		}
		i += len(param) + k + 1
		if c := sub[len(param)+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// scanBang reads a comment, a CDATA section or a directive (b starts with "<!").
func (x *Reader) scanBang(b []byte) (xml.Token, int, error) {
	if len(b) < 3 {
		return nil, 0, errShort
	}
	switch b[2] {
	case '-':
		if len(b) < 4 {
			return nil, 0, errShort
		}
		if b[3] != '-' {
			return nil, 0, x.syntax("invalid sequence <!- not part of <!--", 3)
		}
		k := bytes.Index(b[4:], []byte("--"))
		if k < 0 || 4+k+2 >= len(b) {
			return nil, 0, errShort
		}
		if b[4+k+2] != '>' {
			return nil, 0, x.syntax(`invalid sequence "--" not allowed in comments`, 4+k+2)
		}
		return xml.Comment(b[4 : 4+k]), 4 + k + 3, nil
	case '[':
		const open = "<![CDATA["
		for i := 3; i < len(open); i++ {
			if i >= len(b) {
				return nil, 0, errShort
			}
			if b[i] != open[i] {
				return nil, 0, x.syntax("invalid <![ sequence", i)
			}
		}
		return x.scanCDATA(b, len(open))
	}
	return x.scanDirective(b)
}

func (x *Reader) scanCDATA(b []byte, start int) (xml.Token, int, error) {
	plain := true
	for i := start; i < len(b); {
		c := b[i]
		switch {
		case c == ']':
			if i+2 >= len(b) {
				return nil, 0, errShort
			}
			if b[i+1] == ']' && b[i+2] == '>' {
				raw := b[start:i]
				if !plain {
					raw = x.unescapeCR(raw)
				}
				return xml.CharData(raw), i + 3, nil
			}
			i++
		case textByte[c] || c == '<' || c == '&':
			i++
		case c == '\r':
			plain = false
			i++
		default:
			n, err := x.checkChar(b, i, false)
			if err != nil {
				return nil, 0, err
			}
			i += n
		}
	}
	return nil, 0, errShort
}

// unescapeCR turns \r\n and \r into \n, for CDATA, where references are text.
func (x *Reader) unescapeCR(raw []byte) []byte {
	out := x.text[:0]
	for i, c := range raw {
		switch {
		case c == '\r':
			out = append(out, '\n')
		case c == '\n' && i > 0 && raw[i-1] == '\r':
		default:
			out = append(out, c)
		}
	}
	x.text = out
	return out
}

// scanDirective reads <!...> as encoding/xml does: quoted '>' and nested <...> do not end
// it, and a comment inside it becomes a space.
func (x *Reader) scanDirective(b []byte) (xml.Token, int, error) {
	out := append(x.text[:0], b[2])
	var inquote byte
	depth := 0
	i := 3
	for {
		if i >= len(b) {
			return nil, 0, errShort
		}
		c := b[i]
		i++
		if inquote == 0 && c == '>' && depth == 0 {
			break
		}
	handle:
		out = append(out, c)
		switch {
		case c == inquote:
			inquote = 0
		case inquote != 0:
		case c == '\'' || c == '"':
			inquote = c
		case c == '>':
			depth--
		case c == '<':
			const open = "!--"
			for k := 0; k < len(open); k++ {
				if i >= len(b) {
					return nil, 0, errShort
				}
				c = b[i]
				i++
				if c != open[k] {
					out = append(out, open[:k]...)
					depth++
					goto handle
				}
			}
			out = out[:len(out)-1] // the '<'
			var c0, c1 byte
			for {
				if i >= len(b) {
					return nil, 0, errShort
				}
				c = b[i]
				i++
				if c0 == '-' && c1 == '-' && c == '>' {
					break
				}
				c0, c1 = c1, c
			}
			out = append(out, ' ')
		}
	}
	x.text = out
	return xml.Directive(out), i, nil
}

// intern returns s as a string, the same string for the same bytes while it keeps its
// slot: names repeat in every answer, and a string per name is most of what encoding/xml
// allocates.
func (x *Reader) intern(s []byte) string {
	if len(s) == 0 {
		return ""
	}
	slot := &x.names[slotOf(s)%nameSlots]
	if *slot == string(s) {
		return *slot
	}
	*slot = string(s)
	return *slot
}

// slotOf is the cheap hash of a name the interning and boxing caches are indexed by: its
// length and three of its bytes, which tell apart the few dozen names of a service.
func slotOf[T string | []byte](s T) uint {
	n := len(s)
	if n == 0 {
		return 0
	}
	return uint(n)*31 + uint(s[0])*7 + uint(s[n-1]) + uint(s[n/2])*131
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func inCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// validName reports whether s is an XML name. ASCII names are checked here; for the rare
// name with other characters, encoding/xml itself decides, so that the two never disagree
// on XML 1.0's tables of name characters.
func validName(s []byte, ascii bool) bool {
	if ascii {
		c := s[0]
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == ':'
	}
	d := xml.NewDecoder(io.MultiReader(strings.NewReader("<?"), bytes.NewReader(s), strings.NewReader("?>")))
	_, err := d.RawToken()
	return err == nil
}

// textByte marks the bytes that text can contain as they are: printable ASCII but '<',
// '&' and ']', and tab and newline. nameByte marks the ASCII bytes of names.
var textByte, nameByte = func() (t, n [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['<'], t['&'], t[']'] = false, false, false
	t['\t'], t['\n'], t[0x7f] = true, true, true
	for c := 0; c < 256; c++ {
		b := byte(c)
		n[c] = 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
			b == '_' || b == ':' || b == '.' || b == '-'
	}
	return t, n
}()
