package udstest_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
	"github.com/offboard-go/offboard/uds/udstest"
)

const (
	txNS   = "http://ws.arcot.com/UDSTransaction/1.0"
	msgsNS = "http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs"
)

// raw is a SOAP runtime client for the fake that bypasses the façade's checks.
func raw(t *testing.T, s *udstest.Server, v soapx.Version) *soapx.Client {
	t.Helper()
	c, err := soapx.NewClient(s.URL, soapx.WithVersion(v))
	require.NoError(t, err)
	return c
}

func post(t *testing.T, url, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// newFake starts a fake closed when the test ends. The tests that use it send requests by
// hand, some deliberately off the contract; each asserts the violations it expects.
func newFake(t *testing.T, opts udstest.Options) *udstest.Server {
	t.Helper()
	s := udstest.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

func get(name string) *udswsdl.GetUserStatusRequest {
	return &udswsdl.GetUserStatusRequest{UserId: &udswsdl.UserIdentifierType{OrgName: "ACME", UserName: name}}
}

func TestSOAP11GetsVersionMismatch(t *testing.T) {
	s := newFake(t, udstest.Options{})
	s.AddUser("ACME", "jdoe", uds.StatusActive)

	// Through the runtime: a SOAP 1.1 client gets a protocol error wrapping the 1.2 Fault.
	err := raw(t, s, soapx.SOAP11).Call(t.Context(), udswsdl.ActionGetUserStatus, get("jdoe"), new(udswsdl.GetUserStatusResponse))
	require.ErrorIs(t, err, soapx.ErrProtocol)
	var f *soapx.Fault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, "VersionMismatch", f.Code)
	assert.Equal(t, soapx.SOAP12, f.Version)
	assert.Equal(t, http.StatusInternalServerError, f.HTTPStatus)

	// On the wire: the 1.2 Fault with the Upgrade header naming the supported envelope.
	env11 := `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<getUserStatusRequest xmlns="` + msgsNS + `"><userId><userName xmlns="http://ws.arcot.com/UserSchema/1.0">jdoe</userName></userId></getUserStatusRequest></soap:Body></soap:Envelope>`
	resp, body := post(t, s.URL, "text/xml; charset=utf-8", env11)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/soap+xml"))
	assert.Contains(t, body, "VersionMismatch")
	assert.Contains(t, body, "SupportedEnvelope")

	// A 1.1 envelope labelled as 1.2 is refused the same way.
	resp, body = post(t, s.URL, `application/soap+xml; charset=utf-8; action="urn:UDS.GetUserStatus"`, env11)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, body, "VersionMismatch")

	rq := s.Requests()
	require.Len(t, rq, 3)
	for _, r := range rq {
		assert.Empty(t, r.Operation, "never dispatched")
		assert.Empty(t, r.TransactionID, "the SOAP stack answers before UDS: no transaction")
	}
	assert.Equal(t, "1.1", rq[0].SOAPVersion)
	assert.Equal(t, "text/xml; charset=utf-8", rq[1].ContentType)
	assert.Equal(t, "1.1", rq[2].SOAPVersion, "the envelope's version, whatever the Content-Type said")
	assert.Equal(t, udswsdl.ActionGetUserStatus, rq[2].Action)
	v := s.Violations()
	require.Len(t, v, 3, "each SOAP 1.1 envelope is a violation")
	for i, x := range v {
		assert.Equal(t, "Envelope", x.Path)
		assert.Equal(t, "http://schemas.xmlsoap.org/soap/envelope/", x.Element.Space)
		assert.Equal(t, []udstest.Violation{x}, rq[i].Violations)
	}
}

func TestDispatchIsStrict(t *testing.T) {
	tests := []struct {
		name    string
		action  string
		request any
		reason  string
	}{
		{"unknown action", "urn:UDS.CreateUser", get("jdoe"), "The endpoint reference (EPR) for the Operation not found"},
		{"no action", "", get("jdoe"), "The endpoint reference (EPR) for the Operation not found"},
		{"action of another operation", udswsdl.ActionUpdateUserStatus, get("jdoe"), "Unexpected element"},
		{"body element in the wrong namespace", udswsdl.ActionGetUserStatus, &struct {
			XMLName xml.Name `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0 getUserStatusRequest"`
		}{}, "Unexpected element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t, udstest.Options{})
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			err := raw(t, s, soapx.SOAP12).Call(t.Context(), tt.action, tt.request, nil)
			var f *soapx.Fault
			require.ErrorAs(t, err, &f)
			assert.Equal(t, "Sender", f.Code)
			assert.Contains(t, f.Reason, tt.reason)
			require.NotEmpty(t, s.Violations(), "the real server refuses it: a violation")
			assert.Equal(t, s.Violations(), s.Requests()[0].Violations)
		})
	}
}

