package uds

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/offboard-go/offboard/internal/clientopt"
	"github.com/offboard-go/offboard/internal/scrub"
	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// ServicePath is where AuthMinder deploys ArcotUserRegistrySvc under its host, e.g.
// https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc.
const ServicePath = "/arcotuds/services/ArcotUserRegistrySvc"

// Client calls ArcotUserRegistrySvc, the User Data Service port that manages users.
// It always speaks SOAP 1.2, the only binding the service has. It is safe for concurrent
// use; with credentials it holds the AnA authToken the server issued and shares it between
// callers.
type Client struct {
	endpoint string
	port     udswsdl.ArcotUserRegistrySvcPortType
	soap     *soapx.Client
	logger   *slog.Logger
	ana      *ana // nil when AnA is off: no AnA header is sent
	// sessions holds the authToken (none when AnA is off) and whether the client is closed;
	// classes classifies error numbers.
	sessions *engine.Engine[string]
	classes  errorClasses
	// secrets holds the values scrubbed from everything the client returns and logs: the
	// credential from the start, each authToken once issued.
	secrets *scrub.Set
	obs     *soapx.Hook // nil without WithObserver (observe.go)
}

// Option configures a Client.
type Option func(*config)

type config struct {
	common        clientopt.Common // options_common.gen.go
	creds         Credentials
	targetOrgs    []string
	targetAllOrgs bool
	globalEntity  bool
	classes       map[string]ErrorClass
	observer      Observer
}

// DefaultTokenLifetime is how long an AnA authToken lasts by default: "valid for a
// configurable duration of 1 day" (the service's documentation).
const DefaultTokenLifetime = 24 * time.Hour

// Credentials are the AnA (Authentication and Authorization) identity of the client: the
// userID, orgName and credential header values of an administrator. The zero value turns AnA
// off: the client sends no AnA header, for services where AnA is not enabled. Otherwise every
// field is required (New names the one missing).
//
// With Credentials the first call sends userID, orgName and credential as SOAP header blocks,
// and later calls send the authToken the server answered with instead. When the server
// rejects the token (expired after its configured lifetime, one day by default), the client
// authenticates again with the credentials and retries the call once.
//
// Printing Credentials with any fmt verb never shows the credential.
type Credentials struct {
	UserID     string // the administrator's user id (AnA header userID)
	OrgName    string // the administrator's organisation (AnA header orgName)
	Credential string // the administrator's password (AnA header credential): a secret
}

// String describes c with the credential replaced by [REDACTED] (<empty> when it is empty).
func (c Credentials) String() string {
	cred := "<empty>"
	if c.Credential != "" {
		cred = "[REDACTED]"
	}
	return fmt.Sprintf("uds.Credentials{UserID:%q OrgName:%q Credential:%s}", c.UserID, c.OrgName, cred)
}

// GoString is String: %#v must not print the credential either.
func (c Credentials) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x…) print String, so no verb can reach
// the credential.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// set reports whether c turns AnA on (any field given).
func (c Credentials) set() bool { return c != Credentials{} }

// WithTargetOrgs sends one targetorg AnA header per organisation: the organisations the
// operation is authorised to act on. Repeatable; needs Credentials (AnA).
func WithTargetOrgs(orgs ...string) Option {
	return func(c *config) { c.targetOrgs = append(c.targetOrgs, orgs...) }
}

// WithTargetAllOrgs sends the AnA header targetAllOrgs=TRUE (act on all organisations).
// Needs Credentials (AnA).
func WithTargetAllOrgs() Option {
	return func(c *config) { c.targetAllOrgs = true }
}

// WithGlobalEntity sends the AnA header globalEntity=TRUE (act on global entities). Needs
// Credentials (AnA).
func WithGlobalEntity() Option {
	return func(c *config) { c.globalEntity = true }
}

