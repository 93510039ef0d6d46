package uds_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds/udstest"
)

const (
	endpoint       = "https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc"
	testCredential = "Cr3dential-under-test"
	txNS           = "http://ws.arcot.com/UDSTransaction/1.0"
	ct12           = "application/soap+xml; charset=utf-8"
)

// sent is one request as httpmock received it.
type sent struct {
	Method, URL string
	Header      http.Header
	Body        []byte
}

// answer is one scripted response.
type answer struct {
	status int
	ct     string
	body   string
}

// mock is an httpmock-backed http.Client that answers a script in order (the last answer
// repeats) and records every request.
type mock struct {
	HC *http.Client
	mu sync.Mutex
	rq []sent
}

func newMock(t *testing.T, answers ...answer) *mock {
	t.Helper()
	m := &mock{HC: &http.Client{}}
	httpmock.ActivateNonDefault(m.HC)
	t.Cleanup(httpmock.DeactivateAndReset)
	httpmock.RegisterResponder(http.MethodPost, endpoint, func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		n := len(m.rq)
		m.rq = append(m.rq, sent{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: body})
		m.mu.Unlock()
		a := answers[min(n, len(answers)-1)]
		resp := httpmock.NewStringResponse(a.status, a.body)
		resp.Header.Set("Content-Type", a.ct)
		return resp, nil
	})
	return m
}

func (m *mock) requests() []sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sent(nil), m.rq...)
}

// ok12 is a 200 SOAP 1.2 answer.
func ok12(headers, body string) answer {
	return answer{status: 200, ct: ct12, body: env12(headers, body)}
}

func env12(headers, body string) string {
	h := ""
	if headers != "" {
		h = "<soapenv:Header>" + headers + "</soapenv:Header>"
	}
	return `<?xml version='1.0' encoding='utf-8'?><soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope">` +
		h + "<soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>"
}

func txHeader(id string) string {
	return `<ns1:udsTransactionID xmlns:ns1="` + txNS + `">` + id + `</ns1:udsTransactionID>`
}

func tokenHeader(tok string) string {
	return `<ns1:authToken xmlns:ns1="` + txNS + `">` + tok + `</ns1:authToken>`
}

// fault12 is a SOAP 1.2 Fault with a userRegistryError detail (number "" → no detail).
func fault12(code, reason, number, message, context string) string {
	var b strings.Builder
	b.WriteString(`<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:` + code + `</soapenv:Value></soapenv:Code>`)
	b.WriteString(`<soapenv:Reason><soapenv:Text xml:lang="en-US">` + reason + `</soapenv:Text></soapenv:Reason>`)
	if number != "" {
		b.WriteString(`<soapenv:Detail><msgs:userRegistryError xmlns:msgs="http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs" xmlns:uds="http://ws.arcot.com/UserSchema/1.0">`)
		if context != "" {
			b.WriteString(`<uds:errorContext>` + context + `</uds:errorContext>`)
		}
		b.WriteString(`<uds:errorMessage>` + message + `</uds:errorMessage><uds:errorNumber>` + number + `</uds:errorNumber></msgs:userRegistryError></soapenv:Detail>`)
	}
	b.WriteString(`</soapenv:Fault>`)
	return b.String()
}

const (
	updateOK = `<ns2:updateUserStatusResponse xmlns:ns2="http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs" xmlns:ns3="http://ws.arcot.com/UserSchema/1.0">` +
		`<ns2:return><ns3:message>The operation was successful!</ns3:message></ns2:return></ns2:updateUserStatusResponse>`
	getOK = `<ns2:getUserStatusResponse xmlns:ns2="http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs" xmlns:ns3="http://ws.arcot.com/UserSchema/1.0">` +
		`<ns2:userId><ns3:orgName>ACME</ns3:orgName><ns3:userName>jdoe</ns3:userName><ns3:userRefId>1234</ns3:userRefId></ns2:userId>` +
		`<ns2:status>INACTIVE</ns2:status></ns2:getUserStatusResponse>`
)

// logCapture is a slog handler at debug level that keeps every record, attributes and all,
// as text, for secret-leak assertions.
type logCapture struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
	n   *int
	h   slog.Handler
}

func newLogCapture() *logCapture {
	buf := new(bytes.Buffer)
	return &logCapture{mu: new(sync.Mutex), buf: buf, n: new(int),
		h: slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})}
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (l *logCapture) Handle(ctx context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.n++
	return l.h.Handle(ctx, r)
}

func (l *logCapture) WithAttrs(as []slog.Attr) slog.Handler {
	c := *l
	c.h = l.h.WithAttrs(as)
	return &c
}

func (l *logCapture) WithGroup(name string) slog.Handler {
	c := *l
	c.h = l.h.WithGroup(name)
	return &c
}

func (l *logCapture) text() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String(), *l.n
}

// requireNoSecret fails when any secret appears in s.
func requireNoSecret(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		require.NotEmpty(t, sec)
		require.NotContains(t, s, sec)
	}
}

// newFake starts a udstest fake closed when the test ends, and fails the test if any request
// broke the fake's statement of the wire contract.
func newFake(t *testing.T, opts udstest.Options) *udstest.Server {
	t.Helper()
	s := udstest.NewServer(opts)
	t.Cleanup(func() {
		s.Close()
		assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse")
	})
	return s
}
