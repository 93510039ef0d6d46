package leaktest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// Servers echo requests in their errors: ASMX quotes a form value it refused, a fault
// reason repeats an element of the request. Whatever carries the secret's name (an element,
// an attribute, name=value, raw or escaped) must be redacted wherever the server's text goes:
// error strings, every fmt verb of the error values, the debug log.
func TestServerEchoesSecrets(t *testing.T) {
	ctx := context.Background()
	var total tally
	defer func() { t.Logf("echoes: %d log records and %d rendered values checked", total.records, total.values) }()
	echoes := func(name, secret string) []string {
		return []string{
			"refused <" + name + ">" + secret + "</" + name + ">",
			"refused &lt;" + name + "&gt;" + secret + "&lt;/" + name + "&gt; (escaped)",
			"A potentially dangerous Request.Form value was detected (" + name + `="` + secret + `").`,
			"login failed: " + name + "=" + secret,
		}
	}

	t.Run("cas", func(t *testing.T) {
		l := newLeaks(t)
		creds := cas.Credentials{WSUserName: "u", WSPassword: "cas-echo-pw-1"}
		l.secret(creds.WSPassword)
		s := castest.NewServer(castest.Options{Credentials: creds, Households: []castest.Household{{ID: 1, Users: []string{"a"}, MasterUsers: []string{"a"}}}})
		t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
		defer s.Close()
		c, err := cas.New(s.URL, creds, cas.WithHTTPClient(l.httpClient()), cas.WithLogger(l.logger()))
		require.NoError(t, err)
		for _, e := range echoes("sWSPassword", creds.WSPassword) {
			s.FailNext(castest.Failure{Code: cas.Code(9999), Message: e})
			_, err = c.DeleteUser(ctx, 1, "a")
			require.Error(t, l.err(err))
		}
		total.add(l, 4)
	})

	t.Run("uds", func(t *testing.T) {
		l := newLeaks(t)
		const cred = "uds-echo-cred-2"
		l.secret(cred)
		s := udstest.NewServer(udstest.Options{AnA: true, Admin: uds.Credentials{Credential: cred}})
		t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
		defer s.Close()
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(l.httpClient()), uds.WithLogger(l.logger()))
		require.NoError(t, err)
		for _, e := range echoes("credential", cred) {
			s.FailNext(udstest.Failure{FaultCode: "Sender", Code: "31999", Message: e, Context: e})
			_, err = c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
			require.Error(t, l.err(err))
			c.ResetRefusal() // a fault to the credentials is remembered as a refusal: each echo is sent
		}
		total.add(l, 4)
	})

	t.Run("projector", func(t *testing.T) {
		l := newLeaks(t)
		const pw = "prj-echo-pw-3"
		l.secret(pw)
		var reason string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(reason)
			_, _ = io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode>`+
				`<faultstring xml:lang="en-US">`+esc+`</faultstring><detail><PwsFault xmlns="http://projectorpsa.com/CommonServices/"><Messages xmlns:b="http://projectorpsa.com/DataContracts/Shared/Common/">`+
				`<b:PwsMessage><b:AdditionalErrorText>`+esc+`</b:AdditionalErrorText><b:ErrorCode>LoginFailed</b:ErrorCode><b:ErrorNumber>1</b:ErrorNumber>`+
				`<b:ErrorText>`+esc+`</b:ErrorText><b:Type>Error</b:Type></b:PwsMessage></Messages></PwsFault></detail></s:Fault></s:Body></s:Envelope>`)
		}))
		defer srv.Close()
		c, err := projector.New(srv.URL+"/PwsProjectorServices.svc", projector.Credentials{AccountCode: "a", UserName: "u", Password: pw},
			projector.WithHTTPClient(l.httpClient()), projector.WithLogger(l.logger()))
		require.NoError(t, err)
		for _, e := range echoes("Password", pw) {
			reason = e
			require.ErrorIs(t, l.err(c.Login(ctx)), projector.ErrAuthentication)
			c.ResetRefusal() // the refusal is remembered: each echo is sent
		}
		total.add(l, 4)
	})

	t.Run("provisioning", func(t *testing.T) {
		l := newLeaks(t)
		const otp = "prov-echo-otp-4"
		l.secret(otp)
		s := provisioningtest.NewServer(provisioningtest.Options{OTP: otp})
		t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
		defer s.Close()
		c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail,
			OTP: func(context.Context) (string, error) { return otp, nil }},
			provisioning.WithHTTPClient(l.httpClient()), provisioning.WithLogger(l.logger()))
		require.NoError(t, err)
		for _, e := range echoes("OTP", otp) {
			s.FailNext(provisioningtest.Failure{Message: e})
			_, err = c.TaskCount(ctx, "Org")
			require.Error(t, l.err(err))
		}
		total.add(l, 4)
	})
}
