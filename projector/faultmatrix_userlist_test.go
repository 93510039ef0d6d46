package projector_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// TestFaultMatrixGetUserList drives FindUser (PwsGetUserList), a new read operation, through
// the same misbehaving servers as DeleteUser after a successful PwsAuthenticate, plus rows of
// its own: each wants a typed error in its category, no panic and no goroutine left behind.
func TestFaultMatrixGetUserList(t *testing.T) {
	ok := userListOK("Ok", nil, summaryXML(false, "")).body
	envStart := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`
	envEnd := `</s:Body></s:Envelope>`
	protocol := faultnet.Want[*soapx.ProtocolError](projector.ErrProtocol)

	cases := append(faultnet.SharedRows(faultnet.Service{Wrap: fmAfterLogin, ContentType: fmCT, OK: ok, EnvStart: envStart, EnvEnd: envEnd}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: fmAfterLogin(faultnet.Reply(200, "application/json", `{"Users":[]}`)), Check: protocol},
		{Name: "SOAP 1.2 answer to a 1.1 request", Handler: fmAfterLogin(faultnet.Reply(200, "application/soap+xml; charset=utf-8",
			strings.Replace(ok, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", 1))), Check: protocol},
		{Name: "404 with a SOAP body", Handler: fmAfterLogin(faultnet.Reply(404, fmCT, faultReply("Not found", msgNotFound).body)),
			Check: faultnet.Want[*projector.ServiceError](projector.ErrNotFound)},
		{Name: "500 with a Fault", Handler: fmAfterLogin(faultnet.Reply(500, fmCT, faultReply("Denied", msgDenied).body)),
			Check: faultnet.Want[*projector.ServiceError](projector.ErrPermissionDenied).Not(projector.ErrNotFound)},
		{Name: "no row for the user", Handler: fmAfterLogin(faultnet.Reply(200, fmCT, userListOK("OkWithWarnings",
			[]string{msgXML("Warning", 105, "AtLeastOneItemNotFound", "At least one requested item was not found.")}).body)),
			Check: faultnet.Want[*projector.UserNotFoundError](projector.ErrNotFound).Not(projector.ErrProtocol)},
		{Name: "two rows for one user", Handler: fmAfterLogin(faultnet.Reply(200, fmCT, userListOK("Ok", nil, summaryXML(false, ""), summaryXML(true, "")).body)),
			Check: protocol.Not(projector.ErrNotFound)},
		{Name: "InactiveFlag not a boolean", Handler: fmAfterLogin(faultnet.Reply(200, fmCT, strings.Replace(ok, "<b:InactiveFlag>false<", "<b:InactiveFlag>maybe<", 1))),
			Check: protocol},
		{Name: "UserId not an Int32", Handler: fmAfterLogin(faultnet.Reply(200, fmCT, strings.Replace(ok, `<b:UserId i:nil="true"/>`, "<b:UserId>U42</b:UserId>", 1))),
			Check: protocol},
		{Name: "invalid UTF-8", Handler: fmAfterLogin(faultnet.Reply(200, fmCT, strings.Replace(ok, "Jane Doe", "Jane \xed\xa0\x80Doe", 1))), Check: protocol},
		{Name: "session expiring between two calls", Scenario: fmListTicketExpires, Check: fmNoError},
		{Name: "rate limited (10016)", Scenario: func(ctx context.Context, t *testing.T, hc *http.Client) error {
			s, c := fmFake(t, hc)
			defer s.Close()
			s.RateLimit(projectortest.RateLimitFault, 100)
			_, err := c.FindUser(ctx, ref(0))
			return err
		}, Check: faultnet.Want[*projector.ServiceError](projector.ErrRateLimited)},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := projector.New(url+projectortest.DefaultPath, testCreds, projector.WithHTTPClient(hc),
			projector.WithBodyLimit(fmBodyLimit), projector.WithRateLimitWait(time.Millisecond), projector.WithRateLimitRetries(1))
		require.NoError(t, err)
		u, err := c.FindUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"})
		assert.Nil(t, u)
		return err
	})
}

// fmListTicketExpires: the ticket of a first read expires before the second, which
// authenticates again exactly once and finds the user.
func fmListTicketExpires(ctx context.Context, t *testing.T, hc *http.Client) error {
	s, c := fmFake(t, hc)
	defer s.Close()
	_, err := c.FindUser(ctx, ref(0))
	require.NoError(t, err)
	s.ExpireTickets()
	u, err := c.FindUser(ctx, ref(1))
	if err == nil {
		assert.True(t, u.Active())
	}
	assert.Equal(t, 2, s.Logins())
	assert.Empty(t, s.Violations())
	return err
}

// userListShapes are PwsGetUserList answers echoing into every free-text member of a row.
func userListShapes(echo string) []faultnet.Shape {
	row := `<b:PwsUserSummaryElement><b:InactiveFlag>false</b:InactiveFlag><b:PasswordTicketFlag>false</b:PasswordTicketFlag><b:UserSummary>` +
		`<b:UserDisplayName>` + echo + `</b:UserDisplayName><b:UserId>7</b:UserId><b:UserReferenceSystemId>` + echo + `</b:UserReferenceSystemId>` +
		`<b:UserUid>1152921504607134367</b:UserUid><b:EmailAddress>` + echo + `</b:EmailAddress><b:FirstName>` + echo + `</b:FirstName>` +
		`<b:LastName>` + echo + `</b:LastName><b:MiddleName>` + echo + `</b:MiddleName></b:UserSummary></b:PwsUserSummaryElement>`
	return []faultnet.Shape{
		{Name: "user row with the echo", Status: 200, ContentType: fmCT,
			Body: userListOK("OkWithWarnings", []string{msgXML("Warning", 104, echo, echo)}, row).body},
		{Name: "Status Fail with the echo", Status: 200, ContentType: fmCT,
			Body: failReply("PwsGetUserList", msgXML("Error", 50024, "EntityNotFound", "Entity "+echo+" was not found.")).body},
	}
}

// A server that issues a hostile SessionTicket, then echoes it and the password in every
// free-text place of PwsGetUserList's answers, in every form: nothing of them reaches the
// result, an error or the debug log.
func TestHostileServerEchoesSecretsGetUserList(t *testing.T) {
	secrets := []string{faultnet.HostilePassword, faultnet.HostileTicket}
	leaks := faultnet.NewLeaks(secrets...)
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword) + " | " + form.Write(faultnet.HostileTicket)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), userListShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				var n atomic.Int64
				hostile := sh.Handler()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					if strings.Contains(string(b), "PwsAuthenticate") {
						n.Add(1)
						w.Header().Set("Content-Type", fmCT)
						_, _ = io.WriteString(w, authOK(faultnet.EchoForms()[0].Write(faultnet.HostileTicket)).body)
						return
					}
					hostile(w, r)
				}))
				defer srv.Close()
				var log faultnet.LogBuffer
				c, err := projector.New(srv.URL+"/PwsProjectorServices.svc",
					projector.Credentials{AccountCode: "acct", UserName: "ops", Password: faultnet.HostilePassword},
					projector.WithLogger(log.Logger()), projector.WithRateLimitRetries(0),
					projector.WithRateLimitWait(time.Millisecond), projector.WithMaxRetryAfter(time.Millisecond))
				require.NoError(t, err)
				res, err := c.GetUserList(t.Context(), &projector.UserListOptions{IncludeInactive: true})
				leaks.Error(t, err)
				leaks.Value(t, "result", res)
				if res != nil && strings.Contains(sh.Name, "row") {
					require.Len(t, res.Users, 1)
					assert.NotEmpty(t, res.Users[0].FirstName, "the text is kept, scrubbed")
				}
				leaks.Value(t, "client", c)
				leaks.Text(t, "debug log", log.String())
				assert.Equal(t, int64(1), n.Load())
			})
		}
	}
	t.Logf("%d renderings checked", leaks.Checked())
}
