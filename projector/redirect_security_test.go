package projector_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// trap is a server credentials must never reach: it records whatever arrives.
type trap struct {
	*httptest.Server
	mu  sync.Mutex
	got []string
}

func newTrap(t *testing.T, tls bool) *trap {
	tr := &trap{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		tr.mu.Lock()
		tr.got = append(tr.got, fmt.Sprintf("%s %s %q", r.Method, r.URL, b))
		tr.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.WriteString(w, authOK("trap-ticket").body)
	})
	if tls {
		tr.Server = httptest.NewTLSServer(h)
	} else {
		tr.Server = httptest.NewServer(h)
	}
	t.Cleanup(tr.Close)
	return tr
}

func (tr *trap) received() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.got...)
}

// The existing TestE2ERedirect covers plain http, a loop and more than 3 hops, and a foreign
// host served over plain http (refused as plain http). These cover a foreign host over
// https, where only the host check stands between the password and that host, also after
// an allowed hop.
func TestRedirectUrlToForeignHTTPSHost(t *testing.T) {
	t.Run("first hop", func(t *testing.T) {
		foreign := newTrap(t, true)
		s := fake(t, projectortest.Options{Users: users(1)})
		s.RedirectTo(foreign.URL)
		c := s.NewClient(t)
		err := c.Login(t.Context())
		require.ErrorIs(t, err, projector.ErrRedirectRefused)
		assert.NotErrorIs(t, err, projector.ErrAuthentication)
		assert.ErrorContains(t, err, "neither under projectorpsa.com nor allowed")
		assert.Empty(t, foreign.received(), "the foreign host must receive nothing")
	})
	t.Run("after an allowed hop", func(t *testing.T) {
		foreign := newTrap(t, true)
		s := redirectChain(t, 2, false)
		s[1].RedirectTo(foreign.URL)
		c := s[0].NewClient(t, projector.WithAllowedRedirectHosts(s[1].BaseURL()))
		_, err := c.DeleteUser(t.Context(), ref(0), nil)
		require.ErrorIs(t, err, projector.ErrRedirectRefused)
		assert.Len(t, s[1].Requests(), 1)
		assert.Empty(t, foreign.received(), "the foreign host must receive nothing")
	})
	t.Run("allowed host, other port", func(t *testing.T) {
		foreign := newTrap(t, true)
		other := newTrap(t, true)
		s := fake(t, projectortest.Options{Users: users(1)})
		s.RedirectTo(foreign.URL)
		c := s.NewClient(t, projector.WithAllowedRedirectHosts(strings.TrimPrefix(other.URL, "https://")))
		require.ErrorIs(t, c.Login(t.Context()), projector.ErrRedirectRefused)
		assert.Empty(t, foreign.received())
	})
}

// An HTTP 3xx answering PwsAuthenticate is never followed, whatever redirect policy the
// caller's *http.Client has: a 307/308 would re-post the password to the Location.
func TestHTTPRedirectNeverFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			foreign := newTrap(t, false)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				http.Redirect(w, r, foreign.URL+projectortest.DefaultPath, status)
			}))
			t.Cleanup(srv.Close)
			c, err := projector.New(srv.URL+projectortest.DefaultPath, testCreds, projector.WithHTTPClient(&http.Client{}))
			require.NoError(t, err)
			err = c.Login(t.Context())
			var he *soapx.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, status, he.StatusCode)
			assert.ErrorIs(t, err, projector.ErrProtocol)
			assert.NotErrorIs(t, err, projector.ErrAuthentication)
			assert.Empty(t, foreign.received(), "the Location must receive nothing")
		})
	}
}
