package provisioningtest_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/testtb"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

const ns = "http://www.cryptocard.com/blackshield/"

type answer struct {
	status      int
	contentType string
	body        string
	cookies     []*http.Cookie
}

// post sends a raw request, so that the tests see exactly what the fake answers.
func post(t *testing.T, url, contentType, soapAction, body string, cookies ...*http.Cookie) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	if soapAction != "" {
		req.Header.Set("SOAPAction", soapAction)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: string(b), cookies: resp.Cookies()}
}

func env11(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` + body + `</soap:Body></soap:Envelope>`
}

func env12(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"><soap12:Body>` + body + `</soap12:Body></soap12:Envelope>`
}

const (
	ct11        = "text/xml; charset=utf-8"
	connectBody = `<Connect xmlns="http://www.cryptocard.com/blackshield/"><OperatorEmail>operator@example.com</OperatorEmail><OTP>123456</OTP></Connect>`
	countBody   = `<GetProvisioningTaskCount xmlns="http://www.cryptocard.com/blackshield/"><organization>Org</organization></GetProvisioningTaskCount>`
)

// connect opens a session with raw SOAP 1.1 and returns its cookie.
func connect(t *testing.T, s *provisioningtest.Server) *http.Cookie {
	t.Helper()
	a := post(t, s.URL, ct11, `"`+ns+`Connect"`, env11(connectBody))
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, "<ConnectResponse xmlns=\"http://www.cryptocard.com/blackshield/\"><ConnectResult>AUTH_SUCCESS</ConnectResult>")
	require.Len(t, a.cookies, 1)
	return a.cookies[0]
}

func TestStrictness(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	session := connect(t, s)

	tests := []struct {
		name        string
		url         string
		contentType string
		action      string
		body        string
		status      int
		contains    string
	}{
		{"unknown SOAPAction", s.URL, ct11, `"` + ns + `DeleteEverything"`, env11(countBody), 500,
			"<faultcode>soap:Client</faultcode><faultstring>Server did not recognize the value of HTTP Header SOAPAction: " + ns + "DeleteEverything.</faultstring>"},
		{"no SOAPAction", s.URL, ct11, "", env11(countBody), 500, "Server did not recognize the value of HTTP Header SOAPAction: ."},
		{"action of another namespace", s.URL, ct11, `"http://tempuri.org/GetProvisioningTaskCount"`, env11(countBody), 500, "did not recognize"},
		{"body in the wrong namespace", s.URL, ct11, `"` + ns + `GetProvisioningTaskCount"`,
			env11(`<GetProvisioningTaskCount xmlns="http://tempuri.org/"><organization>Org</organization></GetProvisioningTaskCount>`), 500,
			"Server was unable to read request. ---&gt; There is an error in XML document. ---&gt; &lt;GetProvisioningTaskCount xmlns=&#39;http://tempuri.org/&#39;&gt; was not expected."},
		{"body of another operation", s.URL, ct11, `"` + ns + `GetProvisioningTaskCount"`, env11(connectBody), 500, "&lt;Connect xmlns=&#39;" + ns + "&#39;&gt; was not expected."},
		{"wrong Content-Type", s.URL, "application/json", `"` + ns + `GetProvisioningTaskCount"`, `{}`, 415, ""},
		{"1.1 envelope as 1.2", s.URL, "application/soap+xml; charset=utf-8", "", env11(countBody), 500, "VersionMismatch"},
		{"wrong path", strings.Replace(s.URL, "BSIDCA.asmx", "Other.asmx", 1), ct11, `"` + ns + `GetProvisioningTaskCount"`, env11(countBody), 404, ""},
		{"path case", strings.Replace(s.URL, "BSIDCA.asmx", "bsidca.ASMX", 1), ct11, `"` + ns + `GetProvisioningTaskCount"`, env11(countBody), 200, "<GetProvisioningTaskCountResult"},
		{"1.2 routed by action", s.URL, `application/soap+xml; charset=utf-8; action="` + ns + `GetProvisioningTaskCount"`, "", env12(countBody), 200, "<soap12:Envelope"},
		{"1.2 routed by body", s.URL, "application/soap+xml; charset=utf-8", "", env12(countBody), 200, "<GetProvisioningTaskCountResult"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, tt.url, tt.contentType, tt.action, tt.body, session)
			assert.Equal(t, tt.status, a.status, a.body)
			assert.Contains(t, a.body, tt.contains)
		})
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	// Every refusal is a violation (the wrong path never reaches the service); the accepted
	// requests are none.
	v := s.Violations()
	require.Len(t, v, 8, "%v", v)
	assert.Equal(t, provisioningtest.Violation{Path: "Envelope/Body", Element: xml.Name{Space: ns, Local: "GetProvisioningTaskCount"},
		Reason: "the server refuses the request: Server did not recognize the value of HTTP Header SOAPAction: " + ns + "DeleteEverything."}, v[0])
	assert.Equal(t, "GetProvisioningTaskCount", v[3].Operation)
	assert.Equal(t, xml.Name{Space: "http://tempuri.org/", Local: "GetProvisioningTaskCount"}, v[3].Element)
	assert.Contains(t, v[7].Reason, "GET")
	reqs := s.Requests()
	assert.Equal(t, "", reqs[1].Operation)
	assert.Equal(t, ns+"DeleteEverything", reqs[1].Action)
	assert.Equal(t, v[:1], reqs[1].Violations)
}

