package castest_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/testtb"
	"github.com/offboard-go/offboard/internal/xmltest"
)

const (
	ns11   = "http://schemas.xmlsoap.org/soap/envelope/"
	ns12   = "http://www.w3.org/2003/05/soap-envelope"
	action = "http://ca.tvinci.com/HandleUserTask"
)

func task(user, password string, domain int, userID, actionType string) string {
	return fmt.Sprintf(`<HandleUserTask xmlns="http://ca.tvinci.com/"><sWSUserName>%s</sWSUserName><sWSPassword>%s</sWSPassword><domainId>%d</domainId><userId>%s</userId><actionType>%s</actionType></HandleUserTask>`,
		user, password, domain, userID, actionType)
}

func envelope(ns, body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + ns + `"><soap:Body>` + body + `</soap:Body></soap:Envelope>`
}

func okTask(userID string) string {
	return task(castest.DefaultWSUserName, castest.DefaultWSPassword, 42, userID, "Delete")
}

type answer struct {
	status int
	ct     string
	body   string
}

func post(t *testing.T, s *castest.Server, path, contentType string, headers map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base(s)+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// base is the server's scheme and host: URL without the module's path.
func base(s *castest.Server) string { return strings.TrimSuffix(s.URL, castest.Path) }

var household42 = castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}}}}

func newServer(t *testing.T) *castest.Server {
	t.Helper()
	s := castest.NewServer(household42)
	t.Cleanup(s.Close)
	return s
}

func statusAnswer(ns string, code int, msg string) string {
	return envelope(ns, fmt.Sprintf(`<HandleUserTaskResponse xmlns="http://ca.tvinci.com/"><HandleUserTaskResult><Code>%d</Code><Message>%s</Message></HandleUserTaskResult></HandleUserTaskResponse>`, code, msg))
}

func fault11(code, reason string) string {
	return envelope(ns11, `<soap:Fault><faultcode>soap:`+code+`</faultcode><faultstring>`+reason+`</faultstring><detail/></soap:Fault>`)
}

// fault12 uses the prefix the fake writes: the Value is a QName, compared as text.
func fault12(code, reason string) string {
	return `<soap12:Envelope xmlns:soap12="` + ns12 + `"><soap12:Body><soap12:Fault><soap12:Code><soap12:Value>soap12:` + code +
		`</soap12:Value></soap12:Code><soap12:Reason><soap12:Text xml:lang="en">` + reason + `</soap12:Text></soap12:Reason></soap12:Fault></soap12:Body></soap12:Envelope>`
}

