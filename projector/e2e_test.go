package projector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

func users(n int) []projectortest.User {
	var out []projectortest.User
	for i := range n {
		out = append(out, projectortest.User{ReferenceSystemID: fmt.Sprintf("user%02d", i), DisplayName: fmt.Sprintf("User %d", i)})
	}
	return out
}

func ref(i int) projector.UserRef {
	return projector.UserRef{UserReferenceSystemID: fmt.Sprintf("user%02d", i)}
}

func opsOf(reqs []projectortest.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Operation)
	}
	return out
}

func TestE2ESessionReuse(t *testing.T) {
	s := fake(t, projectortest.Options{Users: users(3)})
	c := s.NewClient(t)
	for i := range 3 {
		res, err := c.DeleteUser(t.Context(), ref(i), nil)
		require.NoError(t, err)
		assert.Equal(t, projector.Deleted, res.Outcome)
		assert.Equal(t, fmt.Sprintf("User %d", i), res.User.UserDisplayName)
		assert.Equal(t, i+1, res.ResponseID, "RequestId 1, 2, 3 echoed as ResponseId")
		u, ok := s.User(ref(i).UserReferenceSystemID)
		require.True(t, ok)
		assert.Equal(t, projectortest.Removed, u.State)
	}
	assert.Equal(t, 1, s.Logins())
	reqs := s.Requests()
	require.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsDeleteUser", "PwsDeleteUser"}, opsOf(reqs))
	ticket := reqs[1].SessionTicket
	assert.NotEmpty(t, ticket)
	for i, r := range reqs[1:] {
		assert.Equal(t, ticket, r.SessionTicket)
		assert.Equal(t, int32(i+1), r.RequestID)
	}
	assert.Equal(t, projectortest.DefaultPassword, reqs[0].Authenticate.Password)

	require.NoError(t, c.Close(t.Context()))
	last := s.Requests()[len(s.Requests())-1]
	assert.Equal(t, "PwsUnauthenticate", last.Operation)
	assert.Equal(t, ticket, last.SessionTicket)
	_, err := c.DeleteUser(t.Context(), ref(0), nil)
	assert.ErrorIs(t, err, projector.ErrClosed)
}

// 32 callers hit an expired ticket at once: one PwsAuthenticate for all of them, every call
// retried once and successful.
func TestE2EExpiryOneReloginUnder32Callers(t *testing.T) {
	for _, faults := range []bool{false, true} {
		t.Run(fmt.Sprintf("SessionFaults=%t", faults), func(t *testing.T) {
			const n = 32
			s := fake(t, projectortest.Options{Users: users(n), SessionFaults: faults})
			c := s.NewClient(t, projector.WithMaxInFlight(n))
			require.NoError(t, c.Login(t.Context()))
			s.ExpireTickets()

			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.DeleteUser(t.Context(), ref(i), nil)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				assert.NoError(t, err, "caller %d", i)
			}
			assert.Equal(t, 2, s.Logins(), "one login, one re-login")
			for i := range n {
				u, _ := s.User(ref(i).UserReferenceSystemID)
				assert.Equal(t, projectortest.Removed, u.State)
			}
		})
	}
}

func TestE2EBadCredentials(t *testing.T) {
	s := fake(t, projectortest.Options{Users: users(1)})
	creds := s.Credentials()
	creds.Password = "wrong"
	c, err := projector.New(s.URL, creds)
	require.NoError(t, err)
	_, err = c.DeleteUser(t.Context(), ref(0), nil)
	assert.ErrorIs(t, err, projector.ErrAuthentication)
	assert.Equal(t, []string{"PwsAuthenticate"}, opsOf(s.Requests()))
	assert.Equal(t, 1, s.Logins(), "one attempt, refused, not repeated")
}

func TestE2EDeactivation(t *testing.T) {
	s := fake(t, projectortest.Options{Users: []projectortest.User{
		{ReferenceSystemID: "busy", UserID: 7, DisplayName: "Busy Bee", InUse: true},
	}})
	c := s.NewClient(t)
	before, _ := s.User("busy")

	_, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "busy"}, nil)
	var se *projector.ServiceError
	require.ErrorAs(t, err, &se, "in use and no EndDateIfInUse: the request fails")
	assert.Equal(t, projector.StatusFail, se.Status)
	require.Len(t, se.Messages, 1)
	assert.Equal(t, "UserInUse", se.Messages[0].ErrorCode)

	end := time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
	res, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: 7}, &projector.DeleteUserOptions{EndDateIfInUse: end})
	require.NoError(t, err)
	assert.Equal(t, projector.Deactivated, res.Outcome)
	assert.NotEmpty(t, res.Timestamp)
	assert.NotEqual(t, before.Timestamp, res.Timestamp)
	assert.Equal(t, projector.UserRef{UserReferenceSystemID: "busy", UserID: 7, UserUID: before.UID, UserDisplayName: "Busy Bee"}, res.User)
	after, _ := s.User("busy")
	assert.Equal(t, projectortest.Inactive, after.State)
	assert.Equal(t, end, after.EndDate)
	assert.Equal(t, res.Timestamp, after.Timestamp)
}

