package projector

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"time"

	engine "github.com/offboard-go/offboard/internal/session"
)

// Option configures a Client.
type Option func(*options)

type options struct {
	httpClient       *http.Client
	logger           *slog.Logger
	timeout          time.Duration
	timeoutSet       bool
	userAgent        string
	redirectHosts    []string
	rateLimitWait    time.Duration
	rateLimitRetries int
	maxInFlight      int
	cultureName      string
	bodyLimit        int64
	rootCAs          *x509.CertPool
	maxRetryAfter    *time.Duration
	session          engine.Options
	observer         Observer
}

// Defaults. Projector asks clients to pause at least five seconds after a rate-limit error
// (its rolling window is 60 s) and counts concurrent calls per user, the browser session
// included, so four calls in flight is the most a client should use.
const (
	DefaultRateLimitWait    = 5 * time.Second
	DefaultRateLimitRetries = 3
	DefaultMaxInFlight      = 4
)

func defaultOptions() options {
	return options{
		rateLimitWait:    DefaultRateLimitWait,
		rateLimitRetries: DefaultRateLimitRetries,
		maxInFlight:      DefaultMaxInFlight,
	}
}

// WithHTTPClient sends every request through hc (custom transports, proxies, httpmock). hc
// is never modified. Without it the client has a keep-alive transport of its own.
func WithHTTPClient(hc *http.Client) Option { return func(o *options) { o.httpClient = hc } }

// WithLogger logs the client's decisions (authentication, redirects, re-authentication, rate
// limiting) and the wire exchanges at slog.LevelDebug. Passwords and session tickets are
// redacted from everything logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithTimeout bounds each HTTP exchange (default 60 s; 0 disables). A shorter deadline on the
// caller's context always wins.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout, o.timeoutSet = d, true }
}

// WithUserAgent sets the User-Agent header (default "offboard-go").
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// WithAllowedRedirectHosts lets PwsAuthenticate's RedirectUrl point to these hosts besides
// https://*.projectorpsa.com. Each entry is
//
//	"host"               https to host on any port
//	"host:port"          https to exactly that host and port
//	"http://host:port"   that host and port over https or plain http (a URL form, only for
//	                     test servers: plain http sends the password unencrypted)
//
// Hosts match exactly (no wildcards, no subdomains) and case-insensitively.
func WithAllowedRedirectHosts(hosts ...string) Option {
	return func(o *options) { o.redirectHosts = append(o.redirectHosts, hosts...) }
}

// WithRateLimitWait sets the pause after a 10016 RequestExceededRateLimit error before the
// request is retried (default 5 s, the minimum Projector asks for; use less only against a
// test server). The pause holds every call of the client, not just the one that was refused,
// as Projector recommends.
func WithRateLimitWait(d time.Duration) Option { return func(o *options) { o.rateLimitWait = d } }

// WithRateLimitRetries sets how many times a request refused with 10016 is retried before the
// error (ErrRateLimited) is returned (default 3; 0 disables retrying).
func WithRateLimitRetries(n int) Option { return func(o *options) { o.rateLimitRetries = n } }

// WithMaxInFlight caps the HTTP exchanges the client runs at once (default 4). Callers beyond
// the cap wait for a slot, honouring their context.
func WithMaxInFlight(n int) Option { return func(o *options) { o.maxInFlight = n } }

// WithCultureName sends CultureName (e.g. "en-US") with PwsAuthenticate, which sets the
// language of the session's messages. Without it the request carries no CultureName, exactly
// like Projector's sample.
func WithCultureName(name string) Option { return func(o *options) { o.cultureName = name } }

// WithBodyLimit caps the size of a response body in bytes (the runtime's default is 16 MiB);
// a larger answer is an error that is ErrProtocol.
func WithBodyLimit(n int64) Option { return func(o *options) { o.bodyLimit = n } }

// WithRootCAs replaces the system roots with pool for verifying the server's certificate
// (start from x509.SystemCertPool() to extend the system roots). Verification always stays
// on. It cannot be combined with WithHTTPClient, whose transport is the caller's.
func WithRootCAs(pool *x509.CertPool) Option { return func(o *options) { o.rootCAs = pool } }

// WithSessionLifetime declares how long a session ticket lasts after PwsAuthenticate, when
// your Projector installation says so: the client then authenticates again shortly before
// the end (a tenth of d, at most five minutes, ahead), while other calls keep the current
// ticket. Without it the ticket is used until Projector rejects it (10004, -101), and then
// renewed once for all callers.
func WithSessionLifetime(d time.Duration) Option { return func(o *options) { o.session.Lifetime = d } }

// WithRefusalCooldown makes the client try refused credentials again after d. By default a
// refusal is final for the client until ResetRefusal: every call fails at once with the
// remembered ErrAuthentication and sends nothing, since Projector locks an account after a
// few failed logins.
func WithRefusalCooldown(d time.Duration) Option { return func(o *options) { o.session.Cooldown = d } }

// WithMaxRetryAfter caps how long an HTTP 429 or 503's Retry-After header can pause the
// client (default one minute, soapx.DefaultMaxRetryAfter): the pause holds every call of the
// client, so one answer asking for an hour must not freeze it for an hour.
func WithMaxRetryAfter(d time.Duration) Option { return func(o *options) { o.maxRetryAfter = &d } }
