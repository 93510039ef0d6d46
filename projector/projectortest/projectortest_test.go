package projectortest_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/testtb"
	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

const (
	action = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/"
	ns     = `xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:pws="http://projectorpsa.com/PwsProjectorServices/" ` +
		`xmlns:req="http://projectorpsa.com/DataContracts/Requests/" xmlns:com="http://projectorpsa.com/DataContracts/Shared/Common/"`
)

func envelope(body string) string {
	return `<soapenv:Envelope ` + ns + `><soapenv:Header/><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
}

// post sends a raw SOAP 1.1 request and returns the status and body.
func post(t *testing.T, s *projectortest.Server, op, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("SOAPAction", `"`+action+op+`"`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// login returns a valid ticket.
func login(t *testing.T, s *projectortest.Server) string {
	t.Helper()
	status, body := post(t, s, "PwsAuthenticate", "text/xml; charset=utf-8", envelope(
		`<pws:PwsAuthenticate><pws:serviceRequest><req:AccountCode>`+projectortest.DefaultAccountCode+`</req:AccountCode>`+
			`<req:Password>`+projectortest.DefaultPassword+`</req:Password><req:UserName>`+projectortest.DefaultUserName+
			`</req:UserName></pws:serviceRequest></pws:PwsAuthenticate>`))
	require.Equal(t, 200, status, body)
	m := regexp.MustCompile(`<a:SessionTicket>([^<]+)</a:SessionTicket>`).FindStringSubmatch(body)
	require.NotNil(t, m, body)
	return m[1]
}

func deleteUser(ticket, members string) string {
	return envelope(`<pws:PwsDeleteUser><pws:serviceRequest><req:RequestId>1</req:RequestId><req:SessionTicket>` + ticket +
		`</req:SessionTicket>` + members + `</pws:serviceRequest></pws:PwsDeleteUser>`)
}

func status(body string) string {
	return regexp.MustCompile(`<Status xmlns="http://projectorpsa.com/CommonServices/">(\w+)</Status>`).FindStringSubmatch(body)[1]
}

// An element in the wrong namespace or order is ignored exactly like WCF does, and recorded.
func TestViolationsIgnoredLikeWCF(t *testing.T) {
	for name, tc := range map[string]struct {
		members   string
		status    string // how the call answers once WCF has dropped the element
		state     projectortest.UserState
		violation string
	}{
		"correct": {
			members: `<req:EndDateIfInUse>2024-01-31T00:00:00.000Z</req:EndDateIfInUse><req:UserIdentity><com:UserReferenceSystemId>busy</com:UserReferenceSystemId></req:UserIdentity>`,
			status:  "Ok", state: projectortest.Inactive,
		},
		"EndDateIfInUse out of order": {
			members: `<req:UserIdentity><com:UserReferenceSystemId>busy</com:UserReferenceSystemId></req:UserIdentity><req:EndDateIfInUse>2024-01-31T00:00:00.000Z</req:EndDateIfInUse>`,
			status:  "Fail", state: projectortest.Active,
			violation: "PwsDeleteUser: PwsDeleteUser/serviceRequest: {http://projectorpsa.com/DataContracts/Requests/}EndDateIfInUse ignored: out of DataContract order",
		},
		"EndDateIfInUse in the wrong namespace": {
			members: `<com:EndDateIfInUse>2024-01-31T00:00:00.000Z</com:EndDateIfInUse><req:UserIdentity><com:UserReferenceSystemId>busy</com:UserReferenceSystemId></req:UserIdentity>`,
			status:  "Fail", state: projectortest.Active,
			violation: "wrong namespace (want http://projectorpsa.com/DataContracts/Requests/)",
		},
		"PwsUserRef member in the request namespace": {
			members: `<req:EndDateIfInUse>2024-01-31T00:00:00.000Z</req:EndDateIfInUse><req:UserIdentity><req:UserReferenceSystemId>busy</req:UserReferenceSystemId></req:UserIdentity>`,
			status:  "Fail", state: projectortest.Active,
			violation: "PwsDeleteUser/serviceRequest/UserIdentity: {http://projectorpsa.com/DataContracts/Requests/}UserReferenceSystemId ignored: wrong namespace",
		},
		"unknown member: silent Ok": {
			members: `<req:EndDateIfInUse>2024-01-31T00:00:00.000Z</req:EndDateIfInUse><req:UserIdentity><com:UserReferenceSystemId>busy</com:UserReferenceSystemId></req:UserIdentity><req:Force>true</req:Force>`,
			status:  "Ok", state: projectortest.Inactive,
			violation: "{http://projectorpsa.com/DataContracts/Requests/}Force ignored: unknown member",
		},
		"UserTimestamp before UserIdentity drops the user": {
			members: `<req:EndDateIfInUse>2024-01-31T00:00:00.000Z</req:EndDateIfInUse><req:UserTimestamp>AAAAABCI7Dk=</req:UserTimestamp><req:UserIdentity><com:UserReferenceSystemId>busy</com:UserReferenceSystemId></req:UserIdentity>`,
			status:  "Fail", state: projectortest.Active,
			violation: "UserIdentity ignored: out of DataContract order",
		},
		"repeated member": {
			members: `<req:EndDateIfInUse>2024-01-31T00:00:00.000Z</req:EndDateIfInUse><req:EndDateIfInUse>2024-02-01T00:00:00.000Z</req:EndDateIfInUse><req:UserIdentity><com:UserReferenceSystemId>busy</com:UserReferenceSystemId></req:UserIdentity>`,
			status:  "Ok", state: projectortest.Inactive,
			violation: "EndDateIfInUse ignored: repeated member",
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "busy", InUse: true}}})
			defer s.Close()
			code, body := post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", deleteUser(login(t, s), tc.members))
			assert.Equal(t, 200, code)
			assert.Equal(t, tc.status, status(body), body)
			u, _ := s.User("busy")
			assert.Equal(t, tc.state, u.State)
			v := s.Violations()
			if tc.violation == "" {
				assert.Empty(t, v)
				return
			}
			require.Len(t, v, 1)
			assert.Contains(t, v[0].String(), tc.violation)
			reqs := s.Requests()
			assert.Equal(t, v, reqs[len(reqs)-1].Violations)
		})
	}
}

// Base members out of order: RequestId after SessionTicket is dropped, the call still
// answers Ok (the "silent Ok" of WCF), and the fake says so.
func TestSilentOk(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "a"}}})
	defer s.Close()
	_, body := post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", envelope(`<pws:PwsDeleteUser><pws:serviceRequest>`+
		`<req:SessionTicket>`+login(t, s)+`</req:SessionTicket><req:RequestId>7</req:RequestId>`+
		`<req:UserIdentity><com:UserReferenceSystemId>a</com:UserReferenceSystemId></req:UserIdentity></pws:serviceRequest></pws:PwsDeleteUser>`))
	assert.Equal(t, "Ok", status(body))
	assert.Contains(t, body, `<ResponseId xmlns="http://projectorpsa.com/CommonServices/">0</ResponseId>`, "RequestId was not read")
	v := s.Violations()
	require.Len(t, v, 1)
	assert.Equal(t, projectortest.Violation{Operation: "PwsDeleteUser", Path: "PwsDeleteUser/serviceRequest",
		Element: xml.Name{Space: "http://projectorpsa.com/DataContracts/Requests/", Local: "RequestId"},
		Reason:  "out of DataContract order (must come before {http://projectorpsa.com/DataContracts/Requests/}SessionTicket)"}, v[0])
}

// A serviceRequest in the wrong namespace is a null request: no ticket, 10004.
func TestWrapperMemberViolation(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{})
	defer s.Close()
	_, body := post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", envelope(
		`<pws:PwsDeleteUser><req:serviceRequest><req:SessionTicket>`+login(t, s)+`</req:SessionTicket></req:serviceRequest></pws:PwsDeleteUser>`))
	assert.Equal(t, "Fail", status(body))
	assert.Contains(t, body, "<b:ErrorNumber>10004</b:ErrorNumber>")
	require.Len(t, s.Violations(), 1)
	assert.Equal(t, "serviceRequest", s.Violations()[0].Element.Local)
}

func TestWCFRefusals(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{})
	defer s.Close()
	valid := deleteUser("x", `<req:UserIdentity><com:UserId>1</com:UserId></req:UserIdentity>`)
	for name, tc := range map[string]struct {
		op, contentType, body string
		status                int
		contains              string
	}{
		"SOAP 1.2 content type":  {"PwsDeleteUser", "application/soap+xml; charset=utf-8", valid, 415, "not the expected type"},
		"no content type":        {"PwsDeleteUser", "", valid, 415, "not the expected type"},
		"latin-1":                {"PwsDeleteUser", "text/xml; charset=iso-8859-1", valid, 415, "not the expected type"},
		"unknown action":         {"PwsDeleteUsers", "text/xml; charset=utf-8", valid, 500, "a:ActionNotSupported"},
		"body of another action": {"PwsUnauthenticate", "text/xml; charset=utf-8", valid, 500, "a:DeserializationFailed"},
		"value does not parse":   {"PwsDeleteUser", "text/xml; charset=utf-8", strings.Replace(valid, ">1</req:RequestId>", ">one</req:RequestId>", 1), 500, "a:DeserializationFailed"},
		"not XML":                {"PwsDeleteUser", "text/xml; charset=utf-8", "<soapenv:Envelope", 500, "Fault"},
		"UserId not an Int32": {"PwsDeleteUser", "text/xml; charset=utf-8",
			strings.Replace(valid, "<com:UserId>1</com:UserId>", "<com:UserId>4294967296</com:UserId>", 1), 500, "UserIdentity/UserId"},
		"EndDateIfInUse not a dateTime": {"PwsDeleteUser", "text/xml; charset=utf-8",
			strings.Replace(valid, "<req:UserIdentity>", "<req:EndDateIfInUse>tomorrow</req:EndDateIfInUse><req:UserIdentity>", 1), 500, "xs:dateTime"},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(s.Violations())
			code, body := post(t, s, tc.op, tc.contentType, tc.body)
			assert.Equal(t, tc.status, code)
			assert.Contains(t, body, tc.contains)
			// A refused request is a violation too, recorded with the request.
			v := s.Violations()
			require.Len(t, v, before+1)
			assert.Contains(t, v[before].String(), "request refused: ")
			reqs := s.Requests()
			assert.Equal(t, v[before:], reqs[len(reqs)-1].Violations)
		})
	}
}

// The fake answers in Projector's layout: its PwsDeleteUser response for the spec's user is
// the spec's response, element by element, but for the values that change on every call.
func TestResponseLayoutMatchesSpec(t *testing.T) {
	spec := filepath.Join("..", "testdata", "PwsDeleteUser-response.xml")
	want, err := os.ReadFile(spec)
	require.NoError(t, err)
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{
		ReferenceSystemID: "temporary_resource", DisplayName: "Temporary Resource", UID: 1152921504607134367, InUse: true,
	}}})
	defer s.Close()
	_, got := post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", deleteUser(login(t, s),
		`<req:EndDateIfInUse>2018-10-17T00:00:00.000Z</req:EndDateIfInUse><req:UserIdentity><com:UserReferenceSystemId>temporary_resource</com:UserReferenceSystemId></req:UserIdentity>`))
	volatile := regexp.MustCompile(`(<(?:a:Timestamp|ServerTimestampUtc)[^>]*>)[^<]+`)
	cw, err := xmltest.Canonical(volatile.ReplaceAll(want, []byte("${1}X")))
	require.NoError(t, err)
	cg, err := xmltest.Canonical(volatile.ReplaceAll([]byte(got), []byte("${1}X")))
	require.NoError(t, err)
	assert.Equal(t, cw, cg, "raw answer:\n%s", got)
	// Same prefixes as Projector's, for clients that (wrongly) depend on them.
	for _, p := range []string{`<s:Envelope xmlns:s=`, `xmlns:a="http://projectorpsa.com/DataContracts/Responses/"`, `xmlns:i="http://www.w3.org/2001/XMLSchema-instance"`,
		`<a:UserIdentity xmlns:b="http://projectorpsa.com/DataContracts/Shared/Common/">`, `<b:UserId i:nil="true"/>`} {
		assert.Contains(t, got, p)
	}
	assert.NotEqual(t, `AAAAABCI7Dk=`, regexp.MustCompile(`<a:Timestamp>([^<]+)`).FindStringSubmatch(got)[1], "a real row version")
}

// Requests are the fake's own reading of the wire: values parsed by the contract's types.
func TestRequestsReadByTheContract(t *testing.T) {
	projectortest.Test(t, projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe", UserID: 1}}},
		func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
			end := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
			_, err := c.DeleteUser(ctx, projector.UserRef{UserID: 1}, &projector.DeleteUserOptions{EndDateIfInUse: end, UserTimestamp: "AAAAABCI7Dk="})
			require.NoError(t, err)
			reqs := s.Requests()
			require.Len(t, reqs, 2)
			auth := reqs[0].Authenticate
			require.NotNil(t, auth)
			assert.Equal(t, projectortest.DefaultAccountCode, auth.AccountCode)
			assert.Equal(t, projectortest.DefaultUserName, auth.UserName)
			assert.Equal(t, int32(0), reqs[0].RequestID, "PwsAuthenticate is sent without RequestId")
			del := reqs[1].DeleteUser
			require.NotNil(t, del)
			assert.Equal(t, int32(1), reqs[1].RequestID)
			assert.NotEmpty(t, reqs[1].SessionTicket)
			assert.True(t, end.Equal(del.EndDateIfInUse), "%v", del.EndDateIfInUse)
			require.NotNil(t, del.UserIdentity)
			assert.Equal(t, projectortest.UserRef{UserID: 1}, *del.UserIdentity)
			assert.Equal(t, "AAAAABCI7Dk=", del.UserTimestamp)
			assert.Equal(t, action+"PwsDeleteUser", reqs[1].Action)
			assert.Equal(t, "text/xml; charset=utf-8", reqs[1].ContentType)
			var probe struct {
				XMLName xml.Name
			}
			require.NoError(t, xml.Unmarshal(reqs[1].Body, &probe))
			assert.Equal(t, "PwsDeleteUser", probe.XMLName.Local)
			assert.Equal(t, 1, s.Logins())
		})
}

// Tickets: unknown is 10004, expired is -101, a closed session's ticket is gone.
func TestTickets(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "a"}}})
	defer s.Close()
	user := `<req:UserIdentity><com:UserReferenceSystemId>a</com:UserReferenceSystemId></req:UserIdentity>`
	_, body := post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", deleteUser("bm90IGEgdGlja2V0", user))
	assert.Contains(t, body, "<b:ErrorNumber>10004</b:ErrorNumber>")
	ticket := login(t, s)
	s.ExpireTickets()
	_, body = post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", deleteUser(ticket, user))
	assert.Contains(t, body, "<b:ErrorNumber>-101</b:ErrorNumber>")
	assert.Equal(t, 1, s.Logins())
}

// Test fails the test when a request deviated from the contract, and only then.
func TestTestReportsViolations(t *testing.T) {
	t.Run("clean", func(t *testing.T) {
		r := testtb.New(t)
		projectortest.Test(r, projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "a"}}},
			func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
				_, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "a"}, nil)
				require.NoError(t, err)
			})
		r.End()
		assert.Empty(t, r.Errors())
	})
	t.Run("deviation", func(t *testing.T) {
		r := testtb.New(t)
		projectortest.Test(r, projectortest.Options{}, func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
			post(t, s, "PwsDeleteUser", "application/soap+xml; charset=utf-8", deleteUser("x", ""))
		})
		r.End()
		require.Len(t, r.Errors(), 1)
		assert.Contains(t, r.Errors()[0], "projectortest: 1 request(s) broke the wire contract")
		assert.Contains(t, r.Errors()[0], "PwsDeleteUser: PwsDeleteUser: request refused: content type")
	})
}

// xsi:nil members are absent values, as WCF reads them: Projector's own sample sends
// <UserId i:nil="true"/>.
func TestNilMembers(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "a", UserID: 5}}})
	defer s.Close()
	_, body := post(t, s, "PwsDeleteUser", "text/xml; charset=utf-8", deleteUser(login(t, s),
		`<req:UserIdentity xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><com:UserId i:nil="true"/>`+
			`<com:UserReferenceSystemId>a</com:UserReferenceSystemId></req:UserIdentity>`))
	assert.Equal(t, "Ok", status(body), body)
	assert.Empty(t, s.Violations())
	reqs := s.Requests()
	assert.Equal(t, &projectortest.UserRef{UserReferenceSystemID: "a"}, reqs[len(reqs)-1].DeleteUser.UserIdentity)
}
