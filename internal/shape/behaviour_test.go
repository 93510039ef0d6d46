package shape

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/testtb"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// records is a slog handler that keeps every record's level and message.
type records struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *records) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{r}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct{ r *records }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.buf.Write(p)
}

func (r *records) lines(level string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range strings.Split(r.buf.String(), "\n") {
		if strings.Contains(l, "level="+level+" ") {
			out = append(out, l)
		}
	}
	return out
}

// TestRefusedCredentialsLoggedAlike: the four clients tell an operator the same thing, at
// the same level, when the server refuses their credentials: one Warn record, however many
// calls follow (they send nothing).
func TestRefusedCredentialsLoggedAlike(t *testing.T) {
	type call func(ctx context.Context) error
	cases := []struct {
		name  string
		start func(t *testing.T, log *slog.Logger) call
	}{
		{"cas", func(t *testing.T, log *slog.Logger) call {
			s := castest.NewServer(castest.Options{})
			t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
			t.Cleanup(s.Close)
			creds := s.Credentials()
			creds.WSPassword = "wrong password"
			c, err := cas.New(s.URL, creds, cas.WithHTTPClient(s.HTTPClient()), cas.WithLogger(log))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.DeleteHouseholdRecordings(ctx, 42); return err }
		}},
		{"uds", func(t *testing.T, log *slog.Logger) call {
			s := udstest.NewServer(udstest.Options{AnA: true})
			t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
			t.Cleanup(s.Close)
			a := s.Credentials()
			a.Credential = "wrong password"
			c, err := uds.New(s.URL, a, uds.WithLogger(log))
			require.NoError(t, err)
			return func(ctx context.Context) error {
				_, err := c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
				return err
			}
		}},
		{"projector", func(t *testing.T, log *slog.Logger) call {
			s := projectortest.NewServer(projectortest.Options{})
			t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
			t.Cleanup(s.Close)
			creds := s.Credentials()
			creds.Password = "wrong password"
			c, err := projector.New(s.URL, creds, projector.WithHTTPClient(s.HTTPClient()), projector.WithLogger(log))
			require.NoError(t, err)
			return func(ctx context.Context) error { return c.Login(ctx) }
		}},
		{"provisioning", func(t *testing.T, log *slog.Logger) call {
			s := provisioningtest.NewServer(provisioningtest.Options{})
			t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
			t.Cleanup(s.Close)
			creds := s.Credentials()
			creds.OTP = func(context.Context) (string, error) { return "000000", nil }
			c, err := provisioning.New(s.URL, creds, provisioning.WithLogger(log))
			require.NoError(t, err)
			return func(ctx context.Context) error { _, err := c.TaskCount(ctx, "Org"); return err }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r records
			do := tc.start(t, r.logger())
			for range 3 {
				require.ErrorIs(t, do(t.Context()), cas.ErrAuthentication)
			}
			var refused []string
			for _, l := range r.lines("WARN") {
				if strings.Contains(l, "refused the credentials") {
					refused = append(refused, l)
				}
			}
			assert.Len(t, refused, 1, "one Warn record for the refusal, none for the calls that followed")
		})
	}
}

