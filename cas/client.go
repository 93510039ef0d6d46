package cas

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/cas/internal/caswsdl"
	"github.com/offboard-go/offboard/internal/clientopt"
	"github.com/offboard-go/offboard/internal/scrub"
	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
)

// Credentials are the web-service credentials of the conditional-access (CAS) module,
// sent in every request body as sWSUserName and sWSPassword. Kaltura OTT issues them per
// module and per partner: the CAS pair is not the pair of the users, domains or pricing
// modules, and not an operator's login. The server maps the pair to the partner (group)
// whose households the call may touch.
//
// Printing Credentials with any fmt verb never shows the password.
type Credentials struct {
	WSUserName string
	WSPassword string
}

// Format prints the user name and hides the password, for every verb (%v, %+v, %#v, %s…).
func (c Credentials) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "cas.Credentials{WSUserName:%q WSPassword:%s}", c.WSUserName, redactedIfSet(c.WSPassword))
}

func redactedIfSet(s string) string {
	if s == "" {
		return `""`
	}
	return "[REDACTED]"
}

// WireForm is how requests travel: one of the three protocols an ASMX service speaks.
// All three give the same results and errors.
type WireForm int

const (
	// SOAP11 posts a SOAP 1.1 envelope to the endpoint (text/xml; charset=utf-8, with
	// SOAPAction "http://ca.tvinci.com/HandleUserTask"). It is the default.
	SOAP11 WireForm = iota + 1
	// SOAP12 posts a SOAP 1.2 envelope to the endpoint (application/soap+xml;
	// charset=utf-8; action="http://ca.tvinci.com/HandleUserTask").
	SOAP12
	// HTTPPost posts the parameters as application/x-www-form-urlencoded fields to
	// <endpoint>/HandleUserTask and reads the bare <Status> document ASMX answers. ASMX
	// only offers it when the HttpPost protocol is enabled on the server.
	HTTPPost
)

func (f WireForm) String() string {
	switch f {
	case SOAP11:
		return "SOAP 1.1"
	case SOAP12:
		return "SOAP 1.2"
	case HTTPPost:
		return "HTTP POST"
	}
	return "WireForm(" + strconv.Itoa(int(f)) + ")"
}

// Option configures a Client.
type Option func(*options)

type options struct {
	common   clientopt.Common // options_common.gen.go
	form     WireForm
	observer Observer
}

// WithWireForm chooses SOAP11 (default), SOAP12 or HTTPPost.
func WithWireForm(f WireForm) Option { return func(o *options) { o.form = f } }

// refusedCredentials: the module answers bad web-service credentials with HTTP 404 and a
// Status, which is ErrAuthentication and nothing else is.
func refusedCredentials(err error) bool { return errors.Is(err, ErrAuthentication) }

// Client calls the operations of one ws_cas_module.asmx endpoint with one pair of
// web-service credentials. It holds no per-call state and is safe for concurrent use.
type Client struct {
	endpoint string
	creds    Credentials
	form     WireForm
	soap     *soapx.Client
	stub     caswsdl.ModuleSoap
	// secrets holds the values scrubbed from everything the client returns and logs (the
	// password from the start; anything else that becomes known is added to it).
	secrets *scrub.Set
	// sessions remembers whether the server accepted or refused the credentials (session.go).
	sessions *engine.Engine[verified]
	obs      *soapx.Hook // nil without WithObserver (observe.go)
}

// New returns a client for endpoint, the module's URL, for example
// "https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx", authenticating with the
// CAS module's web-service credentials (see Credentials). Bad arguments give an
// *InputError naming the field; nothing is sent until the first call.
func New(endpoint string, creds Credentials, opts ...Option) (*Client, error) {
	o := options{form: SOAP11}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := o.common.Check(); err != nil {
		return nil, err
	}
	switch {
	case o.form != SOAP11 && o.form != SOAP12 && o.form != HTTPPost:
		return nil, &soapx.InputError{Field: "WithWireForm", Reason: "must be SOAP11, SOAP12 or HTTPPost, got " + o.form.String()}
	case strings.TrimSpace(creds.WSUserName) == "":
		return nil, &soapx.InputError{Field: "WSUserName", Reason: "must not be empty: the server needs the CAS module's web-service user"}
	case creds.WSPassword == "":
		return nil, &soapx.InputError{Field: "WSPassword", Reason: "must not be empty: the server needs the CAS module's web-service password"}
	}
	if err := soapx.CheckTexts("WSUserName", creds.WSUserName, "WSPassword", creds.WSPassword); err != nil {
		return nil, err
	}
	secrets := scrub.New(creds.WSPassword)
	// The module rejects the web-service credentials with HTTP 404 and a normal Status
	// body, which is the operation's answer (ErrAuthentication), not a transport error.
	sopts := append(o.common.SOAP(), soapx.WithAnswerStatus(isNotFound), soapx.WithSecrets(secrets))
	if o.form == SOAP12 {
		sopts = append(sopts, soapx.WithVersion(soapx.SOAP12))
	}
	if o.observer != nil {
		sopts = append(sopts, soapx.WithObserver(o.observer))
	}
	sc, err := soapx.NewClient(endpoint, sopts...)
	if err != nil {
		return nil, err
	}
	return &Client{
		endpoint: sc.Endpoint(),
		creds:    creds,
		form:     o.form,
		soap:     sc,
		stub:     caswsdl.NewModuleSoap(sc),
		secrets:  secrets,
		sessions: engine.New[verified](o.common.SessionOptions(0, 1, o.common.ScrubbedLogger(secrets)).Config(refusedCredentials)),
		obs:      newHook(o.observer, o.form, sc.Endpoint(), secrets),
	}, nil
}

