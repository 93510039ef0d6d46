package soapx_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

// A server that keeps sending after a complete answer does not hold the call: the client
// drains a little, briefly, then gives the connection up.
func TestDrainAfterAnswerIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name     string
		chunked  bool
		trailing string
	}{
		{name: "drips forever, chunked", chunked: true},
		{name: "drips forever under a Content-Length", trailing: strings.Repeat(" ", 1<<20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				wg.Add(1)
				defer wg.Done()
				_, _ = io.Copy(io.Discard, r.Body)
				answer := env11("", echoBody)
				w.Header().Set("Content-Type", ct11)
				if !tc.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(answer)+len(tc.trailing)))
				}
				_, _ = io.WriteString(w, answer)
				w.(http.Flusher).Flush()
				for {
					select {
					case <-stop:
						return
					case <-r.Context().Done():
						return
					case <-time.After(20 * time.Millisecond):
						if _, err := io.WriteString(w, " "); err != nil {
							return
						}
						w.(http.Flusher).Flush()
					}
				}
			}))
			defer func() { close(stop); srv.Close(); wg.Wait() }()
			c, err := soapx.NewClient(srv.URL, soapx.WithTimeout(30*time.Second))
			require.NoError(t, err)
			start := time.Now()
			var out echoResp
			require.NoError(t, c.Call(t.Context(), action, &echoReq{Text: "ping"}, &out))
			assert.Equal(t, "pong", out.Text)
			assert.Less(t, time.Since(start), 2*time.Second, "the call waited on the trailing bytes")
		})
	}
}

// Retry-After is honoured up to the client's maximum, never longer.
func TestRetryAfterIsCapped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		opts   []soapx.Option
		want   time.Duration
	}{
		{"an hour, default cap", "3600", nil, soapx.DefaultMaxRetryAfter},
		{"an hour, cap 2s", "3600", []soapx.Option{soapx.WithMaxRetryAfter(2 * time.Second)}, 2 * time.Second},
		{"huge number", "99999999999999999", nil, soapx.DefaultMaxRetryAfter},
		{"a date next year", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat), nil, soapx.DefaultMaxRetryAfter},
		{"under the cap", "7", nil, 7 * time.Second},
		{"cap 0 ignores it", "7", []soapx.Option{soapx.WithMaxRetryAfter(0)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tc.header)
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusTooManyRequests)
			}))
			defer srv.Close()
			c, err := soapx.NewClient(srv.URL, tc.opts...)
			require.NoError(t, err)
			err = c.Call(t.Context(), action, &echoReq{Text: "ping"}, nil)
			var he *soapx.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.want, he.RetryAfter)
		})
	}
	t.Run("RetryTransient waits no longer than the cap", func(t *testing.T) {
		calls := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		c, err := soapx.NewClient(srv.URL, soapx.WithMaxRetryAfter(50*time.Millisecond),
			soapx.WithRetry(soapx.RetryTransient(3, time.Millisecond)))
		require.NoError(t, err)
		start := time.Now()
		err = c.Call(t.Context(), action, &echoReq{Text: "ping"}, nil)
		require.ErrorIs(t, err, soapx.ErrUnavailable)
		assert.Equal(t, 3, calls)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
	_, err := soapx.NewClient(testURL, soapx.WithMaxRetryAfter(-time.Second))
	require.ErrorIs(t, err, soapx.ErrInvalidInput)
}

// User info in an endpoint is refused, with a message that does not repeat it.
func TestEndpointUserInfoRefused(t *testing.T) {
	for _, ep := range []string{
		"https://user:s3cret-pw@soap.test/svc.asmx",
		"https://user@soap.test/svc.asmx",
		"https://:s3cret-pw@soap.test/svc.asmx",
	} {
		_, err := soapx.NewClient(ep)
		var ie *soapx.InputError
		require.ErrorAs(t, err, &ie, ep)
		assert.Equal(t, "endpoint", ie.Field)
		assert.NotContains(t, err.Error(), "s3cret-pw")
		assert.Contains(t, err.Error(), "user info")
	}
	c, err := soapx.NewClient(testURL)
	require.NoError(t, err)
	_, err = c.WithEndpoint("https://u:s3cret-pw@other.test/")
	require.ErrorIs(t, err, soapx.ErrInvalidInput)
}

// Whatever the caller's http.Client does with redirects, no 3xx is followed: neither the
// body (credentials) nor a cookie the runtime applies travels to the Location, whether it
// names another host or another port of the same host.
func TestNoRedirectFollowedWithCallerClient(t *testing.T) {
	var mu sync.Mutex
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.Header.Get("Cookie")+" "+string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", ct11)
		_, _ = io.WriteString(w, env11("", echoBody))
	}))
	defer other.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "ASP.NET_SessionId", Value: "sess-cookie-1234", Path: "/"})
				http.Redirect(w, r, other.URL+"/elsewhere", status)
			}))
			defer srv.Close()
			jar, _ := cookiejar.New(nil)
			u, _ := url.Parse(srv.URL)
			jar.SetCookies(u, []*http.Cookie{{Name: "ASP.NET_SessionId", Value: "sess-cookie-1234", Path: "/"}})
			follows := &http.Client{} // net/http's default policy: follows up to 10 redirects
			c, err := soapx.NewClient(srv.URL, soapx.WithHTTPClient(follows), soapx.WithCookieJar(jar))
			require.NoError(t, err)
			err = c.Call(t.Context(), action, &echoReq{Text: "ping", Password: "pw-in-body"}, nil)
			var he *soapx.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, status, he.StatusCode)
			mu.Lock()
			assert.Empty(t, got, "the redirect target received a request")
			mu.Unlock()
		})
	}
}

// A caller's http.Client keeps working as the seam for transports: its Transport is used
// (looked up per request), its Timeout applies.
func TestCallerClientTransportStillUsed(t *testing.T) {
	var dialed []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ct11)
		_, _ = io.WriteString(w, env11("", echoBody))
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, n, a string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, a)
		mu.Unlock()
		return (&net.Dialer{}).DialContext(ctx, n, a)
	}}}
	c, err := soapx.NewClient(srv.URL, soapx.WithHTTPClient(hc))
	require.NoError(t, err)
	var out echoResp
	require.NoError(t, c.Call(t.Context(), action, &echoReq{Text: "ping"}, &out))
	assert.Equal(t, "pong", out.Text)
	assert.Len(t, dialed, 1)
}
