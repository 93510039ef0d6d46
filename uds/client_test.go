package uds_test

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/uds"
)

var update = flag.Bool("update", false, "rewrite the golden request files in testdata/")

// golden compares a request body with testdata/name after replacing the secrets by their
// placeholders (golden files never hold a secret).
func golden(t *testing.T, name string, got []byte, placeholders map[string]string) {
	t.Helper()
	s := string(got)
	for secret, ph := range placeholders {
		s = strings.ReplaceAll(s, secret, ph)
	}
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	xmltest.Equal(t, want, []byte(s))
}

func anaClient(t *testing.T, m *mock, opts ...uds.Option) *uds.Client {
	t.Helper()
	all := append([]uds.Option{
		uds.WithHTTPClient(m.HC),
		uds.WithTargetOrgs("ACME"), uds.WithTargetOrgs("GLOBEX"),
		uds.WithTargetAllOrgs(), uds.WithGlobalEntity(),
	}, opts...)
	c, err := uds.New(endpoint, uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: testCredential}, all...)
	require.NoError(t, err)
	return c
}

// TestEnvelopeAnA holds the exact requests of an AnA client: credentials first, then the
// token the server returned, each with the authorisation headers, in SOAP 1.2 with the
// action in the Content-Type and the body elements in schema order.
func TestEnvelopeAnA(t *testing.T) {
	const token = "TOKEN-0123456789abcdef"
	m := newMock(t,
		ok12(txHeader("TX-1")+tokenHeader(token), updateOK),
		ok12(txHeader("TX-2"), getOK),
	)
	c := anaClient(t, m)
	cet := time.FixedZone("CET", 3600)

	res, err := c.UpdateUserStatus(t.Context(),
		[]uds.UserID{{OrgName: "ACME", UserName: "jdoe", UserRefID: 1234}, {UserName: "asmith"}},
		uds.StatusInactive,
		&uds.UpdateOptions{
			StartLockTime: time.Date(2025, 3, 1, 9, 0, 0, 0, cet),
			EndLockTime:   time.Date(2025, 3, 8, 9, 0, 0, 0, cet),
			ClientTxID:    "offboard-42",
		})
	require.NoError(t, err)
	assert.Equal(t, &uds.UpdateResult{Message: "The operation was successful!", TransactionID: "TX-1", NewAuthToken: true}, res)

	st, err := c.GetUserStatus(t.Context(), uds.UserID{OrgName: "ACME", UserName: "jdoe"}, &uds.GetOptions{ClientTxID: "offboard-43"})
	require.NoError(t, err)
	assert.Equal(t, &uds.UserStatus{
		User:          uds.UserID{OrgName: "ACME", UserName: "jdoe", UserRefID: 1234},
		Status:        uds.StatusInactive,
		TransactionID: "TX-2",
	}, st)

	rq := m.requests()
	require.Len(t, rq, 2)
	for i, action := range []string{"urn:UDS.UpdateUserStatus", "urn:UDS.GetUserStatus"} {
		assert.Equal(t, http.MethodPost, rq[i].Method)
		assert.Equal(t, endpoint, rq[i].URL)
		assert.Equal(t, `application/soap+xml; charset=utf-8; action="`+action+`"`, rq[i].Header.Get("Content-Type"))
		assert.Empty(t, rq[i].Header.Values("SOAPAction"), "SOAP 1.2 carries the action in the Content-Type only")
	}
	golden(t, "updateUserStatus-credentials.xml", rq[0].Body, map[string]string{testCredential: "${CREDENTIAL}"})
	golden(t, "getUserStatus-token.xml", rq[1].Body, map[string]string{token: "${TOKEN}"})
	assert.NotContains(t, string(rq[1].Body), testCredential, "a token request must not carry the credential")
}

// TestEnvelopeNoAnA: without credentials there is no Header at all, and absent options
// are absent elements (no empty lock times, no empty clientTxId).
func TestEnvelopeNoAnA(t *testing.T) {
	m := newMock(t, ok12(txHeader("TX-9"), updateOK), ok12(txHeader("TX-10"), getOK))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)

	res, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "jdoe"}}, uds.StatusDeleted, nil)
	require.NoError(t, err)
	assert.Equal(t, "TX-9", res.TransactionID)
	assert.False(t, res.NewAuthToken)
	_, err = c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.NoError(t, err)

	rq := m.requests()
	require.Len(t, rq, 2)
	golden(t, "updateUserStatus-minimal.xml", rq[0].Body, nil)
	golden(t, "getUserStatus-noana.xml", rq[1].Body, nil)
}

