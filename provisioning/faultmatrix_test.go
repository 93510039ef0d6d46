package provisioning_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

const (
	fmHTML      = "text/html; charset=utf-8"
	fmCT11      = "text/xml; charset=utf-8"
	fmCT12      = "application/soap+xml; charset=utf-8"
	fmBodyLimit = 256 << 10
	fmCountOK   = `<GetProvisioningTaskCountResponse xmlns="http://www.cryptocard.com/blackshield/"><GetProvisioningTaskCountResult>3</GetProvisioningTaskCountResult></GetProvisioningTaskCountResponse>`
)

// fmAfterConnect answers Connect (in the request's SOAP version) with a session cookie, so
// that the fault under test hits GetProvisioningTaskCount, a call made within the session.
func fmAfterConnect(fault http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.Header.Get("SOAPAction")
		ct := r.Header.Get("Content-Type")
		if strings.HasSuffix(strings.Trim(action, `"`), "/Connect") || strings.Contains(ct, `/Connect"`) {
			_, _ = io.Copy(io.Discard, r.Body)
			body := soap11(connectOK)
			w.Header().Set("Content-Type", fmCT11)
			if strings.HasPrefix(ct, "application/soap+xml") {
				body = soap12(connectOK)
				w.Header().Set("Content-Type", fmCT12)
			}
			w.Header().Set("Set-Cookie", "ASP.NET_SessionId=fmsession; path=/; HttpOnly")
			_, _ = io.WriteString(w, body)
			return
		}
		fault.ServeHTTP(w, r)
	})
}

// TestFaultMatrix drives TaskCount against servers that misbehave in every way the issue
// lists, after a successful Connect. Each row wants a typed error in its category, no panic
// and no goroutine left behind.
func TestFaultMatrix(t *testing.T) {
	ok := soap11(fmCountOK)
	envStart := `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	envEnd := `</soap:Body></soap:Envelope>`
	protocol := faultnet.Want[*soapx.ProtocolError](provisioning.ErrProtocol)
	fault := func(status int, message string) http.Handler {
		return faultnet.Reply(status, fmCT11, soap11(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; `+
			message+`</faultstring><detail /></soap:Fault>`))
	}
	faultError := func(status int, message string) func(t *testing.T, err error) {
		return func(t *testing.T, err error) {
			var e *provisioning.ServiceError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, status, e.HTTPStatus)
			assert.Equal(t, message, e.Message)
		}
	}

	cases := append(faultnet.SharedRows(faultnet.Service{Wrap: fmAfterConnect, ContentType: fmCT11, OK: ok, EnvStart: envStart, EnvEnd: envEnd}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: fmAfterConnect(faultnet.Reply(200, "text/plain", "3")), Check: protocol},
		{Name: "SOAP 1.2 answer to a 1.1 request", Handler: fmAfterConnect(faultnet.Reply(200, fmCT12, soap12(fmCountOK))), Check: protocol},
		{Name: "404 with a SOAP body", Handler: fmAfterConnect(fault(404, "Organization not found")),
			Check: faultnet.Want[*provisioning.ServiceError]().Not(provisioning.ErrSessionExpired).And(faultError(404, "Organization not found"))},
		{Name: "normal answer with HTTP 500", Handler: fmAfterConnect(faultnet.Reply(500, fmCT11, ok)),
			Check: faultnet.Want[*soapx.HTTPError](provisioning.ErrProtocol).Not(provisioning.ErrSessionExpired).And(httpStatusIs(500))},
		{Name: "500 with a Fault", Handler: fmAfterConnect(fault(500, "Object reference not set to an instance of an object.")),
			Check: faultnet.Want[*provisioning.ServiceError]().And(faultError(500, "Object reference not set to an instance of an object."))},
		{Name: "invalid UTF-8", Handler: fmAfterConnect(faultnet.Reply(200, fmCT11, strings.Replace(ok, ">3<", ">3\xff<", 1))), Check: protocol},
		{Name: "session expiring between two calls", Scenario: fmSessionExpires, Check: fmNoError},
		{Name: "session still gone after connecting again", Scenario: fmSessionRefused,
			Check: faultnet.Want[*provisioning.ServiceError](provisioning.ErrSessionExpired)},
		{Name: "rate limited (HTTP 429)", Handler: fmAfterConnect(faultnet.Reply(429, fmHTML, "Too Many Requests", "Retry-After", "30")),
			Check: faultnet.Want[*soapx.HTTPError](provisioning.ErrRateLimited).Not(provisioning.ErrProtocol)},
	}...)
	faultnet.Run(t, cases, fmCall())

	// The version row the other way round: a SOAP 1.2 client answered in SOAP 1.1.
	faultnet.Run(t, []faultnet.Case{
		{Name: "SOAP 1.1 answer to a 1.2 request", Handler: fmAfterConnect(faultnet.Reply(200, fmCT11, ok)), Check: protocol},
	}, fmCall(provisioning.WithSOAPVersion(provisioning.SOAP12)))
}

func fmCall(opts ...provisioning.Option) func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
	return func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		otp := func(context.Context) (string, error) { return "123456", nil }
		c, err := provisioning.New(url+"/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: otp},
			append([]provisioning.Option{provisioning.WithHTTPClient(hc), provisioning.WithBodyLimit(fmBodyLimit)}, opts...)...)
		require.NoError(t, err)
		n, err := c.TaskCount(ctx, org)
		assert.Zero(t, n)
		return err
	}
}

func fmNoError(t *testing.T, err error, _ time.Duration) {
	t.Helper()
	require.NoError(t, err)
}

func fmFake(t *testing.T, hc *http.Client) (*provisioningtest.Server, *provisioning.Client) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	t.Cleanup(func() { assert.Empty(t, s.Violations()) })
	s.AddTask(org, provisioningtest.Task{})
	return s, s.NewClient(t, provisioning.WithHTTPClient(hc))
}

// fmSessionExpires: the session cookie of a first call expires before the second, which
// connects again exactly once (one OTP) and succeeds.
func fmSessionExpires(ctx context.Context, t *testing.T, hc *http.Client) error {
	s, c := fmFake(t, hc)
	defer s.Close()
	_, err := c.TaskCount(ctx, org)
	require.NoError(t, err)
	s.ExpireSessions()
	n, err := c.TaskCount(ctx, org)
	assert.Equal(t, 1, n)
	assert.Equal(t, 2, s.Logins(), "one Connect per session")
	return err
}

// fmSessionRefused: the call finds no session, and neither does its retry after connecting.
func fmSessionRefused(ctx context.Context, t *testing.T, hc *http.Client) error {
	s, c := fmFake(t, hc)
	defer s.Close()
	_, err := c.TaskCount(ctx, org)
	require.NoError(t, err)
	s.FailNext(provisioningtest.Failure{Message: "You are not connected."})
	s.FailNext(provisioningtest.Failure{Message: "You are not connected."})
	_, err = c.TaskCount(ctx, org)
	assert.Equal(t, 2, s.Logins(), "one reconnect, then the error")
	return err
}

func httpStatusIs(status int) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		var he *soapx.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, status, he.StatusCode)
		assert.NotEmpty(t, he.Excerpt, "the answer is kept in the excerpt")
	}
}
