package projector

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/offboard-go/offboard/internal/scrub"
	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
)

// Credentials are what PwsAuthenticate needs; New requires all three. They are sent only to
// the configured endpoint and to RedirectUrl targets the client accepts (see
// WithAllowedRedirectHosts). Printing Credentials with fmt, under any verb and as a pointer
// too, shows the password as [REDACTED] (or <empty>), never its value.
type Credentials struct {
	AccountCode string // the account (installation) code, e.g. "revcorp"
	UserName    string // the user who logs in, e.g. "ops@revcorp.com"
	Password    string // secret
}

// String describes c without the password.
func (c Credentials) String() string {
	return fmt.Sprintf("projector.Credentials{AccountCode:%q UserName:%q Password:%s}", c.AccountCode, c.UserName, redactedSecret(c.Password))
}

// GoString is %#v of c without the password.
func (c Credentials) GoString() string {
	return fmt.Sprintf("projector.Credentials{AccountCode:%q, UserName:%q, Password:%q}", c.AccountCode, c.UserName, redactedSecret(c.Password))
}

// Format makes every fmt verb print String (GoString for %#v), so no verb can reach the
// password field.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, c.GoString())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// redactedSecret is how a secret prints: [REDACTED] when set, <empty> when empty.
func redactedSecret(s string) string {
	if s == "" {
		return "<empty>"
	}
	return "[REDACTED]"
}

// Client calls Projector PSA's PWS web services (PwsProjectorServices.svc, WCF, SOAP 1.1).
// It authenticates lazily on the first call and keeps the session ticket; it is safe for
// concurrent use. Close ends the session. Formatting a Client with fmt shows neither the
// password nor the session ticket, whatever the verb.
type Client struct {
	c *client // everything behind one pointer, so even %+v of a Client value prints no field
}

type client struct {
	endpoint string        // as configured
	soap     *soapx.Client // bound to endpoint
	// creds is behind a pointer: printing a dereferenced Client with a verb fmt finds wrong
	// for a pointer (%s, %d…) shows this struct's fields, and a pointer field only as an address.
	creds   *Credentials
	opts    options
	log     *slog.Logger
	allowed []allowedHost
	// secrets holds the values scrubbed from everything the client returns and logs: the
	// password from the start, each SessionTicket once issued.
	secrets *scrub.Set

	slots     chan struct{} // in-flight exchanges (WithMaxInFlight)
	requestID atomic.Uint64
	sessions  *engine.Engine[session]
	loginFn   engine.Login[session] // c.login, bound once so that calls allocate no closure
	obs       *soapx.Hook           // nil without WithObserver (observe.go)

	mu         sync.Mutex
	home       *soapx.Client // where the next PwsAuthenticate goes: the endpoint, or the last redirect target
	pauseUntil int64         // UnixNano before which no request is sent (rate limiting)
}

// New returns a client for a PwsProjectorServices.svc endpoint, typically
// https://<server>.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc. Nothing is
// sent until the first call. Invalid arguments give an error that is ErrInvalidInput.
func New(endpoint string, creds Credentials, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := o.common.Check(); err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(creds.AccountCode) == "":
		return nil, &soapx.InputError{Field: "Credentials.AccountCode", Reason: "required"}
	case strings.TrimSpace(creds.UserName) == "":
		return nil, &soapx.InputError{Field: "Credentials.UserName", Reason: "required"}
	case creds.Password == "":
		return nil, &soapx.InputError{Field: "Credentials.Password", Reason: "required"}
	case o.maxInFlight < 1:
		return nil, &soapx.InputError{Field: "WithMaxInFlight", Reason: "must be at least 1"}
	case o.rateLimitRetries < 0:
		return nil, &soapx.InputError{Field: "WithRateLimitRetries", Reason: "must not be negative"}
	case o.rateLimitWait < 0:
		return nil, &soapx.InputError{Field: "WithRateLimitWait", Reason: "must not be negative"}
	case len(o.cultureName) > 15:
		return nil, &soapx.InputError{Field: "WithCultureName", Reason: "longer than the 15 characters PWS accepts"}
	}
	if err := soapx.CheckTexts("Credentials.AccountCode", creds.AccountCode, "Credentials.UserName", creds.UserName,
		"Credentials.Password", creds.Password, "WithCultureName", o.cultureName); err != nil {
		return nil, err
	}
	allowed, err := parseAllowedHosts(o.redirectHosts)
	if err != nil {
		return nil, err
	}
	secrets := scrub.New(creds.Password)
	soapOpts := []soapx.Option{
		soapx.WithSecrets(secrets),
		soapx.WithVersion(soapx.SOAP11),
		soapx.WithRedact("Password", "SessionTicket", "CrossoverTicket", "Fingerprint"),
		// A result says more than its HTTP status (its Status and PwsMessages): decode it
		// whatever the status, and let exchange refuse a non-2xx one.
		soapx.WithAnswerStatus(func(int) bool { return true }),
	}
	soapOpts = append(soapOpts, o.common.SOAP()...) // the runtime follows no redirect, whatever the client
	if o.observer != nil {
		soapOpts = append(soapOpts, soapx.WithObserver(o.observer))
	}
	sc, err := soapx.NewClient(endpoint, soapOpts...)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.DiscardHandler)
	if o.common.Logger != nil {
		log = slog.New(secrets.Handler(o.common.Logger.Handler()))
	}
	c := &client{
		endpoint: sc.Endpoint(),
		soap:     sc,
		home:     sc,
		creds:    &creds,
		opts:     o,
		log:      log.With("service", "projector"),
		allowed:  allowed,
		secrets:  secrets,
		slots:    make(chan struct{}, o.maxInFlight),
		sessions: engine.New[session](o.common.SessionOptions(0, maxRedirects+1, log.With("service", "projector")).Config(refusedCredentials)), // a login: PwsAuthenticate and up to maxRedirects redirected ones
	}
	c.loginFn = c.login
	c.obs = soapx.NewHook(o.observer, "projector", soapx.SOAP11, sc.Endpoint(), secrets)
	return &Client{c: c}, nil
}