// TestAuthTokenOnlyFromResponse: a token is used only once the server sent one; a
// response without a token leaves the client on credentials.
func TestAuthTokenOnlyFromResponse(t *testing.T) {
	m := newMock(t, ok12(txHeader("TX-1"), getOK), ok12(txHeader("TX-2")+tokenHeader("T1"), getOK), ok12(txHeader("TX-3"), getOK))
	c := anaClient(t, m)
	for range 3 {
		_, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
		require.NoError(t, err)
	}
	rq := m.requests()
	assert.Contains(t, string(rq[0].Body), testCredential)
	assert.Contains(t, string(rq[1].Body), testCredential)
	assert.NotContains(t, string(rq[2].Body), testCredential)
	assert.Contains(t, string(rq[2].Body), ">T1</")
}

func TestInputValidation(t *testing.T) {
	start := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		call  func(c *uds.Client) error
		field string
	}{
		{"no users", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), nil, uds.StatusActive, nil)
			return err
		}, "users"},
		{"empty userName names its index", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}, {OrgName: "ACME"}}, uds.StatusActive, nil)
			return err
		}, "users[1].UserName"},
		{"blank userName", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "  "}}, uds.StatusActive, nil)
			return err
		}, "users[0].UserName"},
		{"unknown status", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}}, uds.Status("LOCKED"), nil)
			return err
		}, "status"},
		{"empty status", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}}, "", nil)
			return err
		}, "status"},
		{"lowercase status", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}}, "inactive", nil)
			return err
		}, "status"},
		{"end equals start", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}}, uds.StatusInactive,
				&uds.UpdateOptions{StartLockTime: start, EndLockTime: start})
			return err
		}, "opts.EndLockTime"},
		{"end before start", func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}}, uds.StatusInactive,
				&uds.UpdateOptions{StartLockTime: start, EndLockTime: start.Add(-time.Hour)})
			return err
		}, "opts.EndLockTime"},
		{"get without userName", func(c *uds.Client) error {
			_, err := c.GetUserStatus(t.Context(), uds.UserID{OrgName: "ACME"}, nil)
			return err
		}, "user.UserName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMock(t, ok12(txHeader("TX"), updateOK))
			c := anaClient(t, m)
			err := tt.call(c)
			var ie *soapx.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, uds.ErrInvalidInput)
			assert.Zero(t, httpmock.GetTotalCallCount(), "nothing may be sent")
		})
	}
}

func TestInputValidationAccepts(t *testing.T) {
	// Only one lock bound, or none: nothing to compare.
	m := newMock(t, ok12(txHeader("TX"), updateOK))
	c := anaClient(t, m)
	for _, o := range []*uds.UpdateOptions{
		{StartLockTime: time.Now()}, {EndLockTime: time.Now()}, {},
	} {
		_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "a"}}, uds.StatusInactive, o)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, httpmock.GetTotalCallCount())
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		creds    uds.Credentials
		opts     []uds.Option
		field    string
	}{
		{"relative endpoint", "/arcotuds/services/ArcotUserRegistrySvc", uds.Credentials{}, nil, "endpoint"},
		{"ftp endpoint", "ftp://uds.example.com/x", uds.Credentials{}, nil, "endpoint"},
		{"empty userID", endpoint, uds.Credentials{OrgName: "ORG", Credential: "c"}, nil, "Credentials.UserID"},
		{"empty orgName", endpoint, uds.Credentials{UserID: "u", Credential: "c"}, nil, "Credentials.OrgName"},
		{"empty credential", endpoint, uds.Credentials{UserID: "u", OrgName: "ORG"}, nil, "Credentials.Credential"},
		{"credential alone", endpoint, uds.Credentials{Credential: "c"}, nil, "Credentials.UserID"},
		{"empty target org", endpoint, uds.Credentials{UserID: "u", OrgName: "ORG", Credential: "c"}, []uds.Option{uds.WithTargetOrgs("A", "")}, "WithTargetOrgs[1]"},
		{"target orgs without AnA", endpoint, uds.Credentials{}, []uds.Option{uds.WithTargetOrgs("ACME")}, "WithTargetOrgs"},
		{"all orgs without AnA", endpoint, uds.Credentials{}, []uds.Option{uds.WithTargetAllOrgs()}, "WithTargetAllOrgs"},
		{"global entity without AnA", endpoint, uds.Credentials{}, []uds.Option{uds.WithGlobalEntity()}, "WithGlobalEntity"},
		{"root CAs with an HTTP client", endpoint, uds.Credentials{}, []uds.Option{uds.WithHTTPClient(&http.Client{}), uds.WithRootCAs(x509.NewCertPool())}, "WithRootCAs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := uds.New(tt.endpoint, tt.creds, tt.opts...)
			assert.Nil(t, c)
			var ie *soapx.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, uds.ErrInvalidInput)
			assert.NotContains(t, err.Error(), "c\"", "no credential in the error")
		})
	}
}

