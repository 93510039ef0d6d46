package soapx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/offboard-go/offboard/internal/soapx/internal/xmlscan"
	"github.com/offboard-go/offboard/internal/xmltok"
)

const (
	prefixSize      = 1 << 10               // body start kept for error excerpts
	excerptSize     = 512                   // excerpt length in errors
	debugBodySize   = 64 << 10              // body bytes kept for the debug log
	maxDrain        = 4 << 10               // bytes read past the answer to keep the connection reusable
	drainTimeout    = 50 * time.Millisecond // and how long that may take
	maxDepth        = 256                   // element nesting allowed anywhere in an answer
	maxAttrs        = 128                   // attributes (namespace declarations included) of one start tag
	maxHeaderBlocks = 64
	maxHeaderBytes  = 64 << 10  // inner XML per header block
	maxDetailBytes  = 256 << 10 // inner XML of a fault detail
	maxFaultText    = 8 << 10   // faultstring, Reason/Text, Node, Role
)

var (
	errTooLarge   = fmt.Errorf("read response: %w", ErrBodyTooLarge)
	errNotSOAP    = errors.New("not a SOAP envelope")
	errDTD        = errors.New("DTD in message")
	errNoBody     = errors.New("envelope without Body")
	errHeaderSize = errors.New("too many SOAP header blocks")
	errEmpty      = errors.New("no content")
	errNotAnswer  = errors.New("HTTP status of an error without a SOAP Fault")
)

// bodyReader sits between the response body and the XML decoder. It enforces the body
// cap while the decoder streams (the tokenizer bounds the nesting), and keeps the few bytes
// the error and logging paths need, so the success path never buffers the body.
type bodyReader struct {
	r        io.Reader
	limit    int64
	n        int64
	err      error // sticky: cap exceeded
	tooLarge bool
	eof      bool // the body reported its end: nothing to drain
	prefixN  int
	prefix   [prefixSize]byte
	debug    []byte // nil unless debug logging is on
}

func newBodyReader(r io.Reader, limit int64, debug bool) *bodyReader {
	br := &bodyReader{r: r, limit: limit}
	if debug {
		br.debug = make([]byte, 0, 4<<10)
	}
	return br
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if room := b.limit - b.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	if b.n+int64(n) > b.limit {
		n = int(b.limit - b.n)
		b.tooLarge = true
		b.err, err = errTooLarge, errTooLarge
	}
	b.n += int64(n)
	chunk := p[:n]
	if b.prefixN < prefixSize {
		b.prefixN += copy(b.prefix[b.prefixN:], chunk)
	}
	if b.debug != nil && len(b.debug) < debugBodySize {
		b.debug = append(b.debug, chunk[:min(len(chunk), debugBodySize-len(b.debug))]...)
	}
	return n, err
}

// fill reads up to the excerpt prefix of a body that will not be parsed.
func (b *bodyReader) fill() {
	_, _ = io.CopyN(io.Discard, b, prefixSize-int64(b.prefixN))
}

func (b *bodyReader) head() []byte { return b.prefix[:b.prefixN] }

// badBody is an answer that is not usable SOAP; attempt turns it into an *HTTPError or a
// *ProtocolError depending on the status, once it knows the excerpt.
type badBody struct {
	reason string
	err    error
}

func (e *badBody) Error() string { return e.reason + ": " + e.err.Error() }
func (e *badBody) Unwrap() error { return e.err }

// acceptCharset accepts the labels that mean UTF-8 or its ASCII subset.
func acceptCharset(label string) error {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return nil
	}
	return fmt.Errorf("unsupported XML encoding %q (only UTF-8 is accepted)", label)
}

// Tokenizers are pooled: a warm one has its buffer and the names of earlier answers
// ("Envelope", "Body", the operation's elements), so decoding allocates no name. One
// that grew for a large answer is dropped rather than kept.
const maxPooledTokenizer = 64 << 10

var tokenizerPool = sync.Pool{New: func() any {
	tk := xmltok.NewReader(nil)
	tk.Charset = acceptCharset
	tk.MaxDepth = maxDepth
	tk.MaxAttrs = maxAttrs
	return tk
}}

func getTokenizer(r io.Reader) *xmltok.Reader {
	tk := tokenizerPool.Get().(*xmltok.Reader)
	tk.Reset(r)
	return tk
}

func putTokenizer(tk *xmltok.Reader) {
	tk.Reset(nil)
	if tk.BufferSize() <= maxPooledTokenizer {
		tokenizerPool.Put(tk)
	}
}