func TestSessions(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	count := func(cookies ...*http.Cookie) answer {
		return post(t, s.URL, ct11, `"`+ns+`GetProvisioningTaskCount"`, env11(countBody), cookies...)
	}
	ping := func(cookies ...*http.Cookie) answer {
		return post(t, s.URL, ct11, `"`+ns+`PingConnection"`, env11(`<PingConnection xmlns="`+ns+`" />`), cookies...)
	}

	a := count()
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Equal(t, ct11, a.contentType)
	assert.Contains(t, a.body, "<faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; You are not connected.</faultstring><detail />")
	assert.Contains(t, ping().body, "<PingConnectionResponse xmlns=\"http://www.cryptocard.com/blackshield/\"><PingConnectionResult>false</PingConnectionResult>")

	session := connect(t, s)
	assert.Equal(t, provisioningtest.SessionCookie, session.Name)
	assert.Len(t, session.Value, 24)
	assert.Equal(t, "/", session.Path)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.StatusOK, count(session).status)
	assert.Contains(t, ping(session).body, ">true</PingConnectionResult>")
	assert.Equal(t, http.StatusInternalServerError, count(&http.Cookie{Name: provisioningtest.SessionCookie, Value: "forged"}).status)

	// Connecting again within a session keeps its cookie.
	a = post(t, s.URL, ct11, `"`+ns+`Connect"`, env11(connectBody), session)
	assert.Empty(t, a.cookies)

	s.ExpireSessions()
	a = count(session)
	assert.Contains(t, a.body, provisioningtest.NotConnectedReason[len("Server was unable to process request. ---> "):])
	assert.Contains(t, ping(session).body, ">false</PingConnectionResult>")
	fresh := connect(t, s)
	assert.NotEqual(t, session.Value, fresh.Value, "an expired session is not revived")
	assert.Equal(t, 3, s.Logins())

	// SOAP 1.2 gets the Receiver code.
	a = post(t, s.URL, `application/soap+xml; charset=utf-8; action="`+ns+`GetProvisioningTaskCount"`, "", env12(countBody))
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Contains(t, a.body, "<soap12:Value>soap12:Receiver</soap12:Value>")
	assert.Contains(t, a.body, "You are not connected.")
	assert.Empty(t, s.Violations())
}

