package uds_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// clock is a settable time source for the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var jdoe = uds.UserID{OrgName: "ACME", UserName: "jdoe"}

// TestAnALifecycle: credentials → token → token reuse → token expiry → one
// re-authentication, each step visible in what the fake received.
func TestAnALifecycle(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("ACME", "jdoe", uds.StatusActive)

		r1, err := c.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusInactive, nil)
		require.NoError(t, err)
		assert.True(t, r1.NewAuthToken)
		assert.Equal(t, "The operation was successful!", r1.Message)

		r2, err := c.GetUserStatus(ctx, jdoe, nil)
		require.NoError(t, err)
		assert.False(t, r2.NewAuthToken, "the token is reused")
		assert.Equal(t, uds.StatusInactive, r2.Status)
		assert.Equal(t, 1, s.Logins())

		s.ExpireTokens()
		r3, err := c.GetUserStatus(ctx, jdoe, nil)
		require.NoError(t, err)
		assert.True(t, r3.NewAuthToken)
		assert.Equal(t, 2, s.Logins())

		rq := s.Requests()
		require.Len(t, rq, 4)
		admin := s.Credentials()
		// 1: credentials, no token.
		assert.Equal(t, admin.UserID, rq[0].AnA.UserID)
		assert.Equal(t, admin.OrgName, rq[0].AnA.OrgName)
		assert.Equal(t, admin.Credential, rq[0].AnA.Credential)
		assert.Empty(t, rq[0].AnA.AuthToken)
		// 2: the token only.
		assert.NotEmpty(t, rq[1].AnA.AuthToken)
		assert.Empty(t, rq[1].AnA.Credential)
		assert.Empty(t, rq[1].AnA.UserID)
		// 3: the same token, refused as expired; 4: credentials again.
		assert.Equal(t, rq[1].AnA.AuthToken, rq[2].AnA.AuthToken)
		assert.Equal(t, admin.Credential, rq[3].AnA.Credential)
		assert.Empty(t, rq[3].AnA.AuthToken)
		// Every answer's transaction id is surfaced.
		assert.Equal(t, rq[0].TransactionID, r1.TransactionID)
		assert.Equal(t, rq[1].TransactionID, r2.TransactionID)
		assert.Equal(t, rq[3].TransactionID, r3.TransactionID)
		for _, r := range rq {
			assert.Empty(t, r.AnA.Other, "every AnA header is in the UDSTransaction namespace")
		}

		// A fresh token is in use after the re-authentication.
		_, err = c.GetUserStatus(ctx, jdoe, nil)
		require.NoError(t, err)
		rq = s.Requests()
		assert.NotEmpty(t, rq[4].AnA.AuthToken)
		assert.NotEqual(t, rq[1].AnA.AuthToken, rq[4].AnA.AuthToken)
		assert.Equal(t, 2, s.Logins())
	})
}

func TestTokenLifetime(t *testing.T) {
	clk := newClock()
	udstest.Test(t, udstest.Options{AnA: true, TokenTTL: time.Hour, Now: clk.Now}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		for _, step := range []struct {
			advance time.Duration
			auths   int
		}{{0, 1}, {59 * time.Minute, 1}, {2 * time.Minute, 2}, {30 * time.Minute, 2}} {
			clk.Advance(step.advance)
			_, err := c.GetUserStatus(ctx, jdoe, nil)
			require.NoError(t, err)
			assert.Equal(t, step.auths, s.Logins(), "after %v", step.advance)
		}
	})
}

func TestRevokedTokenReauthenticates(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		_, err := c.GetUserStatus(ctx, jdoe, nil)
		require.NoError(t, err)
		s.RevokeTokens() // a restarted server no longer knows the token
		st, err := c.GetUserStatus(ctx, jdoe, nil)
		require.NoError(t, err)
		assert.True(t, st.NewAuthToken)
		assert.Equal(t, 2, s.Logins())
	})
}

