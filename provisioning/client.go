package provisioning

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/offboard-go/offboard/internal/clientopt"
	"github.com/offboard-go/offboard/internal/scrub"
	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

// OTPSource returns a one-time password for the operator. The Client calls it each time it
// must log in (first use, and again after the session expired), because an OTP is valid
// once. A static password source simply returns the same value every time.
type OTPSource func(ctx context.Context) (string, error)

// Credentials are what the Connect operation needs: the operator's e-mail and where to take
// each one-time password from. Both are required. Formatting Credentials with fmt never
// calls or shows the OTP source, whatever the verb.
type Credentials struct {
	// OperatorEmail is the e-mail of the operator the Client acts as.
	OperatorEmail string
	// OTP gives a fresh one-time password for each login.
	OTP OTPSource
}

// String describes c without its OTP source: [REDACTED] when set, <empty> when nil.
func (c Credentials) String() string {
	otp := "<empty>"
	if c.OTP != nil {
		otp = "[REDACTED]"
	}
	return fmt.Sprintf("provisioning.Credentials{OperatorEmail:%q OTP:%s}", c.OperatorEmail, otp)
}

// GoString is String, so that %#v shows no OTP source either.
func (c Credentials) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q…) print String.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// SOAPVersion selects the SOAP binding of BSIDCA.asmx.
type SOAPVersion int

// The SOAP versions BSIDCA.asmx serves.
const (
	SOAP11 SOAPVersion = iota + 1 // text/xml with a SOAPAction header (the default)
	SOAP12                        // application/soap+xml with the action in the Content-Type
)

func (v SOAPVersion) String() string {
	switch v {
	case SOAP11:
		return "SOAP 1.1"
	case SOAP12:
		return "SOAP 1.2"
	}
	return fmt.Sprintf("SOAPVersion(%d)", int(v))
}

// DefaultPageSize is the number of records the iterators (AllTasks, AllTasksForUser) ask for
// per call unless WithPageSize says otherwise.
const DefaultPageSize = 100

// Client calls the provisioning-task operations of a SafeNet BSIDCA service
// (https://<host>/bsidca/BSIDCA.asmx). It is safe for concurrent use.
//
// The management session is the ASP.NET session cookie that the Connect operation sets. The
// Client keeps it in a cookie jar of its own, logs in on first use (or with Login), and logs
// in again (once, for all concurrent callers) when a call finds the session gone.
type Client struct {
	endpoint string
	operator string
	otp      OTPSource
	version  SOAPVersion
	pageSize int
	log      *slog.Logger

	soap *soapx.Client
	stub provisioningwsdl.BSIDCASoap
	// secrets holds the values scrubbed from everything the client returns and logs: each
	// OTP as it is used and the session cookie once issued.
	secrets *scrub.Set

	sessions *engine.Engine[ConnectResult]
	loginFn  engine.Login[ConnectResult] // c.connect, bound once so that calls allocate no closure
	obs      *soapx.Hook                 // nil without WithObserver (observe.go)
}

type config struct {
	common   clientopt.Common // options_common.gen.go
	version  SOAPVersion
	pageSize int
	observer Observer
}

// Option configures a Client.
type Option func(*config)

// WithSOAPVersion selects SOAP 1.1 (the default) or SOAP 1.2.
func WithSOAPVersion(v SOAPVersion) Option { return func(c *config) { c.version = v } }