func TestAuthentication(t *testing.T) {
	connectWith := func(s *provisioningtest.Server, email, otp string) string {
		body := `<Connect xmlns="` + ns + `"><OperatorEmail>` + email + `</OperatorEmail><OTP>` + otp + `</OTP></Connect>`
		a := post(t, s.URL, ct11, `"`+ns+`Connect"`, env11(body))
		var resp struct {
			Body struct {
				R struct {
					Result    string `xml:"http://www.cryptocard.com/blackshield/ ConnectResult"`
					Challenge string `xml:"http://www.cryptocard.com/blackshield/ challenge"`
				} `xml:"http://www.cryptocard.com/blackshield/ ConnectResponse"`
			}
		}
		require.NoError(t, xml.Unmarshal([]byte(a.body), &resp), a.body)
		return resp.Body.R.Result + "/" + resp.Body.R.Challenge
	}

	s := provisioningtest.NewServer(provisioningtest.Options{SingleUseOTPs: true})
	defer s.Close()
	assert.Equal(t, "AUTH_FAILURE/", connectWith(s, "someone@example.com", provisioningtest.TestOTP))
	assert.Equal(t, "AUTH_FAILURE/", connectWith(s, provisioningtest.TestOperator, "000000"))
	assert.Equal(t, "AUTH_SUCCESS/", connectWith(s, "OPERATOR@example.com", provisioningtest.TestOTP))
	assert.Equal(t, "AUTH_FAILURE/", connectWith(s, provisioningtest.TestOperator, provisioningtest.TestOTP), "single use")
	creds := s.Credentials()
	assert.Equal(t, provisioningtest.TestOperator, creds.OperatorEmail)
	otp, err := creds.OTP(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "AUTH_SUCCESS/", connectWith(s, provisioningtest.TestOperator, otp))
	assert.Equal(t, "AUTH_FAILURE/", connectWith(s, provisioningtest.TestOperator, otp), "single use")

	s2 := provisioningtest.NewServer(provisioningtest.Options{
		Authenticate: func(email, otp string) (provisioning.ConnectResult, string) {
			return provisioning.ConnectUserPINChange, "new PIN please"
		},
	})
	defer s2.Close()
	assert.Equal(t, "USER_PIN_CHANGE/new PIN please", connectWith(s2, "x", "y"))
	assert.Empty(t, s.Violations())
	assert.Empty(t, s2.Violations())
}

func TestDataSetLayout(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	session := connect(t, s)
	stop := time.Date(2024, 5, 1, 10, 20, 30, 123_456_700, time.UTC)
	id := s.AddTask("Org", provisioningtest.Task{ID: 40, Operator: "op", TokenOption: "MobilePASS", StopDate: stop,
		Users: []provisioningtest.TaskUser{{UserName: "alice"}}})
	assert.Equal(t, 40, id)
	assert.Equal(t, 41, s.AddTask("Org", provisioningtest.Task{}))

	a := post(t, s.URL, ct11, `"`+ns+`GetProvisioningTasks"`,
		env11(`<GetProvisioningTasks xmlns="`+ns+`"><organization>Org</organization><startRecord>0</startRecord><numberOfRecords>1</numberOfRecords></GetProvisioningTasks>`), session)
	require.Equal(t, http.StatusOK, a.status)
	for _, want := range []string{
		`<GetProvisioningTasksResponse xmlns="` + ns + `"><GetProvisioningTasksResult><xs:schema id="NewDataSet"`,
		`msdata:MainDataTable="Provisioning_x0020_Tasks"`,
		`<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><DocumentElement xmlns="">`,
		`<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0"><taskid>40</taskid><operator>op</operator><count>1</count><tokenoption>MobilePASS</tokenoption><stopdate>2024-05-01T10:20:30.1234567Z</stopdate></Provisioning_x0020_Tasks>`,
	} {
		assert.Contains(t, a.body, want)
	}
	assert.NotContains(t, a.body, "<startdate>", "NULL columns are omitted")
	assert.NotContains(t, a.body, "<taskid>41</taskid>", "one record asked for")

	a = post(t, s.URL, ct11, `"`+ns+`GetProvisioningTaskDetails"`,
		env11(`<GetProvisioningTaskDetails xmlns="`+ns+`"><taskID>99</taskID><organization>Org</organization></GetProvisioningTaskDetails>`), session)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, `<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1" /></GetProvisioningTaskDetailsResult>`,
		"an empty table is an empty diffgram")

	reqs := s.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, provisioningtest.Request{Operation: "GetProvisioningTasks", Action: ns + "GetProvisioningTasks",
		ContentType: ct11, Version: provisioning.SOAP11, SessionID: session.Value,
		Params: map[string]string{"organization": "Org", "startRecord": "0", "numberOfRecords": "1"}}, reqs[1])
	assert.Empty(t, s.Violations())
}

