package soapx_test

import (
	"context"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
)

func newPool(t *testing.T) *x509.CertPool {
	t.Helper()
	return x509.NewCertPool()
}

// echoServer is a soapsrv-based server answering Echo with the request's Text, prefixed
// by the authToken header when there is one.
func echoServer(t testing.TB, counter *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := soapsrv.ReadRequest(r, 1<<20)
		if err != nil {
			soapsrv.WriteRequestError(w, err)
			return
		}
		var in echoReq
		if err := req.Decode(&in); err != nil {
			_ = soapsrv.WriteFault(w, req.Version, 0, soapsrv.FaultSpec{Code: "Client", Reason: err.Error()})
			return
		}
		text := in.Text
		if h, ok := req.Header("urn:tx", "authToken"); ok {
			text = h.Text + ":" + text
		}
		_ = soapsrv.WriteResponse(w, req.Version, http.StatusOK, nil, &echoResp{Text: text})
	}))
	if counter != nil {
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				counter.Add(1)
			}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestKeepAlive1000CallsOneConnection(t *testing.T) {
	for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
		t.Run(v.String(), func(t *testing.T) {
			var conns atomic.Int32
			srv := echoServer(t, &conns)
			c, err := soapx.NewClient(srv.URL+"/svc.asmx", soapx.WithVersion(v))
			require.NoError(t, err)
			for i := range 1000 {
				var out echoResp
				require.NoError(t, c.Call(context.Background(), action, &echoReq{Text: strconv.Itoa(i)}, &out))
				require.Equal(t, strconv.Itoa(i), out.Text)
			}
			// One connection, or two: net/http puts a connection back in its idle pool from its
			// read loop just after the body's EOF, so under CPU load the next call can find the
			// pool empty for an instant and start a dial; the old connection still serves it and
			// the dialled one joins the pool, after which every call finds an idle connection.
			// Without keep-alive this would be 1000.
			assert.LessOrEqual(t, conns.Load(), int32(2), "1000 sequential calls reuse one keep-alive connection")
			assert.GreaterOrEqual(t, conns.Load(), int32(1))
		})
	}
}

func TestKeepAliveAfterFaultsAndErrors(t *testing.T) {
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0:
			_ = soapsrv.WriteFault(w, soapx.SOAP11, 500, soapsrv.FaultSpec{Code: "Server", Reason: "x"})
		case 1:
			_ = soapsrv.WriteResponse(w, soapx.SOAP11, 404, nil, &echoResp{Text: "y"})
		default:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := soapx.NewClient(srv.URL)
	require.NoError(t, err)
	for range 30 {
		_ = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
	}
	assert.Equal(t, int32(1), conns.Load())
}

