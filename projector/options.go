package projector

import (
	"time"

	"github.com/offboard-go/offboard/internal/clientopt"
)

// Option configures a Client.
type Option func(*options)

type options struct {
	common           clientopt.Common // options_common.gen.go
	redirectHosts    []string
	rateLimitWait    time.Duration
	rateLimitRetries int
	maxInFlight      int
	cultureName      string
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
