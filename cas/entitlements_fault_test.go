package cas_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/faultnet"
)

// TestFaultMatrixEntitlements drives the new read, DomainEntitlements (GetDomainEntitlements),
// through the shared fault rows and the rows of its own contract.
func TestFaultMatrixEntitlements(t *testing.T) {
	envStart := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	envEnd := `</soap:Body></soap:Envelope>`
	ok := envelopeOf(soap11, `<GetDomainEntitlementsResponse xmlns="http://ca.tvinci.com/"><GetDomainEntitlementsResult><status><Code>0</Code><Message>no permitted items</Message></status><entitelments /><totalItems>0</totalItems></GetDomainEntitlementsResult></GetDomainEntitlementsResponse>`)
	refused := strings.Replace(strings.Replace(ok, "<Code>0</Code>", "<Code>1</Code>", 1), "no permitted items", "Error", 1)
	protocol := faultnet.Want[*cas.ProtocolError](cas.ErrProtocol)

	cases := append(faultnet.SharedRows(faultnet.Service{ContentType: ct11, OK: ok, EnvStart: envStart, EnvEnd: envEnd}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: faultnet.Reply(200, "application/json", `{"totalItems":0}`), Check: protocol},
		{Name: "SOAP 1.2 answer to a 1.1 request", Handler: faultnet.Reply(200, ct12, envelopeOf(soap12, "<x/>")), Check: protocol},
		{Name: "404 with the refusal body", Handler: faultnet.Reply(404, ct11, refused),
			Check: faultnet.Want[*cas.ServiceError](cas.ErrAuthentication)},
		{Name: "404 with a success body is still refused", Handler: faultnet.Reply(404, ct11, ok),
			Check: faultnet.Want[*cas.ServiceError](cas.ErrAuthentication)},
		{Name: "404 without a SOAP body", Handler: faultnet.Reply(404, fmHTML, "<html>Not Found</html>"),
			Check: faultnet.Want[*cas.EndpointError](cas.ErrProtocol)},
		{Name: "500 with a Fault", Handler: faultnet.Reply(500, ct11, fmFault),
			Check: faultnet.Want[*cas.Fault]().Not(cas.ErrNotFound, cas.ErrAuthentication).And(func(t *testing.T, err error) {
				var se *cas.ServiceError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, "GetDomainEntitlements", se.Operation)
				assert.NotNil(t, se.Fault)
			})},
		{Name: "answer without a result", Handler: faultnet.Reply(200, ct11, envelopeOf(soap11, `<GetDomainEntitlementsResponse xmlns="http://ca.tvinci.com/"/>`)),
			Check: faultnet.Want[*cas.NullResultError]().Not(cas.ErrNotFound)},
		{Name: "the answer of another operation", Handler: faultnet.Reply(200, ct11, envelopeOf(soap11, `<HandleUserTaskResponse xmlns="http://ca.tvinci.com/"/>`)),
			Check: protocol},
		{Name: "a date that is not one", Handler: faultnet.Reply(200, ct11, strings.Replace(ok, "<entitelments />",
			"<entitelments><Entitlement><endDate>tomorrow</endDate></Entitlement></entitelments>", 1)), Check: protocol},
		{Name: "invalid UTF-8", Handler: faultnet.Reply(200, ct11, strings.Replace(ok, "no permitted", "no \xff\xfe permitted", 1)), Check: protocol},
		{Name: "rate limited (HTTP 429)", Handler: faultnet.Reply(429, fmHTML, "Too Many Requests", "Retry-After", "7"),
			Check: faultnet.Want[*cas.HTTPError](cas.ErrRateLimited)},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := cas.New(url+castest.Path, goldenCreds, cas.WithHTTPClient(hc), cas.WithBodyLimit(fmBodyLimit))
		require.NoError(t, err)
		page, err := c.DomainEntitlements(ctx, 42, cas.EntitlementQuery{}, 0, 10)
		assert.Nil(t, page)
		return err
	})
}

// entitlementShapes are the new operations' own answers with the echo in every free-text
// field.
func entitlementShapes(echo string) []faultnet.Shape {
	const ct = "text/xml; charset=utf-8"
	entitlements := func(code, msg string) string {
		return envelopeOf(soap11, `<GetDomainEntitlementsResponse xmlns="http://ca.tvinci.com/"><GetDomainEntitlementsResult><status><Code>`+code+`</Code><Message>`+msg+`</Message>`+
			`<Args><KeyValuePair><key>`+echo+`</key><value>`+echo+`</value></KeyValuePair></Args></status><entitelments><Entitlement><entitlementId>`+echo+`</entitlementId>`+
			`<deviceUDID>`+echo+`</deviceUDID><deviceName>`+echo+`</deviceName></Entitlement></entitelments><totalItems>1</totalItems></GetDomainEntitlementsResult></GetDomainEntitlementsResponse>`)
	}
	return []faultnet.Shape{
		{Name: "entitlements with the echo", Status: 200, ContentType: ct, Body: entitlements("0", "OK "+echo)},
		{Name: "entitlements status 3021", Status: 200, ContentType: ct, Body: entitlements("3021", "bad "+echo)},
		{Name: "entitlements refused (404)", Status: 404, ContentType: ct, Body: entitlements("1", echo)},
	}
}

// A server echoing the password in every free-text place of every answer shape: nothing of it
// reaches an error, a result or the debug log of the new operations.
func TestHostileServerEchoesSecretsEntitlements(t *testing.T) {
	secrets := []string{faultnet.HostilePassword}
	leaks := faultnet.NewLeaks(secrets...)
	calls := 0
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), entitlementShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				srv := httptest.NewServer(sh.Handler())
				defer srv.Close()
				for _, wf := range soapForms {
					var log faultnet.LogBuffer
					c, err := cas.New(srv.URL+castest.Path, cas.Credentials{WSUserName: "ws", WSPassword: faultnet.HostilePassword},
						cas.WithLogger(log.Logger()), wf.option())
					if !assert.NoError(t, err) {
						return
					}
					page, err := c.DomainEntitlements(t.Context(), 1, cas.EntitlementQuery{}, 0, 10)
					calls++
					leaks.Error(t, err)
					leaks.Value(t, "result", page)
					res, err := c.CancelSubscriptionRenewal(t.Context(), 1, "101", nil)
					calls++
					leaks.Error(t, err)
					leaks.Value(t, "result", res)
					leaks.Text(t, "debug log", log.String())
				}
			})
		}
	}
	t.Logf("%d calls, %d renderings checked", calls, leaks.Checked())
}