func TestConcurrentCallsKeepTheirHeaders(t *testing.T) {
	srv := echoServer(t, nil)
	for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
		t.Run(v.String(), func(t *testing.T) {
			c, err := soapx.NewClient(srv.URL, soapx.WithVersion(v))
			require.NoError(t, err)
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 25 {
						tok := fmt.Sprintf("tok-%d", g)
						ctx, resp := soapx.CaptureResponse(soapx.WithRequestHeaders(context.Background(), &authHeader{Value: tok}))
						var out echoResp
						if err := c.Call(ctx, action, &echoReq{Text: strconv.Itoa(i)}, &out); err != nil {
							errs <- err
							return
						}
						if want := tok + ":" + strconv.Itoa(i); out.Text != want || resp.StatusCode != 200 {
							errs <- fmt.Errorf("got %q, want %q", out.Text, want)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

func TestContextDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		if r.URL.Path == "/midbody" {
			w.Header().Set("Content-Type", ct11)
			w.WriteHeader(200)
			_, _ = w.Write([]byte(env11("", echoBody)[:100]))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close

	for _, path := range []string{"/headers", "/midbody"} {
		t.Run(path, func(t *testing.T) {
			c, err := soapx.NewClient(srv.URL + path)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err = c.Call(ctx, action, &echoReq{}, &echoResp{})
			require.Error(t, err)
			assert.Less(t, time.Since(start), 5*time.Second)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, soapx.ErrUnavailable)
			var te *soapx.TransportError
			assert.ErrorAs(t, err, &te)
		})
	}

	t.Run("client timeout", func(t *testing.T) {
		c, err := soapx.NewClient(srv.URL, soapx.WithTimeout(100*time.Millisecond))
		require.NoError(t, err)
		err = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})

	t.Run("cancelled", func(t *testing.T) {
		c, err := soapx.NewClient(srv.URL)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(50 * time.Millisecond); cancel() }()
		err = c.Call(ctx, action, &echoReq{}, &echoResp{})
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, soapx.ErrUnavailable)
	})
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := soapx.NewClient(url)
	require.NoError(t, err)
	err = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
	var te *soapx.TransportError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, soapx.ErrUnavailable)
	assert.NotErrorIs(t, err, soapx.ErrProtocol)
}

func TestTruncatedOnTheWire(t *testing.T) {
	// The server promises more bytes than it sends and closes the connection.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc := env11("", echoBody)
		w.Header().Set("Content-Type", ct11)
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		w.WriteHeader(200)
		_, _ = w.Write([]byte(doc[:len(doc)/2]))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	c, err := soapx.NewClient(srv.URL)
	require.NoError(t, err)
	err = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
	var pe *soapx.ProtocolError
	require.ErrorAs(t, err, &pe, "%v", err)
	assert.ErrorIs(t, err, soapx.ErrProtocol)
}

func TestSoapsrvRoundTrip(t *testing.T) {
	type udsError struct {
		XMLName xml.Name `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs userRegistryError"`
		Number  string   `xml:"http://ws.arcot.com/UserSchema/1.0 errorNumber"`
		Message string   `xml:"http://ws.arcot.com/UserSchema/1.0 errorMessage"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := soapsrv.ReadRequest(r, 1<<20)
		if err != nil {
			soapsrv.WriteRequestError(w, err)
			return
		}
		var in echoReq
		require.NoError(t, req.Decode(&in))
		if in.Text == "fail" {
			_ = soapsrv.WriteFault(w, req.Version, 0, soapsrv.FaultSpec{Code: "Sender", Reason: "no such user",
				Detail: &udsError{Number: "31201", Message: "no such user"}})
			return
		}
		hdr := []any{&authHeader{Value: "token-" + req.Action}}
		_ = soapsrv.WriteResponse(w, req.Version, 0, hdr, &echoResp{Text: in.Text + "@" + req.Version.String()})
	}))
	t.Cleanup(srv.Close)

	for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
		t.Run(v.String(), func(t *testing.T) {
			c, err := soapx.NewClient(srv.URL, soapx.WithVersion(v))
			require.NoError(t, err)
			ctx, resp := soapx.CaptureResponse(context.Background())
			var out echoResp
			require.NoError(t, c.Call(ctx, action, &echoReq{Text: "hi"}, &out))
			assert.Equal(t, "hi@"+v.String(), out.Text)
			tok, ok := resp.Header("urn:tx", "authToken")
			require.True(t, ok)
			assert.Equal(t, "token-"+action, tok.Text)
			assert.Equal(t, v, resp.Version)

			err = c.Call(context.Background(), action, &echoReq{Text: "fail"}, &out)
			var f *soapx.Fault
			require.ErrorAs(t, err, &f)
			assert.Equal(t, 500, f.HTTPStatus)
			if v == soapx.SOAP11 {
				assert.Equal(t, "Client", f.Code, "Sender is translated for 1.1")
			} else {
				assert.Equal(t, "Sender", f.Code)
			}
			var d udsError
			require.NoError(t, f.DecodeDetail(&d))
			assert.Equal(t, "31201", d.Number)
		})
	}
}

func TestVersionMismatchAgainstSOAP12OnlyServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := soapsrv.ReadRequest(r, 0)
		if err != nil {
			soapsrv.WriteRequestError(w, err)
			return
		}
		if req.Version != soapx.SOAP12 {
			soapsrv.WriteVersionMismatch(w)
			return
		}
		_ = soapsrv.WriteResponse(w, req.Version, 0, nil, &echoResp{Text: "ok"})
	}))
	t.Cleanup(srv.Close)
	c, err := soapx.NewClient(srv.URL) // SOAP 1.1 by default
	require.NoError(t, err)
	ctx, resp := soapx.CaptureResponse(context.Background())
	err = c.Call(ctx, action, &echoReq{}, &echoResp{})
	var pe *soapx.ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Reason, "version mismatch")
	var f *soapx.Fault
	require.True(t, errors.As(err, &f))
	assert.Equal(t, "VersionMismatch", f.Code)
	up, ok := resp.Header(ns12, "Upgrade")
	require.True(t, ok)
	assert.Contains(t, string(up.Inner), "SupportedEnvelope")
}

func TestTLSRootCAs(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = soapsrv.WriteResponse(w, soapx.SOAP11, 0, nil, &echoResp{Text: "tls"})
	}))
	t.Cleanup(srv.Close)

	c, err := soapx.NewClient(srv.URL)
	require.NoError(t, err)
	err = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
	var te *soapx.TransportError
	require.ErrorAs(t, err, &te, "%v", err)
	assert.NotErrorIs(t, err, soapx.ErrUnavailable, "an untrusted certificate is not worth retrying")

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err = soapx.NewClient(srv.URL, soapx.WithRootCAs(pool))
	require.NoError(t, err)
	var out echoResp
	require.NoError(t, c.Call(context.Background(), action, &echoReq{}, &out))
	assert.Equal(t, "tls", out.Text)
}

func TestRedirectIsNotFollowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, err := soapx.NewClient(srv.URL)
	require.NoError(t, err)
	err = c.Call(context.Background(), action, &echoReq{}, &echoResp{})
	var he *soapx.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusFound, he.StatusCode)
	assert.ErrorIs(t, err, soapx.ErrProtocol)
}
