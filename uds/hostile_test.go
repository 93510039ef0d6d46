package uds_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/uds"
)

const hostileTxNS = "http://ws.arcot.com/UDSTransaction/1.0"

// hostileTokenAnswer answers the credential request with a success that issues the hostile
// authToken (XML-escaped on the wire, as a server would write it).
func hostileTokenAnswer(w http.ResponseWriter) {
	var tok strings.Builder
	tok.WriteString(faultnet.EchoForms()[0].Write(faultnet.HostileToken))
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header>`+
		`<udsTransactionID xmlns="`+hostileTxNS+`">TX-1</udsTransactionID><authToken xmlns="`+hostileTxNS+`">`+tok.String()+`</authToken>`+
		`</env:Header><env:Body>`+getOK+`</env:Body></env:Envelope>`)
}

// udsStatusShapes are the service's own answers echoing in every free-text field.
func udsStatusShapes(echo string) []faultnet.Shape {
	env := func(header, body string) string {
		return `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header>` + header +
			`</env:Header><env:Body>` + body + `</env:Body></env:Envelope>`
	}
	const ct = "application/soap+xml; charset=utf-8"
	reg := strings.ReplaceAll(fault12("Receiver", "Error "+echo, "31201", "Unable to process the database query, "+echo+".", echo), "soapenv:", "env:")
	return []faultnet.Shape{
		{Name: "userRegistryError", Status: 500, ContentType: ct, Body: env(`<udsTransactionID xmlns="`+hostileTxNS+`">`+echo+`</udsTransactionID>`, reg)},
		{Name: "token rejected with the echo", Status: 500, ContentType: ct,
			Body: env("", strings.ReplaceAll(fault12("Sender", echo, "31102", "The token "+echo+" has expired.", ""), "soapenv:", "env:"))},
		{Name: "success message with the echo", Status: 200, ContentType: ct, Body: env(`<udsTransactionID xmlns="`+hostileTxNS+`">`+echo+`</udsTransactionID>`,
			strings.Replace(getOK, "INACTIVE", "INACTIVE", 1)+"")},
		{Name: "update success message with the echo", Status: 200, ContentType: ct,
			Body: env("", strings.Replace(updateOK, "The operation was successful!", "Done for "+echo, 1))},
	}
}

// A server that issues a hostile authToken, then echoes it and the credential in every
// free-text place of every answer shape, in every form: nothing of them reaches an error (any
// fmt verb, any error of the chain, their fields), a result or the debug log.
func TestHostileServerEchoesSecrets(t *testing.T) {
	secrets := []string{faultnet.HostilePassword, faultnet.HostileToken}
	leaks := faultnet.NewLeaks(secrets...)
	calls := 0
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword) + " | " + form.Write(faultnet.HostileToken)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), udsStatusShapes(echo)...) {
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
				jdoe := uds.UserID{OrgName: "ACME", UserName: "jdoe"}
				st, err := c.GetUserStatus(t.Context(), jdoe, nil) // issues the token
				require.NoError(t, err)
				leaks.Value(t, "first result", st)
				res, err := c.UpdateUserStatus(t.Context(), []uds.UserID{jdoe}, uds.StatusInactive, nil)
				leaks.Error(t, err)
				leaks.Value(t, "update result", res)
				st, err = c.GetUserStatus(t.Context(), jdoe, nil)
				leaks.Error(t, err)
				leaks.Value(t, "get result", st)
				calls += 3
				leaks.Value(t, "client", c)
				leaks.Text(t, "debug log", log.String())
				assert.NotEmpty(t, log.String())
			})
		}
	}
	t.Logf("%d calls, %d renderings checked", calls, leaks.Checked())
}

// The credentials refused with the credential echoed in the fault, in every form.
func TestHostileCredentialsRefused(t *testing.T) {
	leaks := faultnet.NewLeaks(faultnet.HostilePassword)
	for _, form := range faultnet.EchoForms() {
		t.Run(form.Name, func(t *testing.T) {
			echo := form.Write(faultnet.HostilePassword)
			body := `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>` +
				strings.ReplaceAll(fault12("Sender", "Invalid credential "+echo, uds.CodeBadCredential, "The credential "+echo+" is not valid.", echo), "soapenv:", "env:") +
				`</env:Body></env:Envelope>`
			srv := httptest.NewServer(faultnet.Shape{Status: 500, ContentType: "application/soap+xml; charset=utf-8", Body: body}.Handler())
			defer srv.Close()
			var log faultnet.LogBuffer
			c, err := uds.New(srv.URL+uds.ServicePath, uds.Credentials{UserID: "udsadmin", OrgName: "ORG", Credential: faultnet.HostilePassword}, uds.WithLogger(log.Logger()))
			require.NoError(t, err)
			for range 2 {
				_, err = c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
				require.ErrorIs(t, err, uds.ErrAuthentication)
				leaks.Error(t, err)
			}
			leaks.Value(t, "client", c)
			leaks.Text(t, "debug log", log.String())
		})
	}
}