// decode turns an HTTP answer into nil, a *Fault, or a typed error.
func (c *Client) decode(resp *http.Response, br *bodyReader, ex *exchange, response any, capture *Response) error {
	ct := resp.Header.Get("Content-Type")
	if he := redirected(resp); he != nil {
		br.fill()
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
			he.Excerpt = c.red.excerpt(br.head(), ct, excerptSize, c.secrets)
		}
		return he
	}
	mt := mediaType(ct)
	var err error
	switch mt {
	case "text/xml", "application/soap+xml", "application/xml", "":
		tk := getTokenizer(br)
		defer putTokenizer(tk)
		d := xml.NewTokenDecoder(tk)
		if ex.version == 0 {
			err = readDocument(d, tk, response)
		} else {
			err = c.readEnvelope(d, tk, ex.version, response, capture)
		}
		if mt == "" {
			if bb, ok := err.(*badBody); ok {
				bb.reason = "no Content-Type and " + bb.reason
			}
		}
	default:
		br.fill()
		err = &badBody{reason: "unexpected Content-Type " + mt, err: errNotSOAP}
	}
	if err == nil {
		if c.isAnswerStatus(resp.StatusCode) {
			return nil
		}
		err = &badBody{reason: fmt.Sprintf("an answer that is not a Fault, with HTTP status %d", resp.StatusCode), err: errNotAnswer}
	}
	// A one-way operation may be acknowledged with an empty 202 or 204.
	if response == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 && errors.Is(err, errEmpty) {
		return nil
	}
	return c.classify(resp, br, err)
}

// isAnswerStatus reports whether a non-Fault answer with this status is the operation's
// result: 2xx, or a status the service package declared with WithAnswerStatus.
func (c *Client) isAnswerStatus(code int) bool {
	if code >= 200 && code <= 299 {
		return true
	}
	return c.answerAt != nil && (code < 300 || code > 399) && c.answerAt(code)
}

// redirected reports a 3xx answer, or an answer reached by following one (an injected
// *http.Client turns a 301/302/303'd POST into a GET elsewhere), as an *HTTPError with the
// redirect's status: a SOAP endpoint that redirects is misconfigured, and whatever the
// other URL said is not the operation's answer.
func redirected(resp *http.Response) *HTTPError {
	first := resp
	for first.Request != nil && first.Request.Response != nil {
		first = first.Request.Response
	}
	if first.StatusCode < 300 || first.StatusCode > 399 {
		return nil
	}
	loc := "(none)"
	if u, err := first.Location(); err == nil {
		loc = redactURL(u.String())
	}
	reason := "redirect to " + loc + " not followed"
	if first != resp {
		reason = "redirect to " + loc + " followed by the injected http.Client; its answer was ignored"
	}
	return &HTTPError{StatusCode: first.StatusCode, Status: first.Status, ContentType: first.Header.Get("Content-Type"),
		Err: &badBody{reason: reason, err: errNotSOAP}}
}

func (c *Client) classify(resp *http.Response, br *bodyReader, err error) error {
	ct := resp.Header.Get("Content-Type")
	switch e := err.(type) {
	case *Fault:
		e.HTTPStatus = resp.StatusCode
		return e
	case *ProtocolError: // version mismatch
		e.HTTPStatus, e.ContentType = resp.StatusCode, ct
		e.Excerpt = c.red.excerpt(br.head(), ct, excerptSize, c.secrets)
		if f, ok := e.Err.(*Fault); ok {
			f.HTTPStatus = resp.StatusCode
		}
		return e
	}
	excerpt := c.red.excerpt(br.head(), ct, excerptSize, c.secrets)
	reason, cause := "unusable answer", err
	if bb, ok := err.(*badBody); ok {
		reason, cause = bb.reason, bb.err
	}
	switch {
	case br.tooLarge:
		return &ProtocolError{Reason: fmt.Sprintf("response body exceeds the %d-byte limit", c.bodyLimit),
			HTTPStatus: resp.StatusCode, ContentType: ct, Excerpt: excerpt, Err: ErrBodyTooLarge}
	case errors.Is(err, xmltok.ErrTooDeep):
		return &ProtocolError{Reason: fmt.Sprintf("element nesting exceeds %d", maxDepth),
			HTTPStatus: resp.StatusCode, ContentType: ct, Excerpt: excerpt, Err: xmlscan.ErrTooDeep}
	case errors.Is(err, xmltok.ErrTooManyAttrs):
		return &ProtocolError{Reason: fmt.Sprintf("a start tag has more than %d attributes", maxAttrs),
			HTTPStatus: resp.StatusCode, ContentType: ct, Excerpt: excerpt, Err: xmltok.ErrTooManyAttrs}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, ContentType: ct, Excerpt: excerpt,
			RetryAfter: min(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), c.maxWait),
			Err:        &badBody{reason: reason, err: cause}}
	}
	return &ProtocolError{Reason: reason, HTTPStatus: resp.StatusCode, ContentType: ct, Excerpt: excerpt, Err: cause}
}

