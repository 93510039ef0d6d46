package session_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/session"
)

var errRefused = errors.New("credentials refused")

// server is a scripted login endpoint: it counts logins, can hold them until released and
// can refuse or fail them.
type server struct {
	logins  atomic.Int64
	hold    chan struct{} // when not nil, a login blocks until it is closed
	started chan struct{} // when not nil, receives one value per login started
	mu      sync.Mutex
	fail    error // returned by every login while set
}

func (s *server) login(ctx context.Context) (string, error) {
	n := s.logins.Add(1)
	if s.started != nil {
		s.started <- struct{}{}
	}
	if s.hold != nil {
		select {
		case <-s.hold:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return "", s.fail
	}
	return fmt.Sprintf("ticket-%d", n), nil
}

func refused(err error) bool { return errors.Is(err, errRefused) }

// clock is a settable clock for the lifetime tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestLazyLoginAndReuse(t *testing.T) {
	srv := &server{}
	e := session.New[string](session.Config{})
	assert.Nil(t, e.Fresh(), "no session before the first call")
	assert.Zero(t, srv.logins.Load(), "nothing is sent before the first call")

	for i := range 10 {
		s, led, err := e.Get(context.Background(), srv.login)
		require.NoError(t, err)
		assert.Equal(t, "ticket-1", s.Value)
		assert.Equal(t, uint64(1), s.Gen)
		assert.Equal(t, i == 0, led, "only the first call logs in")
	}
	assert.EqualValues(t, 1, srv.logins.Load())
	assert.Equal(t, "ticket-1", e.Fresh().Value)
}

func TestSingleFlight(t *testing.T) {
	for _, callers := range []int{2, 64, 256} {
		t.Run(fmt.Sprint(callers), func(t *testing.T) {
			srv := &server{hold: make(chan struct{})}
			e := session.New[string](session.Config{})
			var wg sync.WaitGroup
			var waiting atomic.Int64
			errs := make(chan error, callers)
			for range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					waiting.Add(1)
					s, _, err := e.Get(context.Background(), srv.login)
					if err == nil && s.Value != "ticket-1" {
						err = fmt.Errorf("got %q", s.Value)
					}
					errs <- err
				}()
			}
			require.Eventually(t, func() bool { return waiting.Load() == int64(callers) }, 5*time.Second, time.Millisecond)
			time.Sleep(10 * time.Millisecond) // let every caller reach the flight
			close(srv.hold)
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.EqualValues(t, 1, srv.logins.Load(), "exactly one login for %d concurrent callers", callers)
		})
	}
}

func TestLeaderCancelledOthersSucceed(t *testing.T) {
	srv := &server{hold: make(chan struct{}), started: make(chan struct{}, 1)}
	e := session.New[string](session.Config{})

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, led, err := e.Get(leaderCtx, srv.login)
		if led {
			err = errors.New("led must be false when the caller gave up before the login ended")
		}
		leaderErr <- err
	}()
	<-srv.started // the leader's login is on the wire

	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, led, err := e.Get(context.Background(), srv.login)
			if err == nil && (led || s.Value != "ticket-1") {
				err = fmt.Errorf("waiter got %q, led=%t", s.Value, led)
			}
			results <- err
		}()
	}
	cancelLeader()
	assert.ErrorIs(t, <-leaderErr, context.Canceled, "the leader honours its own context")
	close(srv.hold) // the detached login completes after its starter gave up
	wg.Wait()
	close(results)
	for err := range results {
		assert.NoError(t, err, "a waiter must not fail because the leader gave up")
	}
	assert.EqualValues(t, 1, srv.logins.Load())
}

func TestWaiterHonoursItsContext(t *testing.T) {
	srv := &server{hold: make(chan struct{}), started: make(chan struct{}, 1)}
	defer close(srv.hold)
	e := session.New[string](session.Config{})
	go func() { _, _, _ = e.Get(context.Background(), srv.login) }()
	<-srv.started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, led, err := e.Get(ctx, srv.login)
	assert.False(t, led)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestLoginTimeoutBoundsDetachedLogin(t *testing.T) {
	srv := &server{hold: make(chan struct{})}
	defer close(srv.hold)
	e := session.New[string](session.Config{LoginTimeout: 30 * time.Millisecond})
	_, _, err := e.Get(context.Background(), srv.login)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestInvalidateByGeneration(t *testing.T) {
	srv := &server{}
	e := session.New[string](session.Config{})
	old, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)

	// Caller A finds old rejected and renews.
	fresh, led, err := e.Renew(context.Background(), old, srv.login)
	require.NoError(t, err)
	assert.True(t, led)
	assert.Equal(t, uint64(2), fresh.Gen)

	// Caller B, who also failed with old, must not drop the newer session.
	again, led, err := e.Renew(context.Background(), old, srv.login)
	require.NoError(t, err)
	assert.False(t, led)
	assert.Same(t, fresh, again)
	assert.EqualValues(t, 2, srv.logins.Load())
}

func TestConcurrentRenewalAfterExpiry(t *testing.T) {
	// 256 callers across 4 expiries: 5 logins, no failures.
	srv := &server{}
	e := session.New[string](session.Config{})
	for round := range 5 {
		s0, _, err := e.Get(context.Background(), srv.login)
		require.NoError(t, err)
		var wg sync.WaitGroup
		var failures atomic.Int64
		for range 256 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if round == 0 {
					if _, _, err := e.Get(context.Background(), srv.login); err != nil {
						failures.Add(1)
					}
					return
				}
				// The server rejected s0: every caller renews reactively.
				if _, _, err := e.Renew(context.Background(), s0, srv.login); err != nil {
					failures.Add(1)
				}
			}()
		}
		wg.Wait()
		require.Zero(t, failures.Load())
	}
	assert.EqualValues(t, 5, srv.logins.Load())
}