// Endpoint returns the URL the client currently talks to: the configured endpoint, or the
// server PwsAuthenticate redirected it to.
func (c *Client) Endpoint() string { return c.c.currentEndpoint() }

func (c *client) currentEndpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.home.Endpoint()
}

// String describes the client without its password or session ticket.
func (c *Client) String() string {
	if c == nil || c.c == nil {
		return "projector.Client(nil)"
	}
	return c.c.String()
}

// GoString is %#v of the client: String, so that it shows neither the password nor the
// session ticket.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb print String: %+v of a struct would otherwise show the
// credentials and the session ticket held in unexported fields.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

func (c *client) String() string {
	c.mu.Lock()
	ep := c.home.Endpoint()
	c.mu.Unlock()
	authenticated, closed := c.sessions.Fresh() != nil, c.sessions.Closed()
	if u, err := url.Parse(ep); err == nil {
		ep = u.Redacted()
	}
	return fmt.Sprintf("projector.Client{Endpoint:%q AccountCode:%q UserName:%q Authenticated:%t Closed:%t}",
		ep, c.creds.AccountCode, c.creds.UserName, authenticated, closed)
}

// Login opens a session now (PwsAuthenticate, following a RedirectUrl) instead of on the
// first call, to check the credentials early. It does nothing when a session is open. Bad
// credentials give an error that is ErrAuthentication; a refused RedirectUrl one that is
// ErrRedirectRefused.
func (c *Client) Login(ctx context.Context) error {
	ctx, call := c.c.startCall(ctx, opAuthenticate)
	_, err := c.c.session(ctx)
	err = c.c.secrets.Error(err)
	c.c.endCall(call, err)
	return err
}

// Close ends the session with PwsUnauthenticate (SOAPAction
// http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsUnauthenticate), if
// one was opened, and releases the idle connections of the transport the client made for
// itself (one given with WithHTTPClient is the caller's). After Close every call returns
// ErrClosed; Close itself may be called again. A ticket the server already considers invalid
// is not an error.
func (c *Client) Close(ctx context.Context) error {
	ctx, call := c.c.startCall(ctx, opUnauthenticate)
	err := c.c.secrets.Error(c.c.close(ctx))
	c.c.endCall(call, err)
	return err
}

func (c *client) close(ctx context.Context) error {
	// Last, the idle connections of the transport the client made for itself (a redirect
	// target's client shares it); a caller's own transport is left alone.
	defer c.soap.CloseIdleConnections()
	// The engine waits for an authentication in progress, so its ticket is not left open.
	s, err := c.sessions.Close(ctx)
	if s == nil {
		return err
	}
	err = c.unauthenticate(ctx, &s.Value)
	if err != nil && errorIsSessionExpired(err) {
		return nil
	}
	return err
}

// ResetRefusal forgets that the server refused the credentials, so that the next call
// authenticates again. Until then (or until WithRefusalCooldown has passed) every call fails
// with the remembered ErrAuthentication and sends nothing: Projector locks an account after
// a few failed logins.
func (c *Client) ResetRefusal() { c.c.sessions.Reset() }

// nextRequestID numbers the requests of this client 1, 2, 3…; PWS echoes it as ResponseId.
func (c *client) nextRequestID() int32 {
	n := c.requestID.Add(1)
	return int32((n-1)%(1<<31-1) + 1)
}