// The SOAP protocols, routed and refused the way System.Web.Services does it.
func TestSOAPWire(t *testing.T) {
	const (
		ct11 = "text/xml; charset=utf-8"
		ct12 = "application/soap+xml; charset=utf-8"
	)
	tests := []struct {
		name     string
		ct       string
		headers  map[string]string
		body     string
		want     answer // body compared as XML when the answer is XML
		bobGone  bool
		wireForm cas.SOAPVersion
	}{
		{"1.1 ok", ct11, map[string]string{"Soapaction": `"` + action + `"`}, envelope(ns11, okTask("bob")),
			answer{200, ct11, statusAnswer(ns11, 0, "OK")}, true, cas.SOAP11},
		{"1.1 unquoted SOAPAction", ct11, map[string]string{"Soapaction": action}, envelope(ns11, okTask("bob")),
			answer{200, ct11, statusAnswer(ns11, 0, "OK")}, true, cas.SOAP11},
		{"1.1 wrong SOAPAction", ct11, map[string]string{"Soapaction": `"http://ca.tvinci.com/Other"`}, envelope(ns11, okTask("bob")),
			answer{500, ct11, fault11("Client", "Server did not recognize the value of HTTP Header SOAPAction: http://ca.tvinci.com/Other.")}, false, 0},
		{"1.1 empty SOAPAction", ct11, map[string]string{"Soapaction": `""`}, envelope(ns11, okTask("bob")),
			answer{500, ct11, fault11("Client", "Server did not recognize the value of HTTP Header SOAPAction: .")}, false, 0},
		{"1.1 without SOAPAction routes on the body", ct11, nil, envelope(ns11, okTask("bob")),
			answer{200, ct11, statusAnswer(ns11, 0, "OK")}, true, cas.SOAP11},
		{"1.1 without SOAPAction, unknown body", ct11, nil, envelope(ns11, `<Other xmlns="http://ca.tvinci.com/"/>`),
			answer{500, ct12, fault12("Sender", "Unable to handle request without a valid action parameter. Please supply a valid soap action.")}, false, 0},
		{"1.2 ok", ct12 + `; action="` + action + `"`, nil, envelope(ns12, okTask("bob")),
			answer{200, ct12, statusAnswer(ns12, 0, "OK")}, true, cas.SOAP12},
		{"1.2 without action routes on the body", ct12, nil, envelope(ns12, okTask("bob")),
			answer{200, ct12, statusAnswer(ns12, 0, "OK")}, true, cas.SOAP12},
		{"1.2 wrong action routes on the body", ct12 + `; action="urn:x"`, nil, envelope(ns12, okTask("bob")),
			answer{200, ct12, statusAnswer(ns12, 0, "OK")}, true, cas.SOAP12},
		{"1.2 wrong action, unknown body", ct12 + `; action="urn:x"`, nil, envelope(ns12, `<Other xmlns="urn:y"/>`),
			answer{500, ct12, fault12("Sender", "Unable to handle request. The action 'urn:x' was not recognized.")}, false, 0},
		{"1.2 envelope as text/xml is read as 1.2", ct11, map[string]string{"Soapaction": action}, envelope(ns12, okTask("bob")),
			answer{200, ct12, statusAnswer(ns12, 0, "OK")}, true, cas.SOAP12},
		{"1.1 envelope as application/soap+xml", ct12 + `; action="` + action + `"`, nil, envelope(ns11, okTask("bob")),
			answer{500, ct11, fault11("Client", "Unsupported Media Type: 'application/soap+xml; charset=utf-8; action=\""+action+"\"' for a SOAP 1.1 envelope; expected 'text/xml'.")}, false, 0},
		{"not a SOAP content type", "application/json", map[string]string{"Soapaction": action}, envelope(ns11, okTask("bob")),
			answer{500, ct11, fault11("Client", "Unsupported Media Type: 'application/json' is not a SOAP content type; expected 'text/xml'.")}, false, 0},
		{"unknown envelope namespace", ct11, map[string]string{"Soapaction": action}, envelope("urn:not-soap", okTask("bob")),
			answer{500, ct11, fault11("VersionMismatch", "Possible SOAP version mismatch: Envelope namespace urn:not-soap was unexpected. Expecting http://schemas.xmlsoap.org/soap/envelope/.")}, false, 0},
		{"malformed XML", ct11, map[string]string{"Soapaction": action}, `<soap:Envelope xmlns:soap="` + ns11 + `"><soap:Body>`,
			answer{400, "", ""}, false, 0},
		{"task in another namespace reads as empty", ct11, map[string]string{"Soapaction": action},
			envelope(ns11, strings.Replace(okTask("bob"), "http://ca.tvinci.com/", "http://tempuri.org/", 1)),
			answer{404, ct11, statusAnswer(ns11, 1, "Error")}, false, cas.SOAP11},
		{"non-numeric domainId", ct11, map[string]string{"Soapaction": action},
			envelope(ns11, strings.Replace(okTask("bob"), "<domainId>42<", "<domainId>x42<", 1)),
			answer{500, ct11, fault11("Client", "Server was unable to read request. ---&gt; There is an error in XML document. ---&gt; Input string was not in a correct format.")}, false, cas.SOAP11},
		{"unknown actionType", ct11, map[string]string{"Soapaction": action},
			envelope(ns11, task(castest.DefaultWSUserName, castest.DefaultWSPassword, 42, "bob", "Purge")),
			answer{500, ct11, fault11("Client", "Server was unable to read request. ---&gt; There is an error in XML document. ---&gt; Instance validation error: 'Purge' is not a valid value for UserTaskType.")}, false, cas.SOAP11},
		{"missing actionType is Delete", ct11, map[string]string{"Soapaction": action},
			envelope(ns11, strings.Replace(okTask("bob"), "<actionType>Delete</actionType>", "", 1)),
			answer{200, ct11, statusAnswer(ns11, 0, "OK")}, true, cas.SOAP11},
		{"bad credentials", ct11, map[string]string{"Soapaction": action},
			envelope(ns11, task(castest.DefaultWSUserName, "nope", 42, "bob", "Delete")),
			answer{404, ct11, statusAnswer(ns11, 1, "Error")}, false, cas.SOAP11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			got := post(t, s, castest.Path, tt.ct, tt.headers, tt.body)
			assert.Equal(t, tt.want.status, got.status)
			assert.Equal(t, tt.want.ct, got.ct)
			if tt.want.body == "" {
				assert.Empty(t, got.body)
			} else {
				xmltest.Equal(t, []byte(tt.want.body), []byte(got.body))
			}
			h, _ := s.Household(42)
			assert.Equal(t, tt.bobGone, !contains(h.Users, "bob"))
			reqs := s.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want.status, reqs[0].HTTPStatus)
			assert.Equal(t, tt.wireForm, reqs[0].SOAPVersion)
			if reqs[0].Refusal != "" {
				assert.NotEmpty(t, reqs[0].Violations, "whatever the server refused is a violation")
			}
			assert.Equal(t, reqs[0].Violations, s.Violations())
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The HTTP POST protocol: form fields in, bare Status out; .NET exceptions as text.
func TestHTTPPostWire(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	ok := url.Values{"sWSUserName": {castest.DefaultWSUserName}, "sWSPassword": {castest.DefaultWSPassword},
		"domainId": {"42"}, "userId": {"bob"}, "actionType": {"Delete"}}
	with := func(k, v string) string {
		x := url.Values{}
		for key, vals := range ok {
			x[key] = vals
		}
		if v == "" {
			delete(x, k)
		} else {
			x.Set(k, v)
		}
		return x.Encode()
	}
	bare := func(code int, msg string) string {
		return fmt.Sprintf(`<Status xmlns="http://ca.tvinci.com/"><Code>%d</Code><Message>%s</Message></Status>`, code, msg)
	}
	tests := []struct {
		name    string
		path    string
		ct      string
		body    string
		status  int
		xml     string // expected XML answer, or
		text    string // expected text answer
		bobGone bool
	}{
		{"ok", "/HandleUserTask", form, ok.Encode(), 200, bare(0, "OK"), "", true},
		{"path is case-insensitive", "/handleusertask", form, ok.Encode(), 200, bare(0, "OK"), "", true},
		{"action by number", "/HandleUserTask", form, with("actionType", "0"), 200, bare(0, "OK"), "", true},
		{"bad credentials", "/HandleUserTask", form, with("sWSPassword", "nope"), 404, bare(1, "Error"), "", false},
		{"missing field", "/HandleUserTask", form, with("userId", ""), 500, "", "System.InvalidOperationException: Missing parameter: userId.", false},
		{"bad number", "/HandleUserTask", form, with("domainId", "x"), 500, "", "System.ArgumentException: Cannot convert x to System.Int32.\r\nParameter name: type ---> System.FormatException: Input string was not in a correct format.", false},
		{"bad action", "/HandleUserTask", form, with("actionType", "Purge"), 500, "", "System.ArgumentException: Cannot convert Purge to ApiObjects.UserTaskType.\r\nParameter name: type ---> System.ArgumentException: Requested value 'Purge' was not found.", false},
		{"wrong content type", "/HandleUserTask", "text/xml", ok.Encode(), 500, "", "System.InvalidOperationException: Request format is unrecognized for URL unexpectedly ending in '/HandleUserTask'.", false},
		{"unknown method", "/DeleteEverything", form, ok.Encode(), 500, "", "System.InvalidOperationException: DeleteEverything Web Service method name is not valid.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			got := post(t, s, castest.Path+tt.path, tt.ct, nil, tt.body)
			assert.Equal(t, tt.status, got.status)
			if tt.xml != "" {
				assert.Equal(t, "text/xml; charset=utf-8", got.ct)
				xmltest.Equal(t, []byte(tt.xml), []byte(got.body))
			} else {
				assert.Equal(t, "text/plain; charset=utf-8", got.ct)
				assert.Equal(t, tt.text, got.body)
			}
			h, _ := s.Household(42)
			assert.Equal(t, tt.bobGone, !contains(h.Users, "bob"))
			reqs := s.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.text != "", len(reqs[0].Violations) > 0, "a refusal is a violation: %v", reqs[0].Violations)
			if tt.text == "" {
				assert.True(t, reqs[0].HTTPPost)
				assert.Equal(t, "HandleUserTask", reqs[0].Operation)
				assert.Equal(t, "42", reqs[0].Params["domainId"])
			}
		})
	}
}