// rootElement skips the prolog. A DTD is refused outright: SOAP forbids it and it is the
// vehicle of entity-expansion attacks (encoding/xml would not expand them, but there is
// no reason to read further).
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return xml.StartElement{}, &badBody{reason: "empty body", err: errEmpty}
			}
			return xml.StartElement{}, &badBody{reason: "malformed XML", err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.Directive:
			return xml.StartElement{}, &badBody{reason: "document type declaration", err: errDTD}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, &badBody{reason: "text before the root element", err: errNotSOAP}
			}
		}
	}
}

func malformed(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if bb, ok := err.(*badBody); ok {
		return bb
	}
	return &badBody{reason: "malformed XML", err: err}
}

// readEnvelope streams the envelope: header blocks into capture, then a Fault or the
// Body's first element through DecodeElement, so a response type implementing
// xml.Unmarshaler gets the live decoder (the DataSet decoder depends on it).
func (c *Client) readEnvelope(d *xml.Decoder, tk *xmltok.Reader, want Version, response any, capture *Response) error {
	root, err := rootElement(d)
	if err != nil {
		return err
	}
	got := versionOf(root.Name.Space)
	if root.Name.Local != "Envelope" || got == 0 {
		return &badBody{reason: fmt.Sprintf("root element <%s> is not a SOAP envelope", root.Name.Local), err: errNotSOAP}
	}
	if capture != nil {
		capture.Version = got
	}
	mismatch := got != want
	if mismatch {
		response = nil // never decode a body from the wrong protocol into the caller's type
	}
	var s xmlscan.Scope
	s.Push(root.Attr)
	var fault *Fault
	sawBody := false
	finish := func(err error) error {
		if mismatch {
			pe := &ProtocolError{Reason: fmt.Sprintf("SOAP version mismatch: sent %v, answered in %v", want, got)}
			if fault != nil {
				pe.Err = fault
			}
			return pe
		}
		if fault != nil {
			return fault // a complete Fault is worth more than what follows it
		}
		return err
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return finish(malformed(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == root.Name.Space && t.Name.Local == "Header" && !sawBody:
				hs, err := c.readHeaders(d, &s, t)
				if err != nil {
					return finish(err)
				}
				if capture != nil {
					capture.Headers = hs
				}
			case t.Name.Space == root.Name.Space && t.Name.Local == "Body" && !sawBody:
				sawBody = true
				if fault, err = c.readBody(d, tk, &s, t, got, response); err != nil {
					return finish(err)
				}
			default:
				if err := d.Skip(); err != nil {
					return finish(malformed(err))
				}
			}
		case xml.EndElement:
			if !sawBody && !mismatch {
				return &badBody{reason: "envelope has no Body", err: errNoBody}
			}
			return finish(nil)
		}
	}
}

func (c *Client) readHeaders(d *xml.Decoder, s *xmlscan.Scope, start xml.StartElement) ([]HeaderElement, error) {
	s.Push(start.Attr)
	defer s.Pop()
	var out []HeaderElement
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(out) >= maxHeaderBlocks {
				return nil, &badBody{reason: "SOAP header", err: errHeaderSize}
			}
			s.Push(t.Attr)
			inner, text, err := xmlscan.CaptureInner(d, s, maxHeaderBytes, maxDepth)
			s.Pop()
			if err != nil {
				return nil, &badBody{reason: "SOAP header <" + t.Name.Local + ">", err: err}
			}
			out = append(out, HeaderElement{XMLName: t.Name, Attrs: plainAttrs(t.Attr), Text: text, Inner: inner})
		case xml.EndElement:
			return out, nil
		}
	}
}

// plainAttrs drops namespace declarations, which mean nothing once names are resolved.
func plainAttrs(attrs []xml.Attr) []xml.Attr {
	var out []xml.Attr
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (c *Client) readBody(d *xml.Decoder, tk *xmltok.Reader, s *xmlscan.Scope, start xml.StartElement, v Version, response any) (*Fault, error) {
	s.Push(start.Attr)
	defer s.Pop()
	var fault *Fault
	first := true
	for {
		tok, err := d.Token()
		if err != nil {
			return fault, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if first {
				first = false
				if t.Name.Local == "Fault" && t.Name.Space == start.Name.Space {
					if fault, err = c.readFault(d, s, t, v); err != nil {
						return nil, err
					}
					continue
				}
				if response != nil {
					if err := decodeAnswer(d, tk, response, &t); err != nil {
						return nil, &badBody{reason: "decode <" + t.Name.Local + ">", err: err}
					}
					continue
				}
			}
			if err := d.Skip(); err != nil {
				return fault, malformed(err)
			}
		case xml.EndElement:
			return fault, nil
		}
	}
}

func (c *Client) readFault(d *xml.Decoder, s *xmlscan.Scope, start xml.StartElement, v Version) (*Fault, error) {
	s.Push(start.Attr)
	defer s.Pop()
	f := &Fault{Version: v, redact: c.red}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			s.Push(t.Attr)
			err = readFaultChild(d, s, t, v, f)
			s.Pop()
			if err != nil {
				return nil, &badBody{reason: "SOAP Fault <" + t.Name.Local + ">", err: err}
			}
		case xml.EndElement:
			return f, nil
		}
	}
}