func TestStoreCopies(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	users := []provisioningtest.TaskUser{{UserName: "alice"}}
	id := s.AddTask("Org", provisioningtest.Task{Users: users})
	users[0].UserName = "changed"
	got, ok := s.Task("Org", id)
	require.True(t, ok)
	assert.Equal(t, "alice", got.Users[0].UserName, "AddTask copies")
	got.Users[0].UserName = "changed"
	again, _ := s.Task("Org", id)
	assert.Equal(t, "alice", again.Users[0].UserName, "Task returns a copy")
	assert.Len(t, s.Tasks("Org"), 1)
	assert.Empty(t, s.Tasks("Other"))
	_, ok = s.Task("Org", id+1)
	assert.False(t, ok)
}

func TestHelper(t *testing.T) {
	ran := false
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		s.AddTask("Org", provisioningtest.Task{})
		n, err := c.TaskCount(ctx, "Org")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, s.URL, c.Endpoint())
		assert.Equal(t, provisioning.SOAP12, s.Requests()[0].Version)
		assert.Equal(t, 1, s.Logins())
		ran = true
	}, provisioning.WithSOAPVersion(provisioning.SOAP12))
	assert.True(t, ran)
}

// Test fails the test when a request broke the contract, listing the violations.
func TestHelperFailsOnViolations(t *testing.T) {
	rec := testtb.New(t)
	provisioningtest.Test(rec, provisioningtest.Options{}, func(ctx context.Context, _ *provisioning.Client, s *provisioningtest.Server) {
		post(t, s.URL, ct11, `"`+ns+`Connect"`, env11(`<Connect xmlns="`+ns+`"><Operator>x</Operator></Connect>`))
	})
	rec.End()
	require.Len(t, rec.Errors(), 1)
	assert.Contains(t, rec.Errors()[0], "Operator: not a member of Connect")
}

func TestTLS(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{TLS: true}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		assert.True(t, strings.HasPrefix(s.URL, "https://"), s.URL)
		require.NoError(t, c.Login(ctx))
		_, err := c.TaskCount(ctx, "Org")
		require.NoError(t, err)
		// A client that does not trust the fake's certificate fails.
		other, err := provisioning.New(s.URL, s.Credentials())
		require.NoError(t, err)
		defer other.Close(ctx)
		assert.Error(t, other.Login(ctx))
	})
}

// FailNext: a Fault with the message, or for the result-typed operations the result code;
// logins and pings do not take it.
func TestFailNext(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		s.AddToken("Org", provisioningtest.Token{Serial: "MP-1", Owner: "jdoe"})
		s.FailNext(provisioningtest.Failure{Message: "Task store is locked"})
		s.FailNext(provisioningtest.Failure{Code: "LastAuth"})
		s.FailNext(provisioningtest.Failure{Code: "Whatever"}) // not a result-typed operation: a Fault
		_, err := c.TaskCount(ctx, "Org")
		var se *provisioning.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "Task store is locked", se.Message)
		assert.Equal(t, 1, s.Logins(), "the login did not take the failure")

		_, err = c.RevokeToken(ctx, "Org", "MP-1", "jdoe", nil)
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "LastAuth", se.Code)
		assert.ErrorIs(t, err, provisioning.ErrLastAuthenticator)
		tok, _ := s.Token("Org", "MP-1")
		assert.Equal(t, "jdoe", tok.Owner, "an injected result changes nothing")

		_, err = c.TaskCount(ctx, "Org")
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "Failure injected by provisioningtest.", se.Message)
		_, err = c.TaskCount(ctx, "Org")
		require.NoError(t, err)
	})
}