func TestE2EErrors(t *testing.T) {
	s := fake(t, projectortest.Options{Users: users(1)})
	c := s.NewClient(t)
	_, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "nobody"}, nil)
	assert.ErrorIs(t, err, projector.ErrNotFound)

	s.FailNext(projectortest.Failure{Code: projector.CodeViewPermissionDenied})
	_, err = c.DeleteUser(t.Context(), ref(0), nil)
	assert.ErrorIs(t, err, projector.ErrPermissionDenied)

	u, _ := s.User(ref(0).UserReferenceSystemID)
	assert.Equal(t, projectortest.Active, u.State, "nothing done")
	_, err = c.DeleteUser(t.Context(), ref(0), nil)
	require.NoError(t, err)
	_, err = c.DeleteUser(t.Context(), ref(0), nil)
	assert.ErrorIs(t, err, projector.ErrNotFound, "deleting twice: the second time it is gone")
}

func TestE2ERateLimit(t *testing.T) {
	t.Run("warning: carried out once, warning returned", func(t *testing.T) {
		s := fake(t, projectortest.Options{Users: users(1)})
		c := s.NewClient(t)
		require.NoError(t, c.Login(t.Context()))
		s.RateLimit(projectortest.RateLimitWarning, 1)
		res, err := c.DeleteUser(t.Context(), ref(0), nil)
		require.NoError(t, err)
		assert.Equal(t, projector.StatusOkWithWarnings, res.Status)
		require.Len(t, res.Warnings(), 1)
		assert.True(t, res.Warnings()[0].Is(projector.CodeRequestExceededRateLimit))
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, opsOf(s.Requests()))
	})
	t.Run("fault: paused and retried", func(t *testing.T) {
		s := fake(t, projectortest.Options{Users: users(1)})
		c := s.NewClient(t, projector.WithRateLimitRetries(3))
		require.NoError(t, c.Login(t.Context()))
		s.RateLimit(projectortest.RateLimitFault, 2)
		res, err := c.DeleteUser(t.Context(), ref(0), nil)
		require.NoError(t, err)
		assert.Equal(t, projector.StatusOk, res.Status)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsDeleteUser", "PwsDeleteUser"}, opsOf(s.Requests()))
	})
	t.Run("fault: gives up", func(t *testing.T) {
		s := fake(t, projectortest.Options{Users: users(1)})
		c := s.NewClient(t, projector.WithRateLimitRetries(1))
		require.NoError(t, c.Login(t.Context()))
		s.RateLimit(projectortest.RateLimitFault, 5)
		_, err := c.DeleteUser(t.Context(), ref(0), nil)
		assert.ErrorIs(t, err, projector.ErrRateLimited)
		var se *projector.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 500, se.HTTPStatus)
		u, _ := s.User(ref(0).UserReferenceSystemID)
		assert.Equal(t, projectortest.Active, u.State, "refused before being carried out")
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsDeleteUser"}, opsOf(s.Requests()))
	})
}

// The client never runs more exchanges at once than WithMaxInFlight (default 4), measured as
// the fake's high-water mark of concurrent requests.
func TestE2EMaxInFlight(t *testing.T) {
	for _, tc := range []struct {
		opts []projector.Option
		want int
	}{{want: projector.DefaultMaxInFlight}, {opts: []projector.Option{projector.WithMaxInFlight(2)}, want: 2}} {
		t.Run(fmt.Sprint(tc.want), func(t *testing.T) {
			const n = 32
			s := fake(t, projectortest.Options{Users: users(n)})
			c := s.NewClient(t, tc.opts...)
			require.NoError(t, c.Login(t.Context()))
			release := s.HoldDeleteUser()
			var wg sync.WaitGroup
			var failed atomic.Int32
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.DeleteUser(t.Context(), ref(i), nil); err != nil {
						failed.Add(1)
					}
				}()
			}
			require.Eventually(t, func() bool { return s.InFlight() == tc.want }, 10*time.Second, time.Millisecond)
			release()
			wg.Wait()
			assert.Zero(t, failed.Load())
			assert.Equal(t, tc.want, s.MaxInFlight())
		})
	}
}

