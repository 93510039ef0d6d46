package uds_test

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
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// TestFaultMatrixRetrieveUser drives RetrieveUser (with accounts), a new read operation,
// through the same misbehaving servers as GetUserStatus, plus the rows of its own: each wants
// a typed error in its category, no panic and no goroutine left behind.
func TestFaultMatrixRetrieveUser(t *testing.T) {
	ok := env12(txHeader("TX-1"), retrieveOK)
	envStart := `<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope"><soapenv:Body>`
	envEnd := `</soapenv:Body></soapenv:Envelope>`
	protocol := faultnet.Want[*soapx.ProtocolError](uds.ErrProtocol)
	billion := strings.Replace(faultnet.BillionLaughs, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", 1)
	ok11 := `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` + retrieveOK + `</soap:Body></soap:Envelope>`

	cases := append(faultnet.SharedRows(faultnet.Service{ContentType: ct12, OK: ok, EnvStart: envStart, EnvEnd: envEnd, BillionLaughs: billion}), []faultnet.Case{
		{Name: "wrong Content-Type", Handler: faultnet.Reply(200, "application/json", `{"userName":"jdoe"}`), Check: protocol},
		{Name: "SOAP 1.1 answer to a 1.2 request", Handler: faultnet.Reply(200, "text/xml; charset=utf-8", ok11), Check: protocol},
		{Name: "404 with a user-not-found Fault", Handler: faultnet.Reply(404, ct12, env12(txHeader("TX-2"),
			fault12("Sender", "User not found", uds.CodeUserNotFound, "User not found", "ACME/jdoe"))),
			Check: faultnet.Want[*uds.ServiceError](uds.ErrNotFound).And(func(t *testing.T, err error) {
				var re *uds.ServiceError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, "retrieveUser", re.Operation)
				assert.Equal(t, 404, re.HTTPStatus)
				assert.Equal(t, "TX-2", re.TransactionID)
			})},
		{Name: "normal answer with HTTP 404", Handler: faultnet.Reply(404, ct12, ok),
			Check: faultnet.Want[*soapx.HTTPError](uds.ErrProtocol).Not(uds.ErrNotFound)},
		{Name: "500 with an unknown number", Handler: faultnet.Reply(500, ct12, env12(txHeader("TX-3"),
			fault12("Receiver", "Odd", "88001", "Odd", ""))),
			Check: faultnet.Want[*uds.ServiceError]().Not(uds.ErrNotFound, uds.ErrUnavailable, uds.ErrProtocol)},
		{Name: "answer without return", Handler: faultnet.Reply(200, ct12, env12(txHeader("TX-4"), `<ns3:retrieveUserResponse xmlns:ns3="`+msgsNS+`"/>`)),
			Check: protocol},
		{Name: "account status not an int", Handler: faultnet.Reply(200, ct12, strings.Replace(ok, "<ns1:accountStatus>10<", "<ns1:accountStatus>ten<", 1)),
			Check: protocol},
		{Name: "date not a date", Handler: faultnet.Reply(200, ct12, strings.Replace(ok, "2026-03-16T10:25:34.000+00:00", "yesterday", 1)),
			Check: protocol},
		{Name: "invalid UTF-8", Handler: faultnet.Reply(200, ct12, strings.Replace(ok, "jdoe", "jd\xc3\x28oe", 1)), Check: protocol},
		{Name: "session expiring between two calls", Scenario: fmRetrieveTokenExpires, Check: fmNoError},
		{Name: "rate limited (HTTP 429)", Handler: faultnet.Reply(429, fmHTML, "Too Many Requests"),
			Check: faultnet.Want[*soapx.HTTPError](uds.ErrRateLimited).Not(uds.ErrProtocol)},
	}...)
	faultnet.Run(t, cases, func(ctx context.Context, t *testing.T, url string, hc *http.Client) error {
		c, err := uds.New(url+uds.ServicePath, uds.Credentials{}, uds.WithHTTPClient(hc), uds.WithBodyLimit(fmBodyLimit))
		require.NoError(t, err)
		u, err := c.RetrieveUser(ctx, jdoe, &uds.RetrieveOptions{IncludeAccounts: true})
		assert.Nil(t, u)
		return err
	})
}

// fmRetrieveTokenExpires: the token of a first read expires before the second, which
// authenticates again exactly once and reads the accounts.
func fmRetrieveTokenExpires(ctx context.Context, t *testing.T, hc *http.Client) error {
	s := udstest.NewServer(udstest.Options{AnA: true})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	s.AddAccount("ACME", "jdoe", udstest.Account{Type: "RADIUS_ID", ID: "r", Status: 10})
	c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.RetrieveUser(ctx, jdoe, nil)
	require.NoError(t, err)
	s.ExpireTokens()
	u, err := c.RetrieveUser(ctx, jdoe, &uds.RetrieveOptions{IncludeAccounts: true})
	if err == nil {
		assert.Len(t, u.Accounts, 1)
		assert.True(t, u.NewAuthToken)
	}
	assert.Equal(t, 2, s.Logins())
	assert.Empty(t, s.Violations())
	return err
}

