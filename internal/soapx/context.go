package soapx

import (
	"context"
	"encoding/xml"
	"net/http"
)

type ctxKey int

const (
	headersKey ctxKey = iota
	responseKey
)

// WithRequestHeaders attaches SOAP header blocks to the calls made with the returned
// context. Each value is marshalled as a child of soap:Header, so it needs an XMLName.
// Headers live in the context, not the client, because they are per call (a session
// ticket, a UDS auth token): a shared client with mutable headers races, which is what
// gowsdl's AddHeader does. Calling it again appends; the parent context is not changed.
func WithRequestHeaders(ctx context.Context, headers ...any) context.Context {
	prev, _ := ctx.Value(headersKey).([]any)
	all := make([]any, 0, len(prev)+len(headers))
	all = append(all, prev...)
	all = append(all, headers...)
	return context.WithValue(ctx, headersKey, all)
}

func requestHeaders(ctx context.Context) []any {
	h, _ := ctx.Value(headersKey).([]any)
	return h
}

// Response is what a call learnt besides the decoded body: the HTTP status (an ASMX
// service answers bad credentials with 404 and a normal body), the HTTP headers and the
// SOAP header blocks (UDS returns its auth token there).
type Response struct {
	StatusCode int
	HTTPHeader http.Header
	Version    Version // envelope version of the answer; 0 for PostForm or non-SOAP answers
	Headers    []HeaderElement
}

// HeaderElement is one child of the response's soap:Header, kept generic because WSDLs
// rarely declare the headers a service really sends.
type HeaderElement struct {
	XMLName xml.Name
	Attrs   []xml.Attr // namespace declarations left out
	Text    string     // trimmed character data directly inside the element
	// Inner is the element's inner XML (bounded); its top-level elements re-declare the
	// namespaces in force, so xml.Unmarshal works on them.
	Inner []byte
}

// Header returns the first header block with that name; an empty space matches any.
func (r *Response) Header(space, local string) (HeaderElement, bool) {
	if r == nil {
		return HeaderElement{}, false
	}
	for _, h := range r.Headers {
		if h.XMLName.Local == local && (space == "" || h.XMLName.Space == space) {
			return h, true
		}
	}
	return HeaderElement{}, false
}

// CaptureResponse returns a context that makes Call and PostForm fill the returned
// Response, also when they fail (as far as the exchange got). Use one capture per call:
// concurrent calls sharing it would race on it.
func CaptureResponse(ctx context.Context) (context.Context, *Response) {
	r := new(Response)
	return context.WithValue(ctx, responseKey, r), r
}

func capturedResponse(ctx context.Context) *Response {
	r, _ := ctx.Value(responseKey).(*Response)
	return r
}
