package projector_test

import (
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
	"github.com/offboard-go/offboard/projector"
)

// projectorStatusShapes are the service's own answers echoing in every free-text field: a Fail
// status with messages, a PwsFault, warnings on a success.
func projectorStatusShapes(echo string) []faultnet.Shape {
	const ct = "text/xml; charset=utf-8"
	msg := msgXML("Error", 10001, "AuthenticationFailed "+echo, "The value "+echo+" is not valid")
	return []faultnet.Shape{
		{Name: "Status Fail messages", Status: 200, ContentType: ct, Body: failReply("PwsDeleteUser", msg).body},
		{Name: "PwsFault", Status: 500, ContentType: ct, Body: faultReply("Error "+echo, msg).body},
		{Name: "rate limited with the echo", Status: 500, ContentType: ct,
			Body: faultReply(echo, msgXML("Error", 10016, "RequestExceededRateLimit", echo)).body},
		{Name: "warnings on a success", Status: 200, ContentType: ct, Body: deleteOK("", msgXML("Warning", 104, echo, echo)).body},
	}
}

// A server that issues a hostile SessionTicket, then echoes it and the password in every
// free-text place of every answer shape, in every form: nothing of them reaches an error (any
// fmt verb, any error of the chain, their fields), a result or the debug log.
func TestHostileServerEchoesSecrets(t *testing.T) {
	secrets := []string{faultnet.HostilePassword, faultnet.HostileTicket}
	leaks := faultnet.NewLeaks(secrets...)
	calls := 0
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword) + " | " + form.Write(faultnet.HostileTicket)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), projectorStatusShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				var n atomic.Int64
				hostile := sh.Handler()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					if strings.Contains(string(b), "PwsAuthenticate") {
						n.Add(1)
						w.Header().Set("Content-Type", "text/xml; charset=utf-8")
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
				require.NoError(t, c.Login(t.Context()))
				res, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
				calls++
				leaks.Error(t, err)
				leaks.Value(t, "result", res)
				leaks.Value(t, "client", c)
				leaks.Error(t, c.Close(t.Context()))
				leaks.Text(t, "debug log", log.String())
				assert.NotEmpty(t, log.String())
				assert.GreaterOrEqual(t, n.Load(), int64(1))
			})
		}
	}
	t.Logf("%d calls, %d renderings checked", calls, leaks.Checked())
}

// PwsAuthenticate refused with the password echoed in the messages, the fault reason and the
// detail, in every form: "Status Fail: Error 10001 AuthenticationFailed: The value <password>
// is not valid" must not show it.
func TestHostileAuthenticationFailure(t *testing.T) {
	leaks := faultnet.NewLeaks(faultnet.HostilePassword)
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword)
		msg := msgXML("Error", 10001, "AuthenticationFailed", "The value "+echo+" is not valid")
		for name, answer := range map[string]mockReply{
			"Status Fail": failReply("PwsAuthenticate", msg),
			"PwsFault":    faultReply("Login failed for "+echo, msg),
		} {
			t.Run(form.Name+"/"+name, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "text/xml; charset=utf-8")
					w.WriteHeader(answer.status)
					_, _ = io.WriteString(w, answer.body)
				}))
				defer srv.Close()
				var log faultnet.LogBuffer
				c, err := projector.New(srv.URL+"/PwsProjectorServices.svc",
					projector.Credentials{AccountCode: "acct", UserName: "ops", Password: faultnet.HostilePassword},
					projector.WithLogger(log.Logger()))
				require.NoError(t, err)
				err = c.Login(t.Context())
				require.ErrorIs(t, err, projector.ErrAuthentication)
				leaks.Error(t, err)
				_, err = c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
				require.Error(t, err)
				leaks.Error(t, err)
				leaks.Text(t, "debug log", log.String())
			})
		}
	}
}
