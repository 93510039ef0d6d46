package bench

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// canned is a recorded answer, replayed as is.
type canned struct {
	status int
	header http.Header // Content-Type, Set-Cookie, Content-Length
	body   []byte
}

// cannedSet holds one answer per action (SOAPAction, or the action parameter of a SOAP 1.2
// Content-Type).
type cannedSet map[string]*canned

// handler answers every request with the canned answer of its action, after reading the
// request body. It does the same small amount of work for every client compared, so the
// server's cost is equal for all of them.
func (cs cannedSet) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		a := cs[requestAction(r.Header)]
		if a == nil {
			http.Error(w, "bench: no canned answer for action "+strconv.Quote(requestAction(r.Header)), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	})
}

// soap11 returns the set with SOAP 1.2 envelopes turned into SOAP 1.1 ones (namespace and
// Content-Type), for gowsdl's client, which speaks SOAP 1.1 only.
func (cs cannedSet) soap11() cannedSet {
	out := cannedSet{}
	for action, a := range cs {
		body := bytes.ReplaceAll(a.body, []byte(ns12), []byte(ns11))
		h := a.header.Clone()
		h.Set("Content-Type", "text/xml; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		out[action] = &canned{status: a.status, header: h, body: body}
	}
	return out
}

const (
	ns11 = "http://schemas.xmlsoap.org/soap/envelope/"
	ns12 = "http://www.w3.org/2003/05/soap-envelope"
)

// requestAction is the SOAPAction header (SOAP 1.1), else the action parameter of the
// Content-Type (SOAP 1.2).
func requestAction(h http.Header) string {
	if a := h.Get("SOAPAction"); a != "" {
		return strings.Trim(a, `"`)
	}
	ct := h.Get("Content-Type")
	if i := strings.Index(ct, `action="`); i >= 0 {
		a := ct[i+len(`action="`):]
		if j := strings.IndexByte(a, '"'); j >= 0 {
			return a[:j]
		}
	}
	return ""
}

// recorder is a RoundTripper that keeps the last answer to each action, so a service's real
// fake can be recorded once and replayed by a canned server.
type recorder struct {
	rt  http.RoundTripper
	mu  sync.Mutex
	got cannedSet
}

func newRecorder() *recorder {
	return &recorder{rt: http.DefaultTransport.(*http.Transport).Clone(), got: cannedSet{}}
}

func (r *recorder) client() *http.Client { return &http.Client{Transport: r} }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	action := requestAction(req.Header)
	resp, err := r.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Set-Cookie"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	r.mu.Lock()
	r.got[action] = &canned{status: resp.StatusCode, header: h, body: body}
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// server is a loopback httptest server that counts the TCP connections it accepted.
type server struct {
	*httptest.Server
	conns atomic.Int64
}

func startServer(tb testing.TB, h http.Handler, useTLS bool) *server {
	tb.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	// A client that closes its connection after the answer (gowsdl) makes net/http log
	// nothing, but a TLS client going away mid-handshake would: keep benchmark output clean.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		s.StartTLS()
	} else {
		s.Start()
	}
	tb.Cleanup(s.Close)
	return s
}

// roots is the pool that trusts a TLS server's certificate (nil for a plain server).
func (s *server) roots() *x509.CertPool {
	if s.TLS == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return pool
}

// tlsConfig is what gowsdl's soap.WithTLS gets to trust the server (nil for a plain server).
func (s *server) tlsConfig() *tls.Config {
	if s.TLS == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots(), MinVersion: tls.VersionTLS12}
}

// keepAliveClient is the one keep-alive http.Client of the hand-written minimum, and the
// client handed to the SDK over TLS (through each service's WithHTTPClient). It is
// net/http's default transport with the same idle pool the SDK's own transport has.
func keepAliveClient(tb testing.TB, roots *x509.CertPool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 32
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
