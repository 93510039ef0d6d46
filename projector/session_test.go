package projector_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// The session rules of the one engine, held with exact request counts against projectortest.

func countOps(s *projectortest.Server, op string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

func TestSessionBadPasswordOneAuthenticate(t *testing.T) {
	s := fake(t, projectortest.Options{})
	defer s.Close()
	creds := s.Credentials()
	creds.Password = "wrong password"
	c, err := projector.New(s.URL, creds, projector.WithHTTPClient(s.HTTPClient()), projector.WithMaxInFlight(64))
	require.NoError(t, err)

	errs := faultnet.Parallel(t.Context(), 64, func(context.Context, int) error {
		_, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: 1}, nil)
		return err
	})
	errs = append(errs, faultnet.Parallel(t.Context(), 16, func(context.Context, int) error {
		_, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: 1}, nil)
		return err
	})...)
	for _, err := range errs {
		require.ErrorIs(t, err, projector.ErrAuthentication)
	}
	assert.Equal(t, 1, countOps(s, "PwsAuthenticate"), "exactly one refused PwsAuthenticate for 80 calls")
	assert.Len(t, s.Requests(), 1)

	var re *projector.RefusedError
	require.ErrorAs(t, c.Login(t.Context()), &re, "Authenticate reports the remembered refusal")
	assert.Equal(t, 1, countOps(s, "PwsAuthenticate"))

	c.ResetRefusal()
	require.ErrorIs(t, c.Login(t.Context()), projector.ErrAuthentication)
	assert.Equal(t, 2, countOps(s, "PwsAuthenticate"), "ResetRefusal allows one new attempt")
}

// gate holds every request at the fake until released, and reports each arrival.
func gate(s *projectortest.Server) (endpoint string, arrived <-chan struct{}, release func(), closeFn func()) {
	arr := make(chan struct{}, 256)
	rel := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arr <- struct{}{}
		<-rel
		s.ServeHTTP(w, r)
	}))
	var once sync.Once
	return ts.URL + projectortest.DefaultPath, arr, func() { once.Do(func() { close(rel) }) }, ts.Close
}

func TestSessionLeaderCancelledOthersSucceed(t *testing.T) {
	s := fake(t, projectortest.Options{})
	defer s.Close()
	for i := range 8 {
		s.AddUser(projectortest.User{UserID: int32(i + 1)})
	}
	endpoint, arrived, release, closeFn := gate(s)
	defer closeFn()
	c, err := projector.New(endpoint, s.Credentials(), projector.WithMaxInFlight(8))
	require.NoError(t, err)

	leaderCtx, cancel := context.WithCancel(t.Context())
	leader := make(chan error, 1)
	go func() {
		_, err := c.DeleteUser(leaderCtx, projector.UserRef{UserID: 1}, nil)
		leader <- err
	}()
	<-arrived // PwsAuthenticate is at the server
	var wg sync.WaitGroup
	var ok atomic.Int64
	for i := 1; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: int32(i + 1)}, nil); err == nil {
				ok.Add(1)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	require.ErrorIs(t, <-leader, context.Canceled, "the leader honours its own context")
	release()
	wg.Wait()
	assert.EqualValues(t, 7, ok.Load(), "the login the leader started serves the others")
	assert.Equal(t, 1, countOps(s, "PwsAuthenticate"))
	_, stillThere := s.User("1") // UserID 1
	assert.True(t, stillThere, "the leader's own DeleteUser was not sent")
}

func TestSession256CallersFourExpiries(t *testing.T) {
	s := fake(t, projectortest.Options{})
	defer s.Close()
	for i := range 5 * 256 {
		s.AddUser(projectortest.User{UserID: int32(i + 1)})
	}
	c := s.NewClient(t, projector.WithMaxInFlight(256))
	for round := range 5 {
		if round > 0 {
			s.ExpireTickets()
		}
		errs := faultnet.Parallel(t.Context(), 256, func(_ context.Context, i int) error {
			_, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: int32(round*256 + i + 1)}, nil)
			return err
		})
		require.NoError(t, errors.Join(errs...), "round %d", round)
	}
	assert.Equal(t, 5, s.Logins(), "one PwsAuthenticate per expiry")
	assert.Equal(t, 5, countOps(s, "PwsAuthenticate"))
	assert.Empty(t, s.Violations())
}

func TestSessionProactiveRenewal(t *testing.T) {
	s := fake(t, projectortest.Options{})
	defer s.Close()
	for i := range 3 {
		s.AddUser(projectortest.User{UserID: int32(i + 1)})
	}
	clk := &fakeClock{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	c := s.NewClient(t, projector.WithSessionLifetime(time.Hour), projector.WithClock(clk.Now))
	_, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: 1}, nil)
	require.NoError(t, err)
	clk.Advance(30 * time.Minute)
	_, err = c.DeleteUser(t.Context(), projector.UserRef{UserID: 2}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Logins(), "not due yet")
	clk.Advance(26 * time.Minute) // 56 min: inside the renewal window
	_, err = c.DeleteUser(t.Context(), projector.UserRef{UserID: 3}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, s.Logins(), "renewed before the hour was up")
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
