package soapx

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"time"

	"github.com/offboard-go/offboard/internal/scrub"
)

// Option configures a Client. Options only fill a config; NewClient validates the whole,
// so a bad combination is reported once, as an error, instead of surprising at call time.
type Option func(*config)

type config struct {
	version    Version
	httpClient *http.Client
	timeout    time.Duration
	bodyLimit  int64
	logger     *slog.Logger
	redact     []string
	jar        http.CookieJar
	retry      RetryPolicy
	userAgent  string
	rootCAs    *x509.CertPool
	answerAt   func(int) bool
	secrets    *scrub.Set
	observed   bool // WithObserver (observe.go)

	maxRetryAfter time.Duration
}

const (
	defaultTimeout   = 60 * time.Second
	defaultBodyLimit = 16 << 20

	// DefaultMaxRetryAfter caps how long a server's Retry-After can make a client wait.
	DefaultMaxRetryAfter = time.Minute
)

func defaultConfig() config {
	return config{
		version:   SOAP11,
		timeout:   defaultTimeout,
		bodyLimit: defaultBodyLimit,
		userAgent: DefaultUserAgent(),

		maxRetryAfter: DefaultMaxRetryAfter,
	}
}

// WithVersion selects the SOAP version of the envelopes sent (default SOAP11).
func WithVersion(v Version) Option { return func(c *config) { c.version = v } }

// WithHTTPClient makes the client send through hc, which it never modifies (cookies are
// applied by the runtime, not through hc.Jar). This is the seam for httpmock
// (httpmock.ActivateNonDefault(hc)) and for custom transports. Without it the client owns a
// keep-alive transport of its own; http.DefaultClient is never used, so other code
// tweaking it cannot change how the services are called. Whatever hc's redirect policy, a
// request body is never re-sent to a redirect's Location, and a 3xx answer (or one reached
// by following it) is an *HTTPError.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithTimeout bounds each Call or PostForm, retries included (default 60s; 0 disables).
// It only applies when the caller's context has no earlier deadline, so a caller's tighter
// deadline always wins and a looser one is not silently extended.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithBodyLimit caps the response body (default 16 MiB). A DataSet answer is streamed,
// so the cap is about refusing runaway answers, not about memory per se.
func WithBodyLimit(n int64) Option { return func(c *config) { c.bodyLimit = n } }

// WithLogger enables wire logging at slog.LevelDebug: method, URL, action, status,
// duration, headers and bodies, redacted and cut at 64 KiB. Nothing is built unless the
// logger has debug enabled, so leaving a logger configured costs nothing in production.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRedact adds names (element local names, form fields, HTTP headers; case-insensitive)
// to the redaction list used for logs and error excerpts. The defaults cover the four
// services' secrets and cannot be removed.
func WithRedact(names ...string) Option {
	return func(c *config) { c.redact = append(c.redact, names...) }
}

// WithCookieJar gives the client a cookie jar (provisioning's session is an ASP.NET
// session cookie). The runtime applies it itself, so an injected *http.Client is never
// mutated and two clients sharing an http.Client keep separate sessions.
func WithCookieJar(j http.CookieJar) Option { return func(c *config) { c.jar = j } }

// WithRetry installs a retry policy; see RetryPolicy.
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithUserAgent sets the User-Agent header (default DefaultUserAgent: "offboard-go/<version>").
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithRootCAs sets the CA pool the client's own transport trusts (an on-prem SAS or UDS
// with a private CA). The pool replaces the system roots; start from
// x509.SystemCertPool() to extend them. There is deliberately no option to skip
// verification. It cannot be combined with WithHTTPClient, whose transport is the caller's.
func WithRootCAs(pool *x509.CertPool) Option { return func(c *config) { c.rootCAs = pool } }

// WithAnswerStatus lets a SOAP answer that is not a Fault be the operation's result when it
// comes with an HTTP status outside 2xx for which accept returns true; the caller reads the
// status from Response.StatusCode. ASMX's cas module rejects bad credentials with 404 and a
// normal body; Projector's result carries its own Status and messages, which say more than
// the HTTP status. Without it, a non-Fault answer with a status outside 2xx is an
// *HTTPError (with the start of the body in its excerpt): whatever sent it, a proxy or a
// misrouted URL, it is not a success.
func WithAnswerStatus(accept func(status int) bool) Option {
	return func(c *config) { c.answerAt = accept }
}

// WithSecrets gives the client the secret values its service package knows (credentials,
// OTPs, tokens, tickets, cookies; the Set may grow while the client runs). Everything the
// runtime produces is scrubbed of them besides the name-based redaction: the text fields of a
// *Fault (code, reason, actor, node, detail), excerpts and causes of *HTTPError and
// *ProtocolError, *TransportError, and every log record. A nil Set scrubs nothing.
func WithSecrets(s *scrub.Set) Option { return func(c *config) { c.secrets = s } }

// WithMaxRetryAfter caps the wait a server's Retry-After header asks for (default
// DefaultMaxRetryAfter, one minute): HTTPError.RetryAfter, and so every wait based on it
// (RetryTransient, projector's pause), is never longer. One answer with "Retry-After: 3600"
// must not freeze a client for an hour.
func WithMaxRetryAfter(d time.Duration) Option { return func(c *config) { c.maxRetryAfter = d } }