// A form field the server does not know is ignored by it: a violation, not a refusal.
func TestHTTPPostUnknownField(t *testing.T) {
	s := newServer(t)
	body := url.Values{"sWSUserName": {castest.DefaultWSUserName}, "sWSPassword": {castest.DefaultWSPassword},
		"domainId": {"42"}, "userId": {"bob"}, "actionType": {"Delete"}, "force": {"true"}}.Encode()
	got := post(t, s, castest.Path+"/HandleUserTask", "application/x-www-form-urlencoded", nil, body)
	assert.Equal(t, 200, got.status)
	v := s.Violations()
	require.Len(t, v, 1)
	assert.Equal(t, "HandleUserTask", v[0].Operation)
	assert.Contains(t, v[0].String(), `"force" is not a parameter of HandleUserTask`)
}

func TestOtherRequests(t *testing.T) {
	s := newServer(t)
	get := func(path string) (int, string) {
		resp, err := s.HTTPClient().Get(base(s) + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get(castest.Path)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "HandleUserTask")
	code, _ = get("/other.asmx")
	assert.Equal(t, 404, code)
	code, _ = get(castest.Path + "/HandleUserTask")
	assert.Equal(t, 500, code, "HttpGet is not enabled")

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, s.URL, strings.NewReader("x"))
	require.NoError(t, err)
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Len(t, s.Requests(), 4)
	assert.Len(t, s.Violations(), 4, "none of them runs an operation")
}

