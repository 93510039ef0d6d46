// Package faultnet provides misbehaving HTTP servers and listeners for the fault-matrix tests
// of the service packages: answers cut, reset or never sent, bodies over any cap, hostile
// XML, and a check that a test leaves no goroutine behind. It is test support only; nothing
// outside _test.go files imports it.
package faultnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Goroutines records how many goroutines run now and returns a check that fails t when,
// after a settle period of up to 5 s, more are running. Call the check after closing the
// servers and the client's idle connections.
func Goroutines(t testing.TB) (check func()) {
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// Reply answers with status, Content-Type ct ("" for none) and body; header holds extra
// header name/value pairs.
func Reply(status int, ct, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Add(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// Hang reads the request and never answers: it returns only when the client goes away or
// the server is closed.
func Hang() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		<-r.Context().Done()
	}
}

// Trickle sends the status line and headers, then one byte of body every interval, until
// the client goes away.
func Trickle(ct string, interval time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		f, _ := w.(http.Flusher)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-t.C:
			}
		}
	}
}

// raw hijacks the connection and writes a response by hand: the status line, ct, a
// Content-Length of declared and then body.
func raw(w http.ResponseWriter, status int, ct string, declared int, body string) (net.Conn, bool) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return nil, false
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), ct, declared, body)
	_ = buf.Flush()
	return conn, true
}

// Truncated promises the whole body (Content-Length) but sends only its first half and
// closes the connection cleanly.
func Truncated(status int, ct, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if conn, ok := raw(w, status, ct, len(body), body[:len(body)/2]); ok {
			_ = conn.Close()
		}
	}
}

// ResetMidBody sends the headers and the first half of the body, then resets the TCP
// connection (RST, not FIN).
func ResetMidBody(status int, ct, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if conn, ok := raw(w, status, ct, len(body), body[:len(body)/2]); ok {
			time.Sleep(20 * time.Millisecond) // let the client start reading the body
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
		}
	}
}

// ResetBeforeAnswer reads the request and resets the TCP connection without answering.
func ResetBeforeAnswer() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// Stream answers status and ct with head, then repeats filler until limit bytes were sent
// (0: until the client goes away), then tail.
func Stream(status int, ct, head, filler, tail string, limit int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		bw := bufio.NewWriterSize(w, 32<<10)
		n, err := io.WriteString(bw, head)
		sent := int64(n)
		chunk := strings.Repeat(filler, max(1, (16<<10)/max(1, len(filler))))
		for err == nil && (limit == 0 || sent < limit) {
			if r.Context().Err() != nil {
				return
			}
			n, err = io.WriteString(bw, chunk)
			sent += int64(n)
		}
		if err == nil {
			_, _ = io.WriteString(bw, tail)
			_ = bw.Flush()
		}
	}
}