func readFaultChild(d *xml.Decoder, s *xmlscan.Scope, t xml.StartElement, v Version, f *Fault) error {
	var err error
	if v == SOAP11 { // 1.1 children are unqualified; accept any namespace
		switch t.Name.Local {
		case "faultcode":
			var code string
			code, err = xmlscan.ReadText(d, maxFaultText)
			f.CodeNS, f.Code = s.ResolveQName(code)
		case "faultstring":
			f.Reason, err = xmlscan.ReadText(d, maxFaultText)
		case "faultactor":
			f.Actor, err = xmlscan.ReadText(d, maxFaultText)
		case "detail":
			f.Detail, _, err = xmlscan.CaptureInner(d, s, maxDetailBytes, maxDepth)
		default:
			err = d.Skip()
		}
		return err
	}
	if t.Name.Space != ns12 {
		return d.Skip()
	}
	switch t.Name.Local {
	case "Code":
		err = readCode12(d, s, f, true)
	case "Reason":
		f.Reason, err = readReason12(d)
	case "Node":
		f.Node, err = xmlscan.ReadText(d, maxFaultText)
	case "Role":
		f.Actor, err = xmlscan.ReadText(d, maxFaultText)
	case "Detail":
		f.Detail, _, err = xmlscan.CaptureInner(d, s, maxDetailBytes, maxDepth)
	default:
		err = d.Skip()
	}
	return err
}

// readCode12 reads Code or Subcode: a Value and an optional nested Subcode.
func readCode12(d *xml.Decoder, s *xmlscan.Scope, f *Fault, top bool) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			s.Push(t.Attr)
			switch t.Name.Local {
			case "Value":
				var q string
				if q, err = xmlscan.ReadText(d, maxFaultText); err == nil {
					space, local := s.ResolveQName(q)
					if top {
						f.CodeNS, f.Code = space, local
					} else {
						f.Subcodes = append(f.Subcodes, local)
					}
				}
			case "Subcode":
				err = readCode12(d, s, f, false)
			default:
				err = d.Skip()
			}
			s.Pop()
			if err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// readReason12 prefers the English text, else the first.
func readReason12(d *xml.Decoder) (string, error) {
	var reason string
	haveEN := false
	for {
		tok, err := d.Token()
		if err != nil {
			return "", malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "Text" {
				if err := d.Skip(); err != nil {
					return "", malformed(err)
				}
				continue
			}
			lang := ""
			for _, a := range t.Attr {
				if a.Name.Local == "lang" && (a.Name.Space == xmlscan.XMLNamespace || a.Name.Space == "xml") {
					lang = strings.ToLower(a.Value)
				}
			}
			text, err := xmlscan.ReadText(d, maxFaultText)
			if err != nil {
				return "", err
			}
			isEN := lang == "en" || strings.HasPrefix(lang, "en-")
			if reason == "" && !haveEN || isEN && !haveEN {
				reason, haveEN = text, isEN
			}
		case xml.EndElement:
			return reason, nil
		}
	}
}

// decodeAnswer decodes the operation's answer into response. Elements sent as xsi:nil are
// left out on the way, so that a nillable member arrives as the nil pointer (or zero value)
// the sender meant: encoding/xml would make it a pointer to a zero value (gowsdl's bug 4 in
// GOWSDL.md). Header blocks and Fault details are captured as sent.
func decodeAnswer(d *xml.Decoder, tk *xmltok.Reader, response any, start *xml.StartElement) error {
	tk.NilAsAbsent = true
	defer func() { tk.NilAsAbsent = false }()
	return d.DecodeElement(response, start)
}

// readDocument decodes the bare XML answer of the HTTP POST binding.
func readDocument(d *xml.Decoder, tk *xmltok.Reader, response any) error {
	root, err := rootElement(d)
	if err != nil {
		return err
	}
	if response != nil {
		if err := decodeAnswer(d, tk, response, &root); err != nil {
			return &badBody{reason: "decode <" + root.Name.Local + ">", err: err}
		}
	} else if err := d.Skip(); err != nil {
		return malformed(err)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return malformed(err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return &badBody{reason: "content after the root element", err: errNotSOAP}
		}
	}
}