// WithPageSize sets the numberOfRecords the iterators ask for per call (default
// DefaultPageSize).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// New returns a Client for the BSIDCA endpoint, for example
// "https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx", acting as creds.OperatorEmail with OTPs
// from creds.OTP. Every input is checked here (an *InputError names the field); nothing is
// sent until the first call or Login.
func New(endpoint string, creds Credentials, opts ...Option) (*Client, error) {
	if strings.TrimSpace(endpoint) == "" {
		return nil, &soapx.InputError{Field: "endpoint", Reason: "is empty"}
	}
	if strings.TrimSpace(creds.OperatorEmail) == "" {
		return nil, &soapx.InputError{Field: "Credentials.OperatorEmail", Reason: "is empty"}
	}
	if creds.OTP == nil {
		return nil, &soapx.InputError{Field: "Credentials.OTP", Reason: "is nil"}
	}
	if err := soapx.CheckText("Credentials.OperatorEmail", creds.OperatorEmail); err != nil {
		return nil, err
	}
	cfg := config{version: SOAP11, pageSize: DefaultPageSize}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.pageSize <= 0 || cfg.pageSize > maxInt32 {
		return nil, &soapx.InputError{Field: "WithPageSize", Reason: "must be between 1 and 2147483647"}
	}
	var version soapx.Version
	switch cfg.version {
	case SOAP11:
		version = soapx.SOAP11
	case SOAP12:
		version = soapx.SOAP12
	default:
		return nil, &soapx.InputError{Field: "WithSOAPVersion", Reason: "must be SOAP11 or SOAP12"}
	}
	if err := cfg.common.Check(); err != nil {
		return nil, err
	}
	// A jar of the Client's own: the session belongs to this Client, not to a shared
	// http.Client. A nil public-suffix list is right for one service host.
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("provisioning: cookie jar: %w", err)
	}
	secrets := scrub.New()
	sopts := []soapx.Option{
		soapx.WithSecrets(secrets),
		soapx.WithVersion(version),
		soapx.WithCookieJar(jar),
		soapx.WithRedact("OTP", "validationCode", "challenge"),
	}
	sopts = append(sopts, cfg.common.SOAP()...)
	if cfg.observer != nil {
		sopts = append(sopts, soapx.WithObserver(cfg.observer))
	}
	sc, err := soapx.NewClient(endpoint, sopts...)
	if err != nil {
		return nil, fmt.Errorf("provisioning: %w", err)
	}
	log := slog.New(slog.DiscardHandler)
	if cfg.common.Logger != nil {
		log = slog.New(secrets.Handler(cfg.common.Logger.Handler()))
	}
	c := &Client{
		endpoint: sc.Endpoint(),
		operator: creds.OperatorEmail,
		otp:      checkedOTP(creds.OTP),
		version:  cfg.version,
		pageSize: cfg.pageSize,
		log:      log,
		soap:     sc,
		stub:     provisioningwsdl.NewBSIDCASoap(sc),
		secrets:  secrets,
		sessions: engine.New[ConnectResult](cfg.common.SessionOptions(0, 1, log).Config(refusedConnect)),
	}
	c.loginFn = c.connect
	c.obs = soapx.NewHook(cfg.observer, "provisioning", version, sc.Endpoint(), secrets)
	return c, nil
}

// Endpoint returns the service URL the Client calls.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the Client without its OTP source or session.
func (c *Client) String() string {
	if c == nil {
		return "provisioning.Client(nil)"
	}
	endpoint := "(invalid URL)"
	if u, err := url.Parse(c.endpoint); err == nil {
		endpoint = u.Redacted() // an endpoint may carry user info
	}
	return fmt.Sprintf("provisioning.Client{endpoint: %q, operator: %q, %s}", endpoint, c.operator, c.version)
}

// GoString is String, so that %#v shows no session state either.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb, so %v, %+v and %#v never walk the Client's fields
// (the cookie jar holds the session).
func (c *Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

const maxInt32 = 1<<31 - 1

// run is do with the returned error scrubbed of the client's secrets (every fmt verb), the
// boundary every operation's error crosses on its way to the caller.
func (c *Client) run(ctx context.Context, op string, call func(context.Context) error) error {
	ctx, obs := c.startCall(ctx, op)
	err := c.secrets.Error(c.do(ctx, op, call))
	c.endCall(obs, op, err)
	return err
}

// checkedOTP refuses an OTP that would not reach the server as given (a control character,
// invalid UTF-8: see soapx.CheckText) before the Connect operation sends it.
func checkedOTP(src OTPSource) OTPSource {
	return func(ctx context.Context) (string, error) {
		otp, err := src(ctx)
		if err != nil {
			return otp, err
		}
		if p := soapx.TextProblem(otp); p != "" {
			return "", &soapx.InputError{Field: "Credentials.OTP", Reason: p}
		}
		return otp, nil
	}
}