func TestRefusedCredentialsRemembered(t *testing.T) {
	srv := &server{fail: fmt.Errorf("PwsAuthenticate: %w", errRefused), hold: make(chan struct{})}
	e := session.New[string](session.Config{Refused: refused})

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := e.Get(context.Background(), srv.login)
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(srv.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.ErrorIs(t, err, errRefused)
	}
	// Later callers: no request at all.
	for range 16 {
		_, _, err := e.Get(context.Background(), srv.login)
		var re *session.RefusedError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, err, errRefused)
		assert.Contains(t, err.Error(), "not sent")
	}
	assert.EqualValues(t, 1, srv.logins.Load(), "exactly one refused login on the wire")

	// Reset lets the corrected credentials through.
	srv.mu.Lock()
	srv.fail = nil
	srv.mu.Unlock()
	e.Reset()
	s, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)
	assert.Equal(t, "ticket-2", s.Value)
}

func TestRefusalCooldown(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	srv := &server{fail: errRefused}
	e := session.New[string](session.Config{Refused: refused, Cooldown: time.Minute, Now: clk.Now})
	for range 3 {
		_, _, err := e.Get(context.Background(), srv.login)
		require.ErrorIs(t, err, errRefused)
	}
	assert.EqualValues(t, 1, srv.logins.Load())
	clk.Add(time.Minute)
	_, _, err := e.Get(context.Background(), srv.login)
	require.ErrorIs(t, err, errRefused)
	assert.EqualValues(t, 2, srv.logins.Load(), "one new attempt after the cooldown")
}

func TestFailedLoginNotRemembered(t *testing.T) {
	srv := &server{fail: errors.New("connection reset")}
	e := session.New[string](session.Config{Refused: refused})
	for range 3 {
		_, _, err := e.Get(context.Background(), srv.login)
		require.Error(t, err)
	}
	assert.EqualValues(t, 3, srv.logins.Load(), "a transient failure is not a refusal")
}

func TestInconclusiveWaitersTryThemselves(t *testing.T) {
	// A login that is the leader's own request and fails for the leader's own reasons: the
	// waiters do not inherit that answer; the next one leads with its own request.
	var calls atomic.Int64
	hold := make(chan struct{})
	first := errors.New("user jdoe not found")
	login := func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			<-hold
			return "", session.Inconclusive(first)
		}
		return "token", nil
	}
	e := session.New[string](session.Config{Refused: refused})
	leaderDone := make(chan error, 1)
	go func() { _, _, err := e.Get(context.Background(), login); leaderDone <- err }()
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)

	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s, _, err := e.Get(context.Background(), login); err == nil && s.Value == "token" {
				ok.Add(1)
			}
		}()
	}
	time.Sleep(10 * time.Millisecond)
	close(hold)
	wg.Wait()
	err := <-leaderDone
	assert.Same(t, first, err, "the leader gets its own answer, unwrapped")
	assert.EqualValues(t, 8, ok.Load())
	assert.EqualValues(t, 2, calls.Load(), "one waiter led the second login; the others used its session")
}

func TestProactiveRenewal(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	srv := &server{}
	e := session.New[string](session.Config{Lifetime: time.Hour, RenewBefore: 5 * time.Minute, Now: clk.Now})
	s1, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)

	clk.Add(54 * time.Minute)
	assert.Same(t, s1, e.Fresh(), "not due yet")
	clk.Add(time.Minute) // 55 min: inside the renewal window, before the expiry
	assert.Nil(t, e.Fresh(), "due: the next caller goes through Get")
	s2, led, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)
	assert.True(t, led)
	assert.Equal(t, "ticket-2", s2.Value, "replaced before it expired")
	assert.Same(t, s2, e.Fresh())
	assert.EqualValues(t, 2, srv.logins.Load())
}

