package soapx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

// A fault reason is server text, and ASMX/WCF reasons often quote the request: whatever
// shape the quoted secret takes, neither the error string nor the debug log may show it.
func TestFaultReasonEchoingTheRequestIsRedacted(t *testing.T) {
	const secret = "s3cr3t-echo"
	reasons := map[string]string{
		"raw element":       `Invalid request <sWSPassword>` + secret + `</sWSPassword> for user`,
		"escaped element":   `Invalid request &lt;sWSPassword&gt;` + secret + `&lt;/sWSPassword&gt; for user`,
		"prefixed element":  `<m:Password xmlns:m="urn:x">` + secret + `</m:Password>`,
		"attribute":         `<Login password="` + secret + `"/> refused`,
		"name=value":        `login failed: password=` + secret,
		"unclosed element":  `truncated <OTP>` + secret,
		"session ticket":    `ticket <SessionTicket>` + secret + `</SessionTicket> unknown`,
		"custom WithRedact": `<apiKey>` + secret + `</apiKey>`,
	}
	for name, reason := range reasons {
		for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
			t.Run(name+"/"+v.String(), func(t *testing.T) {
				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				m := newMock(t)
				var escaped strings.Builder
				require.NoError(t, xmlEscape(&escaped, reason))
				if v == soapx.SOAP11 {
					m.answer(testURL, 500, ct11, env11("", `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>`+
						escaped.String()+`</faultstring></soap:Fault>`))
				} else {
					m.answer(testURL, 500, ct12, env12("", `<env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code>`+
						`<env:Reason><env:Text xml:lang="en">`+escaped.String()+`</env:Text></env:Reason></env:Fault>`))
				}
				c := m.client(t, soapx.WithVersion(v), soapx.WithLogger(logger), soapx.WithRedact("apiKey"))
				err := c.Call(context.Background(), action, &echoReq{Text: "x"}, &echoResp{})
				var f *soapx.Fault
				require.ErrorAs(t, err, &f)
				require.Equal(t, reason, f.Reason, "the field keeps what the server said")
				for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%s", err),
					fmt.Sprintf("%#v", f), fmt.Sprintf("%#v", err), logs.String()} {
					assert.NotContains(t, s, secret)
				}
				assert.Contains(t, err.Error(), "[REDACTED]")
				assert.Contains(t, logs.String(), "soap response")
			})
		}
	}
}

func xmlEscape(w io.Writer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	_, err := io.WriteString(w, r.Replace(s))
	return err
}

// An escaped end tag in a logged body must not make the redactor take everything after it
// for a secret value: the log would lose the part of the answer that explains the problem.
func TestEscapedEndTagDoesNotSwallowTheLoggedBody(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := newMock(t)
	page := `<html><body><p>Request was &lt;password&gt;hidden-value&lt;/password&gt; and the tail-that-explains-it stays</p></body></html>`
	m.answer(testURL, 502, "text/html", page)
	err := m.client(t, soapx.WithLogger(logger)).Call(context.Background(), action, &echoReq{}, &echoResp{})
	var he *soapx.HTTPError
	require.ErrorAs(t, err, &he)
	assert.NotContains(t, logs.String(), "hidden-value")
	assert.NotContains(t, he.Excerpt, "hidden-value")
	assert.Contains(t, logs.String(), "tail-that-explains-it")
	assert.Contains(t, he.Excerpt, "tail-that-explains-it")
}

