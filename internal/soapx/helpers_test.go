package soapx_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

const (
	ns11    = "http://schemas.xmlsoap.org/soap/envelope/"
	ns12    = "http://www.w3.org/2003/05/soap-envelope"
	ct11    = "text/xml; charset=utf-8"
	ct12    = "application/soap+xml; charset=utf-8"
	testURL = "http://soap.test/svc.asmx"
	action  = "urn:test/Echo"
)

type echoReq struct {
	XMLName  xml.Name `xml:"urn:test Echo"`
	Text     string   `xml:"urn:test Text"`
	Password string   `xml:"urn:test password,omitempty"`
}

type echoResp struct {
	XMLName xml.Name `xml:"urn:test EchoResponse"`
	Text    string   `xml:"urn:test Text"`
}

type authHeader struct {
	XMLName xml.Name `xml:"urn:tx authToken"`
	Value   string   `xml:",chardata"`
}

func env11(header, body string) string {
	h := ""
	if header != "" {
		h = "<soap:Header>" + header + "</soap:Header>"
	}
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + ns11 + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		h + "<soap:Body>" + body + "</soap:Body></soap:Envelope>"
}

func env12(header, body string) string {
	h := ""
	if header != "" {
		h = "<env:Header>" + header + "</env:Header>"
	}
	return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="` + ns12 + `">` +
		h + "<env:Body>" + body + "</env:Body></env:Envelope>"
}

const echoBody = `<EchoResponse xmlns="urn:test"><Text>pong</Text></EchoResponse>`

// recorded is what a mock saw of a request.
type recorded struct {
	Header http.Header
	Body   string
	URL    string
}

// mock wires httpmock into a fresh *http.Client the documented way
// (httpmock.ActivateNonDefault + WithHTTPClient) and records requests.
type mock struct {
	hc   *http.Client
	mu   sync.Mutex
	reqs []recorded
}

func newMock(t *testing.T) *mock {
	t.Helper()
	m := &mock{hc: &http.Client{}}
	httpmock.ActivateNonDefault(m.hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	return m
}

func (m *mock) record(r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	m.reqs = append(m.reqs, recorded{Header: r.Header.Clone(), Body: string(b), URL: r.URL.String()})
	m.mu.Unlock()
}

func (m *mock) last(t *testing.T) recorded {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.NotEmpty(t, m.reqs)
	return m.reqs[len(m.reqs)-1]
}

// answer registers a responder for POST url with a status, Content-Type ("" for none) and body.
func (m *mock) answer(url string, status int, ct, body string, hdr ...string) {
	httpmock.RegisterResponder(http.MethodPost, url, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		resp := httpmock.NewStringResponse(status, body)
		resp.Status = http.StatusText(status)
		if ct != "" {
			resp.Header.Set("Content-Type", ct)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			resp.Header.Add(hdr[i], hdr[i+1])
		}
		return resp, nil
	})
}

func (m *mock) client(t *testing.T, opts ...soapx.Option) *soapx.Client {
	t.Helper()
	c, err := soapx.NewClient(testURL, append([]soapx.Option{soapx.WithHTTPClient(m.hc)}, opts...)...)
	require.NoError(t, err)
	return c
}
