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
	userID        string
	orgName       string
	credential    string
	hasCreds      bool
	targetOrgs    []string
	targetAllOrgs bool
	globalEntity  bool
	classes       map[string]ErrorClass
	observer      Observer
}

// DefaultTokenLifetime is how long an AnA authToken lasts by default: "valid for a
// configurable duration of 1 day" (the service's documentation).
const DefaultTokenLifetime = 24 * time.Hour

// WithCredentials turns AnA (Authentication and Authorization) on: the first call sends
// userID, orgName and credential as SOAP header blocks, and later calls send the authToken
// the server answered with instead. When the server rejects the token (expired after its
// configured lifetime, one day by default), the client authenticates again with the
// credentials and retries the call once. orgName may be empty (then it is not sent).
func WithCredentials(userID, orgName, credential string) Option {
	return func(c *config) {
		c.userID, c.orgName, c.credential, c.hasCreds = userID, orgName, credential, true
	}
}

// WithTargetOrgs sends one targetorg AnA header per organisation: the organisations the
// operation is authorised to act on. Repeatable; needs WithCredentials.
func WithTargetOrgs(orgs ...string) Option {
	return func(c *config) { c.targetOrgs = append(c.targetOrgs, orgs...) }
}

// WithTargetAllOrgs sends the AnA header targetAllOrgs=TRUE (act on all organisations).
// Needs WithCredentials.
func WithTargetAllOrgs() Option {
	return func(c *config) { c.targetAllOrgs = true }
}

// WithGlobalEntity sends the AnA header globalEntity=TRUE (act on global entities). Needs
// WithCredentials.
func WithGlobalEntity() Option {
	return func(c *config) { c.globalEntity = true }
}

// New returns a client for the ArcotUserRegistrySvc endpoint, a full URL such as
// https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc (see ServicePath).
// Without WithCredentials no AnA header is sent (services where AnA is off).
func New(endpoint string, opts ...Option) (*Client, error) {
	var cfg config
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
	secrets := scrub.New(cfg.credential)
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
	if cfg.hasCreds {
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
	if cfg.hasCreds {
		if cfg.userID == "" {
			return &soapx.InputError{Field: "WithCredentials.userID", Reason: "must not be empty"}
		}
		if cfg.credential == "" {
			return &soapx.InputError{Field: "WithCredentials.credential", Reason: "must not be empty"}
		}
		if err := soapx.CheckTexts("WithCredentials.userID", cfg.userID, "WithCredentials.orgName", cfg.orgName,
			"WithCredentials.credential", cfg.credential); err != nil {
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
		return &soapx.InputError{Field: "WithTargetOrgs", Reason: "needs WithCredentials (AnA)"}
	case cfg.targetAllOrgs:
		return &soapx.InputError{Field: "WithTargetAllOrgs", Reason: "needs WithCredentials (AnA)"}
	case cfg.globalEntity:
		return &soapx.InputError{Field: "WithGlobalEntity", Reason: "needs WithCredentials (AnA)"}
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
