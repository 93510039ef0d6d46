package soapx_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
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

// sequence answers POST testURL with the given responders in turn (the last one repeats).
func (m *mock) sequence(answers ...func() (*http.Response, error)) {
	var mu sync.Mutex
	i := 0
	httpmock.RegisterResponder(http.MethodPost, testURL, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		mu.Lock()
		a := answers[min(i, len(answers)-1)]
		i++
		mu.Unlock()
		return a()
	})
}

func status(code int, ct, body string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		r := httpmock.NewStringResponse(code, body)
		r.Header.Set("Content-Type", ct)
		return r, nil
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Run("retries then succeeds with the same bytes", func(t *testing.T) {
		m := newMock(t)
		m.sequence(status(503, "text/html", "down"), status(502, "text/html", "down"), status(200, ct11, env11("", echoBody)))
		var attempts []int
		var seen []error
		policy := func(attempt int, err error) (time.Duration, bool) {
			attempts = append(attempts, attempt)
			seen = append(seen, err)
			return time.Millisecond, errors.Is(err, soapx.ErrUnavailable)
		}
		c := m.client(t, soapx.WithRetry(policy))
		ctx, resp := soapx.CaptureResponse(context.Background())
		var out echoResp
		require.NoError(t, c.Call(ctx, action, &echoReq{Text: "once"}, &out))
		assert.Equal(t, "pong", out.Text)
		assert.Equal(t, []int{1, 2}, attempts)
		assert.Equal(t, 200, resp.StatusCode, "the capture shows the last attempt")
		require.Len(t, m.reqs, 3)
		for _, r := range m.reqs {
			assert.Equal(t, m.reqs[0].Body, r.Body)
		}
	})

	t.Run("policy says no", func(t *testing.T) {
		m := newMock(t)
		m.sequence(status(500, ct11, env11("", fault11)))
		c := m.client(t, soapx.WithRetry(soapx.RetryTransient(5, time.Millisecond)))
		err := c.Call(context.Background(), action, &echoReq{}, nil)
		var f *soapx.Fault
		require.ErrorAs(t, err, &f)
		assert.Len(t, m.reqs, 1, "faults are not transient")
	})

	t.Run("gives up after max attempts", func(t *testing.T) {
		m := newMock(t)
		m.sequence(status(429, "text/plain", "slow"))
		c := m.client(t, soapx.WithRetry(soapx.RetryTransient(3, time.Millisecond)))
		err := c.Call(context.Background(), action, &echoReq{}, nil)
		assert.ErrorIs(t, err, soapx.ErrRateLimited)
		assert.Len(t, m.reqs, 3)
	})

	t.Run("never on a cancelled context", func(t *testing.T) {
		m := newMock(t)
		m.sequence(status(503, "text/html", "down"))
		calls := 0
		c := m.client(t, soapx.WithRetry(func(int, error) (time.Duration, bool) { calls++; return 0, true }))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := c.Call(ctx, action, &echoReq{}, nil)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, calls)
	})

	t.Run("wait honours the context", func(t *testing.T) {
		m := newMock(t)
		m.sequence(status(503, "text/html", "down"))
		c := m.client(t, soapx.WithRetry(func(int, error) (time.Duration, bool) { return time.Hour, true }))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.Call(ctx, action, &echoReq{}, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, soapx.ErrUnavailable)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Len(t, m.reqs, 1)
	})
}

func TestCookieJar(t *testing.T) {
	m := newMock(t)
	hc := m.hc
	transport := hc.Transport
	m.sequence(
		func() (*http.Response, error) {
			r, _ := status(200, ct11, env11("", echoBody))()
			r.Header.Add("Set-Cookie", "ASP.NET_SessionId=sess-1; path=/; HttpOnly")
			return r, nil
		},
		status(200, ct11, env11("", echoBody)),
	)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := m.client(t, soapx.WithCookieJar(jar))
	require.NoError(t, c.Call(context.Background(), action, &echoReq{}, nil))
	assert.Empty(t, m.reqs[0].Header.Get("Cookie"))
	require.NoError(t, c.Call(context.Background(), action, &echoReq{}, nil))
	assert.Equal(t, "ASP.NET_SessionId=sess-1", m.reqs[1].Header.Get("Cookie"))

	u, _ := url.Parse(testURL)
	assert.Len(t, jar.Cookies(u), 1)
	assert.Nil(t, hc.Jar, "injected client untouched")
	assert.Same(t, transport, hc.Transport)

	// A client without the jar, on the same http.Client, has no session.
	require.NoError(t, m.client(t).Call(context.Background(), action, &echoReq{}, nil))
	assert.Empty(t, m.last(t).Header.Get("Cookie"))
}

