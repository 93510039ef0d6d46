package cas_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/faultnet"
)

const (
	fmOK   = `<Code>0</Code><Message>OK</Message>`
	fmHTML = "text/html; charset=utf-8"
	// fmBodyLimit is the cap of the matrix's clients (WithBodyLimit): small, so that the
	// over-the-cap row stays fast under the race detector.
	fmBodyLimit = 256 << 10
)

// fmFault is the ASMX Fault an unhandled exception gives, with HTTP 500.
const fmFault = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>` +
	`<faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; Object reference not set to an instance of an object.</faultstring>` +
	`<detail /></soap:Fault></soap:Body></soap:Envelope>`

// TestFaultMatrix drives DeleteUser against servers that misbehave in every way the issue
// lists. Each row wants a typed error in its category, no panic and no goroutine left
// behind. Sessions: cas has none (the credentials travel in every request), so "session
// expiring between two calls" becomes "credentials refused between two calls".
func TestFaultMatrix(t *testing.T) {
	_, ok11 := statusBody(soap11, fmOK)
	_, ok12 := statusBody(soap12, fmOK)
	_, badCreds := statusBody(soap11, `<Code>1</Code><Message>Error</Message>`)
	envStart := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	envEnd := `</soap:Body></soap:Envelope>`
	protocol := faultnet.Want[*cas.ProtocolError](cas.ErrProtocol)

	cases := append(faultnet.SharedRows(faultnet.Service{ContentType: ct11, OK: ok11, EnvStart: envStart, EnvEnd: envEnd}), []faultnet.Case{
		{Name: "empty 200 without Content-Type", Handler: faultnet.Reply(200, "", ""), Check: protocol},
		{Name: "wrong Content-Type", Handler: faultnet.Reply(200, "application/json", `{"Code":0}`), Check: protocol},
		{Name: "SOAP 1.2 answer to a 1.1 request", Handler: faultnet.Reply(200, ct12, ok12), Check: protocol},
		{Name: "404 with a SOAP body", Handler: faultnet.Reply(404, ct11, badCreds),
			Check: faultnet.Want[*cas.ServiceError](cas.ErrAuthentication)},
		{Name: "404 without a SOAP body", Handler: faultnet.Reply(404, fmHTML, "<html>Not Found</html>"),
			Check: faultnet.Want[*cas.EndpointError](cas.ErrProtocol)},
		{Name: "500 with a Fault", Handler: faultnet.Reply(500, ct11, fmFault),
			Check: faultnet.Want[*cas.Fault]().Not(cas.ErrNotFound, cas.ErrAuthentication, cas.ErrUnavailable).And(func(t *testing.T, err error) {
				assert.Contains(t, err.Error(), "Object reference not set")
				var se *cas.ServiceError // the service's failure, with its Fault
				require.ErrorAs(t, err, &se)
				assert.NotNil(t, se.Fault)
				assert.Contains(t, se.Message, "Object reference not set")
			})},
		{Name: "invalid UTF-8", Handler: faultnet.Reply(200, ct11, strings.Replace(ok11, "OK", "O\xff\xfeK", 1)), Check: protocol},
		{Name: "credentials refused between two calls", Scenario: fmCredentialsRevoked,
			Check: faultnet.Want[*cas.ServiceError](cas.ErrAuthentication)},
		{Name: "rate limited (HTTP 429)", Handler: faultnet.Reply(429, fmHTML, "Too Many Requests", "Retry-After", "7"),
			Check: faultnet.Want[*cas.HTTPError](cas.ErrRateLimited).Not(cas.ErrProtocol).And(func(t *testing.T, err error) {
				var he *cas.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, 7*time.Second, he.RetryAfter)
			})},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := cas.New(url+castest.Path, goldenCreds, cas.WithHTTPClient(hc), cas.WithBodyLimit(fmBodyLimit))
		require.NoError(t, err)
		res, err := c.DeleteUser(ctx, 42, "bob")
		assert.Nil(t, res)
		return err
	})

	// The version rows the other way round, and each wire form against a hostile answer.
	faultnet.Run(t, []faultnet.Case{
		{Name: "SOAP 1.1 answer to a 1.2 request", Handler: faultnet.Reply(200, ct11, ok11), Check: protocol},
		{Name: "SOAP 1.2 billion laughs", Handler: faultnet.Reply(200, ct12, strings.Replace(faultnet.BillionLaughs,
			"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", 1)), Check: protocol},
	}, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := cas.New(url+castest.Path, goldenCreds, cas.WithHTTPClient(hc), cas.WithSOAPVersion(cas.SOAP12))
		require.NoError(t, err)
		_, err = c.DeleteUser(ctx, 42, "bob")
		return err
	})
	faultnet.Run(t, []faultnet.Case{
		{Name: "HTTP POST form: deeply nested", Handler: faultnet.Stream(200, ct11, "", "<Status>", "", 8<<20), Check: protocol.Within(2 * time.Second)},
		{Name: "HTTP POST form: HTML 503", Handler: faultnet.Reply(503, fmHTML, "<html>busy</html>"),
			Check: faultnet.Want[*cas.HTTPError](cas.ErrUnavailable)},
	}, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := cas.New(url+castest.Path, goldenCreds, cas.WithHTTPClient(hc), cas.WithHTTPPost())
		require.NoError(t, err)
		_, err = c.DeleteUser(ctx, 42, "bob")
		return err
	})
}

// fmCredentialsRevoked: a first call succeeds against the fake, then the module's
// credentials change on the server; the next call is refused as the real server refuses it.
func fmCredentialsRevoked(ctx context.Context, t *testing.T, hc *http.Client) error {
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"alice", "bob", "carol"}, MasterUsers: []string{"alice"}}}})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	defer s.Close()
	c, err := cas.New(s.URL, s.Credentials(), cas.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.DeleteUser(ctx, 42, "bob")
	require.NoError(t, err)
	revoked := castest.NewServer(castest.Options{Credentials: cas.Credentials{WSUserName: "other", WSPassword: "rotated"}, Households: []castest.Household{{ID: 42, Users: []string{"alice", "carol"}, MasterUsers: []string{"alice"}}}})
	t.Cleanup(func() { assert.Empty(t, revoked.Violations(), "requests the real server would ignore or refuse") })
	defer revoked.Close()
	c, err = cas.New(revoked.URL, s.Credentials(), cas.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.DeleteUser(ctx, 42, "carol")
	return err
}
