// Package soapsrv helps write the in-process fake servers (httptest-based) of the four
// services: reading a SOAP request's envelope (version, content type, action, headers, the
// body element as bytes), writing answers and Faults the way the services' stacks do, and
// failing a test whose requests broke a fake's contract.
//
// What a request's body means is each fake's business: every fake reads the body element
// against its own statement of the wire contract (names, namespaces, order, types), never
// through the client's generated types, so that a mistake in a WSDL is caught rather than
// agreed with. A handler typically reads, dispatches on the body element and answers:
//
//	req, err := soapsrv.ReadRequest(r, 1<<20)
//	if err != nil {
//		soapsrv.WriteRequestError(w, err)
//		return
//	}
//	values, violations, err := readAgainstContract(req.Body) // the fake's own reader
//	…
//	soapsrv.WriteResponse(w, req.Version, http.StatusOK, nil, answer)
package soapsrv

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/internal/xmlscan"
)

// Kinds of request errors, for errors.Is; each maps to the answer a real stack gives.
var (
	ErrMethodNotAllowed     = errors.New("soapsrv: method not allowed")
	ErrUnsupportedMediaType = errors.New("soapsrv: unsupported media type")
	ErrVersionMismatch      = errors.New("soapsrv: SOAP version mismatch")
	ErrTooLarge             = errors.New("soapsrv: request body too large")
	ErrMalformed            = errors.New("soapsrv: malformed SOAP request")
)

// RequestError says why a request was refused. Version is the envelope version when it
// could be read, so the fault can be answered in the client's own version.
type RequestError struct {
	Kind    error
	Version soapx.Version
	Reason  string
}

func (e *RequestError) Error() string { return e.Kind.Error() + ": " + e.Reason }
func (e *RequestError) Unwrap() error { return e.Kind }

// Request is a decoded SOAP request.
type Request struct {
	Version     soapx.Version
	Action      string // SOAPAction header (unquoted), or the action parameter of a 1.2 Content-Type
	ContentType string
	Headers     []soapx.HeaderElement
	BodyName    xml.Name
	// Body is the raw XML of the Body's first element, re-declaring the namespaces in force,
	// so xml.Unmarshal(Body, &generatedType) works. Nil for an empty Body.
	Body []byte
	HTTP *http.Request
}

const (
	defaultLimit   = 16 << 20
	maxDepth       = 256
	maxHeaderBytes = 64 << 10
)

// ReadRequest reads and checks a SOAP request: method POST, a SOAP Content-Type, an
// envelope whose version matches the Content-Type (text/xml is 1.1, application/soap+xml
// is 1.2), a body within limit bytes (<= 0 means 16 MiB). Errors are *RequestError.
func ReadRequest(r *http.Request, limit int64) (*Request, error) {
	if r.Method != http.MethodPost {
		return nil, &RequestError{Kind: ErrMethodNotAllowed, Reason: r.Method}
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, &RequestError{Kind: ErrUnsupportedMediaType, Reason: fmt.Sprintf("Content-Type %q", ct)}
	}
	var want soapx.Version
	switch mt {
	case "text/xml":
		want = soapx.SOAP11
	case "application/soap+xml":
		want = soapx.SOAP12
	default:
		return nil, &RequestError{Kind: ErrUnsupportedMediaType, Reason: fmt.Sprintf("Content-Type %q", mt)}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &RequestError{Kind: ErrMalformed, Version: want, Reason: "read body: " + err.Error()}
	}
	if int64(len(body)) > limit {
		return nil, &RequestError{Kind: ErrTooLarge, Version: want, Reason: fmt.Sprintf("over %d bytes", limit)}
	}
	guard := xmlscan.DepthGuard{Max: maxDepth}
	if err := guard.Feed(body); err != nil {
		return nil, &RequestError{Kind: ErrMalformed, Version: want, Reason: err.Error()}
	}

	req := &Request{Version: want, ContentType: ct, HTTP: r}
	if want == soapx.SOAP12 {
		req.Action = params["action"]
	}
	if req.Action == "" {
		req.Action = strings.Trim(strings.TrimSpace(r.Header.Get("SOAPAction")), `"`)
	}

	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if l := strings.ToLower(label); l == "utf-8" || l == "us-ascii" {
			return in, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	bad := func(reason string, err error) error {
		if err != nil {
			reason += ": " + err.Error()
		}
		return &RequestError{Kind: ErrMalformed, Version: want, Reason: reason}
	}
	root, err := firstElement(d)
	if err != nil {
		return nil, bad("no envelope", err)
	}
	if root.Name.Local != "Envelope" {
		return nil, bad("root element <"+root.Name.Local+"> is not an Envelope", nil)
	}
	var got soapx.Version
	switch root.Name.Space {
	case soapx.SOAP11.Namespace():
		got = soapx.SOAP11
	case soapx.SOAP12.Namespace():
		got = soapx.SOAP12
	}
	if got != want {
		return nil, &RequestError{Kind: ErrVersionMismatch, Version: got,
			Reason: fmt.Sprintf("%s envelope (namespace %q) sent as %s", got, root.Name.Space, mt)}
	}

	var s xmlscan.Scope
	s.Push(root.Attr)
	sawBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, bad("envelope", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == root.Name.Space && t.Name.Local == "Header":
				if req.Headers, err = readHeaders(d, &s, t); err != nil {
					return nil, bad("header", err)
				}
			case t.Name.Space == root.Name.Space && t.Name.Local == "Body":
				sawBody = true
				if err := readBody(d, &s, t, req); err != nil {
					return nil, bad("body", err)
				}
			default:
				if err := d.Skip(); err != nil {
					return nil, bad("envelope", err)
				}
			}
		case xml.EndElement:
			if !sawBody {
				return nil, bad("envelope has no Body", nil)
			}
			return req, nil
		}
	}
}

func firstElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.Directive:
			return xml.StartElement{}, errors.New("DTD not allowed")
		}
	}
}

func readHeaders(d *xml.Decoder, s *xmlscan.Scope, start xml.StartElement) ([]soapx.HeaderElement, error) {
	s.Push(start.Attr)
	defer s.Pop()
	var out []soapx.HeaderElement
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			s.Push(t.Attr)
			inner, text, err := xmlscan.CaptureInner(d, s, maxHeaderBytes, maxDepth)
			s.Pop()
			if err != nil {
				return nil, err
			}
			var attrs []xml.Attr
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") {
					attrs = append(attrs, a)
				}
			}
			out = append(out, soapx.HeaderElement{XMLName: t.Name, Attrs: attrs, Text: text, Inner: inner})
		case xml.EndElement:
			return out, nil
		}
	}
}

func readBody(d *xml.Decoder, s *xmlscan.Scope, start xml.StartElement, req *Request) error {
	s.Push(start.Attr)
	defer s.Pop()
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if req.Body != nil {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			req.BodyName = t.Name
			if req.Body, err = xmlscan.CaptureElement(d, t, s, defaultLimit, maxDepth); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// Decode unmarshals the body element into v. The fakes do not use it for requests (they read
// them against their own contract); tests of the runtime do.
func (r *Request) Decode(v any) error {
	if len(r.Body) == 0 {
		return errors.New("soapsrv: empty SOAP Body")
	}
	return xml.Unmarshal(r.Body, v)
}

// Header returns the first request header block with that name; an empty space matches any.
func (r *Request) Header(space, local string) (soapx.HeaderElement, bool) {
	for _, h := range r.Headers {
		if h.XMLName.Local == local && (space == "" || h.XMLName.Space == space) {
			return h, true
		}
	}
	return soapx.HeaderElement{}, false
}

// Envelope framing as ASMX writes it (xsi and xsd declared on the Envelope), so fakes
// exercise the client against prefixes declared away from where they are used.
func envStart(v soapx.Version) (prefix, start string) {
	prefix = "soap"
	if v == soapx.SOAP12 {
		prefix = "soap12"
	}
	return prefix, `<?xml version="1.0" encoding="utf-8"?>` +
		`<` + prefix + `:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
		`xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:` + prefix + `="` + v.Namespace() + `">`
}

func contentType(v soapx.Version) string {
	if v == soapx.SOAP12 {
		return "application/soap+xml; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

// encodeValue writes v: []byte verbatim (a literal DataSet, a recorded answer), anything
// else through encoding/xml.
func encodeValue(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		buf.Write(x)
		return nil
	}
	return xml.NewEncoder(buf).Encode(v)
}

func checkVersion(v soapx.Version) error {
	if v != soapx.SOAP11 && v != soapx.SOAP12 {
		return fmt.Errorf("soapsrv: unknown SOAP version %d", int(v))
	}
	return nil
}

// WriteResponse answers with an envelope holding the header blocks and body (nil for an
// empty Body, []byte for literal XML). status 0 means 200. The envelope is built before
// anything is written, so a marshalling error leaves the ResponseWriter untouched.
func WriteResponse(w http.ResponseWriter, v soapx.Version, status int, headers []any, body any) error {
	if err := checkVersion(v); err != nil {
		return err
	}
	p, start := envStart(v)
	var buf bytes.Buffer
	buf.WriteString(start)
	if len(headers) > 0 {
		buf.WriteString("<" + p + ":Header>")
		for _, h := range headers {
			if err := encodeValue(&buf, h); err != nil {
				return fmt.Errorf("soapsrv: marshal header: %w", err)
			}
		}
		buf.WriteString("</" + p + ":Header>")
	}
	buf.WriteString("<" + p + ":Body>")
	if err := encodeValue(&buf, body); err != nil {
		return fmt.Errorf("soapsrv: marshal body: %w", err)
	}
	buf.WriteString("</" + p + ":Body></" + p + ":Envelope>")
	return write(w, contentType(v), status, http.StatusOK, buf.Bytes())
}

func write(w http.ResponseWriter, ct string, status, def int, b []byte) error {
	if status == 0 {
		status = def
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

// FaultSpec describes a Fault to send.
type FaultSpec struct {
	// Code is "soap:Server"/"Server"/"Client" (1.1) or "Sender"/"Receiver" (1.2); the
	// envelope prefix is optional and the 1.1 and 1.2 names are translated to the version
	// written. A code with another prefix is written verbatim. Empty means Server/Receiver.
	Code string
	// Subcodes are 1.2 Subcode values, outermost first; "{namespace}local" declares the
	// namespace, anything else is written verbatim. Ignored for 1.1.
	Subcodes []string
	Reason   string
	Actor    string // 1.1 faultactor, 1.2 Role
	Detail   any    // marshalled inside detail/Detail; []byte is written verbatim
}

var envPrefixes = map[string]bool{"": true, "soap": true, "soap12": true, "env": true, "soapenv": true, "SOAP-ENV": true, "s": true}

func faultCode(v soapx.Version, p, code string) string {
	local := code
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		if !envPrefixes[code[:i]] {
			return code
		}
		local = code[i+1:]
	}
	switch {
	case local == "":
		local = map[soapx.Version]string{soapx.SOAP11: "Server", soapx.SOAP12: "Receiver"}[v]
	case v == soapx.SOAP11 && local == "Sender":
		local = "Client"
	case v == soapx.SOAP11 && local == "Receiver":
		local = "Server"
	case v == soapx.SOAP12 && local == "Client":
		local = "Sender"
	case v == soapx.SOAP12 && local == "Server":
		local = "Receiver"
	}
	return p + ":" + local
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// WriteFault answers with a Fault in version v; status 0 means 500.
func WriteFault(w http.ResponseWriter, v soapx.Version, status int, f FaultSpec) error {
	if err := checkVersion(v); err != nil {
		return err
	}
	p, start := envStart(v)
	var buf bytes.Buffer
	buf.WriteString(start)
	buf.WriteString("<" + p + ":Body><" + p + ":Fault>")
	code := escape(faultCode(v, p, f.Code))
	if v == soapx.SOAP11 {
		buf.WriteString("<faultcode>" + code + "</faultcode>")
		buf.WriteString("<faultstring>" + escape(f.Reason) + "</faultstring>")
		if f.Actor != "" {
			buf.WriteString("<faultactor>" + escape(f.Actor) + "</faultactor>")
		}
		if f.Detail == nil {
			buf.WriteString("<detail />")
		} else {
			buf.WriteString("<detail>")
			if err := encodeValue(&buf, f.Detail); err != nil {
				return fmt.Errorf("soapsrv: marshal fault detail: %w", err)
			}
			buf.WriteString("</detail>")
		}
	} else {
		buf.WriteString("<" + p + ":Code><" + p + ":Value>" + code + "</" + p + ":Value>")
		for i, sc := range f.Subcodes {
			buf.WriteString("<" + p + ":Subcode><" + p + ":Value")
			if strings.HasPrefix(sc, "{") {
				if ns, local, ok := strings.Cut(sc[1:], "}"); ok {
					sp := "sc" + strconv.Itoa(i+1)
					buf.WriteString(` xmlns:` + sp + `="` + escape(ns) + `"`)
					sc = sp + ":" + local
				}
			}
			buf.WriteString(">" + escape(sc) + "</" + p + ":Value>")
		}
		for range f.Subcodes {
			buf.WriteString("</" + p + ":Subcode>")
		}
		buf.WriteString("</" + p + ":Code>")
		buf.WriteString("<" + p + `:Reason><` + p + `:Text xml:lang="en">` + escape(f.Reason) + "</" + p + ":Text></" + p + ":Reason>")
		if f.Actor != "" {
			buf.WriteString("<" + p + ":Role>" + escape(f.Actor) + "</" + p + ":Role>")
		}
		if f.Detail != nil {
			buf.WriteString("<" + p + ":Detail>")
			if err := encodeValue(&buf, f.Detail); err != nil {
				return fmt.Errorf("soapsrv: marshal fault detail: %w", err)
			}
			buf.WriteString("</" + p + ":Detail>")
		}
	}
	buf.WriteString("</" + p + ":Fault></" + p + ":Body></" + p + ":Envelope>")
	return write(w, contentType(v), status, http.StatusInternalServerError, buf.Bytes())
}

// WriteVersionMismatch is what a SOAP 1.2 stack answers to an envelope it does not speak
// (a 1.1 envelope at the 1.2-only UDS): a 1.2 VersionMismatch Fault with an Upgrade header
// naming the supported envelope (SOAP 1.2 part 1, 5.4.7).
func WriteVersionMismatch(w http.ResponseWriter) {
	const ns = "http://www.w3.org/2003/05/soap-envelope"
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<soap12:Envelope xmlns:soap12="` + ns + `">` +
		`<soap12:Header><soap12:Upgrade>` +
		`<soap12:SupportedEnvelope qname="ns1:Envelope" xmlns:ns1="` + ns + `"/>` +
		`</soap12:Upgrade></soap12:Header>` +
		`<soap12:Body><soap12:Fault>` +
		`<soap12:Code><soap12:Value>soap12:VersionMismatch</soap12:Value></soap12:Code>` +
		`<soap12:Reason><soap12:Text xml:lang="en">Wrong SOAP version: this endpoint speaks SOAP 1.2</soap12:Text></soap12:Reason>` +
		`</soap12:Fault></soap12:Body></soap12:Envelope>`
	_ = write(w, contentType(soapx.SOAP12), http.StatusInternalServerError, 0, []byte(body))
}

// WriteRequestError answers a ReadRequest error the way the real stacks do: a
// VersionMismatch Fault, 405, 413, 415 as plain HTTP (no SOAP to answer in), and a
// Client/Sender Fault for a malformed envelope.
func WriteRequestError(w http.ResponseWriter, err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		_ = WriteFault(w, soapx.SOAP11, 0, FaultSpec{Code: "Server", Reason: "internal error"})
		return
	}
	switch {
	case errors.Is(re, ErrVersionMismatch):
		WriteVersionMismatch(w)
	case errors.Is(re, ErrMethodNotAllowed):
		http.Error(w, re.Error(), http.StatusMethodNotAllowed)
	case errors.Is(re, ErrUnsupportedMediaType):
		http.Error(w, re.Error(), http.StatusUnsupportedMediaType)
	case errors.Is(re, ErrTooLarge):
		http.Error(w, re.Error(), http.StatusRequestEntityTooLarge)
	default:
		v, status := re.Version, http.StatusInternalServerError
		if v == soapx.SOAP12 {
			status = http.StatusBadRequest
		} else {
			v = soapx.SOAP11
		}
		_ = WriteFault(w, v, status, FaultSpec{Code: "Client", Reason: re.Reason})
	}
}

// ReportViolations makes t fail when it ends if violations() is not empty, listing them one
// per line: what each fake's Test does. Registered before the fake's client (cleanups run
// last in, first out), it runs after that client's Close, so a request sent while closing
// (projector's PwsUnauthenticate) is held to the contract too.
func ReportViolations[V fmt.Stringer](t testing.TB, fake string, violations func() []V) {
	t.Helper()
	t.Cleanup(func() {
		v := violations()
		if len(v) == 0 {
			return
		}
		var b strings.Builder
		for _, x := range v {
			b.WriteString("\n\t" + x.String())
		}
		t.Errorf("%s: %d request(s) broke the wire contract (the real server would ignore or refuse them):%s", fake, len(v), b.String())
	})
}

// Element is an element of a request body as read, namespaces resolved: what the fakes that
// hold a body to their contract as a whole (uds, projector) walk.
type Element struct {
	Name     xml.Name
	Attrs    []xml.Attr // its attributes, namespace declarations left out
	Text     string     // the character data directly inside it, concatenated
	Children []*Element
}

// ParseElement reads body, the SOAP Body's content, as the tree of its one element.
func ParseElement(body []byte) (*Element, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var stack []*Element
	var root *Element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &Element{Name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				e.Attrs = append(e.Attrs, a)
			}
			switch {
			case len(stack) > 0:
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			case root == nil:
				root = e
			default:
				return nil, errors.New("more than one element in the SOAP Body")
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("empty SOAP Body")
	}
	return root, nil
}
