package projector_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

const (
	testEndpoint = "https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc"
	actionPrefix = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/"
	testTicket   = "AYT2iwsWCxt78iwqu2y0/w=="
	testPassword = "s3cret-Pa55word!"
)

var testCreds = projector.Credentials{AccountCode: "revcorp", UserName: "ops@revcorp.example", Password: testPassword}

// wireCall is one HTTP request the client sent to the mock.
type wireCall struct {
	Method, URL, SOAPAction, ContentType string
	Op                                   string // operation named by the SOAPAction
	Body                                 []byte
}

type mockReply struct {
	status      int
	contentType string
	body        string
	header      http.Header
}

// mockPWS is an httpmock transport that records every request and answers each operation from
// a queue of scripted replies (the last one repeats).
type mockPWS struct {
	t       *testing.T
	mt      *httpmock.MockTransport
	mu      sync.Mutex
	calls   []wireCall
	replies map[string][]mockReply
}

func newMock(t *testing.T) *mockPWS {
	m := &mockPWS{t: t, mt: httpmock.NewMockTransport(), replies: map[string][]mockReply{}}
	m.mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request to %s", r.URL)
		return nil, fmt.Errorf("no responder for %s", r.URL)
	})
	m.route(testEndpoint)
	return m
}

// route answers requests to url from the scripted replies.
func (m *mockPWS) route(url string) {
	m.mt.RegisterResponder(http.MethodPost, url, func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		require.NoError(m.t, err)
		action := r.Header.Get("SOAPAction")
		op := strings.TrimPrefix(strings.Trim(action, `"`), actionPrefix)
		m.mu.Lock()
		m.calls = append(m.calls, wireCall{Method: r.Method, URL: r.URL.String(), SOAPAction: action,
			ContentType: r.Header.Get("Content-Type"), Op: op, Body: body})
		q := m.replies[op]
		var rep mockReply
		if len(q) > 0 {
			rep = q[0]
			if len(q) > 1 {
				m.replies[op] = q[1:]
			}
		}
		m.mu.Unlock()
		if rep.status == 0 {
			m.t.Errorf("no reply scripted for %s", op)
			return nil, fmt.Errorf("no reply for %s", op)
		}
		resp := httpmock.NewStringResponse(rep.status, rep.body)
		ct := rep.contentType
		if ct == "" {
			ct = "text/xml; charset=utf-8"
		}
		resp.Header.Set("Content-Type", ct)
		for k, v := range rep.header {
			resp.Header[k] = v
		}
		return resp, nil
	})
}

// on queues replies for op.
func (m *mockPWS) on(op string, replies ...mockReply) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replies[op] = append(m.replies[op], replies...)
}

func (m *mockPWS) Calls() []wireCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]wireCall(nil), m.calls...)
}

// ops lists the operations called, in order.
func (m *mockPWS) ops() []string {
	var out []string
	for _, c := range m.Calls() {
		out = append(out, c.Op)
	}
	return out
}

func (m *mockPWS) httpClient() *http.Client { return &http.Client{Transport: m.mt} }

// client returns a client for testEndpoint over the mock with a 1 ms rate-limit wait.
func (m *mockPWS) client(creds projector.Credentials, opts ...projector.Option) *projector.Client {
	m.t.Helper()
	all := append([]projector.Option{projector.WithHTTPClient(m.httpClient()), projector.WithRateLimitWait(0)}, opts...)
	c, err := projector.New(testEndpoint, creds, all...)
	require.NoError(m.t, err)
	return c
}

// Reply builders, in Projector's response layout (see testdata/PwsDeleteUser-response.xml).

const (
	nsCS  = "http://projectorpsa.com/CommonServices/"
	nsCom = "http://projectorpsa.com/DataContracts/Shared/Common/"
)

func msgXML(typ string, number int, code, text string) string {
	return `<b:PwsMessage><b:AdditionalErrorText i:nil="true"/><b:ErrorCode>` + code + `</b:ErrorCode><b:ErrorNumber>` +
		fmt.Sprint(number) + `</b:ErrorNumber><b:ErrorText>` + text + `</b:ErrorText><b:Type>` + typ +
		`</b:Type><b:ReferenceId1 i:nil="true"/><b:ReferenceId2 i:nil="true"/></b:PwsMessage>`
}