func TestFailNextQueue(t *testing.T) {
	castest.Test(t, household42, func(ctx context.Context, c *cas.Client, s *castest.Server) {
		s.FailNext(castest.Failure{Code: cas.CodeUserSuspended})
		s.FailNext(castest.Failure{Code: cas.Code(3021), Message: "custom"})
		_, err := c.DeleteUser(ctx, 42, "bob")
		var se *cas.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, cas.CodeUserSuspended, se.Code)
		assert.Equal(t, "UserSuspended", se.Message)
		_, err = c.DeleteUser(ctx, 42, "bob")
		require.ErrorAs(t, err, &se)
		assert.Equal(t, cas.Code(3021), se.Code)
		assert.Equal(t, "custom", se.Message)
		_, err = c.DeleteUser(ctx, 42, "bob")
		require.NoError(t, err)
	})
}

func TestFailNextNeedsCredentials(t *testing.T) {
	s := newServer(t)
	s.FailNext(castest.Failure{Code: cas.CodeUserSuspended})
	c, err := cas.New(s.URL, cas.Credentials{WSUserName: "x", WSPassword: "y"}, cas.WithHTTPClient(s.HTTPClient()))
	require.NoError(t, err)
	_, err = c.DeleteUser(t.Context(), 42, "bob")
	require.ErrorIs(t, err, cas.ErrAuthentication, "bad credentials win over an injected failure")
	good := s.NewClient(t)
	_, err = good.DeleteUser(t.Context(), 42, "bob")
	require.ErrorIs(t, err, cas.ErrPermissionDenied, "the failure is still queued")
	assert.Equal(t, 2, s.Logins(), "both requests presented credentials")
	assert.Empty(t, s.Violations(), "refused credentials are an answer, not a deviation")
}

func TestUserNotInHouseholdCode(t *testing.T) {
	for _, want := range []cas.Code{
		cas.CodeOK, // the real Delete does not check membership
		cas.CodeUserNotInDomain,
		cas.CodeUserNotExistsInDomain,
	} {
		t.Run(want.String(), func(t *testing.T) {
			opts := castest.Options{Households: []castest.Household{{ID: 1, Users: []string{"m"}, MasterUsers: []string{"m"}}}, UserNotInHouseholdCode: want}
			castest.Test(t, opts, func(ctx context.Context, c *cas.Client, s *castest.Server) {
				res, err := c.DeleteUser(ctx, 1, "stranger")
				if want == cas.CodeOK {
					require.NoError(t, err)
					assert.Equal(t, cas.CodeOK, res.Code)
				} else {
					var se *cas.ServiceError
					require.ErrorAs(t, err, &se)
					assert.Equal(t, want, se.Code)
				}
				h, _ := s.Household(1)
				assert.Equal(t, []string{"m"}, h.Users)
			})
		})
	}
}

