package projector_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// listenTrap is a TCP listener the credentials must never reach: it counts connections.
type listenTrap struct {
	ln       net.Listener
	accepted atomic.Int64
}

func newListenTrap(t *testing.T, network, addr string) *listenTrap {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	tr := &listenTrap{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tr.accepted.Add(1)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return tr
}

func (tr *listenTrap) port() string {
	_, p, _ := net.SplitHostPort(tr.ln.Addr().String())
	return p
}

// dialLog is an http.Client whose every dial is recorded (and carried out, so that a
// missing check would show as a connection to the trap).
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) client() *http.Client {
	var dialer net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d.mu.Lock()
			d.addrs = append(d.addrs, addr)
			d.mu.Unlock()
			return dialer.DialContext(ctx, network, addr)
		},
	}}
}

func (d *dialLog) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// Hostile RedirectUrl forms: each is refused before any connection is made to it, and the
// password never leaves for anywhere but the configured endpoint.
func TestRedirectUrlHostileForms(t *testing.T) {
	trap4 := newListenTrap(t, "tcp4", "127.0.0.1:0")
	p := trap4.port()
	var trap6 *listenTrap
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		_ = ln.Close()
		trap6 = newListenTrap(t, "tcp6", "[::1]:0")
	}
	p6 := p
	if trap6 != nil {
		p6 = trap6.port()
	}
	forms := []string{
		// IP literals in every spelling a resolver or dialer accepts
		"https://127.0.0.1:" + p,
		"https://127.0.0.1.:" + p,
		"https://2130706433:" + p,
		"https://0x7f000001:" + p,
		"https://0x7f.0.0.1:" + p,
		"https://0177.0.0.1:" + p,
		"https://127.1:" + p,
		"https://0.0.0.0:" + p,
		"https://[::1]:" + p6,
		"https://[0:0:0:0:0:0:0:1]:" + p6,
		"https://[::ffff:127.0.0.1]:" + p,
		"https://[::1%25lo]:" + p6,
		"https://[fe80::1%25eth0]:" + p,
		// names that are not under projectorpsa.com
		"https://localhost:" + p,
		"https://localhost.:" + p,
		"https://evilprojectorpsa.com",
		"https://projectorpsa.com.evil.example",
		"https://secure.projectorpsa.com.evil.example.",
		"https://secure.projectorpsa.com..evil.example",
		// texts that end in .projectorpsa.com while the host is elsewhere: an IPv6 zone
		// makes the host name end with the trusted domain while the dialer connects to the
		// address before the zone
		"https://[::1%25.projectorpsa.com]:" + p6,
		"https://[::1%25x.secure.projectorpsa.com]:" + p6,
		"https://[::ffff:127.0.0.1%25.projectorpsa.com]:" + p,
		"https://[fe80::1%25.projectorpsa.com]",
		"https://127.0.0.1%2f.projectorpsa.com",
		"https://localhost%3a" + p + "%2f.projectorpsa.com",
		"https://127.0.0.1:" + p + "%23.projectorpsa.com",
		"https://127.0.0.1:" + p + "#.projectorpsa.com",
		"https://127.0.0.1:" + p + "?.projectorpsa.com",
		"https://127.0.0.1:" + p + "/.projectorpsa.com",
		"https://127.0.0.1:" + p + "\\.projectorpsa.com",
		"https://127.0.0.1:" + p + "\\@secure.projectorpsa.com",
		"https://secure.projectorpsa.com@127.0.0.1:" + p,
		"https://user:pw@secure.projectorpsa.com",
		"https://secure.projectorpsa.com%00.evil.example",
		"https://127.0.0.1:" + p + "\t.projectorpsa.com",
		"https://127.0.0.1:" + p + "\n.projectorpsa.com",
		// percent-encoded and IDN look-alikes of the trusted domain
		"https://secure.%70rojectorpsa.com",
		"https://secure.projеctorpsa.com", // Cyrillic е
		"https://secure.xn--prjectorpsa-ocb.com",
		"https://xn--secur-fsa.projectorpsa.com",
		"https://secure.projectorpsa。com",
		// schemes, ports and shapes
		"http://secure.projectorpsa.com",
		"ftp://secure.projectorpsa.com",
		"https://secure.projectorpsa.com:0",
		"https://secure.projectorpsa.com:99999",
		"https://secure.projectorpsa.com:",
		"//127.0.0.1:" + p,
		"https:127.0.0.1:" + p,
		"https:/127.0.0.1:" + p,
	}
	require.GreaterOrEqual(t, len(forms), 30)
	for _, form := range forms {
		t.Run(strings.NewReplacer("/", "_", "\n", "\\n", "\t", "\\t").Replace(form), func(t *testing.T) {
			s := fake(t, projectortest.Options{Users: users(1)})
			s.RedirectTo(form)
			var dl dialLog
			c, err := projector.New(s.URL, s.Credentials(), projector.WithHTTPClient(dl.client()),
				projector.WithAllowedRedirectHosts(s.Host())) // the fake itself is allowed, nothing else
			require.NoError(t, err)
			err = c.Login(t.Context())
			require.ErrorIs(t, err, projector.ErrRedirectRefused)
			assert.NotContains(t, err.Error(), s.Credentials().Password)
			for _, a := range dl.dialed() {
				assert.Equal(t, s.Host(), a, "dialed something else than the endpoint")
			}
			assert.Len(t, s.Requests(), 1, "only the first PwsAuthenticate")
		})
	}
	assert.Zero(t, trap4.accepted.Load(), "nothing connected to the trap")
	if trap6 != nil {
		assert.Zero(t, trap6.accepted.Load(), "nothing connected to the IPv6 trap")
	}
}

// A RedirectUrl echoing the password (in its query, encoded) is refused without showing it:
// not in the error, not in the RedirectError's fields.
func TestRedirectUrlEchoingThePassword(t *testing.T) {
	leaks := faultnet.NewLeaks(faultnet.HostilePassword)
	for _, form := range []string{
		"https://evil.example/login?pw=" + url.QueryEscape(faultnet.HostilePassword),
		"https://evil.example/" + url.PathEscape(faultnet.HostilePassword),
		"https://secure.projectorpsa.com.evil.example/?p=" + url.QueryEscape(faultnet.HostilePassword),
	} {
		s2 := fake(t, projectortest.Options{Users: users(1), Password: faultnet.HostilePassword})
		s2.RedirectTo(form)
		c, err := projector.New(s2.URL, s2.Credentials())
		require.NoError(t, err)
		err = c.Login(t.Context())
		require.ErrorIs(t, err, projector.ErrRedirectRefused)
		leaks.Error(t, err)
	}
}
