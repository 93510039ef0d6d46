package uds_test

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

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// The session rules of the one engine, held with exact request counts against udstest.

func TestSessionBadCredentialsOneAuthentication(t *testing.T) {
	for _, tc := range []struct {
		name   string
		number string // the errorNumber the server refuses credentials with
	}{
		{"documented number", ""},
		{"a number the client has never seen", "47110"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t, udstest.Options{AnA: true, BadCredentialNumber: tc.number})
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			a := s.Credentials()
			c, err := uds.New(s.URL, uds.Credentials{UserID: a.UserID, OrgName: a.OrgName, Credential: "wrong password"})
			require.NoError(t, err)

			errs := concurrently(64, func() error { _, err := c.GetUserStatus(t.Context(), jdoe, nil); return err })
			sent := 0
			for _, err := range errs {
				require.Error(t, err)
				var re *uds.ServiceError
				require.ErrorAs(t, err, &re, "the server's answer is kept")
				if !errors.As(err, new(*uds.RefusedError)) {
					sent++ // the one caller whose request carried the credentials
					continue
				}
				assert.ErrorIs(t, err, uds.ErrAuthentication, "every caller that sent nothing learns that the credentials were refused")
			}
			assert.Equal(t, 1, sent)
			for range 16 {
				_, err := c.GetUserStatus(t.Context(), jdoe, nil)
				var re *uds.RefusedError
				require.ErrorAs(t, err, &re)
				assert.ErrorIs(t, err, uds.ErrAuthentication)
			}
			assert.Equal(t, 1, s.FailedLogins(), "exactly one credential authentication on the wire")
			assert.Len(t, s.Requests(), 1)

			// ResetRefusal lets the client try again (one more request).
			c.ResetRefusal()
			_, err = c.GetUserStatus(t.Context(), jdoe, nil)
			require.ErrorAs(t, err, new(*uds.ServiceError))
			assert.Equal(t, 2, s.FailedLogins())
		})
	}
}

func TestSessionUnknownTokenNumberReauthenticatesOnce(t *testing.T) {
	clk := newClock()
	s := newFake(t, udstest.Options{AnA: true, Now: clk.Now, TokenTTL: time.Hour,
		TokenErrorNumbers: [2]string{"90001", "90002"}}) // numbers the client has never seen
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	a := s.Credentials()
	c, err := uds.New(s.URL, a,
		uds.WithSessionLifetime(24*time.Hour)) // the client believes the token lasts a day
	require.NoError(t, err)

	_, err = c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err)
	require.Equal(t, 1, s.Logins())

	clk.Advance(2 * time.Hour) // the server expired the token; the client does not know
	st, err := c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err, "the dead token is dropped and the call succeeds")
	assert.Equal(t, uds.StatusActive, st.Status)
	assert.Equal(t, 2, s.Logins(), "exactly one re-authentication")

	// The new token serves the next calls: no more authentications.
	for range 5 {
		_, err = c.GetUserStatus(t.Context(), jdoe, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, s.Logins())
}

func TestSessionBusinessAnswerKeepsToken(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	c, err := uds.New(s.URL, s.Credentials())
	require.NoError(t, err)
	_, err = c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err)
	for range 3 {
		_, err = c.GetUserStatus(t.Context(), uds.UserID{OrgName: "ACME", UserName: "nobody"}, nil)
		require.ErrorIs(t, err, uds.ErrNotFound)
	}
	assert.Equal(t, 1, s.Logins(), "a business answer says nothing against the token")
}

func TestSessionProactiveRenewal(t *testing.T) {
	clk := newClock()
	s := newFake(t, udstest.Options{AnA: true, Now: clk.Now, TokenTTL: time.Hour})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	a := s.Credentials()
	c, err := uds.New(s.URL, a,
		uds.WithSessionLifetime(time.Hour), uds.WithClock(clk.Now))
	require.NoError(t, err)

	_, err = c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err)
	clk.Advance(57 * time.Minute) // inside the renewal window (6 min before the end)
	st, err := c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err)
	assert.True(t, st.NewAuthToken, "the call inside the window authenticated with the credentials")
	assert.Equal(t, 2, s.Logins())

	clk.Advance(5 * time.Minute) // the first token has expired now; the renewed one has not
	st, err = c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err)
	assert.False(t, st.NewAuthToken)
	assert.Equal(t, 2, s.Logins(), "the token was replaced before it expired: no failure, no reactive renewal")
	assert.Len(t, s.Requests(), 3, "no request was refused and retried")
}

func TestSessionLeaderCancelledOthersSucceed(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	url, arrived, release, closeFn := gated(s)
	defer closeFn()
	a := s.Credentials()
	c, err := uds.New(url, a)
	require.NoError(t, err)

	leaderCtx, cancel := context.WithCancel(t.Context())
	leader := make(chan error, 1)
	go func() { _, err := c.GetUserStatus(leaderCtx, jdoe, nil); leader <- err }()
	<-arrived // the leader's credential request is at the server

	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetUserStatus(t.Context(), jdoe, nil); err == nil {
				ok.Add(1)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	require.ErrorIs(t, <-leader, context.Canceled)
	release()
	wg.Wait()
	assert.EqualValues(t, 8, ok.Load(), "no caller fails because the leader gave up")
	assert.LessOrEqual(t, s.Logins(), 2, "the leader's request (if it got through) and one waiter's")
}

func TestSession256CallersFourExpiries(t *testing.T) {
	clk := newClock()
	s := newFake(t, udstest.Options{AnA: true, Now: clk.Now, TokenTTL: time.Hour})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	a := s.Credentials()
	c, err := uds.New(s.URL, a,
		uds.WithSessionLifetime(24*time.Hour))
	require.NoError(t, err)
	for round := range 5 {
		if round > 0 {
			clk.Advance(2 * time.Hour) // every token expires on the server
		}
		errs := concurrently(256, func() error { _, err := c.GetUserStatus(t.Context(), jdoe, nil); return err })
		require.NoError(t, errors.Join(errs...), "round %d", round)
	}
	assert.Equal(t, 5, s.Logins(), "one authentication per expiry")
}

func TestClose(t *testing.T) {
	for _, ana := range []bool{true, false} {
		t.Run(fmt.Sprint("AnA ", ana), func(t *testing.T) {
			s := newFake(t, udstest.Options{AnA: ana})
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			c, err := uds.New(s.URL, s.Credentials())
			require.NoError(t, err)
			_, err = c.GetUserStatus(t.Context(), jdoe, nil)
			require.NoError(t, err)
			require.NoError(t, c.Close(t.Context()))
			require.NoError(t, c.Close(t.Context()), "Close may be called again")
			_, err = c.GetUserStatus(t.Context(), jdoe, nil)
			require.ErrorIs(t, err, uds.ErrClosed)
			assert.Len(t, s.Requests(), 1, "nothing is sent after Close")
		})
	}
}