// baseXML is the base members; status "" leaves Status out.
func baseXML(status string, msgs ...string) string {
	s := `<Messages xmlns="` + nsCS + `" xmlns:b="` + nsCom + `">` + strings.Join(msgs, "") + `</Messages>` +
		`<ResponseId xmlns="` + nsCS + `">1</ResponseId>`
	if status != "" {
		s += `<Status xmlns="` + nsCS + `">` + status + `</Status>`
	}
	return s + `<ServerTimestampUtc xmlns="` + nsCS + `">2018-10-17T18:10:14.2345021Z</ServerTimestampUtc>`
}

func resultXML(op, members string) string {
	return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><` + op +
		`Response xmlns="http://projectorpsa.com/PwsProjectorServices/"><` + op +
		`Result xmlns:a="http://projectorpsa.com/DataContracts/Responses/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
		members + `</` + op + `Result></` + op + `Response></s:Body></s:Envelope>`
}

func reply(body string) mockReply { return mockReply{status: http.StatusOK, body: body} }

func authOK(ticket string) mockReply {
	return reply(resultXML("PwsAuthenticate", baseXML("Ok")+`<a:RedirectUrl i:nil="true"/><a:SessionTicket>`+ticket+`</a:SessionTicket>`))
}

func authRedirect(url string) mockReply {
	return reply(resultXML("PwsAuthenticate", baseXML("Ok")+`<a:RedirectUrl>`+url+`</a:RedirectUrl><a:SessionTicket i:nil="true"/>`))
}

func deleteOK(timestamp string, msgs ...string) mockReply {
	status := "Ok"
	if len(msgs) > 0 {
		status = "OkWithWarnings"
	}
	ts := `<a:Timestamp i:nil="true"/>`
	if timestamp != "" {
		ts = `<a:Timestamp>` + timestamp + `</a:Timestamp>`
	}
	return reply(resultXML("PwsDeleteUser", baseXML(status, msgs...)+ts+
		`<a:UserIdentity xmlns:b="`+nsCom+`"><b:UserDisplayName>Jane Doe</b:UserDisplayName><b:UserId>42</b:UserId>`+
		`<b:UserReferenceSystemId>jdoe</b:UserReferenceSystemId><b:UserUid>1152921504607134367</b:UserUid></a:UserIdentity>`))
}

func failReply(op string, msgs ...string) mockReply {
	return reply(resultXML(op, baseXML("Fail", msgs...)))
}

func faultReply(reason string, msgs ...string) mockReply {
	return mockReply{status: http.StatusInternalServerError, body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
		`<faultcode>s:Client</faultcode><faultstring xml:lang="en-US">` + reason + `</faultstring><detail>` +
		`<PwsFault xmlns="` + nsCS + `" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><Messages xmlns:b="` + nsCom + `">` +
		strings.Join(msgs, "") + `</Messages></PwsFault></detail></s:Fault></s:Body></s:Envelope>`}
}

var (
	msgNotFound   = msgXML("Error", 50024, "EntityNotFound", "Entity PwsUserRef was not found.")
	msgDenied     = msgXML("Error", 50045, "ViewPermissionDenied", "You do not have permission to view this item.")
	msgBadTicket  = msgXML("Error", 10004, "InvalidSessionTicket", "The specified session ticket is invalid.")
	msgBadSession = msgXML("Error", -101, "InvalidSession", "The session is no longer valid.")
	msgRateError  = msgXML("Error", 10016, "RequestExceededRateLimit", "Rate limit exceeded.")
	msgRateWarn   = msgXML("Warning", 10016, "RequestExceededRateLimit", "Rate limit exceeded.")
)

// testdata reads a file of testdata/.
func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// fake starts a projectortest server for the test and checks, when the test ends, that no
// request had an element WCF would have ignored.
func fake(t *testing.T, opts projectortest.Options) *projectortest.Server {
	t.Helper()
	s := projectortest.NewServer(opts)
	t.Cleanup(func() {
		if v := s.Violations(); len(v) > 0 {
			t.Errorf("WCF would have ignored elements: %v", v)
		}
		s.Close()
	})
	return s
}