// Values the server cannot read are refused with a Client Fault, and are violations.
func TestUnreadableValues(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	session := connect(t, s)
	tests := []struct{ op, body, reason string }{
		{"GetProvisioningTaskDetails", `<taskID>forty</taskID><organization>Org</organization>`, "Input string was not in a correct format"},
		{"RemoveProvisioningTask", `<taskID>1</taskID><sendNotificationEmail>yes</sendNotificationEmail>`, "is not a valid Boolean value"},
		{"RevokeToken", `<serial>1</serial><userName>u</userName><revokeMode>returnToInventory</revokeMode><revokeStaticPassword>false</revokeStaticPassword>`,
			"'returnToInventory' is not a valid value for RevokeSelection."},
		{"UpdateProvisioningStopDate", `<taskID>1</taskID><newStopDate>tomorrow</newStopDate>`, "is not a valid AllXsd value"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			before := len(s.Violations())
			a := post(t, s.URL, ct11, `"`+ns+tt.op+`"`, env11(`<`+tt.op+` xmlns="`+ns+`">`+tt.body+`</`+tt.op+`>`), session)
			assert.Equal(t, http.StatusInternalServerError, a.status)
			assert.Contains(t, a.body, "<faultcode>soap:Client</faultcode>")
			assert.Contains(t, a.body, "There is an error in XML document.")
			v := s.Violations()[before:]
			require.NotEmpty(t, v)
			assert.Contains(t, v[0].Reason, tt.reason)
			assert.Equal(t, tt.op, v[0].Operation)
		})
	}
}

// Lists are read item by item; a nil userNames is absent, and the server refuses it.
func TestUserNamesList(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	session := connect(t, s)
	id := s.AddTask("Org", provisioningtest.Task{Users: []provisioningtest.TaskUser{{UserName: "alice"}, {UserName: "bob"}}})
	a := post(t, s.URL, ct11, `"`+ns+`RemoveUsersFromProvisioningTask"`, env11(`<RemoveUsersFromProvisioningTask xmlns="`+ns+`"><taskID>`+
		fmt.Sprint(id)+`</taskID><userNames><string>ALICE</string><string xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true" /><item>bob</item></userNames><sendNotificationEmail>false</sendNotificationEmail><organization>Org</organization></RemoveUsersFromProvisioningTask>`), session)
	assert.Contains(t, a.body, ">true</RemoveUsersFromProvisioningTaskResult>")
	task, _ := s.Task("Org", id)
	assert.Equal(t, []provisioningtest.TaskUser{{UserName: "bob"}}, task.Users)
	reqs := s.Requests()
	assert.Equal(t, []string{"ALICE"}, reqs[len(reqs)-1].UserNames)
	v := s.Violations()
	require.Len(t, v, 1)
	assert.Equal(t, provisioningtest.Violation{Operation: "RemoveUsersFromProvisioningTask", Path: "RemoveUsersFromProvisioningTask/userNames",
		Element: xml.Name{Space: ns, Local: "item"}, Reason: "not a {" + ns + "}string item: the server ignores it"}, v[0])

	a = post(t, s.URL, ct11, `"`+ns+`RemoveUsersFromProvisioningTask"`, env11(`<RemoveUsersFromProvisioningTask xmlns="`+ns+`"><taskID>`+
		fmt.Sprint(id)+`</taskID><sendNotificationEmail>false</sendNotificationEmail><organization>Org</organization></RemoveUsersFromProvisioningTask>`), session)
	assert.Contains(t, a.body, "Value cannot be null.")
}

// A SOAP header is ignored (a violation), or refused when it must be understood.
func TestHeaders(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	session := connect(t, s)
	withHeader := func(attr string) string {
		return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><Auth xmlns="urn:x"` + attr +
			`>x</Auth></soap:Header><soap:Body>` + countBody + `</soap:Body></soap:Envelope>`
	}
	a := post(t, s.URL, ct11, `"`+ns+`GetProvisioningTaskCount"`, withHeader(""), session)
	assert.Equal(t, http.StatusOK, a.status, a.body)
	a = post(t, s.URL, ct11, `"`+ns+`GetProvisioningTaskCount"`, withHeader(` soap:mustUnderstand="1"`), session)
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Contains(t, a.body, "SOAP header Auth was not understood.")
	v := s.Violations()
	require.Len(t, v, 2)
	assert.Equal(t, xml.Name{Space: "urn:x", Local: "Auth"}, v[0].Element)
	assert.Contains(t, v[0].Reason, "ignores")
	assert.Contains(t, v[1].Reason, "refuses")
}