// New returns a client for the ArcotUserRegistrySvc endpoint, a full URL such as
// https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc (see ServicePath).
// With the zero Credentials no AnA header is sent (services where AnA is off). Every input
// is checked here: a bad one is an *InputError naming it, before any request.
func New(endpoint string, creds Credentials, opts ...Option) (*Client, error) {
	cfg := config{creds: creds}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := checkEndpoint(endpoint); err != nil {
		return nil, err
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	// The service has a SOAP 1.2 binding only; no Option can change the version, and the
	// runtime redacts the AnA secrets in its wire log (said again here so it cannot drift).
	secrets := scrub.New(cfg.creds.Credential)
	sopts := append(cfg.common.SOAP(), soapx.WithRedact("credential", "authToken"), soapx.WithVersion(soapx.SOAP12),
		soapx.WithSecrets(secrets))
	if cfg.observer != nil {
		sopts = append(sopts, soapx.WithObserver(cfg.observer))
	}
	sc, err := soapx.NewClient(endpoint, sopts...)
	if err != nil {
		return nil, fmt.Errorf("uds: %w", err)
	}
	logger := slog.New(slog.DiscardHandler)
	if cfg.common.Logger != nil {
		logger = slog.New(secrets.Handler(cfg.common.Logger.Handler()))
	}
	if cfg.classes == nil {
		cfg.classes = DefaultErrorClasses()
	}
	c := &Client{
		endpoint: endpoint,
		port:     udswsdl.NewArcotUserRegistrySvcPortType(sc),
		soap:     sc,
		logger:   logger,
		secrets:  secrets,
		classes:  cfg.classes,
	}
	c.obs = soapx.NewHook(cfg.observer, "uds", soapx.SOAP12, endpoint, secrets)
	lifetime := time.Duration(0)
	if cfg.creds.set() {
		c.ana = newANA(&cfg)
		lifetime = DefaultTokenLifetime
	}
	c.sessions = engine.New[string](cfg.common.SessionOptions(lifetime, 1, logger).Config(c.refusedCredentials))
	return c, nil
}

func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &soapx.InputError{Field: "endpoint", Reason: "must be an absolute http or https URL"}
	}
	return nil
}

func (cfg *config) check() error {
	if err := cfg.common.Check(); err != nil {
		return err
	}
	for number, class := range cfg.classes {
		if number == "" || class < ClassUnknown || class > ClassNotFound {
			return &soapx.InputError{Field: "WithErrorClasses", Reason: fmt.Sprintf("entry %q: %v is not a known class", number, class)}
		}
	}
	if cr := cfg.creds; cr.set() {
		// A partly filled value is a mistake (a variable that was not set), not AnA off.
		for _, f := range [...]struct{ name, value string }{
			{"Credentials.UserID", cr.UserID}, {"Credentials.OrgName", cr.OrgName}, {"Credentials.Credential", cr.Credential},
		} {
			if f.value == "" {
				return &soapx.InputError{Field: f.name, Reason: "must not be empty (the zero Credentials turn AnA off)"}
			}
		}
		if err := soapx.CheckTexts("Credentials.UserID", cr.UserID, "Credentials.OrgName", cr.OrgName,
			"Credentials.Credential", cr.Credential); err != nil {
			return err
		}
		for i, o := range cfg.targetOrgs {
			if o == "" {
				return &soapx.InputError{Field: fmt.Sprintf("WithTargetOrgs[%d]", i), Reason: "must not be empty"}
			}
			if err := soapx.CheckText(fmt.Sprintf("WithTargetOrgs[%d]", i), o); err != nil {
				return err
			}
		}
		return nil
	}
	// Authorisation headers only mean something inside an AnA request.
	switch {
	case len(cfg.targetOrgs) > 0:
		return &soapx.InputError{Field: "WithTargetOrgs", Reason: "needs Credentials (AnA)"}
	case cfg.targetAllOrgs:
		return &soapx.InputError{Field: "WithTargetAllOrgs", Reason: "needs Credentials (AnA)"}
	case cfg.globalEntity:
		return &soapx.InputError{Field: "WithGlobalEntity", Reason: "needs Credentials (AnA)"}
	}
	return nil
}

// Endpoint returns the URL the client calls.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without any secret: neither the credential nor the authToken.
func (c *Client) String() string {
	if c == nil {
		return "uds.Client(nil)"
	}
	if c.ana == nil {
		return fmt.Sprintf("uds.Client{endpoint: %q, AnA: off}", c.endpoint)
	}
	return fmt.Sprintf("uds.Client{endpoint: %q, AnA: on, userID: %q, orgName: %q, credential: [REDACTED], authToken: %s}",
		c.endpoint, c.ana.userID, c.ana.orgName, c.tokenState())
}

// GoString is String: %#v must not print the secrets either.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q) print String.
func (c *Client) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = io.WriteString(f, c.String())
}
