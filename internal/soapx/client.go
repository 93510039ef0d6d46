package soapx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/scrub"
)

// Caller is what generated stubs call. It is the one seam between generated code and the
// wire, so tests and façades can wrap or replace it.
type Caller interface {
	Call(ctx context.Context, action string, request, response any) error
}

// Version is a SOAP envelope version.
type Version int

const (
	SOAP11 Version = iota + 1
	SOAP12
)

const (
	ns11 = "http://schemas.xmlsoap.org/soap/envelope/"
	ns12 = "http://www.w3.org/2003/05/soap-envelope"
)

// Namespace returns the envelope namespace of the version ("" for an unknown version).
func (v Version) Namespace() string {
	switch v {
	case SOAP11:
		return ns11
	case SOAP12:
		return ns12
	}
	return ""
}

func (v Version) String() string {
	switch v {
	case SOAP11:
		return "SOAP 1.1"
	case SOAP12:
		return "SOAP 1.2"
	}
	return fmt.Sprintf("SOAP version %d", int(v))
}

func versionOf(ns string) Version {
	switch ns {
	case ns11:
		return SOAP11
	case ns12:
		return SOAP12
	}
	return 0
}

// The envelope frame is written as constant bytes around the encoder's output: the
// encoder only ever marshals the caller's values, which keeps the prefixes stable
// (golden files, fakes) and costs no reflection for the frame.
type frame struct {
	start, headerOpen, headerClose, bodyOpen, end string
}

var frames = [...]frame{
	SOAP11: {
		start:       `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + ns11 + `">`,
		headerOpen:  `<soap:Header>`,
		headerClose: `</soap:Header>`,
		bodyOpen:    `<soap:Body>`,
		end:         `</soap:Body></soap:Envelope>`,
	},
	SOAP12: {
		start:       `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="` + ns12 + `">`,
		headerOpen:  `<soap12:Header>`,
		headerClose: `</soap12:Header>`,
		bodyOpen:    `<soap12:Body>`,
		end:         `</soap12:Body></soap12:Envelope>`,
	},
}

const (
	contentType11   = "text/xml; charset=utf-8"
	contentType12   = "application/soap+xml; charset=utf-8"
	contentTypeForm = "application/x-www-form-urlencoded"
)

// Client is the project's SOAP runtime. It is immutable after construction, so one Client
// serves any number of goroutines; everything that varies per call (SOAP headers, the
// captured Response) travels in the context.
type Client struct {
	endpoint  string
	url       *url.URL
	version   Version
	hc        *http.Client
	timeout   time.Duration
	bodyLimit int64
	logger    *slog.Logger
	red       *redactor
	jar       http.CookieJar
	retry     RetryPolicy
	userAgent []string
	ctSOAP11  []string
	ctForm    []string
	answerAt  func(int) bool // non-2xx statuses whose non-Fault answer is a result (WithAnswerStatus)
	secrets   *scrub.Set     // values scrubbed from everything the client produces (WithSecrets)
	maxWait   time.Duration  // cap on a server's Retry-After (WithMaxRetryAfter)
	observed  bool           // WithObserver: exchanges are reported to the context's Call (observe.go)
}