type casStatus struct {
	XMLName xml.Name `xml:"http://ca.tvinci.com/ Status"`
	Code    int      `xml:"http://ca.tvinci.com/ Code"`
	Message string   `xml:"http://ca.tvinci.com/ Message"`
}

func TestPostForm(t *testing.T) {
	m := newMock(t)
	m.answer(testURL+"/HandleUserTask", 200, "text/xml; charset=utf-8",
		`<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<Status xmlns="http://ca.tvinci.com/"><Code>0</Code><Message>OK</Message></Status>`)
	c := m.client(t, soapx.WithAnswerStatus(is404))
	form := url.Values{"sWSUserName": {"u"}, "sWSPassword": {"p&w"}, "domainId": {"42"}}
	ctx, resp := soapx.CaptureResponse(context.Background())
	var st casStatus
	require.NoError(t, c.PostForm(ctx, "HandleUserTask", form, &st))
	assert.Equal(t, casStatus{XMLName: xml.Name{Space: "http://ca.tvinci.com/", Local: "Status"}, Message: "OK"}, st)
	assert.Equal(t, 200, resp.StatusCode)

	got := m.last(t)
	assert.Equal(t, testURL+"/HandleUserTask", got.URL)
	assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
	assert.Empty(t, got.Header.Get("SOAPAction"))
	assert.Equal(t, "domainId=42&sWSPassword=p%26w&sWSUserName=u", got.Body)

	t.Run("404 with a normal body", func(t *testing.T) {
		m.answer(testURL+"/HandleUserTask", 404, "text/xml; charset=utf-8",
			`<Status xmlns="http://ca.tvinci.com/"><Code>1</Code><Message>Error</Message></Status>`)
		ctx, resp := soapx.CaptureResponse(context.Background())
		var st casStatus
		require.NoError(t, c.PostForm(ctx, "/HandleUserTask", form, &st))
		assert.Equal(t, 1, st.Code)
		assert.Equal(t, 404, resp.StatusCode)
	})
	t.Run("asmx exception page", func(t *testing.T) {
		m.answer(testURL+"/HandleUserTask", 500, "text/plain; charset=utf-8",
			"System.InvalidOperationException: Missing parameter: domainId.")
		err := c.PostForm(context.Background(), "HandleUserTask", form, &casStatus{})
		var he *soapx.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Contains(t, he.Excerpt, "Missing parameter")
	})
	t.Run("wrong root", func(t *testing.T) {
		m.answer(testURL+"/HandleUserTask", 200, "text/xml", `<Other xmlns="http://ca.tvinci.com/"/>`)
		err := c.PostForm(context.Background(), "HandleUserTask", form, &casStatus{})
		assert.ErrorIs(t, err, soapx.ErrProtocol)
	})
	t.Run("bad path", func(t *testing.T) {
		assert.ErrorIs(t, c.PostForm(context.Background(), "", form, nil), soapx.ErrInvalidInput)
		assert.ErrorIs(t, c.PostForm(context.Background(), "Op?x=1", form, nil), soapx.ErrInvalidInput)
	})
}

