package provisioning_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
)

const (
	endpoint = "https://bsidca.example.test/bsidca/BSIDCA.asmx"
	operator = "operator@example.com"
	ns       = "http://www.cryptocard.com/blackshield/"
)

// mockReq is a request the mock received.
type mockReq struct {
	Method string
	URL    string
	Op     string
	Header http.Header
	Body   []byte
}

// answer is a canned response.
type answer struct {
	status      int
	body        string // the whole envelope
	contentType string // default: the SOAP version's
	setCookie   string
}

// mock is an httpmock responder that records requests and answers per operation: each
// operation has a queue of answers, the last of which repeats. Connect answers AUTH_SUCCESS
// with a new session cookie unless told otherwise.
type mock struct {
	t       *testing.T
	version provisioning.SOAPVersion

	mu      sync.Mutex
	reqs    []mockReq
	answers map[string][]answer
	session int
}

// newMock activates httpmock on a fresh http.Client and returns a client that uses it.
func newMock(t *testing.T, version provisioning.SOAPVersion, opts ...provisioning.Option) (*mock, *provisioning.Client, *otpCounter) {
	t.Helper()
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	m := &mock{t: t, version: version, answers: map[string][]answer{}}
	httpmock.RegisterResponder(http.MethodPost, endpoint, m.respond)
	otp := &otpCounter{}
	opts = append([]provisioning.Option{provisioning.WithHTTPClient(hc), provisioning.WithSOAPVersion(version)}, opts...)
	c, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: otp.source}, opts...)
	require.NoError(t, err)
	return m, c, otp
}

// otpCounter is an OTP source that counts its calls and hands out "otp-1", "otp-2"…
type otpCounter struct {
	mu sync.Mutex
	n  int
}

func (o *otpCounter) source(context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n++
	return fmt.Sprintf("otp-%d", o.n), nil
}

func (o *otpCounter) calls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

// on queues answers for an operation.
func (m *mock) on(op string, answers ...answer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[op] = append(m.answers[op], answers...)
}

func (m *mock) requests() []mockReq {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mockReq(nil), m.reqs...)
}

// ops lists the operations received, in order.
func (m *mock) ops() []string {
	var out []string
	for _, r := range m.requests() {
		out = append(out, r.Op)
	}
	return out
}

// last returns the last request for op.
func (m *mock) last(op string) mockReq {
	m.t.Helper()
	reqs := m.requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Op == op {
			return reqs[i]
		}
	}
	m.t.Fatalf("no %s request; got %v", op, m.ops())
	return mockReq{}
}

func (m *mock) respond(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	action := strings.Trim(r.Header.Get("SOAPAction"), `"`)
	if m.version == provisioning.SOAP12 {
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		action = params["action"]
	}
	op := strings.TrimPrefix(action, ns)
	m.mu.Lock()
	m.reqs = append(m.reqs, mockReq{Method: r.Method, URL: r.URL.String(), Op: op, Header: r.Header.Clone(), Body: body})
	var a answer
	switch q := m.answers[op]; {
	case len(q) > 0:
		a = q[0]
		if len(q) > 1 {
			m.answers[op] = q[1:]
		}
	case op == "Connect":
		m.session++
		a = answer{body: connectOK, setCookie: fmt.Sprintf("ASP.NET_SessionId=sess%d; path=/; HttpOnly", m.session)}
	default:
		m.mu.Unlock()
		return nil, fmt.Errorf("mock: no answer for %q", op)
	}
	m.mu.Unlock()

	ct := "text/xml; charset=utf-8"
	envelope := soap11
	if m.version == provisioning.SOAP12 {
		ct, envelope = "application/soap+xml; charset=utf-8", soap12
	}
	if a.contentType != "" {
		ct = a.contentType
	}
	text := a.body
	if strings.HasPrefix(text, "<") && !strings.HasPrefix(text, "<?xml") && !strings.HasPrefix(text, "<html") {
		text = envelope(text)
	}
	status := a.status
	if status == 0 {
		status = http.StatusOK
	}
	resp := httpmock.NewStringResponse(status, text)
	resp.Header.Set("Content-Type", ct)
	if a.setCookie != "" {
		resp.Header.Add("Set-Cookie", a.setCookie)
	}
	return resp, nil
}

func soap11(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>` +
		body + `</soap:Body></soap:Envelope>`
}

func soap12(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap12:Body>` +
		body + `</soap12:Body></soap12:Envelope>`
}

// fault11 and fault12 are ASMX faults for an exception message.
func fault11(message string) answer {
	return answer{status: http.StatusInternalServerError, body: soap11(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; ` +
		message + `</faultstring><detail /></soap:Fault>`)}
}

func fault12(message string) answer {
	return answer{status: http.StatusInternalServerError, body: soap12(`<soap12:Fault><soap12:Code><soap12:Value>soap12:Receiver</soap12:Value></soap12:Code><soap12:Reason><soap12:Text xml:lang="en">Server was unable to process request. ---&gt; ` +
		message + `</soap12:Text></soap12:Reason><soap12:Detail /></soap12:Fault>`)}
}

const connectOK = `<ConnectResponse xmlns="http://www.cryptocard.com/blackshield/"><ConnectResult>AUTH_SUCCESS</ConnectResult></ConnectResponse>`

func connectAnswer(result, challenge string) answer {
	ch := ""
	if challenge != "" {
		ch = "<challenge>" + challenge + "</challenge>"
	}
	return answer{body: `<ConnectResponse xmlns="http://www.cryptocard.com/blackshield/"><ConnectResult>` + result + `</ConnectResult>` + ch + `</ConnectResponse>`}
}

func pingAnswer(alive bool) answer {
	return answer{body: fmt.Sprintf(`<PingConnectionResponse xmlns="http://www.cryptocard.com/blackshield/"><PingConnectionResult>%t</PingConnectionResult></PingConnectionResponse>`, alive)}
}

// result answers op with a single result element holding inner.
func result(op, inner string) answer {
	return answer{body: `<` + op + `Response xmlns="http://www.cryptocard.com/blackshield/"><` + op + `Result>` + inner + `</` + op + `Result></` + op + `Response>`}
}

// testdata reads a file of testdata/.
func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}