// httpmock ignores the request's context, so only the runtime itself can refuse to send on a
// context that has already ended.
func TestDoneContextSendsNothing(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, 200, ct11, env11("", echoBody))
	m.answer(testURL+"/Op", 200, "text/xml", `<Status xmlns="http://ca.tvinci.com/"><Code>0</Code></Status>`)
	c := m.client(t)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{{"cancelled", cancelled, context.Canceled}, {"deadline", expired, context.DeadlineExceeded}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []func() error{
				func() error { return c.Call(tc.ctx, action, &echoReq{Password: "pw"}, &echoResp{}) },
				func() error { return c.PostForm(tc.ctx, "Op", url.Values{"a": {"1"}}, &casStatus{}) },
			} {
				start := time.Now()
				err := call()
				require.Error(t, err)
				assert.Less(t, time.Since(start), time.Second)
				assert.ErrorIs(t, err, tc.want)
				assert.NotErrorIs(t, err, soapx.ErrUnavailable, "a caller's ended context is not worth a retry")
				var te *soapx.TransportError
				assert.ErrorAs(t, err, &te)
			}
			assert.Zero(t, httpmock.GetTotalCallCount(), "nothing may be sent")
		})
	}
}

// bodyTrap is a redirect target that records what reached it.
type bodyTrap struct {
	mu   sync.Mutex
	hits []string
}

func (b *bodyTrap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.hits = append(b.hits, fmt.Sprintf("%s %s body=%q headers=%v", r.Method, r.URL, body, r.Header))
	b.mu.Unlock()
	w.Header().Set("Content-Type", ct11)
	_, _ = io.WriteString(w, env11("", echoBody))
}

func (b *bodyTrap) seen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.hits...)
}

// An injected *http.Client with net/http's default redirect policy must not re-post the
// request body (credentials) to a Location, and every redirect comes back as an *HTTPError.
func TestInjectedClientNeverReplaysTheBodyOnRedirect(t *testing.T) {
	const secret = "redirect-secret-pw"
	trap := &bodyTrap{}
	target := httptest.NewServer(trap)
	t.Cleanup(target.Close)

	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, withBody := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/soap-body=%t", status, withBody), func(t *testing.T) {
				trap.mu.Lock()
				trap.hits = nil
				trap.mu.Unlock()
				redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Location", target.URL+"/elsewhere")
					if withBody {
						w.Header().Set("Content-Type", ct11)
						w.WriteHeader(status)
						_, _ = io.WriteString(w, env11("", echoBody))
						return
					}
					w.WriteHeader(status)
				}))
				t.Cleanup(redirector.Close)
				hc := &http.Client{} // net/http's default policy: follows up to 10 redirects
				c, err := soapx.NewClient(redirector.URL+"/svc.asmx", soapx.WithHTTPClient(hc))
				require.NoError(t, err)

				calls := []func() error{
					func() error {
						return c.Call(context.Background(), action, &echoReq{Text: "x", Password: secret}, &echoResp{})
					},
					func() error {
						return c.PostForm(context.Background(), "Login", url.Values{"sWSPassword": {secret}}, &casStatus{})
					},
				}
				for _, call := range calls {
					err := call()
					var he *soapx.HTTPError
					require.ErrorAs(t, err, &he, "%v", err)
					assert.Equal(t, status, he.StatusCode)
					assert.ErrorIs(t, err, soapx.ErrProtocol)
					assert.Contains(t, err.Error(), "redirect")
				}
				for _, hit := range trap.seen() {
					assert.NotContains(t, hit, secret, "the credentials reached the redirect target")
					assert.Contains(t, hit, `body=""`, "a body reached the redirect target")
				}
				if status == 307 || status == 308 {
					assert.Empty(t, trap.seen(), "a 307/308 must not be followed: it would re-post the body")
				}
			})
		}
	}
}

func TestRedirectErrorTypedWithOwnClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://elsewhere.invalid/x")
		w.Header().Set("Content-Type", ct11)
		w.WriteHeader(http.StatusTemporaryRedirect)
		_, _ = io.WriteString(w, env11("", echoBody)) // a well-formed envelope does not make it an answer
	}))
	t.Cleanup(srv.Close)
	c, err := soapx.NewClient(srv.URL)
	require.NoError(t, err)
	err = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
	var he *soapx.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusTemporaryRedirect, he.StatusCode)
	assert.True(t, errors.Is(err, soapx.ErrProtocol))
	assert.Contains(t, err.Error(), "elsewhere.invalid")
}