// TestErrors covers every way an answer can fail, asserting the typed error, what it kept,
// and its categories.
func TestErrors(t *testing.T) {
	faultAnswer := func(code, reason, number, msg, ctx string) answer {
		return answer{status: 500, ct: ct12, body: env12(txHeader("TX-F"), fault12(code, reason, number, msg, ctx))}
	}
	type want struct {
		registry *uds.ServiceError // compared field by field (Fault: Code and Reason)
		is       []error
		isNot    []error
		contains string
	}
	all := []error{uds.ErrNotFound, uds.ErrPermissionDenied, uds.ErrAuthentication, uds.ErrSessionExpired,
		uds.ErrRateLimited, uds.ErrInvalidInput, uds.ErrUnavailable, uds.ErrProtocol}
	tests := []struct {
		name   string
		answer answer
		want   want
	}{
		{"31002 UDS not initialised", faultAnswer("Receiver", "UDS is not initialized.", "31002", "UDS is not initialized.", ""),
			want{registry: &uds.ServiceError{Fault: &uds.Fault{Code: "Receiver", Reason: "UDS is not initialized."},
				Message: "UDS is not initialized.", Code: "31002"}, is: []error{uds.ErrUnavailable}}},
		{"31003 restart UDS", faultAnswer("Receiver", "Fatal error, restart UDS.", "31003", "Fatal error, restart UDS.", ""),
			want{registry: &uds.ServiceError{Fault: &uds.Fault{Code: "Receiver", Reason: "Fatal error, restart UDS."},
				Message: "Fatal error, restart UDS.", Code: "31003"}, is: []error{uds.ErrUnavailable}}},
		{"user not found", faultAnswer("Sender", "User jdoe not found", uds.CodeUserNotFound, "User jdoe not found", "userName=jdoe"),
			want{registry: &uds.ServiceError{Fault: &uds.Fault{Code: "Sender", Reason: "User jdoe not found"},
				Context: "userName=jdoe", Message: "User jdoe not found", Code: uds.CodeUserNotFound},
				is: []error{uds.ErrNotFound}}},
		{"org not found", faultAnswer("Sender", "Organization X not found", uds.CodeOrgNotFound, "Organization X not found", ""),
			want{is: []error{uds.ErrNotFound}}},
		{"invalid input", faultAnswer("Sender", "bad", uds.CodeInvalidInput, "Invalid input", ""),
			want{is: []error{uds.ErrInvalidInput}}},
		{"not authorised for the org", faultAnswer("Sender", "no", uds.CodeNotAuthorized, "not in target orgs", ""),
			want{is: []error{uds.ErrPermissionDenied}}},
		{"unknown number keeps number and message", faultAnswer("Receiver", "Unable to process the database query, timeout.", "31201",
			"Unable to process the database query, timeout.", "ctx-1"),
			want{registry: &uds.ServiceError{Fault: &uds.Fault{Code: "Receiver", Reason: "Unable to process the database query, timeout."},
				Context: "ctx-1", Message: "Unable to process the database query, timeout.", Code: "31201"},
				contains: "error 31201: Unable to process the database query, timeout. (context: ctx-1) [udsTransactionID TX-F]"}},
		{"fault without detail keeps code and reason", faultAnswer("Sender", "The endpoint reference (EPR) for the Operation not found", "", "", ""),
			want{registry: &uds.ServiceError{Fault: &uds.Fault{Code: "Sender", Reason: "The endpoint reference (EPR) for the Operation not found"},
				Message: "The endpoint reference (EPR) for the Operation not found"},
				contains: "fault Sender: The endpoint reference (EPR) for the Operation not found"}},
		{"detail with unqualified children", answer{status: 500, ct: ct12, body: env12(txHeader("TX-F"),
			`<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:Receiver</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang="en">x</soapenv:Text></soapenv:Reason>`+
				`<soapenv:Detail><userRegistryError xmlns="http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs"><errorMessage xmlns="">UDS is not initialized.</errorMessage><errorNumber xmlns="">31002</errorNumber></userRegistryError></soapenv:Detail></soapenv:Fault>`)},
			want{registry: &uds.ServiceError{Fault: &uds.Fault{Code: "Receiver", Reason: "x"}, Message: "UDS is not initialized.", Code: "31002"},
				is: []error{uds.ErrUnavailable}}},
		{"fault on HTTP 200", answer{status: 200, ct: ct12, body: env12(txHeader("TX-F"), fault12("Sender", "r", uds.CodeUserNotFound, "m", ""))},
			want{is: []error{uds.ErrNotFound}}},
		{"VersionMismatch fault", answer{status: 500, ct: ct12, body: env12("", `<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:VersionMismatch</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang="en">Wrong version</soapenv:Text></soapenv:Reason></soapenv:Fault>`)},
			want{is: []error{uds.ErrProtocol}}},
		{"SOAP 1.1 answer", answer{status: 200, ct: "text/xml; charset=utf-8", body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` + updateOK + `</soap:Body></soap:Envelope>`},
			want{is: []error{uds.ErrProtocol}, contains: "SOAP version mismatch"}},
		{"SOAP 1.1 fault", answer{status: 500, ct: "text/xml; charset=utf-8", body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>UDS is not initialized.</faultstring></soap:Fault></soap:Body></soap:Envelope>`},
			want{is: []error{uds.ErrProtocol}, isNot: []error{uds.ErrUnavailable}}},
		{"HTML 502", answer{status: 502, ct: "text/html", body: "<html><body>Bad Gateway</body></html>"},
			want{is: []error{uds.ErrUnavailable}, contains: "502"}},
		{"HTML 200", answer{status: 200, ct: "text/html", body: "<html><body>login</body></html>"},
			want{is: []error{uds.ErrProtocol}}},
		{"empty 200", answer{status: 200, ct: ct12, body: ""},
			want{is: []error{uds.ErrProtocol}}},
		{"truncated body", answer{status: 200, ct: ct12, body: env12(txHeader("TX"), updateOK)[:120]},
			want{is: []error{uds.ErrProtocol}}},
		{"wrong body element", answer{status: 200, ct: ct12, body: env12(txHeader("TX"), getOK)},
			want{is: []error{uds.ErrProtocol}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMock(t, tt.answer)
			c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
			require.NoError(t, err)
			_, err = c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "jdoe"}}, uds.StatusInactive, nil)
			require.Error(t, err)
			assert.Equal(t, 1, httpmock.GetTotalCallCount(), "no retry without AnA")
			if w := tt.want.registry; w != nil {
				var re *uds.ServiceError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, "updateUserStatus", re.Operation)
				assert.Equal(t, "TX-F", re.TransactionID)
				assert.Equal(t, tt.answer.status, re.HTTPStatus)
				require.NotNil(t, re.Fault)
				assert.Equal(t, w.Fault.Code, re.Fault.Code)
				assert.Equal(t, w.Fault.Reason, re.Fault.Reason)
				assert.Equal(t, w.Context, re.Context)
				assert.Equal(t, w.Message, re.Message)
				assert.Equal(t, w.Code, re.Code)
				var f *soapx.Fault
				require.ErrorAs(t, err, &f, "the runtime Fault stays reachable")
				assert.Equal(t, soapx.SOAP12, f.Version)
			}
			for _, target := range all {
				want := false
				for _, x := range tt.want.is {
					want = want || x == target
				}
				assert.Equal(t, want, errors.Is(err, target), "errors.Is(err, %v)", target)
			}
			if tt.want.contains != "" {
				assert.Contains(t, err.Error(), tt.want.contains)
			}
			assert.Contains(t, err.Error(), "uds: updateUserStatus: ", "errors name the operation")
		})
	}
}