// A caller waiting for a slot gives up with its context.
func TestE2EMaxInFlightHonoursContext(t *testing.T) {
	s := fake(t, projectortest.Options{Users: users(2)})
	c := s.NewClient(t, projector.WithMaxInFlight(1))
	require.NoError(t, c.Login(t.Context()))
	release := s.HoldDeleteUser()
	done := make(chan error, 1)
	go func() { _, err := c.DeleteUser(t.Context(), ref(0), nil); done <- err }()
	require.Eventually(t, func() bool { return s.InFlight() == 1 }, 10*time.Second, time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.DeleteUser(ctx, ref(1), nil)
	assert.ErrorIs(t, err, context.Canceled)
	release()
	assert.NoError(t, <-done)
	assert.Equal(t, 1, s.MaxInFlight())
}

// redirected starts n fakes; each of the first n-1 redirects to the next one.
func redirectChain(t *testing.T, n int, tls bool) []*projectortest.Server {
	var chain []*projectortest.Server
	for range n {
		chain = append(chain, fake(t, projectortest.Options{Users: users(1), TLS: tls}))
	}
	for i := range n - 1 {
		chain[i].RedirectTo(chain[i+1].BaseURL())
	}
	return chain
}

func TestE2ERedirect(t *testing.T) {
	t.Run("followed", func(t *testing.T) {
		s := redirectChain(t, 2, false)
		c := s[0].NewClient(t, projector.WithAllowedRedirectHosts(s[1].BaseURL()))
		res, err := c.DeleteUser(t.Context(), ref(0), nil)
		require.NoError(t, err)
		assert.Equal(t, projector.Deleted, res.Outcome)
		assert.Equal(t, []string{"PwsAuthenticate"}, opsOf(s[0].Requests()))
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, opsOf(s[1].Requests()))
		assert.Equal(t, s[1].URL, c.Endpoint())
		u, _ := s[1].User(ref(0).UserReferenceSystemID)
		assert.Equal(t, projectortest.Removed, u.State)

		// Re-authentication after expiry happens where the session lives.
		s[1].ExpireTickets()
		_, err = c.DeleteUser(t.Context(), ref(0), nil)
		assert.ErrorIs(t, err, projector.ErrNotFound)
		assert.Equal(t, []string{"PwsAuthenticate"}, opsOf(s[0].Requests()))
		assert.Equal(t, 2, s[1].Logins())
	})
	t.Run("followed over https, 3 hops", func(t *testing.T) {
		s := redirectChain(t, 4, true)
		c := s[0].NewClient(t, projector.WithAllowedRedirectHosts(s[1].Host(), s[2].Host(), s[3].Host()))
		_, err := c.DeleteUser(t.Context(), ref(0), nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, opsOf(s[3].Requests()))
	})
	t.Run("refused: more than 3 hops", func(t *testing.T) {
		s := redirectChain(t, 5, false)
		var allowed []string
		for _, x := range s[1:] {
			allowed = append(allowed, x.BaseURL())
		}
		c := s[0].NewClient(t, projector.WithAllowedRedirectHosts(allowed...))
		_, err := c.DeleteUser(t.Context(), ref(0), nil)
		assert.ErrorIs(t, err, projector.ErrRedirectRefused)
		assert.ErrorContains(t, err, "more than 3 redirects")
		for _, x := range s[:4] {
			assert.Equal(t, []string{"PwsAuthenticate"}, opsOf(x.Requests()))
		}
		assert.Empty(t, s[4].Requests(), "the credentials never went to the fifth server")
	})
	t.Run("refused: loop", func(t *testing.T) {
		s := redirectChain(t, 2, false)
		s[1].RedirectTo(s[0].BaseURL())
		c := s[0].NewClient(t, projector.WithAllowedRedirectHosts(s[0].BaseURL(), s[1].BaseURL()))
		_, err := c.DeleteUser(t.Context(), ref(0), nil)
		assert.ErrorIs(t, err, projector.ErrRedirectRefused)
		assert.ErrorContains(t, err, "loop")
		assert.Len(t, s[0].Requests(), 1)
		assert.Len(t, s[1].Requests(), 1)
	})
	t.Run("refused: plain http not explicitly allowed", func(t *testing.T) {
		s := redirectChain(t, 2, false)
		c := s[0].NewClient(t, projector.WithAllowedRedirectHosts(s[1].Host()))
		_, err := c.DeleteUser(t.Context(), ref(0), nil)
		assert.ErrorIs(t, err, projector.ErrRedirectRefused)
		assert.ErrorContains(t, err, "plain http")
		assert.Empty(t, s[1].Requests())
	})
	t.Run("refused: foreign host", func(t *testing.T) {
		var received atomic.Int32
		foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			received.Add(1)
			t.Errorf("the foreign host received %s %s", r.Method, r.URL)
		}))
		defer foreign.Close()
		s := fake(t, projectortest.Options{Users: users(1)})
		s.RedirectTo(foreign.URL)
		c := s.NewClient(t)
		err := c.Login(t.Context())
		assert.ErrorIs(t, err, projector.ErrRedirectRefused)
		assert.NotErrorIs(t, err, projector.ErrAuthentication)
		assert.ErrorContains(t, err, foreign.URL)
		assert.Zero(t, received.Load())
	})
}