// The SOAP 1.2 binding carries the soapAction in the Content-Type: one in a SOAPAction
// header alone is a violation, even if the fake still finds the operation.
func TestActionOutsideTheContentType(t *testing.T) {
	s := newFake(t, udstest.Options{})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	env := `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><m:getUserStatusRequest xmlns:m="` + msgsNS +
		`"><m:userId><u:userName xmlns:u="http://ws.arcot.com/UserSchema/1.0">jdoe</u:userName></m:userId></m:getUserStatusRequest></e:Body></e:Envelope>`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL, strings.NewReader(env))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"urn:UDS.GetUserStatus"`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	v := s.Violations()
	require.Len(t, v, 1)
	assert.Equal(t, "Content-Type", v[0].Path)
	assert.Contains(t, v[0].Reason, "no action parameter")
}

func TestHTTPLevelRefusals(t *testing.T) {
	s := newFake(t, udstest.Options{})
	resp, _ := post(t, strings.Replace(s.URL, uds.ServicePath, "/arcotuds/services/ArcotUserRegistryMgmtSvc", 1), "application/soap+xml", "<x/>")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL, nil)
	require.NoError(t, err)
	r, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)

	resp, _ = post(t, s.URL, "application/json", "{}")
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	assert.Empty(t, s.Requests())
	v := s.Violations()
	require.Len(t, v, 3, "each refusal is a violation")
	assert.Equal(t, "URL", v[0].Path)
	assert.Equal(t, "HTTP", v[1].Path)
	assert.Equal(t, "HTTP", v[2].Path)
}

// TestResponseHeaders: udsTransactionID on every answer (Faults included), authToken only
// after a credential authentication, both in the UDSTransaction namespace.
func TestResponseHeaders(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	c := raw(t, s, soapx.SOAP12)
	a := s.Credentials()

	call := func(headers []any, user string) (*soapx.Response, error) {
		ctx, resp := soapx.CaptureResponse(soapx.WithRequestHeaders(t.Context(), headers...))
		err := c.Call(ctx, udswsdl.ActionGetUserStatus, get(user), new(udswsdl.GetUserStatusResponse))
		return resp, err
	}
	creds := []any{&udswsdl.UserID{Value: a.UserID}, &udswsdl.OrgName{Value: a.OrgName}, &udswsdl.Credential{Value: a.Credential}}

	resp, err := call(creds, "jdoe")
	require.NoError(t, err)
	tx, ok := resp.Header(txNS, "udsTransactionID")
	require.True(t, ok)
	assert.NotEmpty(t, tx.Text)
	tok, ok := resp.Header(txNS, "authToken")
	require.True(t, ok)
	assert.GreaterOrEqual(t, len(tok.Text), 32, "tokens are long random strings")

	resp, err = call([]any{&udswsdl.AuthToken{Value: tok.Text}}, "jdoe")
	require.NoError(t, err)
	_, ok = resp.Header(txNS, "authToken")
	assert.False(t, ok, "no new token when authenticated by token")
	tx2, ok := resp.Header(txNS, "udsTransactionID")
	require.True(t, ok)
	assert.NotEqual(t, tx.Text, tx2.Text)

	// A Fault after a credential authentication carries both headers.
	resp, err = call(creds, "ghost")
	var f *soapx.Fault
	require.ErrorAs(t, err, &f)
	_, ok = resp.Header(txNS, "udsTransactionID")
	assert.True(t, ok)
	tok2, ok := resp.Header(txNS, "authToken")
	require.True(t, ok)
	assert.NotEqual(t, tok.Text, tok2.Text)

	assert.Equal(t, 2, s.Logins())
	assert.Empty(t, s.Violations())
}

func TestAnAHeaderChecks(t *testing.T) {
	tests := []struct {
		name    string
		headers func(a uds.Credentials) []any
		number  string
		refused int // login attempts refused (Logins and FailedLogins)
	}{
		{"no header", func(uds.Credentials) []any { return nil }, uds.CodeAccessDenied, 0},
		{"credential without userID", func(a uds.Credentials) []any { return []any{&udswsdl.Credential{Value: a.Credential}} }, uds.CodeAccessDenied, 0},
		{"wrong credential", func(a uds.Credentials) []any {
			return []any{&udswsdl.UserID{Value: a.UserID}, &udswsdl.OrgName{Value: a.OrgName}, &udswsdl.Credential{Value: "x"}}
		}, uds.CodeBadCredential, 1},
		{"wrong org", func(a uds.Credentials) []any {
			return []any{&udswsdl.UserID{Value: a.UserID}, &udswsdl.OrgName{Value: "ACME"}, &udswsdl.Credential{Value: a.Credential}}
		}, uds.CodeBadCredential, 1},
		{"unknown token", func(uds.Credentials) []any { return []any{&udswsdl.AuthToken{Value: "forged"}} }, uds.CodeTokenInvalid, 0},
		{"credentials in the wrong namespace", func(a uds.Credentials) []any {
			type wrongNS struct {
				XMLName xml.Name `xml:"http://ws.arcot.com/UDSTransaction/2.0 credential"`
				Value   string   `xml:",chardata"`
			}
			return []any{&udswsdl.UserID{Value: a.UserID}, &udswsdl.OrgName{Value: a.OrgName}, &wrongNS{Value: a.Credential}}
		}, uds.CodeAccessDenied, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t, udstest.Options{AnA: true})
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			ctx := soapx.WithRequestHeaders(t.Context(), tt.headers(s.Credentials())...)
			err := raw(t, s, soapx.SOAP12).Call(ctx, udswsdl.ActionGetUserStatus, get("jdoe"), new(udswsdl.GetUserStatusResponse))
			var f *soapx.Fault
			require.ErrorAs(t, err, &f)
			var detail udswsdl.UdsRegistryErrorType
			require.NoError(t, f.DecodeDetail(&detail))
			assert.Equal(t, tt.number, detail.ErrorNumber)
			assert.NotEmpty(t, detail.ErrorMessage)
			assert.Equal(t, tt.refused, s.Logins(), "login attempts")
			assert.Equal(t, tt.refused, s.FailedLogins(), "refused")
			assert.Empty(t, s.Violations())
		})
	}
}

func TestRequestsAreDecoded(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		start := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		_, err := c.UpdateUserStatus(ctx, []uds.UserID{{OrgName: "ACME", UserName: "jdoe", UserRefID: 77}}, uds.StatusInactive,
			&uds.UpdateOptions{StartLockTime: start, EndLockTime: start.Add(time.Hour), ClientTxID: "abc"})
		require.NoError(t, err)
		rq := s.Requests()
		require.Len(t, rq, 1)
		r := rq[0]
		assert.Equal(t, "updateUserStatus", r.Operation)
		assert.Equal(t, udswsdl.ActionUpdateUserStatus, r.Action)
		assert.Equal(t, `application/soap+xml; charset=utf-8; action="urn:UDS.UpdateUserStatus"`, r.ContentType)
		assert.Equal(t, "1.2", r.SOAPVersion)
		assert.Empty(t, r.Violations)
		require.NotNil(t, r.Call)
		assert.Equal(t, []uds.UserID{{OrgName: "ACME", UserName: "jdoe", UserRefID: 77}}, r.Call.Users)
		assert.Equal(t, uds.StatusInactive, r.Call.Status)
		assert.True(t, start.Equal(r.Call.StartLockTime))
		assert.True(t, start.Add(time.Hour).Equal(r.Call.EndLockTime))
		assert.Equal(t, "abc", r.Call.ClientTxID)
		assert.Equal(t, s.Credentials().UserID, r.AnA.UserID)
	})
}

// TestServerValidatesLikeUDS: what the façade refuses before sending, the fake refuses too,
// for clients that do not check.
func TestServerValidatesLikeUDS(t *testing.T) {
	bad := udswsdl.UserStatusType("LOCKED")
	inactive := udswsdl.UserStatusTypeINACTIVE
	start := soapx.DateTime{Time: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	user := []*udswsdl.UserIdentifierType{{OrgName: "ACME", UserName: "jdoe"}}
	tests := []struct {
		name string
		req  *udswsdl.UpdateUserStatusRequest
	}{
		{"no user", &udswsdl.UpdateUserStatusRequest{Status: &inactive}},
		{"empty userName", &udswsdl.UpdateUserStatusRequest{UserId: []*udswsdl.UserIdentifierType{{OrgName: "ACME"}}, Status: &inactive}},
		{"unknown status", &udswsdl.UpdateUserStatusRequest{UserId: user, Status: &bad}},
		{"no status", &udswsdl.UpdateUserStatusRequest{UserId: user}},
		{"end before start", &udswsdl.UpdateUserStatusRequest{UserId: user, Status: &inactive, StartLockTime: start,
			EndLockTime: soapx.DateTime{Time: start.Add(-time.Minute)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t, udstest.Options{})
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			err := raw(t, s, soapx.SOAP12).Call(t.Context(), udswsdl.ActionUpdateUserStatus, tt.req, new(udswsdl.UpdateUserStatusResponse))
			var f *soapx.Fault
			require.ErrorAs(t, err, &f)
			var detail udswsdl.UdsRegistryErrorType
			require.NoError(t, f.DecodeDetail(&detail))
			assert.Equal(t, uds.CodeInvalidInput, detail.ErrorNumber)
			u, _ := s.User("ACME", "jdoe")
			assert.Equal(t, uds.StatusActive, u.Status, "nothing changed")
		})
	}
}

func TestFailNextQueue(t *testing.T) {
	udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("", "jdoe", uds.StatusActive)
		s.FailNext(udstest.NotInitialized())
		s.FailNext(udstest.FatalRestart())
		var numbers []string
		for range 3 {
			_, err := c.GetUserStatus(ctx, uds.UserID{UserName: "jdoe"}, nil)
			var re *uds.ServiceError
			if errors.As(err, &re) {
				numbers = append(numbers, re.Code)
				continue
			}
			require.NoError(t, err)
			numbers = append(numbers, "ok")
		}
		assert.Equal(t, []string{uds.CodeNotInitialized, uds.CodeFatalRestart, "ok"}, numbers)
	})
}

func TestUserEffective(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	u := udstest.User{Status: uds.StatusInactive, Previous: uds.StatusActive, StartLockTime: t0, EndLockTime: t0.Add(time.Hour)}
	assert.Equal(t, uds.StatusActive, u.Effective(t0.Add(-time.Second)))
	assert.Equal(t, uds.StatusInactive, u.Effective(t0))
	assert.Equal(t, uds.StatusActive, u.Effective(t0.Add(time.Hour)))
	u = udstest.User{Status: uds.StatusInactive, Previous: uds.StatusActive}
	assert.Equal(t, uds.StatusInactive, u.Effective(t0), "no window: inactive until changed")
	u = udstest.User{Status: uds.StatusDeleted, StartLockTime: t0.Add(time.Hour)}
	assert.Equal(t, uds.StatusDeleted, u.Effective(t0), "windows only apply to INACTIVE")
}

// With Options.TLS the fake serves https, and the client Test builds trusts it.
func TestTLS(t *testing.T) {
	udstest.Test(t, udstest.Options{TLS: true, AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		require.True(t, strings.HasPrefix(s.URL, "https://"), s.URL)
		require.True(t, strings.HasSuffix(s.URL, uds.ServicePath), "URL is the service endpoint")
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		_, err := c.UpdateUserStatus(ctx, []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}, uds.StatusInactive, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, s.Logins())

		// A client without the fake's HTTP client does not trust its certificate.
		other, err := uds.New(s.URL, s.Credentials())
		require.NoError(t, err)
		_, err = other.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
		require.Error(t, err)
		assert.Len(t, s.Requests(), 1, "nothing sent over an unverified connection")
	})
}

// Credentials are the admin's with AnA on, none with AnA off.
func TestCredentials(t *testing.T) {
	assert.Equal(t, uds.Credentials{UserID: udstest.DefaultAdminUserID, OrgName: udstest.DefaultAdminOrg, Credential: udstest.DefaultAdminCredential},
		newFake(t, udstest.Options{AnA: true}).Credentials())
	assert.Equal(t, uds.Credentials{UserID: "me", OrgName: udstest.DefaultAdminOrg, Credential: udstest.DefaultAdminCredential},
		newFake(t, udstest.Options{AnA: true, Admin: uds.Credentials{UserID: "me"}}).Credentials())
	assert.Zero(t, newFake(t, udstest.Options{}).Credentials())
}