func TestGetUserStatusIncompleteAnswer(t *testing.T) {
	body := `<ns2:getUserStatusResponse xmlns:ns2="http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs" xmlns:ns3="http://ws.arcot.com/UserSchema/1.0">` +
		`<ns2:userId><ns3:userName>jdoe</ns3:userName></ns2:userId></ns2:getUserStatusResponse>`
	m := newMock(t, ok12(txHeader("TX"), body))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)
	_, err = c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.ErrorIs(t, err, uds.ErrProtocol)
	assert.Contains(t, err.Error(), "getUserStatus")
}

// TestUnknownStatusKept: a status outside the four known values is returned as sent.
func TestUnknownStatusKept(t *testing.T) {
	m := newMock(t, ok12(txHeader("TX"), strings.Replace(getOK, ">INACTIVE<", ">LOCKED<", 1)))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)
	st, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.NoError(t, err)
	assert.Equal(t, uds.Status("LOCKED"), st.Status)
	assert.False(t, st.Status.Valid())
}

func TestTransportErrors(t *testing.T) {
	t.Run("connection failure", func(t *testing.T) {
		hc := &http.Client{}
		httpmock.ActivateNonDefault(hc)
		t.Cleanup(httpmock.DeactivateAndReset)
		httpmock.RegisterResponder(http.MethodPost, endpoint, httpmock.ConnectionFailure)
		c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(hc))
		require.NoError(t, err)
		_, err = c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
		require.ErrorIs(t, err, uds.ErrUnavailable)
		var te *soapx.TransportError
		require.ErrorAs(t, err, &te)
	})
	t.Run("retry on 503 when asked", func(t *testing.T) {
		m := newMock(t, answer{status: 503, ct: "text/html", body: "busy"}, ok12(txHeader("TX-OK"), getOK))
		c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC), uds.WithRetry(2, time.Millisecond))
		require.NoError(t, err)
		st, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
		require.NoError(t, err)
		assert.Equal(t, "TX-OK", st.TransactionID)
		assert.Equal(t, 2, httpmock.GetTotalCallCount())
	})
}