// concurrently runs f from n goroutines released together and returns their errors.
func concurrently(n int, f func() error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestConcurrentAuthentication(t *testing.T) {
	const n = 32
	for _, tt := range []struct {
		name  string
		spoil func(*udstest.Server)
	}{
		{"first call", nil},
		{"token expired", (*udstest.Server).ExpireTokens},
		{"token revoked", (*udstest.Server).RevokeTokens},
	} {
		t.Run(tt.name, func(t *testing.T) {
			udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
				s.AddUser("ACME", "jdoe", uds.StatusActive)
				before := 0
				if tt.spoil != nil {
					_, err := c.GetUserStatus(ctx, jdoe, nil)
					require.NoError(t, err)
					before = s.Logins()
					tt.spoil(s)
				}
				var mu sync.Mutex
				newTokens := 0
				errs := concurrently(n, func() error {
					st, err := c.GetUserStatus(ctx, jdoe, nil)
					if err == nil && st.NewAuthToken {
						mu.Lock()
						newTokens++
						mu.Unlock()
					}
					return err
				})
				for _, err := range errs {
					require.NoError(t, err)
				}
				assert.Equal(t, before+1, s.Logins(), "one authentication for %d callers", n)
				assert.Equal(t, 1, newTokens, "exactly one caller brought a token back")
			})
		})
	}
}

// TestConcurrentBadCredentials: refused credentials fail every caller with an
// authentication error, and callers that waited for the refused attempt do not send them
// again.
func TestConcurrentBadCredentials(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, _ *uds.Client, s *udstest.Server) {
		c, err := uds.New(s.URL, uds.Credentials{UserID: udstest.DefaultAdminUserID, OrgName: udstest.DefaultAdminOrg, Credential: "wrong-credential"})
		require.NoError(t, err)
		errs := concurrently(32, func() error {
			_, err := c.GetUserStatus(ctx, jdoe, nil)
			return err
		})
		for _, err := range errs {
			require.ErrorIs(t, err, uds.ErrAuthentication)
			requireNoSecret(t, err.Error(), "wrong-credential")
		}
		assert.Equal(t, 1, s.Logins(), "one credential attempt for 32 callers")
		assert.Equal(t, 1, s.FailedLogins(), "refused")
		assert.Len(t, s.Requests(), 1)
	})
}

// gated wraps the fake so a test can hold requests at the server until it releases them.
func gated(s *udstest.Server) (url string, arrived <-chan struct{}, release func(), closeFn func()) {
	arr := make(chan struct{}, 64)
	rel := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arr <- struct{}{}
		<-rel
		s.ServeHTTP(w, r)
	}))
	var once sync.Once
	return ts.URL + uds.ServicePath, arr, func() { once.Do(func() { close(rel) }) }, ts.Close
}

// TestWaitingForAuthenticationHonoursContext: a caller waiting for another caller's
// authentication gives up when its context ends, and nothing of it is sent.
func TestWaitingForAuthenticationHonoursContext(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	url, arrived, release, closeFn := gated(s)
	defer closeFn()
	defer release()
	a := s.Credentials()
	c, err := uds.New(url, a)
	require.NoError(t, err)

	leader := make(chan error, 1)
	go func() {
		_, err := c.GetUserStatus(t.Context(), jdoe, nil)
		leader <- err
	}()
	<-arrived // the leader's credential request is at the server

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "waiting for the AnA authentication")

	release()
	require.NoError(t, <-leader)
	assert.Len(t, s.Requests(), 1, "the cancelled caller sent nothing")
	assert.Equal(t, 1, s.Logins())
}

func TestCancelledContext(t *testing.T) {
	udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := c.GetUserStatus(ctx, jdoe, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, uds.ErrUnavailable)
	})
}

func TestAnAOff(t *testing.T) {
	udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("", "jdoe", uds.StatusActive) // default organisation
		st, err := c.GetUserStatus(ctx, uds.UserID{UserName: "jdoe"}, nil)
		require.NoError(t, err)
		assert.Equal(t, uds.StatusActive, st.Status)
		assert.Equal(t, udstest.DefaultOrg, st.User.OrgName)
		assert.NotZero(t, st.User.UserRefID)
		assert.False(t, st.NewAuthToken)
		rq := s.Requests()
		require.Len(t, rq, 1)
		assert.Equal(t, udstest.AnAHeader{}, rq[0].AnA, "no AnA header without credentials")
		assert.Equal(t, rq[0].TransactionID, st.TransactionID)
		assert.NotEmpty(t, st.TransactionID)
	})
}

