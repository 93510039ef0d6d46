package cas_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/faultnet"
)

// casStatusShapes are the service's own answers with the echo in every free-text field: a
// failed Status, the 404 that refuses the credentials, and a success.
func casStatusShapes(echo string) []faultnet.Shape {
	status := func(code, msg string) string {
		return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
			`<HandleUserTaskResponse xmlns="http://ca.tvinci.com/"><HandleUserTaskResult><Code>` + code + `</Code><Message>` + msg +
			`</Message><Args><KeyValuePair><key>` + echo + `</key><value>` + echo + `</value></KeyValuePair></Args>` +
			`</HandleUserTaskResult></HandleUserTaskResponse></soap:Body></soap:Envelope>`
	}
	const ct = "text/xml; charset=utf-8"
	return []faultnet.Shape{
		{Name: "Status 1020 message", Status: 200, ContentType: ct, Body: status("1020", "User "+echo+" does not exist in domain")},
		{Name: "credentials refused (404 with a Status)", Status: 404, ContentType: ct, Body: status("1", "The value "+echo+" is not valid")},
		{Name: "Status OK with the echo", Status: 200, ContentType: ct, Body: status("0", "OK "+echo)},
	}
}

// A server that echoes the password in every free-text place of every answer shape, in every
// form: nothing of it reaches an error (any fmt verb, any error of the chain, their fields), a
// result or the debug log.
func TestHostileServerEchoesSecrets(t *testing.T) {
	secrets := []string{faultnet.HostilePassword}
	leaks := faultnet.NewLeaks(secrets...)
	calls := 0
	for _, form := range faultnet.EchoForms() {
		echo := form.Write(faultnet.HostilePassword)
		for _, sh := range append(faultnet.HostileShapes(echo, secrets), casStatusShapes(echo)...) {
			t.Run(form.Name+"/"+sh.Name, func(t *testing.T) {
				srv := httptest.NewServer(sh.Handler())
				defer srv.Close()
				for _, wf := range []wireForm{soap11, soap12, httpPost} {
					var log faultnet.LogBuffer
					c, err := cas.New(srv.URL+castest.Path, cas.Credentials{WSUserName: "ws", WSPassword: faultnet.HostilePassword},
						cas.WithLogger(log.Logger()), wf.option())
					if !assert.NoError(t, err) {
						return
					}
					res, err := c.DeleteUser(t.Context(), 1, "bob")
					calls++
					leaks.Error(t, err)
					leaks.Value(t, "result", res)
					leaks.Text(t, "debug log", log.String())
					assert.NotEmpty(t, log.String(), "debug logging is on")
				}
			})
		}
	}
	t.Logf("%d calls, %d renderings checked", calls, leaks.Checked())
}