// TestAnAErrorPaths: which AnA failures retry, and how often the server is asked.
func TestAnAErrorPaths(t *testing.T) {
	denied := answer{status: 500, ct: ct12, body: env12(txHeader("TX-D"), fault12("Sender", "Access is denied.", "1001", "Access is denied.", ""))}
	expired := answer{status: 500, ct: ct12, body: env12(txHeader("TX-E"), fault12("Sender", "expired", uds.CodeTokenExpired, "The authentication token has expired.", ""))}
	badCred := answer{status: 500, ct: ct12, body: env12(txHeader("TX-B"), fault12("Sender", "bad", uds.CodeBadCredential, "Authentication failed.", ""))}
	withToken := func(tok string) answer { return ok12(txHeader("TX-T")+tokenHeader(tok), getOK) }

	tests := []struct {
		name    string
		answers []answer
		calls   int // GetUserStatus calls made
		sent    int // requests the server saw
		is      []error
		// creds[i] says whether request i carried the credential (else the token)
		creds []bool
	}{
		{"refused credentials are not retried", []answer{badCred}, 1, 1, []error{uds.ErrAuthentication}, []bool{true}},
		{"1001 to credentials is not retried", []answer{denied}, 1, 1, []error{uds.ErrAuthentication}, []bool{true}},
		{"expired token: re-authenticate and retry once", []answer{withToken("T1"), expired, withToken("T2"), ok12(txHeader("TX"), getOK)},
			3, 4, nil, []bool{true, false, true, false}},
		{"1001 to a token: re-authenticate and retry once", []answer{withToken("T1"), denied, withToken("T2")},
			2, 3, nil, []bool{true, false, true}},
		{"still refused after re-authentication", []answer{withToken("T1"), expired, badCred},
			2, 3, []error{uds.ErrAuthentication}, []bool{true, false, true}},
		{"fresh token rejected again: no second retry", []answer{withToken("T1"), expired, denied},
			2, 3, []error{uds.ErrAuthentication}, []bool{true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMock(t, tt.answers...)
			c, err := uds.New(endpoint, uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: testCredential}, uds.WithHTTPClient(m.HC))
			require.NoError(t, err)
			for i := range tt.calls {
				_, err = c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
				if i < tt.calls-1 {
					require.NoError(t, err)
				}
			}
			if len(tt.is) == 0 {
				require.NoError(t, err)
			}
			for _, target := range tt.is {
				require.ErrorIs(t, err, target)
				requireNoSecret(t, err.Error(), testCredential)
			}
			rq := m.requests()
			require.Len(t, rq, tt.sent)
			for i, cred := range tt.creds {
				assert.Equal(t, cred, strings.Contains(string(rq[i].Body), testCredential), "request %d carries the credential", i)
				assert.Equal(t, !cred, strings.Contains(string(rq[i].Body), "authToken"), "request %d carries a token", i)
			}
		})
	}
}

