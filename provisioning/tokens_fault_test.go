package provisioning_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning"
)

const fmOwnerOK = `<GetTokensByOwnerResponse xmlns="http://www.cryptocard.com/blackshield/"><GetTokensByOwnerResult><string>MP-0001</string></GetTokensByOwnerResult></GetTokensByOwnerResponse>`

// TestFaultMatrixTokens drives the new read TokensByOwner (GetTokensByOwner) within a session
// through the shared fault rows and its own.
func TestFaultMatrixTokens(t *testing.T) {
	ok := soap11(fmOwnerOK)
	envStart := `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	envEnd := `</soap:Body></soap:Envelope>`
	protocol := faultnet.Want[*soapx.ProtocolError](provisioning.ErrProtocol)
	fault := func(status int, message string) http.Handler {
		return faultnet.Reply(status, fmCT11, soap11(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; `+
			message+`</faultstring><detail /></soap:Fault>`))
	}
	cases := append(faultnet.SharedRows(faultnet.Service{Wrap: fmAfterConnect, ContentType: fmCT11, OK: ok, EnvStart: envStart, EnvEnd: envEnd}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: fmAfterConnect(faultnet.Reply(200, "text/plain", "MP-0001")), Check: protocol},
		{Name: "SOAP 1.2 answer to a 1.1 request", Handler: fmAfterConnect(faultnet.Reply(200, fmCT12, soap12(fmOwnerOK))), Check: protocol},
		{Name: "the answer of another operation", Handler: fmAfterConnect(faultnet.Reply(200, fmCT11, soap11(fmCountOK))), Check: protocol},
		{Name: "500 with a Fault", Handler: fmAfterConnect(fault(500, "User not found")),
			Check: faultnet.Want[*provisioning.ServiceError]().Not(provisioning.ErrSessionExpired).And(func(t *testing.T, err error) {
				var e *provisioning.ServiceError
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "User not found", e.Message)
				assert.Equal(t, "GetTokensByOwner", e.Operation)
			})},
		{Name: "normal answer with HTTP 500", Handler: fmAfterConnect(faultnet.Reply(500, fmCT11, ok)),
			Check: faultnet.Want[*soapx.HTTPError](provisioning.ErrProtocol).And(httpStatusIs(500))},
		{Name: "invalid UTF-8", Handler: fmAfterConnect(faultnet.Reply(200, fmCT11, strings.Replace(ok, "MP-0001", "MP-\xff", 1))), Check: protocol},
		{Name: "rate limited (HTTP 429)", Handler: fmAfterConnect(faultnet.Reply(429, fmHTML, "Too Many Requests", "Retry-After", "30")),
			Check: faultnet.Want[*soapx.HTTPError](provisioning.ErrRateLimited)},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		otp := func(context.Context) (string, error) { return "123456", nil }
		c, err := provisioning.New(url+"/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: otp},
			provisioning.WithHTTPClient(hc), provisioning.WithBodyLimit(fmBodyLimit))
		require.NoError(t, err)
		serials, err := c.TokensByOwner(ctx, org, "jdoe")
		assert.Nil(t, serials)
		return err
	})
}

// tokenShapes are the token operations' own answers with the echo in every free-text place.
func tokenShapes(echo string) []faultnet.Shape {
	return []faultnet.Shape{
		{Name: "serials", Status: 200, ContentType: fmCT11,
			Body: soap11(`<GetTokensByOwnerResponse xmlns="http://www.cryptocard.com/blackshield/"><GetTokensByOwnerResult><string>` + echo + `</string></GetTokensByOwnerResult></GetTokensByOwnerResponse>`)},
		{Name: "revoke result", Status: 200, ContentType: fmCT11,
			Body: soap11(`<RevokeTokenResponse xmlns="http://www.cryptocard.com/blackshield/"><RevokeTokenResult>` + echo + `</RevokeTokenResult></RevokeTokenResponse>`)},
	}
}

// A server echoing the OTP in every free-text place of every answer shape after Connect:
// nothing of it reaches an error, a result or the debug log of the token operations.
func TestHostileServerEchoesSecretsTokens(t *testing.T) {
	secrets := []string{faultnet.HostilePassword}
	leaks := faultnet.NewLeaks(secrets...)
	calls := 0
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), tokenShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				srv := httptest.NewServer(fmAfterConnect(sh.Handler()))
				defer srv.Close()
				var log faultnet.LogBuffer
				otp := func(context.Context) (string, error) { return faultnet.HostilePassword, nil }
				c, err := provisioning.New(srv.URL+"/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: otp}, provisioning.WithLogger(log.Logger()))
				require.NoError(t, err)
				serials, err := c.TokensByOwner(t.Context(), org, "jdoe")
				calls++
				leaks.Error(t, err)
				leaks.Value(t, "serials", serials)
				res, err := c.RevokeToken(t.Context(), org, "MP-0001", "jdoe", nil)
				calls++
				leaks.Error(t, err)
				leaks.Value(t, "result", res)
				leaks.Text(t, "debug log", log.String())
			})
		}
	}
	t.Logf("%d calls, %d renderings checked", calls, leaks.Checked())
}
