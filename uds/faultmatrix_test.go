package uds_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

const (
	fmHTML      = "text/html; charset=utf-8"
	fmBodyLimit = 256 << 10
)

// TestFaultMatrix drives GetUserStatus against servers that misbehave in every way the
// issue lists. Each row wants a typed error in its category, no panic and no goroutine left
// behind. The service speaks SOAP 1.2 only, so "a SOAP 1.2 answer to a 1.1 request" does not
// apply: the client never sends 1.1.
func TestFaultMatrix(t *testing.T) {
	ok := env12(txHeader("TX-1"), getOK)
	ok11 := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		getOK + `</soap:Body></soap:Envelope>`
	envStart := `<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope"><soapenv:Body>`
	envEnd := `</soapenv:Body></soapenv:Envelope>`
	protocol := faultnet.Want[*soapx.ProtocolError](uds.ErrProtocol)
	billion := strings.Replace(faultnet.BillionLaughs, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", 1)

	cases := append(faultnet.SharedRows(faultnet.Service{ContentType: ct12, OK: ok, EnvStart: envStart, EnvEnd: envEnd, BillionLaughs: billion}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: faultnet.Reply(200, "application/json", `{"status":"ACTIVE"}`), Check: protocol},
		{Name: "SOAP 1.1 answer to a 1.2 request", Handler: faultnet.Reply(200, "text/xml; charset=utf-8", ok11), Check: protocol},
		{Name: "404 with a SOAP body", Handler: faultnet.Reply(404, ct12, env12(txHeader("TX-2"),
			fault12("Sender", "User not found", uds.CodeUserNotFound, "User not found", "ACME/jdoe"))),
			Check: faultnet.Want[*uds.ServiceError](uds.ErrNotFound).And(func(t *testing.T, err error) {
				var re *uds.ServiceError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, 404, re.HTTPStatus)
				assert.Equal(t, "TX-2", re.TransactionID)
			})},
		{Name: "normal answer with HTTP 404", Handler: faultnet.Reply(404, ct12, ok),
			Check: faultnet.Want[*soapx.HTTPError](uds.ErrProtocol).Not(uds.ErrNotFound).And(func(t *testing.T, err error) {
				var he *soapx.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, 404, he.StatusCode)
				assert.NotEmpty(t, he.Excerpt, "the answer is kept in the excerpt")
			})},
		{Name: "500 with a Fault", Handler: faultnet.Reply(500, ct12, env12(txHeader("TX-3"),
			fault12("Receiver", "UDS is not initialized.", uds.CodeNotInitialized, "UDS is not initialized.", ""))),
			Check: faultnet.Want[*uds.ServiceError](uds.ErrUnavailable).Not(uds.ErrNotFound)},
		{Name: "invalid UTF-8", Handler: faultnet.Reply(200, ct12, strings.Replace(ok, "jdoe", "jd\xc3\x28oe", 1)), Check: protocol},
		{Name: "session expiring between two calls", Scenario: fmTokenExpires, Check: fmNoError},
		{Name: "session still refused after re-authenticating", Scenario: fmTokenRefused,
			Check: faultnet.Want[*uds.ServiceError](uds.ErrSessionExpired)},
		{Name: "rate limited (HTTP 429)", Handler: faultnet.Reply(429, fmHTML, "Too Many Requests"),
			Check: faultnet.Want[*soapx.HTTPError](uds.ErrRateLimited).Not(uds.ErrProtocol)},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := uds.New(url+uds.ServicePath, uds.Credentials{}, uds.WithHTTPClient(hc), uds.WithBodyLimit(fmBodyLimit))
		require.NoError(t, err)
		res, err := c.GetUserStatus(ctx, jdoe, nil)
		assert.Nil(t, res)
		return err
	})
}

func fmNoError(t *testing.T, err error, _ time.Duration) {
	t.Helper()
	require.NoError(t, err)
}

// fmTokenExpires: the token of a first call expires before the second, which authenticates
// again exactly once and succeeds.
func fmTokenExpires(ctx context.Context, t *testing.T, hc *http.Client) error {
	s := udstest.NewServer(udstest.Options{AnA: true})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	require.NoError(t, err)
	s.ExpireTokens()
	res, err := c.GetUserStatus(ctx, jdoe, nil)
	if err == nil {
		assert.Equal(t, uds.StatusActive, res.Status)
		assert.True(t, res.NewAuthToken)
	}
	assert.Equal(t, 2, s.Logins(), "one authentication per token")
	return err
}

// fmTokenRefused: the token is refused, and so is the request that authenticates again.
func fmTokenRefused(ctx context.Context, t *testing.T, hc *http.Client) error {
	s := udstest.NewServer(udstest.Options{AnA: true})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	require.NoError(t, err)
	expired := udstest.Failure{FaultCode: "Sender", Code: uds.CodeTokenExpired, Message: "authToken expired"}
	s.FailNext(expired)
	s.FailNext(expired)
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	assert.Len(t, s.Requests(), 3, "the call and one retry")
	return err
}