// Endpoint returns the endpoint the client was made with (HTTPPost posts to
// <endpoint>/HandleUserTask), without user info.
func (c *Client) Endpoint() string { return redactURL(c.endpoint) }

// WireForm returns the protocol the client speaks.
func (c *Client) WireForm() WireForm { return c.form }

// String describes the client without its password. (String and Format have value
// receivers so that printing a dereferenced Client is covered too.)
func (c Client) String() string {
	return fmt.Sprintf("cas.Client{endpoint:%q wire:%s user:%q password:%s}",
		c.Endpoint(), c.form, c.creds.WSUserName, redactedIfSet(c.creds.WSPassword))
}

// Format prints String for every verb, so %+v and %#v cannot reach the password.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// send performs one exchange in the client's wire form and returns the Status the server
// answered with the HTTP status that came with it.
func (c *Client) send(ctx context.Context, req *caswsdl.HandleUserTask) (*caswsdl.Status, int, error) {
	ctx, captured := soapx.CaptureResponse(ctx)
	if c.form == HTTPPost {
		var doc statusDocument
		if err := c.soap.PostForm(ctx, opHandleUserTask, postForm(req), &doc); err != nil {
			return nil, captured.StatusCode, err
		}
		return &doc.Status, captured.StatusCode, nil
	}
	resp, err := c.stub.HandleUserTask(ctx, req)
	if err != nil {
		return nil, captured.StatusCode, err
	}
	if resp.HandleUserTaskResult == nil {
		// minOccurs=0 in the WSDL, but the server always fills it; without it there is
		// nothing to tell success from failure.
		return nil, captured.StatusCode, &soapx.ProtocolError{
			Reason:      "HandleUserTaskResponse has no HandleUserTaskResult",
			HTTPStatus:  captured.StatusCode,
			ContentType: captured.HTTPHeader.Get("Content-Type"),
		}
	}
	return resp.HandleUserTaskResult, captured.StatusCode, nil
}

// statusDocument is the bare answer of the HTTP POST form: <Status xmlns="http://ca.tvinci.com/">.
// The generated Status type has no element name of its own (it is a complexType), so the
// name is checked here.
type statusDocument struct {
	XMLName xml.Name `xml:"http://ca.tvinci.com/ Status"`
	caswsdl.Status
}

// postForm renders the request as the HTTP POST binding's fields: the same five
// parameters, by their wire names, with the enum by name.
func postForm(req *caswsdl.HandleUserTask) url.Values {
	v := url.Values{
		"sWSUserName": {req.SWSUserName},
		"sWSPassword": {req.SWSPassword},
		"domainId":    {strconv.FormatInt(int64(req.DomainId), 10)},
		"userId":      {req.UserId},
	}
	if req.ActionType != nil {
		v.Set("actionType", string(*req.ActionType))
	}
	return v
}

// requestURL is the URL requests go to, without user info (which soapx accepts in the
// endpoint and which must not reach an error string).
func (c *Client) requestURL() string {
	u, err := url.Parse(c.endpoint)
	if err != nil { // cannot happen: soapx parsed it
		return "(invalid URL)"
	}
	if c.form == HTTPPost {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/" + opHandleUserTask
		u.RawPath = ""
	}
	return u.Redacted()
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

func isNotFound(status int) bool { return status == http.StatusNotFound }

// wrap names the operation on runtime errors and turns a 404 that carried no SOAP answer
// into an *EndpointError, since that 404 means the URL is wrong, not the credentials.
func (c *Client) wrap(err error) error {
	var he *soapx.HTTPError
	if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
		return &EndpointError{Operation: opHandleUserTask, URL: c.requestURL(), Err: err}
	}
	return fmt.Errorf("cas: %s: %w", opHandleUserTask, err)
}
