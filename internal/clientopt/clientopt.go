// Package clientopt holds the options every service client offers, written once: each
// package's options struct embeds Common, each package's With… function of the same name sets
// the same field, and New checks them and turns them into runtime options here. So
// cas.WithTimeout and uds.WithTimeout mean exactly the same thing and refuse the same values.
package clientopt

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"time"

	"github.com/offboard-go/offboard/internal/scrub"
	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
)

// Common are the options shared by the four clients. The zero value is the defaults.
type Common struct {
	HTTPClient    *http.Client
	HTTPClientSet bool // WithHTTPClient was given (nil is then refused, not ignored)
	Logger        *slog.Logger
	Timeout       time.Duration
	TimeoutSet    bool
	UserAgent     string
	BodyLimit     int64
	RootCAs       *x509.CertPool
	RetryAttempts int // WithRetry: attempts in all; 0: no retry
	RetryBackoff  time.Duration
	MaxRetryAfter time.Duration
	MaxWaitSet    bool
	Session       engine.Options
	LifetimeSet   bool
}

// The options' names, as the service packages spell them: InputError.Field names them.
const (
	OptHTTPClient      = "WithHTTPClient"
	OptTimeout         = "WithTimeout"
	OptBodyLimit       = "WithBodyLimit"
	OptRootCAs         = "WithRootCAs"
	OptRetry           = "WithRetry"
	OptMaxRetryAfter   = "WithMaxRetryAfter"
	OptSessionLifetime = "WithSessionLifetime"
	OptRefusalCooldown = "WithRefusalCooldown"
	OptUserAgent       = "WithUserAgent"
)

// Check refuses values no client can use, naming the option.
func (c *Common) Check() error {
	bad := func(field, reason string) error { return &soapx.InputError{Field: field, Reason: reason} }
	switch {
	case c.HTTPClientSet && c.HTTPClient == nil:
		return bad(OptHTTPClient, "is nil (leave the option out to use the client's own transport)")
	case c.HTTPClient != nil && c.RootCAs != nil:
		return bad(OptRootCAs, "cannot be combined with WithHTTPClient: configure that client's transport")
	case c.TimeoutSet && c.Timeout < 0:
		return bad(OptTimeout, "must not be negative (0 disables it)")
	case c.BodyLimit < 0:
		return bad(OptBodyLimit, "must not be negative (0 keeps the default)")
	case c.RetryAttempts < 0:
		return bad(OptRetry, "maxAttempts must not be negative")
	case c.RetryBackoff < 0:
		return bad(OptRetry, "backoff must not be negative")
	case c.MaxWaitSet && c.MaxRetryAfter < 0:
		return bad(OptMaxRetryAfter, "must not be negative")
	case c.LifetimeSet && c.Session.Lifetime <= 0:
		return bad(OptSessionLifetime, "must be positive")
	case c.Session.Cooldown < 0:
		return bad(OptRefusalCooldown, "must not be negative")
	}
	if err := soapx.CheckText(OptUserAgent, c.UserAgent); err != nil {
		return err
	}
	return nil
}

// SOAP returns the runtime options for the common settings.
func (c *Common) SOAP() []soapx.Option {
	var o []soapx.Option
	if c.HTTPClient != nil {
		o = append(o, soapx.WithHTTPClient(c.HTTPClient))
	}
	if c.Logger != nil {
		o = append(o, soapx.WithLogger(c.Logger))
	}
	if c.TimeoutSet {
		o = append(o, soapx.WithTimeout(c.Timeout))
	}
	if c.UserAgent != "" {
		o = append(o, soapx.WithUserAgent(c.UserAgent))
	}
	if c.BodyLimit > 0 {
		o = append(o, soapx.WithBodyLimit(c.BodyLimit))
	}
	if c.RootCAs != nil {
		o = append(o, soapx.WithRootCAs(c.RootCAs))
	}
	if c.RetryAttempts > 1 {
		o = append(o, soapx.WithRetry(soapx.RetryTransient(c.RetryAttempts, c.RetryBackoff)))
	}
	if c.MaxWaitSet {
		o = append(o, soapx.WithMaxRetryAfter(c.MaxRetryAfter))
	}
	return o
}

// SessionOptions are the session engine's options: log (the client's scrubbing logger, nil
// for none) for its decisions, the lifetime (defaultLifetime unless
// WithSessionLifetime was given), the refusal cooldown, and a login timeout of at least
// DefaultLoginTimeout, longer when one exchange may take longer (a login is up to perLogin
// exchanges).
func (c *Common) SessionOptions(defaultLifetime time.Duration, perLogin int, log *slog.Logger) engine.Options {
	s := c.Session
	s.Logger = log
	if !c.LifetimeSet {
		s.Lifetime = defaultLifetime
	}
	if c.TimeoutSet && c.Timeout > 0 {
		s.LoginTimeout = max(engine.DefaultLoginTimeout, time.Duration(perLogin)*c.Timeout)
	}
	return s
}

// ScrubbedLogger is the WithLogger logger with secrets removed from every record, or nil when
// there is none.
func (c *Common) ScrubbedLogger(secrets *scrub.Set) *slog.Logger {
	if c.Logger == nil {
		return nil
	}
	return slog.New(secrets.Handler(c.Logger.Handler()))
}