func TestProactiveRenewalOthersKeepOldSession(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	srv := &server{}
	e := session.New[string](session.Config{Lifetime: time.Hour, Now: clk.Now})
	s1, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)
	clk.Add(58 * time.Minute)

	srv.hold, srv.started = make(chan struct{}), make(chan struct{}, 1)
	renewed := make(chan *session.Session[string], 1)
	go func() { s, _, _ := e.Get(context.Background(), srv.login); renewed <- s }()
	<-srv.started
	// While the renewal is on the wire, other callers use the still-valid session.
	for range 16 {
		s, led, err := e.Get(context.Background(), srv.login)
		require.NoError(t, err)
		assert.False(t, led)
		assert.Same(t, s1, s)
	}
	close(srv.hold)
	assert.Equal(t, "ticket-2", (<-renewed).Value)
	assert.EqualValues(t, 2, srv.logins.Load())
}

func TestProactiveRenewalFailureKeepsValidSession(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	srv := &server{}
	e := session.New[string](session.Config{Lifetime: time.Hour, RenewBefore: 8 * time.Minute, Now: clk.Now})
	s1, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)
	clk.Add(55 * time.Minute)
	srv.fail = errors.New("503")
	s, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err, "the session is still valid")
	assert.Same(t, s1, s)
	// No login per call while the server keeps failing: the next try waits.
	for range 10 {
		s, _, err = e.Get(context.Background(), srv.login)
		require.NoError(t, err)
		assert.Same(t, s1, s)
	}
	assert.EqualValues(t, 2, srv.logins.Load())
	clk.Add(5 * time.Minute) // expired
	_, _, err = e.Get(context.Background(), srv.login)
	assert.Error(t, err)
}

func TestAdoptRotatedToken(t *testing.T) {
	srv := &server{}
	e := session.New[string](session.Config{})
	s1, _, err := e.Get(context.Background(), srv.login)
	require.NoError(t, err)
	s2 := e.Adopt(s1, "rotated")
	assert.Equal(t, "rotated", s2.Value)
	assert.Equal(t, uint64(2), s2.Gen)
	assert.Same(t, s2, e.Fresh())
	// A caller still holding s1 cannot overwrite the newer session.
	assert.Same(t, s2, e.Adopt(s1, "stale"))
	assert.EqualValues(t, 1, srv.logins.Load())
}

func TestClose(t *testing.T) {
	srv := &server{hold: make(chan struct{}), started: make(chan struct{}, 1)}
	e := session.New[string](session.Config{})
	got := make(chan error, 1)
	go func() { _, _, err := e.Get(context.Background(), srv.login); got <- err }()
	<-srv.started
	closed := make(chan *session.Session[string], 1)
	go func() { s, _ := e.Close(context.Background()); closed <- s }()
	time.Sleep(10 * time.Millisecond)
	close(srv.hold)
	s := <-closed
	require.NotNil(t, s, "Close waits for the login under way and hands its session over to be ended")
	assert.Equal(t, "ticket-1", s.Value)
	require.NoError(t, <-got)

	_, _, err := e.Get(context.Background(), srv.login)
	assert.ErrorIs(t, err, session.ErrClosed)
	s, err = e.Close(context.Background())
	assert.NoError(t, err)
	assert.Nil(t, s, "a second Close has nothing to end")
}

func TestOwnLoginLeaderCancelledWaiterLeads(t *testing.T) {
	// uds and cas: the login is the leader's own request, bounded by the leader's context.
	// When the leader gives up, one waiter sends its own request and the others use its
	// session.
	var calls atomic.Int64
	inFirst := make(chan struct{})
	login := func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			close(inFirst)
			<-ctx.Done() // the leader's own request ends with the leader's context
			return "", ctx.Err()
		}
		return "token", nil
	}
	e := session.New[string](session.Config{Refused: refused})
	leaderCtx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, led, err := e.GetOwn(leaderCtx, login)
		if !led {
			err = errors.New("an own login that ran must report led")
		}
		leader <- err
	}()
	<-inFirst
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s, _, err := e.GetOwn(context.Background(), login); err == nil && s.Value == "token" {
				ok.Add(1)
			}
		}()
	}
	time.Sleep(10 * time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-leader, context.Canceled, "the leader's request ended with its context")
	wg.Wait()
	assert.EqualValues(t, 16, ok.Load(), "no waiter fails because the leader gave up")
	assert.EqualValues(t, 2, calls.Load(), "one waiter led; the other 15 used its session")
	assert.Nil(t, e.Refused(), "a cancelled request is no refusal")
}
