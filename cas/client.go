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

// String describes the credentials without the password: the user name as it is, the
// password as [REDACTED] when set and <empty> when empty.
func (c Credentials) String() string {
	return fmt.Sprintf("cas.Credentials{WSUserName:%q WSPassword:%s}", c.WSUserName, redactedIfSet(c.WSPassword))
}

// GoString is String, so %#v cannot reach the password either.
func (c Credentials) GoString() string { return c.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %x…), quoted for %q, so no verb
// reaches the password, of a Credentials or a *Credentials.
func (c Credentials) Format(f fmt.State, verb rune) { formatString(f, verb, c.String()) }

func formatString(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

func redactedIfSet(s string) string {
	if s == "" {
		return "<empty>"
	}
	return "[REDACTED]"
}

// SOAPVersion is the SOAP version of the envelopes the client sends; the module speaks both
// (WithSOAPVersion). Results and errors are the same for both.
type SOAPVersion int

const (
	// SOAP11 posts SOAP 1.1 envelopes (text/xml; charset=utf-8, with the SOAPAction header
	// "http://ca.tvinci.com/<operation>"). It is the default.
	SOAP11 SOAPVersion = iota + 1
	// SOAP12 posts SOAP 1.2 envelopes (application/soap+xml; charset=utf-8;
	// action="http://ca.tvinci.com/<operation>").
	SOAP12
)

func (v SOAPVersion) String() string {
	switch v {
	case SOAP11:
		return "SOAP 1.1"
	case SOAP12:
		return "SOAP 1.2"
	}
	return "SOAPVersion(" + strconv.Itoa(int(v)) + ")"
}

// wireForm is how a request travels: one of the three protocols an ASMX service speaks.
type wireForm int

const (
	formSOAP11 wireForm = iota + 1
	formSOAP12
	formHTTPPost
)

func (f wireForm) String() string {
	if f == formHTTPPost {
		return "HTTP POST"
	}
	return SOAPVersion(f).String()
}

// Option configures a Client.
type Option func(*options)

type options struct {
	common   clientopt.Common // options_common.gen.go
	version  SOAPVersion      // 0: not chosen (SOAP11)
	httpPost bool
	observer Observer
}

// WithSOAPVersion chooses the SOAP version of the envelopes: SOAP11 (the default) or
// SOAP12. Any other value is refused by New with an *InputError.
func WithSOAPVersion(v SOAPVersion) Option { return func(o *options) { o.version = v } }

// WithHTTPPost sends HandleUserTask (DeleteUser, DeleteHouseholdRecordings) in the ASMX
// HTTP POST form instead of SOAP: the five parameters as application/x-www-form-urlencoded
// fields to <endpoint>/HandleUserTask, answered by a bare <Status> document. ASMX only offers
// it when the HttpPost protocol is enabled on the server. Results and errors are those of
// SOAP. The other operations are SOAP only: a client made with WithHTTPPost refuses them
// with an *InputError before sending. It cannot be combined with WithSOAPVersion.
func WithHTTPPost() Option { return func(o *options) { o.httpPost = true } }

// refusedCredentials: the module answers bad web-service credentials with HTTP 404 and a
// Status, which is ErrAuthentication and nothing else is.
func refusedCredentials(err error) bool { return errors.Is(err, ErrAuthentication) }

// Client calls the operations of one ws_cas_module.asmx endpoint with one pair of
// web-service credentials. It holds no per-call state and is safe for concurrent use.
type Client struct {
	endpoint string
	// creds returns the credentials. A func, not a field holding them: fmt prints the
	// unexported fields of a dereferenced Client without their Format methods (and follows one
	// pointer for %s, %q…), but prints a func as its address.
	creds func() Credentials
	form  wireForm
	soap  *soapx.Client
	stub  caswsdl.ModuleSoap
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
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := o.common.Check(); err != nil {
		return nil, err
	}
	form := formSOAP11
	switch {
	case o.version != 0 && o.version != SOAP11 && o.version != SOAP12:
		return nil, &soapx.InputError{Field: "WithSOAPVersion", Reason: "must be SOAP11 or SOAP12, got " + o.version.String()}
	case o.version != 0 && o.httpPost:
		return nil, &soapx.InputError{Field: "WithHTTPPost", Reason: "the HTTP POST form has no SOAP version: use WithHTTPPost or WithSOAPVersion, not both"}
	case strings.TrimSpace(creds.WSUserName) == "":
		return nil, &soapx.InputError{Field: "Credentials.WSUserName", Reason: "must not be empty: the server needs the CAS module's web-service user"}
	case creds.WSPassword == "":
		return nil, &soapx.InputError{Field: "Credentials.WSPassword", Reason: "must not be empty: the server needs the CAS module's web-service password"}
	case o.httpPost:
		form = formHTTPPost
	case o.version == SOAP12:
		form = formSOAP12
	}
	if err := soapx.CheckTexts("Credentials.WSUserName", creds.WSUserName, "Credentials.WSPassword", creds.WSPassword); err != nil {
		return nil, err
	}
	secrets := scrub.New(creds.WSPassword)
	// The module rejects the web-service credentials with HTTP 404 and a normal Status
	// body, which is the operation's answer (ErrAuthentication), not a transport error.
	sopts := append(o.common.SOAP(), soapx.WithAnswerStatus(isNotFound), soapx.WithSecrets(secrets))
	if form == formSOAP12 {
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
		creds:    func() Credentials { return creds },
		form:     form,
		soap:     sc,
		stub:     caswsdl.NewModuleSoap(sc),
		secrets:  secrets,
		sessions: engine.New[verified](o.common.SessionOptions(0, 1, o.common.ScrubbedLogger(secrets)).Config(refusedCredentials)),
		obs:      newHook(o.observer, form, sc.Endpoint(), secrets),
	}, nil
}

// Endpoint returns the endpoint the client was made with (WithHTTPPost posts to
// <endpoint>/HandleUserTask), without user info.
func (c *Client) Endpoint() string { return redactURL(c.endpoint) }

// String describes the client without its password.
func (c *Client) String() string {
	if c == nil {
		return "cas.Client(nil)"
	}
	return fmt.Sprintf("cas.Client{endpoint:%q wire:%s user:%q password:%s}",
		c.Endpoint(), c.form, c.creds().WSUserName, redactedIfSet(c.creds().WSPassword))
}

// GoString is String, so %#v cannot reach the password.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb (quoted for %q), so no verb reaches the password.
func (c *Client) Format(f fmt.State, verb rune) { formatString(f, verb, c.String()) }

// send performs one exchange in the client's wire form and returns the Status the server
// answered with the HTTP status that came with it.
func (c *Client) send(ctx context.Context, req *caswsdl.HandleUserTask) (*caswsdl.Status, int, error) {
	ctx, captured := soapx.CaptureResponse(ctx)
	if c.form == formHTTPPost {
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
	if c.form == formHTTPPost {
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

// wrap is wrapOp for HandleUserTask.
func (c *Client) wrap(err error) error { return c.wrapOp(opHandleUserTask, err) }