func TestDeleteMasterUser(t *testing.T) {
	castest.Test(t, castest.Options{Households: []castest.Household{{ID: 1, Users: []string{"m1", "m2", "u"}, MasterUsers: []string{"m1", "m2"}}}}, func(ctx context.Context, c *cas.Client, s *castest.Server) {
		_, err := c.DeleteUser(ctx, 1, "m1")
		require.NoError(t, err)
		h, _ := s.Household(1)
		assert.Equal(t, []string{"m2", "u"}, h.Users)
		assert.Equal(t, []string{"m2"}, h.MasterUsers)
	})
}

func TestStateIsCopied(t *testing.T) {
	users := []string{"a", "b"}
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 1, Users: users, MasterUsers: []string{"a"}}}})
	defer s.Close()
	users[0] = "changed"
	h, ok := s.Household(1)
	require.True(t, ok)
	assert.Equal(t, []string{"a", "b"}, h.Users)
	h.Users[0] = "changed again"
	h2, _ := s.Household(1)
	assert.Equal(t, "a", h2.Users[0])
	_, ok = s.Household(2)
	assert.False(t, ok)

	s.AddHousehold(castest.Household{ID: 1, Users: []string{"z"}, MasterUsers: []string{"z"}, Suspended: true})
	h3, _ := s.Household(1)
	assert.True(t, h3.Suspended)
}

func TestPrintingHidesPassword(t *testing.T) {
	const secret = "castest-secret-pw"
	s := castest.NewServer(castest.Options{Credentials: cas.Credentials{WSUserName: "u", WSPassword: secret},
		Households: []castest.Household{{ID: 1, Users: []string{"a"}, MasterUsers: []string{"a"}}}})
	defer s.Close()
	c := s.NewClient(t)
	_, err := c.DeleteUser(t.Context(), 1, "a")
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, secret, reqs[0].Params["sWSPassword"], "the record keeps what was received")
	for _, v := range []any{reqs[0], s} {
		out := fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
		assert.NotContains(t, out, secret)
		assert.NotEmpty(t, out)
	}
	assert.Contains(t, fmt.Sprint(reqs[0]), `domainId="1"`)
}

// Options.TLS serves https; the server's HTTPClient, and so NewClient and Test, trust it.
func TestTLS(t *testing.T) {
	castest.Test(t, castest.Options{TLS: true, Households: household42.Households}, func(ctx context.Context, c *cas.Client, s *castest.Server) {
		assert.True(t, strings.HasPrefix(s.URL, "https://"), s.URL)
		assert.True(t, strings.HasSuffix(s.URL, castest.Path), s.URL)
		_, err := c.DeleteUser(ctx, 42, "bob")
		require.NoError(t, err)
		plain, err := cas.New(s.URL, s.Credentials()) // does not trust the fake's certificate
		require.NoError(t, err)
		_, err = plain.DeleteUser(ctx, 42, "alice")
		require.Error(t, err)
		assert.Len(t, s.Requests(), 1)
	}, cas.WithSOAPVersion(cas.SOAP12))
}

// Test fails the test, listing them, when a request deviated from the wire contract.
func TestTestReportsViolations(t *testing.T) {
	rec := testtb.New(t)
	castest.Test(rec, household42, func(ctx context.Context, c *cas.Client, s *castest.Server) {
		_, err := c.DeleteUser(ctx, 42, "bob")
		require.NoError(t, err)
		// A request with its members out of order: the server reads it, but not as meant.
		body := envelope(ns11, `<HandleUserTask xmlns="http://ca.tvinci.com/"><sWSUserName>`+castest.DefaultWSUserName+`</sWSUserName><sWSPassword>`+castest.DefaultWSPassword+
			`</sWSPassword><userId>alice</userId><domainId>42</domainId><actionType>Delete</actionType></HandleUserTask>`)
		post(t, s, castest.Path, "text/xml; charset=utf-8", map[string]string{"Soapaction": action}, body)
		assert.Equal(t, 2, s.Logins())
		require.Len(t, s.Violations(), 1)
		assert.Equal(t, castest.Violation{Operation: "HandleUserTask", Path: "HandleUserTask/domainId",
			Element: xml.Name{Space: "http://ca.tvinci.com/", Local: "domainId"},
			Reason:  "<domainId> comes after <userId>: the WSDL order is sWSUserName, sWSPassword, domainId, userId, actionType"}, s.Violations()[0])
	})
	rec.End()
	require.Len(t, rec.Errors(), 1)
	assert.Contains(t, rec.Errors()[0], "castest: 1 request(s) broke the wire contract")
	assert.Contains(t, rec.Errors()[0], "HandleUserTask/domainId: <domainId> comes after <userId>")
}