// NewClient returns a client for an absolute http or https endpoint.
func NewClient(endpoint string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	switch {
	case cfg.version != SOAP11 && cfg.version != SOAP12:
		return nil, &InputError{Field: "version", Reason: fmt.Sprintf("unknown SOAP version %d", int(cfg.version))}
	case cfg.timeout < 0:
		return nil, &InputError{Field: "timeout", Reason: "negative"}
	case cfg.bodyLimit <= 0:
		return nil, &InputError{Field: "body limit", Reason: "must be positive"}
	case cfg.maxRetryAfter < 0:
		return nil, &InputError{Field: "max Retry-After", Reason: "negative"}
	case cfg.rootCAs != nil && cfg.httpClient != nil:
		return nil, &InputError{Field: "root CAs", Reason: "cannot be combined with WithHTTPClient; configure that client's transport"}
	}
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = newHTTPClient(cfg.rootCAs)
	} else {
		hc = noFollow(hc)
	}
	logger := cfg.logger
	if logger != nil && cfg.secrets != nil {
		logger = slog.New(cfg.secrets.Handler(logger.Handler()))
	}
	return &Client{
		endpoint:  u.String(),
		url:       u,
		version:   cfg.version,
		hc:        hc,
		timeout:   cfg.timeout,
		bodyLimit: cfg.bodyLimit,
		logger:    logger,
		red:       newRedactor(cfg.redact),
		jar:       cfg.jar,
		retry:     cfg.retry,
		userAgent: []string{cfg.userAgent},
		ctSOAP11:  []string{contentType11},
		ctForm:    []string{contentTypeForm},
		answerAt:  cfg.answerAt,
		secrets:   cfg.secrets,
		maxWait:   cfg.maxRetryAfter,
		observed:  cfg.observed,
	}, nil
}

func parseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		// url.Error repeats the URL, which may hold credentials: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &InputError{Field: "endpoint", Reason: err.Error()}
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return nil, &InputError{Field: "endpoint", Reason: "must be an absolute http or https URL"}
	}
	if u.Host == "" {
		return nil, &InputError{Field: "endpoint", Reason: "has no host"}
	}
	if u.User != nil {
		// Not stripped silently: the caller would believe the server gets them. Not kept
		// either: every printed form of the client and its errors would have to hide them.
		return nil, &InputError{Field: "endpoint", Reason: "must not carry user info (user:password@); give credentials to the client's options"}
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// newHTTPClient builds the client's own keep-alive transport. It clones net/http's
// defaults (proxy from environment, HTTP/2, dial timeouts) but raises the idle pool per
// host, since a service client talks to one host from many goroutines. Redirects are not
// followed: net/http would turn a 302'd POST into a GET, and a SOAP redirect is a
// misconfiguration to report, not to paper over.
func newHTTPClient(roots *x509.CertPool) *http.Client {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else { // something replaced DefaultTransport (httpmock.Activate): start from scratch
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 32
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// noFollow wraps a caller's *http.Client so that no HTTP 3xx is ever followed, whatever
// its CheckRedirect: a 301/302/303 would copy the request's headers (a session cookie
// applied by the runtime) to another host or port, and a 307/308 would re-post the body
// (credentials) there. The 3xx itself comes back and is reported as an *HTTPError. The
// caller's transport is looked up on every request, so httpmock activated on hc after the
// client was made still applies; hc is never modified.
func noFollow(hc *http.Client) *http.Client {
	return &http.Client{
		Transport:     callerTransport{hc},
		Jar:           hc.Jar,
		Timeout:       hc.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type callerTransport struct{ hc *http.Client }

func (t callerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt := t.hc.Transport; rt != nil {
		return rt.RoundTrip(r)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Endpoint returns the URL the client posts to.
func (c *Client) Endpoint() string { return c.endpoint }

// WithEndpoint returns a copy aimed at another URL that shares the transport, the cookie
// jar and every option: projector answers authentication with a RedirectUrl to the
// account's own server, and the session must continue there.
func (c *Client) WithEndpoint(endpoint string) (*Client, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	cp := *c
	cp.endpoint, cp.url = u.String(), u
	return &cp, nil
}

// exchange is what differs between a SOAP call and an HTTP POST form call.
type exchange struct {
	url         string
	action      string
	version     Version // 0: bare XML answer (PostForm)
	contentType []string
	soapAction  []string
}

// Call sends request in a SOAP envelope with the SOAP headers attached to ctx (see
// WithRequestHeaders) and decodes the Body's first element into response (skipped when
// response is nil). A SOAP Fault comes back as *Fault whatever the HTTP status; an answer
// that is not SOAP comes back as *HTTPError (non-2xx) or *ProtocolError (2xx). A
// well-formed answer with a non-2xx status is decoded and returns nil: the status is in
// the Response from CaptureResponse.
func (c *Client) Call(ctx context.Context, action string, request, response any) error {
	for i := 0; i < len(action); i++ {
		if b := action[i]; b < 0x20 || b == 0x7f {
			return &InputError{Field: "action", Reason: "contains a control character"}
		}
	}
	p := getPayload()
	defer p.release()
	if err := writeEnvelope(p, c.version, requestHeaders(ctx), request); err != nil {
		p.broken = true
		return fmt.Errorf("soap: marshal request for %s: %w", action, err)
	}
	ex := exchange{url: c.endpoint, action: action, version: c.version}
	if c.version == SOAP12 {
		ct := contentType12
		if action != "" {
			ct += `; action="` + strings.ReplaceAll(action, `"`, `\"`) + `"`
		}
		ex.contentType = []string{ct}
	} else {
		ex.contentType = c.ctSOAP11
		ex.soapAction = []string{`"` + action + `"`}
	}
	return c.do(ctx, &ex, p, response)
}

// PostForm is ASMX's HTTP POST binding: the operation's parameters as form fields posted
// to endpoint + "/" + path (".../ws_cas_module.asmx/HandleUserTask"), answered by a bare
// XML document decoded into response. Errors, limits, logging, cookies and
// CaptureResponse behave as for Call; SOAP headers from WithRequestHeaders do not apply.
func (c *Client) PostForm(ctx context.Context, path string, form url.Values, response any) error {
	path = strings.Trim(path, "/")
	if path == "" || strings.ContainsAny(path, "?#") {
		return &InputError{Field: "path", Reason: "must be a non-empty operation path without query or fragment"}
	}
	u := *c.url
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + path
	u.RawPath = ""
	p := getPayload()
	defer p.release()
	p.buf.WriteString(form.Encode())
	ex := exchange{url: u.String(), action: path, contentType: c.ctForm}
	return c.do(ctx, &ex, p, response)
}

func (c *Client) do(ctx context.Context, ex *exchange, p *payload, response any) error {
	if c.timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.timeout {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
		}
	}
	// A context that has already ended sends nothing, whatever the transport does with it
	// (httpmock, for one, ignores it).
	if err := ctx.Err(); err != nil {
		return &TransportError{Op: "POST " + redactURL(ex.url), Err: fmt.Errorf("not sent: %w", err), ctx: err}
	}
	capture := capturedResponse(ctx)
	debug := c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug)
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, ex, p, response, capture, debug, attempt)
		if err == nil || c.retry == nil || ctx.Err() != nil {
			return err
		}
		wait, again := c.retry(attempt, err)
		if !again {
			return err
		}
		if c.observed {
			observeRetry(ctx, wait, err)
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("soap: %s: gave up waiting to retry after attempt %d: %w (last error: %s)",
					ex.action, attempt, ctx.Err(), err.Error())
			case <-t.C:
			}
		}
	}
}

func (c *Client) attempt(ctx context.Context, ex *exchange, p *payload, response any, capture *Response, debug bool, attempt int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ex.url, nil)
	if err != nil {
		return &InputError{Field: "endpoint", Reason: "cannot build request"}
	}
	// No GetBody: with it, an injected *http.Client that follows redirects would re-post
	// the body (credentials, a session ticket) to whatever a 307/308 Location names.
	// Without it net/http returns the 307/308 itself, which decode reports as an *HTTPError.
	//
	// The body is a copy in a NopCloser'd bytes.Reader, a reader net/http knows to be in
	// memory: it then writes headers and body in one go. Any other reader (such as one over
	// the pooled buffer, which would need its Close to know when net/http is done with it)
	// makes net/http flush the headers first: two TCP segments and an extra wakeup of the
	// server per call, about a fifth of a loopback call (BENCHMARKS.md in internal/bench).
	body := bytes.Clone(p.buf.Bytes())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header = http.Header{"Content-Type": ex.contentType, "User-Agent": c.userAgent}
	if ex.soapAction != nil {
		req.Header["Soapaction"] = ex.soapAction
	}
	if c.jar != nil {
		for _, ck := range c.jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	if capture != nil {
		*capture = Response{}
	}
	var start time.Time
	if debug {
		c.logRequest(ctx, ex, req, p.buf.Bytes(), attempt)
		start = time.Now()
	}
	if c.observed {
		start = time.Now()
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		terr := &TransportError{Op: "POST " + redactURL(ex.url), Err: err, ctx: ctx.Err(), secrets: c.secrets}
		if debug {
			c.logResponse(ctx, ex, nil, nil, time.Since(start), terr, attempt)
		}
		if c.observed {
			c.observeAttempt(ctx, ex, nil, nil, len(body), start, terr)
		}
		return terr
	}
	if c.jar != nil {
		if cks := resp.Cookies(); len(cks) > 0 {
			c.jar.SetCookies(req.URL, cks)
			for _, ck := range cks {
				c.secrets.Add(ck.Value) // a session cookie is a secret from now on
			}
		}
	}
	if capture != nil {
		capture.StatusCode = resp.StatusCode
		capture.HTTPHeader = resp.Header
	}
	br := newBodyReader(resp.Body, c.bodyLimit, debug)
	err = c.decode(resp, br, ex, response, capture)
	if !br.eof {
		drain(resp.Body)
	}
	resp.Body.Close()
	if err != nil && ctx.Err() != nil {
		if _, isFault := err.(*Fault); !isFault {
			err = &TransportError{Op: "POST " + redactURL(ex.url), Err: err, ctx: ctx.Err()}
		}
	}
	if err != nil {
		c.seal(err)
	}
	if debug {
		c.logResponse(ctx, ex, resp, br, time.Since(start), err, attempt)
	}
	if c.observed {
		c.observeAttempt(ctx, ex, resp, br, len(body), start, err)
	}
	return err
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

// mediaType returns the lower-cased type/subtype of a Content-Type, parameters dropped.
// It avoids mime.ParseMediaType, which allocates a map on every response.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// seal attaches the client's secrets to the runtime's error and scrubs the texts a server
// sent in its fields, so that neither a field nor a printed form shows a secret the Set knew
// when the answer arrived (and Error scrubs again with what it knows when printed).
func (c *Client) seal(err error) {
	if c.secrets == nil {
		return
	}
	s := c.secrets
	switch e := err.(type) {
	case *Fault:
		e.scrubFields(s)
	case *HTTPError:
		e.secrets = s
		e.Excerpt = s.String(e.Excerpt)
		e.Err = sealCause(e.Err, s)
	case *ProtocolError:
		e.secrets = s
		e.Excerpt = s.String(e.Excerpt)
		if f, ok := e.Err.(*Fault); ok {
			f.scrubFields(s)
		} else {
			e.Err = sealCause(e.Err, s)
		}
	case *TransportError:
		e.secrets = s
	}
}

// drain reads what is left of a body the decoder is done with, so that the connection can
// go back to the pool, but only a little and only briefly (maxDrain bytes, drainTimeout):
// a server that keeps sending after a complete answer must not hold the call. Past either
// bound the body is closed and the connection given up.
func drain(body io.ReadCloser) {
	t := time.AfterFunc(drainTimeout, func() { _ = body.Close() })
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	t.Stop()
}

// sealCause scrubs the cause of an *HTTPError or *ProtocolError, which a caller reaches with
// errors.Unwrap and may print on its own: a redirect's Location, an XML syntax error quoting
// the body.
func sealCause(err error, s *scrub.Set) error {
	if bb, ok := err.(*badBody); ok {
		bb.reason = s.String(bb.reason)
		bb.err = s.Error(bb.err)
		return bb
	}
	return s.Error(err)
}
