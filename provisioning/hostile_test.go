package provisioning_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/provisioning"
)

// provisioningShapes are the service's own answers echoing in every free-text field: the ASMX
// Fault that wraps the exception, a Connect refused with the echo as its challenge.
func provisioningShapes(echo string) []faultnet.Shape {
	const ct = "text/xml; charset=utf-8"
	return []faultnet.Shape{
		{Name: "ASMX exception", Status: 500, ContentType: ct, Body: soap11(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>` +
			`System.Web.Services.Protocols.SoapException: Server was unable to process request. ---&gt; System.Exception: The one-time code ` +
			echo + ` was already used.</faultstring><detail /></soap:Fault>`)},
		{Name: "not connected, with the echo", Status: 500, ContentType: ct, Body: soap11(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>` +
			`Server was unable to process request. ---&gt; You are not connected (session ` + echo + `)</faultstring><detail /></soap:Fault>`)},
	}
}

// A server that sets a hostile session cookie on Connect (made with a hostile OTP), then
// echoes both in every free-text place of every answer shape, in every form: nothing of them
// reaches an error (any fmt verb, any error of the chain, their fields), a result or the
// debug log.
func TestHostileServerEchoesSecrets(t *testing.T) {
	secrets := []string{faultnet.HostileOTP, faultnet.HostileCookie}
	leaks := faultnet.NewLeaks(secrets...)
	calls := 0
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostileOTP) + " | " + form.Write(faultnet.HostileCookie)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), provisioningShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				var connects atomic.Int64
				hostile := sh.Handler()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					if strings.Contains(string(b), "<Connect") {
						connects.Add(1)
						http.SetCookie(w, &http.Cookie{Name: "ASP.NET_SessionId", Value: faultnet.HostileCookie, Path: "/"})
						w.Header().Set("Content-Type", "text/xml; charset=utf-8")
						_, _ = io.WriteString(w, soap11(connectOK))
						return
					}
					hostile(w, r)
				}))
				defer srv.Close()
				var log faultnet.LogBuffer
				otp := func(context.Context) (string, error) { return faultnet.HostileOTP, nil }
				c, err := provisioning.New(srv.URL+"/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "op@example.com", OTP: otp}, provisioning.WithLogger(log.Logger()))
				require.NoError(t, err)
				require.NoError(t, c.Login(t.Context()))
				n, err := c.TaskCount(t.Context(), "Org")
				leaks.Error(t, err)
				leaks.Value(t, "count", n)
				tasks, err := c.TasksForUser(t.Context(), "Org", "alice", 0, 10)
				leaks.Error(t, err)
				leaks.Value(t, "tasks", tasks)
				leaks.Error(t, c.RemoveUsersFromTask(t.Context(), "Org", 1, []string{"alice"}, false))
				calls += 4
				leaks.Value(t, "client", c)
				leaks.Text(t, "debug log", log.String())
				assert.NotEmpty(t, log.String())
				assert.GreaterOrEqual(t, connects.Load(), int64(1))
			})
		}
	}
	t.Logf("%d calls, %d renderings checked", calls, leaks.Checked())
}

// Connect refused, with the server's challenge text echoing the OTP in every form: the
// ConnectError, the later calls' errors and the log show none of it.
func TestHostileConnectChallenge(t *testing.T) {
	leaks := faultnet.NewLeaks(faultnet.HostileOTP)
	for _, form := range faultnet.EchoForms() {
		for _, result := range []string{"CHALLENGE", "AUTH_FAILURE", "OUTER_WINDOW_AUTH"} {
			t.Run(form.Name+"/"+result, func(t *testing.T) {
				echo := form.Write(faultnet.HostileOTP)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "text/xml; charset=utf-8")
					_, _ = io.WriteString(w, soap11(`<ConnectResponse xmlns="http://www.cryptocard.com/blackshield/"><ConnectResult>`+result+
						`</ConnectResult><challenge>Enter the code after `+echo+`</challenge></ConnectResponse>`))
				}))
				defer srv.Close()
				var log faultnet.LogBuffer
				otp := func(context.Context) (string, error) { return faultnet.HostileOTP, nil }
				c, err := provisioning.New(srv.URL+"/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "op@example.com", OTP: otp}, provisioning.WithLogger(log.Logger()))
				require.NoError(t, err)
				err = c.Login(t.Context())
				require.Error(t, err)
				leaks.Error(t, err)
				var ce *provisioning.ConnectError
				require.ErrorAs(t, err, &ce)
				leaks.Value(t, "connect error", ce)
				_, err = c.TaskCount(t.Context(), "Org")
				require.Error(t, err)
				leaks.Error(t, err)
				leaks.Text(t, "debug log", log.String())
			})
		}
	}
	t.Logf("%d renderings checked", leaks.Checked())
}