// BillionLaughs is the classic entity-expansion document, as the root of a SOAP answer.
const BillionLaughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
	`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
	`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">` +
	`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
	`<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
	`<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">` +
	`<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">` +
	`<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">` +
	`<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">` +
	`<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>` +
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>&lol9;</x></soap:Body></soap:Envelope>`

// Silent is a TCP listener that accepts connections and never reads or writes: a server
// that takes the request and never answers, down to the socket.
type Silent struct {
	URL string

	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

// NewSilent starts a Silent listener on loopback.
func NewSilent(t testing.TB) *Silent {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultnet: listen: %v", err)
	}
	s := &Silent{URL: "http://" + ln.Addr().String(), ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
		}
	}()
	return s
}

// Accepted returns how many connections were accepted.
func (s *Silent) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close closes the listener and every accepted connection.
func (s *Silent) Close() {
	_ = s.ln.Close()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

// Case is one row of a fault matrix.
type Case struct {
	Name string
	// Handler serves the faulty answer from an httptest server.
	Handler http.Handler
	// Silent replaces the HTTP server with a listener that accepts and never answers.
	Silent bool
	// Scenario, when set, replaces Handler and the call: it runs a whole exchange (against a
	// fake, say) with hc and returns the error to check.
	Scenario func(ctx context.Context, t *testing.T, hc *http.Client) error
	// Timeout is the caller's deadline (default 10 s).
	Timeout time.Duration
	// MaxAlloc, when set, bounds the bytes allocated during the call (all goroutines, the
	// server's included): a hostile document must be refused before it is buffered.
	MaxAlloc uint64
	// Check asserts the error and how long the call took.
	Check Check
}

// Run runs each case as a subtest, in order: it starts the case's server, calls call with
// the server's URL and an *http.Client of its own, checks the error, closes the server and
// the client's idle connections, and fails the subtest if a goroutine is left behind or
// anything panicked.
func Run(t *testing.T, cases []Case, call func(ctx context.Context, t *testing.T, url string, hc *http.Client) error) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			check := Goroutines(t)
			tr := &http.Transport{DisableCompression: true}
			hc := &http.Client{Transport: tr}
			timeout := c.Timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			var (
				err     error
				elapsed time.Duration
				closeFn func()
			)
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v\n%s", p, debug.Stack())
					}
				}()
				var before runtime.MemStats
				if c.MaxAlloc > 0 {
					runtime.GC()
					runtime.ReadMemStats(&before)
				}
				start := time.Now()
				defer func() {
					if c.MaxAlloc == 0 {
						return
					}
					var after runtime.MemStats
					runtime.ReadMemStats(&after)
					if n := after.TotalAlloc - before.TotalAlloc; n > c.MaxAlloc {
						t.Errorf("allocated %d bytes, want at most %d", n, c.MaxAlloc)
					}
				}()
				switch {
				case c.Scenario != nil:
					err = c.Scenario(ctx, t, hc)
				case c.Silent:
					s := NewSilent(t)
					closeFn = s.Close
					err = call(ctx, t, s.URL, hc)
				default:
					s := httptest.NewServer(c.Handler)
					closeFn = s.Close
					err = call(ctx, t, s.URL, hc)
				}
				elapsed = time.Since(start)
			}()
			cancel()
			c.Check(t, err, elapsed)
			if closeFn != nil {
				closeFn()
			}
			tr.CloseIdleConnections()
			check()
		})
	}
}

// Check is a Case's assertion.
type Check func(t *testing.T, err error, elapsed time.Duration)

// Want returns a Check that wants an error of type T (errors.As) that is each of targets
// (errors.Is).
func Want[T error](targets ...error) Check {
	return func(t *testing.T, err error, _ time.Duration) {
		t.Helper()
		if err == nil {
			t.Fatalf("want a %T error, got nil", *new(T))
		}
		var typed T
		if !errors.As(err, &typed) {
			t.Errorf("want a %T error, got %T: %v", typed, err, err)
		}
		for _, target := range targets {
			if !errors.Is(err, target) {
				t.Errorf("want errors.Is(err, %v), got %T: %v", target, err, err)
			}
		}
	}
}

// Not adds to c that err is none of targets.
func (c Check) Not(targets ...error) Check {
	return func(t *testing.T, err error, elapsed time.Duration) {
		t.Helper()
		c(t, err, elapsed)
		for _, target := range targets {
			if errors.Is(err, target) {
				t.Errorf("want !errors.Is(err, %v): %v", target, err)
			}
		}
	}
}

// Within adds to c that the call returned within d.
func (c Check) Within(d time.Duration) Check {
	return func(t *testing.T, err error, elapsed time.Duration) {
		t.Helper()
		c(t, err, elapsed)
		if elapsed > d {
			t.Errorf("returned after %v, want within %v", elapsed, d)
		}
	}
}

// And adds f to c.
func (c Check) And(f func(t *testing.T, err error)) Check {
	return func(t *testing.T, err error, elapsed time.Duration) {
		t.Helper()
		c(t, err, elapsed)
		f(t, err)
	}
}

// Padding is an XML comment of about n bytes: filler that every SOAP reader must skip
// without keeping it, for bodies over a size cap.
func Padding(n int) string { return "<!--" + strings.Repeat("x", max(0, n-7)) + "-->" }

// Gate is an http.RoundTripper that lets the first n requests through and holds every later
// one until Open, so that a test can change the server (expire its sessions) while requests
// are in flight, at a known point.
type Gate struct {
	next      http.RoundTripper
	n         int64
	started   atomic.Int64
	completed atomic.Int64
	reached   chan struct{}
	reachOnce sync.Once
	open      chan struct{}
	openOnce  sync.Once
}

// NewGate returns a Gate in front of next (http.DefaultTransport when nil).
func NewGate(next http.RoundTripper, n int) *Gate {
	if next == nil {
		next = http.DefaultTransport
	}
	return &Gate{next: next, n: int64(n), reached: make(chan struct{}), open: make(chan struct{})}
}

// RoundTrip passes the request on, after Open for any request beyond the first n.
func (g *Gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.started.Add(1) > g.n {
		select {
		case <-g.open:
		case <-r.Context().Done():
			if r.Body != nil {
				_ = r.Body.Close()
			}
			return nil, r.Context().Err()
		}
	}
	resp, err := g.next.RoundTrip(r)
	if g.completed.Add(1) >= g.n {
		g.reachOnce.Do(func() { close(g.reached) })
	}
	return resp, err
}

// Reached is closed once n requests have completed.
func (g *Gate) Reached() <-chan struct{} { return g.reached }

// Open lets the held requests go, and every later one.
func (g *Gate) Open() { g.openOnce.Do(func() { close(g.open) }) }

// Requests returns how many requests went through the gate so far.
func (g *Gate) Requests() int { return int(g.started.Load()) }

// Parallel runs f in n goroutines released at the same instant and returns their errors,
// indexed by goroutine. Every call gets ctx, so a deadlock ends with the context instead of
// hanging the test.
func Parallel(ctx context.Context, n int, f func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(ctx, i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// TLSFront starts an https server (httptest's self-signed certificate) that forwards every
// request, path included, to the host of backend, a plain-http fake, so that any fake can be
// reached over TLS. Its Certificate() is what a client must trust. It is closed when the
// test ends, and does not log the handshakes that clients refuse.
func TLSFront(t testing.TB, backend string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatalf("faultnet: backend URL: %v", err)
	}
	u.Path, u.RawPath, u.RawQuery = "", "", ""
	s := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(u))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}
