package projector_test

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
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

const (
	fmHTML      = "text/html; charset=utf-8"
	fmCT        = "text/xml; charset=utf-8"
	fmBodyLimit = 256 << 10
)

// fmAfterLogin answers PwsAuthenticate with a session, so that the fault under test hits
// PwsDeleteUser, a call made with a session ticket.
func fmAfterLogin(fault http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(strings.Trim(r.Header.Get("SOAPAction"), `"`), "/PwsAuthenticate") {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", fmCT)
			_, _ = io.WriteString(w, authOK(testTicket).body)
			return
		}
		fault.ServeHTTP(w, r)
	})
}

// TestFaultMatrix drives DeleteUser against servers that misbehave in every way the issue
// lists, after a successful PwsAuthenticate. Each row wants a typed error in its category,
// no panic and no goroutine left behind. PWS speaks SOAP 1.1 only, so "a SOAP 1.1 answer to
// a 1.2 request" does not apply.
func TestFaultMatrix(t *testing.T) {
	ok := deleteOK("").body
	envStart := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`
	envEnd := `</s:Body></s:Envelope>`
	protocol := faultnet.Want[*soapx.ProtocolError](projector.ErrProtocol)
	statusIs := func(code int) func(t *testing.T, err error) {
		return func(t *testing.T, err error) {
			var se *projector.ServiceError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, code, se.HTTPStatus)
		}
	}

	cases := append(faultnet.SharedRows(faultnet.Service{Wrap: fmAfterLogin, ContentType: fmCT, OK: ok, EnvStart: envStart, EnvEnd: envEnd}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: fmAfterLogin(faultnet.Reply(200, "application/json", `{"Status":"Ok"}`)), Check: protocol},
		{Name: "SOAP 1.2 answer to a 1.1 request", Handler: fmAfterLogin(faultnet.Reply(200, "application/soap+xml; charset=utf-8",
			strings.Replace(ok, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", 1))), Check: protocol},
		{Name: "404 with a SOAP body", Handler: fmAfterLogin(faultnet.Reply(404, fmCT, faultReply("Not found", msgNotFound).body)),
			Check: faultnet.Want[*projector.ServiceError](projector.ErrNotFound).And(statusIs(404))},
		{Name: "500 with a Fault", Handler: fmAfterLogin(faultnet.Reply(500, fmCT, faultReply("Denied", msgDenied).body)),
			Check: faultnet.Want[*projector.ServiceError](projector.ErrPermissionDenied).Not(projector.ErrNotFound).And(statusIs(500))},
		{Name: "invalid UTF-8", Handler: fmAfterLogin(faultnet.Reply(200, fmCT, strings.Replace(ok, "Jane Doe", "Jane \xed\xa0\x80Doe", 1))), Check: protocol},
		{Name: "session expiring between two calls", Scenario: fmTicketExpires, Check: fmNoError},
		{Name: "session still refused after re-authenticating", Scenario: fmTicketRefused,
			Check: faultnet.Want[*projector.ServiceError](projector.ErrSessionExpired)},
		{Name: "rate limited (HTTP 429)", Handler: fmAfterLogin(faultnet.Reply(429, fmHTML, "Too Many Requests")),
			Check: faultnet.Want[*soapx.HTTPError](projector.ErrRateLimited).Not(projector.ErrProtocol)},
		{Name: "rate limited (10016)", Scenario: fmRateLimited, Check: faultnet.Want[*projector.ServiceError](projector.ErrRateLimited)},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := projector.New(url+projectortest.DefaultPath, testCreds, projector.WithHTTPClient(hc),
			projector.WithBodyLimit(fmBodyLimit), projector.WithRateLimitWait(time.Millisecond), projector.WithRateLimitRetries(1))
		require.NoError(t, err)
		res, err := c.DeleteUser(ctx, jdoe, nil)
		assert.Nil(t, res)
		return err
	})
}

func fmNoError(t *testing.T, err error, _ time.Duration) {
	t.Helper()
	require.NoError(t, err)
}

func fmFake(t *testing.T, hc *http.Client) (*projectortest.Server, *projector.Client) {
	s := fake(t, projectortest.Options{Users: users(3)})
	c, err := projector.New(s.URL, s.Credentials(), projector.WithHTTPClient(hc),
		projector.WithRateLimitWait(time.Millisecond), projector.WithRateLimitRetries(1))
	require.NoError(t, err)
	return s, c
}

// fmTicketExpires: the ticket of a first call expires before the second, which
// authenticates again exactly once and succeeds.
func fmTicketExpires(ctx context.Context, t *testing.T, hc *http.Client) error {
	s, c := fmFake(t, hc)
	defer s.Close()
	_, err := c.DeleteUser(ctx, ref(0), nil)
	require.NoError(t, err)
	s.ExpireTickets()
	_, err = c.DeleteUser(ctx, ref(1), nil)
	assert.Equal(t, 2, s.Logins(), "one PwsAuthenticate per ticket")
	return err
}

// fmTicketRefused: the ticket is refused, and so is the retry with a fresh one.
func fmTicketRefused(ctx context.Context, t *testing.T, hc *http.Client) error {
	s, c := fmFake(t, hc)
	defer s.Close()
	_, err := c.DeleteUser(ctx, ref(0), nil)
	require.NoError(t, err)
	s.FailNext(projectortest.Failure{Code: projector.CodeInvalidSessionTicket})
	s.FailNext(projectortest.Failure{Code: projector.CodeInvalidSessionTicket})
	_, err = c.DeleteUser(ctx, ref(1), nil)
	assert.Equal(t, 2, s.Logins(), "one re-authentication, then the error")
	return err
}

// fmRateLimited: Projector's error mode refuses every request with a 10016 PwsFault.
func fmRateLimited(ctx context.Context, t *testing.T, hc *http.Client) error {
	s, c := fmFake(t, hc)
	defer s.Close()
	s.RateLimit(projectortest.RateLimitFault, 100)
	_, err := c.DeleteUser(ctx, ref(0), nil)
	return err
}