// retrieveShapes are retrieveUser and listUserAccounts answers echoing into every free-text
// member (names, emails, account ids and attributes, custom values, the transaction id).
func retrieveShapes(echo string) []faultnet.Shape {
	env := func(header, body string) string {
		return `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header>` + header +
			`</env:Header><env:Body>` + body + `</env:Body></env:Envelope>`
	}
	const ct = "application/soap+xml; charset=utf-8"
	tx := `<udsTransactionID xmlns="` + hostileTxNS + `">` + echo + `</udsTransactionID>`
	user := `<ns3:retrieveUserResponse xmlns:ns3="` + msgsNS + `"><ns3:return xmlns:ns1="http://ws.arcot.com/UserSchema/1.0">` +
		`<ns1:userId><ns1:orgName>ACME</ns1:orgName><ns1:userName>jdoe</ns1:userName></ns1:userId>` +
		`<ns1:emailId qualifier="work">` + echo + `</ns1:emailId><ns1:telephoneNumber>` + echo + `</ns1:telephoneNumber>` +
		`<ns1:firstName>` + echo + `</ns1:firstName><ns1:middleName>` + echo + `</ns1:middleName><ns1:lastName>` + echo + `</ns1:lastName>` +
		`<ns1:pam>` + echo + `</ns1:pam><ns1:pamImageURL>` + echo + `</ns1:pamImageURL><ns1:status>ACTIVE</ns1:status>` +
		`<ns1:customAttribute><ns1:name>n</ns1:name><ns1:value>` + echo + `</ns1:value></ns1:customAttribute>` +
		`<ns1:account><ns1:accountType>RADIUS_ID</ns1:accountType><ns1:accountID>` + echo + `</ns1:accountID>` +
		`<ns1:accountIDAttribute key="2">` + echo + `</ns1:accountIDAttribute>` +
		`<ns1:accountCustomAttribute><ns1:attributeName>a</ns1:attributeName><ns1:attributeValue>` + echo + `</ns1:attributeValue></ns1:accountCustomAttribute>` +
		`</ns1:account></ns3:return></ns3:retrieveUserResponse>`
	return []faultnet.Shape{
		{Name: "retrieveUser details with the echo", Status: 200, ContentType: ct, Body: env(tx, user)},
		{Name: "user not found with the echo", Status: 500, ContentType: ct,
			Body: env(tx, strings.ReplaceAll(fault12("Sender", echo, uds.CodeUserNotFound, "User "+echo+" not found.", echo), "soapenv:", "env:"))},
	}
}

// A server that issues a hostile authToken, then echoes it and the credential in every
// free-text place of retrieveUser's answers, in every form: nothing of them reaches the
// result (any fmt verb, every string field), an error or the debug log.
func TestHostileServerEchoesSecretsRetrieveUser(t *testing.T) {
	secrets := []string{faultnet.HostilePassword, faultnet.HostileToken}
	leaks := faultnet.NewLeaks(secrets...)
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword) + " | " + form.Write(faultnet.HostileToken)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), retrieveShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				var n atomic.Int64
				hostile := sh.Handler()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					if n.Add(1) == 1 {
						require.Contains(t, string(b), "credential")
						hostileTokenAnswer(w)
						return
					}
					hostile(w, r)
				}))
				defer srv.Close()
				var log faultnet.LogBuffer
				c, err := uds.New(srv.URL+uds.ServicePath, uds.Credentials{UserID: "udsadmin", OrgName: "ORG", Credential: faultnet.HostilePassword},
					uds.WithLogger(log.Logger()))
				require.NoError(t, err)
				_, err = c.GetUserStatus(t.Context(), jdoe, nil) // issues the token
				require.NoError(t, err)
				u, err := c.RetrieveUser(t.Context(), jdoe, &uds.RetrieveOptions{IncludeAccounts: true})
				leaks.Error(t, err)
				leaks.Value(t, "retrieveUser result", u)
				if u != nil && strings.Contains(sh.Name, "details") {
					assert.NotEmpty(t, u.FirstName, "the text is kept, scrubbed")
					require.Len(t, u.Accounts, 1)
				}
				leaks.Value(t, "client", c)
				leaks.Text(t, "debug log", log.String())
			})
		}
	}
	t.Logf("%d renderings checked", leaks.Checked())
}