func TestRedaction(t *testing.T) {
	secrets := []string{"hunter2-body", "form-secret", "cookie-secret", "setcookie-secret", "page-secret",
		"escaped-secret", "fault-secret", "apikey-secret", "attr-secret", "auth-secret", "json-secret"}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	m := newMock(t)
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(testURL)
	jar.SetCookies(u, []*http.Cookie{{Name: "ASP.NET_SessionId", Value: "cookie-secret"}})
	c := m.client(t, soapx.WithLogger(logger), soapx.WithCookieJar(jar), soapx.WithRedact("apiKey"))
	var errs []error

	// 1. Password element in the request, Set-Cookie and a custom secret in the response.
	m.answer(testURL, 200, ct11, env11(`<k:apiKey xmlns:k="urn:k" mode="x">apikey-secret</k:apiKey>`, echoBody),
		"Set-Cookie", "ASP.NET_SessionId=setcookie-secret", "Authorization", "Bearer auth-secret")
	require.NoError(t, c.Call(context.Background(), action, &echoReq{Text: "hi", Password: "hunter2-body"}, &echoResp{}))

	// 2. A form field.
	m.answer(testURL+"/Login", 200, "text/xml", `<Status xmlns="http://ca.tvinci.com/"><Code>0</Code></Status>`)
	require.NoError(t, c.PostForm(context.Background(), "Login", url.Values{"sWSPassword": {"form-secret"}}, &casStatus{}))

	// 3. An error page echoing secrets in several shapes.
	page := `<html><body>A potentially dangerous Request.Form value was detected (sWSPassword="page-secret").` +
		` &lt;password&gt;escaped-secret&lt;/password&gt; <input password="attr-secret"/> {"otp": "json-secret"}</body></html>`
	m.answer(testURL, 500, "text/html", page)
	errs = append(errs, c.Call(context.Background(), action, &echoReq{Password: "hunter2-body"}, &echoResp{}))
	m.answer(testURL, 200, "text/html", page)
	errs = append(errs, c.Call(context.Background(), action, &echoReq{}, &echoResp{}))

	// 4. A fault reason echoing a password, and a non-SOAP XML body with a password element.
	m.answer(testURL, 500, ct11, env11("", `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Login failed: password=fault-secret</faultstring></soap:Fault>`))
	errs = append(errs, c.Call(context.Background(), action, &echoReq{}, &echoResp{}))
	m.answer(testURL, 200, ct11, `<Login><Password>fault-secret</Password><SessionTicket a="1">fault-secret</SessionTicket></Login>`)
	errs = append(errs, c.Call(context.Background(), action, &echoReq{}, &echoResp{}))
	m.answer(testURL, 200, ct11, env11("", "<EchoResponse><Password>fault-secret</Password>")) // truncated
	errs = append(errs, c.Call(context.Background(), action, &echoReq{}, &echoResp{}))

	out := logs.String()
	require.Contains(t, out, "soap request")
	require.Contains(t, out, "soap response")
	require.Contains(t, out, "[REDACTED]")
	for _, s := range secrets {
		assert.NotContains(t, out, s, "log leaks %s", s)
	}
	for _, err := range errs {
		require.Error(t, err)
		for _, s := range secrets {
			assert.NotContains(t, err.Error(), s)
		}
		var he *soapx.HTTPError
		if errors.As(err, &he) {
			for _, s := range secrets {
				assert.NotContains(t, he.Excerpt, s)
			}
		}
		var pe *soapx.ProtocolError
		if errors.As(err, &pe) {
			for _, s := range secrets {
				assert.NotContains(t, pe.Excerpt, s)
			}
		}
	}
	// The log is still useful.
	assert.Contains(t, out, "action="+action)
	assert.Contains(t, out, "status=200")
	assert.True(t, strings.Contains(out, "<Text xmlns=\\\"urn:test\\\">hi</Text>"), out)
}

func TestLoggingIsOffWithoutDebug(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	m := newMock(t)
	m.answer(testURL, 200, ct11, env11("", echoBody))
	require.NoError(t, m.client(t, soapx.WithLogger(logger)).Call(context.Background(), action, &echoReq{}, &echoResp{}))
	assert.Empty(t, logs.String())
}

// nillableResp has the pointer members gowsdl generates for nillable elements.
type nillableResp struct {
	XMLName xml.Name `xml:"urn:test NillableResponse"`
	Ref     *struct {
		ID *string `xml:"urn:test ID"`
	} `xml:"urn:test Ref"`
	Count *int    `xml:"urn:test Count"`
	Text  *string `xml:"urn:test Text"`
}

func TestXSINilDecodesAsNil(t *testing.T) {
	// xsi is declared on the Envelope (ASMX) and as i on the element (WCF).
	body := `<NillableResponse xmlns="urn:test" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
		`<Ref><ID i:nil="true"/></Ref><Count xsi:nil="true"/><Text>kept</Text></NillableResponse>`
	header := `<h:Meta xmlns:h="urn:h" xsi:nil="true"/>`
	m := newMock(t)
	m.answer(testURL, 200, ct11, env11(header, body))
	ctx, resp := soapx.CaptureResponse(context.Background())
	var out nillableResp
	require.NoError(t, m.client(t).Call(ctx, action, &echoReq{}, &out))
	require.NotNil(t, out.Ref)
	assert.Nil(t, out.Ref.ID, "an xsi:nil member is a nil pointer, not a pointer to \"\"")
	assert.Nil(t, out.Count)
	require.NotNil(t, out.Text)
	assert.Equal(t, "kept", *out.Text)

	h, ok := resp.Header("urn:h", "Meta")
	require.True(t, ok, "header blocks are captured as sent, xsi:nil included")
	assert.Contains(t, h.Attrs, xml.Attr{Name: xml.Name{Space: "http://www.w3.org/2001/XMLSchema-instance", Local: "nil"}, Value: "true"})
}
