package cas_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
)

const (
	mockEndpoint = "https://extws.test.ott.kaltura.com/ws_cas_module.asmx"
	postURL      = mockEndpoint + "/HandleUserTask"
	action       = "http://ca.tvinci.com/HandleUserTask"
	ct11         = "text/xml; charset=utf-8"
	ct12         = "application/soap+xml; charset=utf-8"
	ct12Action   = `application/soap+xml; charset=utf-8; action="http://ca.tvinci.com/HandleUserTask"`
	ctForm       = "application/x-www-form-urlencoded"

	// The golden sample's concrete values (testdata/HandleUserTask.*).
	goldenUser     = "cas-golden-user"
	goldenPassword = "cas-golden-password"
	goldenDomain   = 424242
	goldenUserID   = "user-1001"
)

var (
	goldenCreds = cas.Credentials{WSUserName: goldenUser, WSPassword: goldenPassword}
	wireForms   = []wireForm{soap11, soap12, httpPost}
)

// wireForm is one of the three ways a request travels (cas.WithSOAPVersion(cas.SOAP11),
// cas.WithSOAPVersion(cas.SOAP12), cas.WithHTTPPost()), as the tests iterate over them.
type wireForm int

const (
	soap11 wireForm = iota + 1
	soap12
	httpPost
)

func (f wireForm) String() string {
	switch f {
	case soap11:
		return "SOAP 1.1"
	case soap12:
		return "SOAP 1.2"
	case httpPost:
		return "HTTP POST"
	}
	return "wireForm(" + strconv.Itoa(int(f)) + ")"
}

// option is the client option that selects f.
func (f wireForm) option() cas.Option {
	switch f {
	case soap12:
		return cas.WithSOAPVersion(cas.SOAP12)
	case httpPost:
		return cas.WithHTTPPost()
	}
	return cas.WithSOAPVersion(cas.SOAP11)
}

// sent is what the mock saw of one request.
type sent struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// mock is httpmock wired the documented way (ActivateNonDefault on a fresh client, passed
// with WithHTTPClient), answering every POST with one canned response and recording
// what it received.
type mock struct {
	mu   sync.Mutex
	reqs []sent
}

func newMock(t *testing.T, status int, contentType, body string) (*http.Client, *mock) {
	t.Helper()
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	m := &mock{}
	responder := func(r *http.Request) (*http.Response, error) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.reqs = append(m.reqs, sent{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: string(b)})
		m.mu.Unlock()
		resp := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			resp.Header.Set("Content-Type", contentType)
		}
		return resp, nil
	}
	httpmock.RegisterResponder(http.MethodPost, mockEndpoint, responder)
	httpmock.RegisterResponder(http.MethodPost, postURL, responder)
	return hc, m
}

func (m *mock) requests() []sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sent(nil), m.reqs...)
}

// statusBody renders a Status answer in the wire form's own shape.
func statusBody(form wireForm, inner string) (contentType, body string) {
	switch form {
	case soap12:
		return ct12, `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"><soap12:Body>` +
			`<HandleUserTaskResponse xmlns="http://ca.tvinci.com/"><HandleUserTaskResult>` + inner + `</HandleUserTaskResult></HandleUserTaskResponse></soap12:Body></soap12:Envelope>`
	case httpPost:
		return ct11, `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<Status xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="http://ca.tvinci.com/">` + inner + `</Status>`
	}
	return ct11, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<HandleUserTaskResponse xmlns="http://ca.tvinci.com/"><HandleUserTaskResult>` + inner + `</HandleUserTaskResult></HandleUserTaskResponse></soap:Body></soap:Envelope>`
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// sharedDir returns ../shared beside the module root, or skips the test when it is absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("%s not present: %v", shared, err)
	}
	return shared
}

func newClient(t *testing.T, hc *http.Client, form wireForm, opts ...cas.Option) *cas.Client {
	t.Helper()
	all := append([]cas.Option{cas.WithHTTPClient(hc), form.option()}, opts...)
	c, err := cas.New(mockEndpoint, goldenCreds, all...)
	require.NoError(t, err)
	return c
}