// TestExpiredTokenResultSaysNewToken: the retried call reports the token it brought back.
func TestExpiredTokenResultSaysNewToken(t *testing.T) {
	m := newMock(t,
		ok12(txHeader("TX-1")+tokenHeader("T1"), getOK),
		answer{status: 500, ct: ct12, body: env12(txHeader("TX-2"), fault12("Sender", "expired", uds.CodeTokenExpired, "expired", ""))},
		ok12(txHeader("TX-3")+tokenHeader("T2"), getOK),
	)
	c := anaClient(t, m)
	_, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.NoError(t, err)
	st, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.NoError(t, err)
	assert.True(t, st.NewAuthToken)
	assert.Equal(t, "TX-3", st.TransactionID)
}

func TestServiceErrorMessage(t *testing.T) {
	e := &uds.ServiceError{Operation: "getUserStatus", Code: "31301", Message: "User x not found.", TransactionID: "ABC"}
	assert.Equal(t, "uds: getUserStatus: error 31301: User x not found. [udsTransactionID ABC]", e.Error())
	assert.ErrorIs(t, e, uds.ErrNotFound)
	assert.Nil(t, e.Unwrap())
	f := &uds.Fault{Code: "Receiver", Reason: "busy", HTTPStatus: 503}
	e = &uds.ServiceError{Operation: "getUserStatus", Message: "busy", HTTPStatus: 503, Fault: f}
	assert.ErrorIs(t, e, uds.ErrUnavailable, "a 503 Fault is unavailable whatever its number")
	assert.Equal(t, "uds: getUserStatus: fault Receiver: busy", e.Error())
	assert.Same(t, f, e.Unwrap(), "Unwrap gives the Fault")
	assert.Equal(t, `&uds.ServiceError{Operation:"getUserStatus", Code:"", Message:"busy", HTTPStatus:503, `+
		`Fault:&uds.Fault{Code:"Receiver", Subcodes:[]string(nil), Reason:"busy", HTTPStatus:503}, TransactionID:"", Context:""}`,
		fmt.Sprintf("%#v", e))
	for _, code := range []string{"VersionMismatch", "MustUnderstand"} {
		e = &uds.ServiceError{Operation: "getUserStatus", Fault: &uds.Fault{Code: code}}
		assert.ErrorIs(t, e, uds.ErrProtocol, code)
		e.Code = uds.CodeUserNotFound
		assert.NotErrorIs(t, e, uds.ErrProtocol, "with a userRegistryError, the number decides")
	}
}

func TestStatusValid(t *testing.T) {
	for _, s := range []uds.Status{uds.StatusInitial, uds.StatusActive, uds.StatusInactive, uds.StatusDeleted} {
		assert.True(t, s.Valid(), s)
	}
	for _, s := range []uds.Status{"", "active", "LOCKED"} {
		assert.False(t, s.Valid(), s)
	}
}

// TestRotatedTokenAdopted: a token that comes back on a token-authenticated call replaces
// the one in use.
func TestRotatedTokenAdopted(t *testing.T) {
	m := newMock(t,
		ok12(txHeader("TX-1")+tokenHeader("T1"), getOK),
		ok12(txHeader("TX-2")+tokenHeader("T2"), getOK),
		ok12(txHeader("TX-3"), getOK),
	)
	c := anaClient(t, m)
	for range 3 {
		_, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
		require.NoError(t, err)
	}
	rq := m.requests()
	require.Len(t, rq, 3)
	assert.Contains(t, string(rq[1].Body), ">T1</")
	assert.Contains(t, string(rq[2].Body), ">T2</")
}

func TestTransportOptions(t *testing.T) {
	big := ok12(txHeader("TX"), getOK)
	m := newMock(t, big)
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC), uds.WithUserAgent("offboard-test/1"), uds.WithTimeout(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, endpoint, c.Endpoint())
	_, err = c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "offboard-test/1", m.requests()[0].Header.Get("User-Agent"))

	small, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC), uds.WithBodyLimit(int64(len(big.body)/2)))
	require.NoError(t, err)
	_, err = small.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.ErrorIs(t, err, uds.ErrBodyTooLarge)
	require.ErrorIs(t, err, uds.ErrProtocol)

	_, err = uds.New(endpoint, uds.Credentials{}, uds.WithTimeout(-time.Second))
	require.ErrorIs(t, err, uds.ErrInvalidInput)
}