func TestAnARequiredButNoCredentials(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	c, err := uds.New(s.URL, uds.Credentials{})
	require.NoError(t, err)
	_, err = c.GetUserStatus(t.Context(), jdoe, nil)
	var re *uds.ServiceError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, uds.CodeAccessDenied, re.Code)
	assert.Equal(t, "Access is denied.", re.Message)
	assert.ErrorIs(t, err, uds.ErrAuthentication)
	assert.Len(t, s.Requests(), 1, "no retry without credentials")
}

func TestMultiUserUpdate(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		users := []uds.UserID{
			{OrgName: "ACME", UserName: "jdoe"},
			{OrgName: "ACME", UserName: "asmith"},
			{OrgName: "GLOBEX", UserName: "hank"},
			{UserName: "root"},
		}
		for _, u := range users {
			s.AddUser(u.OrgName, u.UserName, uds.StatusActive)
		}
		res, err := c.UpdateUserStatus(ctx, users, uds.StatusDeleted, &uds.UpdateOptions{ClientTxID: "batch-7"})
		require.NoError(t, err)
		assert.NotEmpty(t, res.TransactionID)
		for _, u := range users {
			got, ok := s.User(u.OrgName, u.UserName)
			require.True(t, ok)
			assert.Equal(t, uds.StatusDeleted, got.Status, u.UserName)
			st, err := c.GetUserStatus(ctx, u, nil)
			require.NoError(t, err)
			assert.Equal(t, uds.StatusDeleted, st.Status, u.UserName)
		}
		upd := s.Requests()[0].Call
		require.NotNil(t, upd)
		assert.Equal(t, users, upd.Users)
		assert.Equal(t, uds.StatusDeleted, upd.Status)
		assert.Equal(t, "batch-7", upd.ClientTxID)
		assert.True(t, upd.StartLockTime.IsZero())

		// All or nothing: one unknown user and nobody changes.
		_, err = c.UpdateUserStatus(ctx, []uds.UserID{users[0], {OrgName: "ACME", UserName: "ghost"}}, uds.StatusActive, nil)
		var re *uds.ServiceError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, err, uds.ErrNotFound)
		assert.Equal(t, uds.CodeUserNotFound, re.Code)
		assert.Contains(t, re.Message, "ghost")
		got, _ := s.User("ACME", "jdoe")
		assert.Equal(t, uds.StatusDeleted, got.Status)
	})
}

func TestLockWindow(t *testing.T) {
	clk := newClock()
	udstest.Test(t, udstest.Options{AnA: true, Now: clk.Now}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		start, end := clk.Now().Add(time.Hour), clk.Now().Add(3*time.Hour)
		_, err := c.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusInactive,
			&uds.UpdateOptions{StartLockTime: start.In(time.FixedZone("X", -5*3600)), EndLockTime: end})
		require.NoError(t, err)

		u, ok := s.User("ACME", "jdoe")
		require.True(t, ok)
		assert.True(t, start.Equal(u.StartLockTime), "start %v", u.StartLockTime)
		assert.True(t, end.Equal(u.EndLockTime), "end %v", u.EndLockTime)
		assert.Equal(t, uds.StatusInactive, u.Status)

		for _, step := range []struct {
			advance time.Duration
			want    uds.Status
		}{
			{0, uds.StatusActive},           // window not started
			{time.Hour, uds.StatusInactive}, // at start
			{2*time.Hour - time.Second, uds.StatusInactive},
			{time.Second, uds.StatusActive}, // at end
		} {
			clk.Advance(step.advance)
			st, err := c.GetUserStatus(ctx, jdoe, nil)
			require.NoError(t, err)
			assert.Equal(t, step.want, st.Status, "at %v", clk.Now())
		}
	})
}

