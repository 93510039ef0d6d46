package soapx_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/scrub"
	"github.com/offboard-go/offboard/internal/soapx"
)

// WithSecrets: the runtime's errors, their fields and its log records are scrubbed of the
// Set's values, and a session cookie it stores becomes one of them.
func TestWithSecretsScrubsWhatTheRuntimeProduces(t *testing.T) {
	const pw = faultnet.HostilePassword
	leaks := faultnet.NewLeaks(pw, faultnet.HostileCookie)
	for _, sh := range faultnet.HostileShapes(faultnet.EchoForms()[1].Write(pw), []string{pw}) {
		t.Run(sh.Name, func(t *testing.T) {
			srv := httptest.NewServer(sh.Handler())
			defer srv.Close()
			var log faultnet.LogBuffer
			c, err := soapx.NewClient(srv.URL, soapx.WithSecrets(scrub.New(pw)), soapx.WithLogger(log.Logger()))
			require.NoError(t, err)
			err = c.Call(t.Context(), action, &echoReq{Text: "ping", Password: pw}, &echoResp{})
			require.Error(t, err)
			leaks.Error(t, err)
			var f *soapx.Fault
			if errors.As(err, &f) {
				leaks.Text(t, "Fault GoString", f.GoString())
			}
			leaks.Text(t, "log", log.String())
		})
	}
	t.Run("cookie", func(t *testing.T) {
		n := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			n++
			w.Header().Set("Content-Type", ct11)
			if n == 1 {
				http.SetCookie(w, &http.Cookie{Name: "ASP.NET_SessionId", Value: faultnet.HostileCookie, Path: "/"})
				_, _ = io.WriteString(w, env11("", echoBody))
				return
			}
			w.WriteHeader(500)
			_, _ = io.WriteString(w, env11("", `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>session `+
				url.QueryEscape(faultnet.HostileCookie)+` is gone</faultstring></soap:Fault>`))
		}))
		defer srv.Close()
		jar, _ := cookiejar.New(nil)
		set := scrub.New(pw)
		c, err := soapx.NewClient(srv.URL, soapx.WithSecrets(set), soapx.WithCookieJar(jar))
		require.NoError(t, err)
		require.NoError(t, c.Call(t.Context(), action, &echoReq{Text: "ping"}, &echoResp{}))
		err = c.Call(t.Context(), action, &echoReq{Text: "ping"}, &echoResp{})
		require.Error(t, err)
		leaks.Error(t, err)
		assert.Equal(t, 2, set.Len())
		assert.NotContains(t, fmt.Sprint(set), faultnet.HostileCookie)
	})
}