// TestFakesFailOnViolations: every fake's Test fails the test when a request broke the wire
// contract, names the fake and the violation, and stays silent when none did.
func TestFakesFailOnViolations(t *testing.T) {
	// send posts what no SOAP service accepts to the fake's endpoint: a refusal the real
	// server would answer, so a violation.
	send := func(t *testing.T, url string, hc *http.Client) {
		resp, err := hc.Post(url, "text/plain", strings.NewReader("not a SOAP envelope"))
		require.NoError(t, err)
		_ = resp.Body.Close()
	}
	cases := []struct {
		name string
		run  func(tb testing.TB, bad func(url string, hc *http.Client))
	}{
		{"cas", func(tb testing.TB, bad func(string, *http.Client)) {
			castest.Test(tb, castest.Options{}, func(ctx context.Context, c *cas.Client, s *castest.Server) {
				_, err := c.DeleteHouseholdRecordings(ctx, 42)
				require.NoError(t, err)
				bad(s.URL, s.HTTPClient())
			})
		}},
		{"uds", func(tb testing.TB, bad func(string, *http.Client)) {
			udstest.Test(tb, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
				s.AddUser("ACME", "jdoe", uds.StatusActive)
				_, err := c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
				require.NoError(t, err)
				bad(s.URL, s.HTTPClient())
			})
		}},
		{"projector", func(tb testing.TB, bad func(string, *http.Client)) {
			projectortest.Test(tb, projectortest.Options{TLS: true}, func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
				require.NoError(t, c.Login(ctx))
				bad(s.URL, s.HTTPClient())
			})
		}},
		{"provisioning", func(tb testing.TB, bad func(string, *http.Client)) {
			provisioningtest.Test(tb, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
				require.NoError(t, c.Login(ctx))
				bad(s.URL, s.HTTPClient())
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clean := testtb.New(t)
			tc.run(clean, func(string, *http.Client) {})
			clean.End()
			assert.Empty(t, clean.Errors(), "a client that keeps to the contract passes")

			broken := testtb.New(t)
			tc.run(broken, func(url string, hc *http.Client) { send(t, url, hc) })
			assert.Empty(t, broken.Errors(), "reported when the test ends, not before")
			broken.End()
			require.Len(t, broken.Errors(), 1)
			assert.Contains(t, broken.Errors()[0], tc.name+"test: 1 request(s) broke the wire contract")
		})
	}
}

// TestCloseReleasesIdleConnections: Close ends what the client holds open on the network in
// every package: the session where there is one, and the idle keep-alive connections of the
// transport the client made for itself (a process that makes clients per job must not keep
// sockets open until the server times them out).
func TestCloseReleasesIdleConnections(t *testing.T) {
	type closer interface{ Close(context.Context) error }
	cases := []struct {
		name  string
		start func(t *testing.T, via func(endpoint string) string) (closer, func(ctx context.Context) error)
	}{
		{"cas", func(t *testing.T, via func(string) string) (closer, func(context.Context) error) {
			s := castest.NewServer(castest.Options{})
			t.Cleanup(s.Close)
			c, err := cas.New(via(s.URL), s.Credentials())
			require.NoError(t, err)
			return c, func(ctx context.Context) error { _, err := c.DeleteHouseholdRecordings(ctx, 42); return err }
		}},
		{"uds", func(t *testing.T, via func(string) string) (closer, func(context.Context) error) {
			s := udstest.NewServer(udstest.Options{AnA: true})
			t.Cleanup(s.Close)
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			c, err := uds.New(via(s.URL), s.Credentials())
			require.NoError(t, err)
			return c, func(ctx context.Context) error {
				_, err := c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
				return err
			}
		}},
		{"projector", func(t *testing.T, via func(string) string) (closer, func(context.Context) error) {
			s := projectortest.NewServer(projectortest.Options{})
			t.Cleanup(s.Close)
			c, err := projector.New(via(s.URL), s.Credentials())
			require.NoError(t, err)
			return c, c.Login
		}},
		{"provisioning", func(t *testing.T, via func(string) string) (closer, func(context.Context) error) {
			s := provisioningtest.NewServer(provisioningtest.Options{})
			t.Cleanup(s.Close)
			c, err := provisioning.New(via(s.URL), s.Credentials())
			require.NoError(t, err)
			return c, c.Login
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A proxy in front of the fake counts the client's open connections.
			var open atomic.Int32
			var proxy *httptest.Server
			via := func(endpoint string) string {
				u, err := url.Parse(endpoint)
				require.NoError(t, err)
				target := &url.URL{Scheme: u.Scheme, Host: u.Host}
				proxy = httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(target))
				proxy.Config.ConnState = func(_ net.Conn, st http.ConnState) {
					switch st {
					case http.StateNew:
						open.Add(1)
					case http.StateClosed, http.StateHijacked:
						open.Add(-1)
					}
				}
				proxy.Start()
				t.Cleanup(proxy.Close)
				return proxy.URL + u.Path
			}
			c, call := tc.start(t, via)
			ctx := t.Context()
			require.NoError(t, call(ctx))
			require.Equal(t, int32(1), open.Load(), "one kept-alive connection after the call")
			require.NoError(t, c.Close(ctx))
			assert.Eventually(t, func() bool { return open.Load() == 0 }, 5*time.Second, 5*time.Millisecond,
				"Close released the idle connection (%d still open)", open.Load())
		})
	}
}