func TestFaultsEndToEnd(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *udstest.Server)
		user   uds.UserID
		opts   []uds.Option
		number string
		is     error
	}{
		{"UDS not initialised", func(s *udstest.Server) { s.FailNext(udstest.NotInitialized()) }, jdoe, nil, uds.CodeNotInitialized, uds.ErrUnavailable},
		{"restart UDS", func(s *udstest.Server) { s.FailNext(udstest.FatalRestart()) }, jdoe, nil, uds.CodeFatalRestart, uds.ErrUnavailable},
		{"user not found", nil, uds.UserID{OrgName: "ACME", UserName: "ghost"}, nil, uds.CodeUserNotFound, uds.ErrNotFound},
		{"organisation not found", nil, uds.UserID{OrgName: "NOPE", UserName: "jdoe"}, nil, uds.CodeOrgNotFound, uds.ErrNotFound},
		{"not in the target organisations", nil, jdoe, []uds.Option{uds.WithTargetOrgs("GLOBEX")}, uds.CodeNotAuthorized, uds.ErrPermissionDenied},
		{"bad credential", nil, jdoe, nil, uds.CodeBadCredential, uds.ErrAuthentication},
		{"custom fault keeps everything", func(s *udstest.Server) {
			s.FailNext(udstest.Failure{FaultCode: "Receiver", Code: "31201", Message: "Unable to process the database query, x.", Context: "db", HTTPStatus: 500})
		}, jdoe, nil, "31201", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
				s.AddUser("ACME", "jdoe", uds.StatusActive)
				if tt.setup != nil {
					tt.setup(s)
				}
				if tt.number == uds.CodeBadCredential {
					var err error
					c, err = uds.New(s.URL, uds.Credentials{UserID: udstest.DefaultAdminUserID, OrgName: udstest.DefaultAdminOrg, Credential: "nope"})
					require.NoError(t, err)
				}
				_, err := c.GetUserStatus(ctx, tt.user, nil)
				var re *uds.ServiceError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.number, re.Code)
				assert.NotEmpty(t, re.Message)
				assert.Equal(t, "getUserStatus", re.Operation)
				assert.Equal(t, http.StatusInternalServerError, re.HTTPStatus)
				rq := s.Requests()
				require.NotEmpty(t, rq)
				assert.Equal(t, rq[len(rq)-1].TransactionID, re.TransactionID, "the Fault's transaction id is surfaced")
				if tt.is != nil {
					assert.ErrorIs(t, err, tt.is)
				} else {
					assert.Equal(t, "db", re.Context)
					assert.Equal(t, "Receiver", re.Fault.Code)
				}
			}, tt.opts...)
		})
	}
}

// TestFaultAfterAuthenticationKeepsToken: a request that authenticates and then fails still
// brings a token back, so the next call does not authenticate again.
func TestFaultAfterAuthenticationKeepsToken(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		_, err := c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "ghost"}, nil)
		require.ErrorIs(t, err, uds.ErrNotFound)
		_, err = c.GetUserStatus(ctx, jdoe, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, s.Logins())
		assert.NotEmpty(t, s.Requests()[1].AnA.AuthToken)
	})
}

func TestTargetOrgs(t *testing.T) {
	tests := []struct {
		name    string
		opts    []uds.Option
		user    uds.UserID
		allowed bool
	}{
		{"user in a target org", []uds.Option{uds.WithTargetOrgs("GLOBEX", "ACME")}, jdoe, true},
		{"user outside the target orgs", []uds.Option{uds.WithTargetOrgs("GLOBEX")}, jdoe, false},
		{"all orgs overrides", []uds.Option{uds.WithTargetOrgs("GLOBEX"), uds.WithTargetAllOrgs()}, jdoe, true},
		{"default org named", []uds.Option{uds.WithTargetOrgs(udstest.DefaultOrg)}, uds.UserID{UserName: "root"}, true},
		{"default org not named", []uds.Option{uds.WithTargetOrgs("ACME")}, uds.UserID{UserName: "root"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
				s.AddUser("ACME", "jdoe", uds.StatusActive)
				s.AddUser("", "root", uds.StatusActive)
				_, err := c.UpdateUserStatus(ctx, []uds.UserID{tt.user}, uds.StatusInactive, nil)
				if tt.allowed {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, uds.ErrPermissionDenied)
				u, _ := s.User(tt.user.OrgName, tt.user.UserName)
				assert.Equal(t, uds.StatusActive, u.Status)
			}, tt.opts...)
		})
	}
}
