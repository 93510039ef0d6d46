package provisioning_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// The session rules of the one engine, held with exact request counts against
// provisioningtest.

func TestSessionRefusedOTPOneConnect(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail, OTP: func(context.Context) (string, error) { return "000000", nil }})
	require.NoError(t, err)

	errs := faultnet.Parallel(t.Context(), 64, func(context.Context, int) error { _, err := c.TaskCount(t.Context(), org); return err })
	errs = append(errs, faultnet.Parallel(t.Context(), 16, func(context.Context, int) error { _, err := c.TaskCount(t.Context(), org); return err })...)
	for _, err := range errs {
		var ce *provisioning.ConnectError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, provisioning.ConnectAuthFailure, ce.Result)
		assert.ErrorIs(t, err, provisioning.ErrAuthentication)
	}
	assert.Equal(t, 1, s.Logins(), "exactly one refused Connect (one OTP spent) for 80 calls")
	assert.Len(t, s.Requests(), 1)

	err = c.Login(t.Context())
	var re *provisioning.RefusedError
	require.ErrorAs(t, err, &re, "an explicit Login reports the remembered refusal too")
	var ce *provisioning.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, provisioning.ConnectAuthFailure, ce.Result)
	assert.Equal(t, 1, s.Logins())

	c.ResetRefusal()
	err = c.Login(t.Context())
	require.ErrorIs(t, err, provisioning.ErrAuthentication)
	assert.Equal(t, 2, s.Logins(), "ResetRefusal allows one new attempt")
}

func TestSessionRefusalCooldown(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail, OTP: func(context.Context) (string, error) { return "000000", nil }},
		provisioning.WithRefusalCooldown(50*time.Millisecond))
	require.NoError(t, err)
	for range 5 {
		_, err = c.TaskCount(t.Context(), org)
		require.ErrorIs(t, err, provisioning.ErrAuthentication)
	}
	assert.Equal(t, 1, s.Logins())
	time.Sleep(60 * time.Millisecond)
	_, err = c.TaskCount(t.Context(), org)
	require.ErrorIs(t, err, provisioning.ErrAuthentication)
	assert.Equal(t, 2, s.Logins(), "one new attempt after the cooldown")
}

func TestSession256CallersFourExpiries(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c := s.NewClient(t)
	for round := range 5 {
		if round > 0 {
			s.ExpireSessions()
		}
		errs := faultnet.Parallel(t.Context(), 256, func(context.Context, int) error { _, err := c.TaskCount(t.Context(), org); return err })
		require.NoError(t, errors.Join(errs...), "round %d", round)
	}
	assert.Equal(t, 5, s.Logins(), "one Connect (one OTP) per expiry")
}

func TestClose(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c := s.NewClient(t)
	_, err := c.TaskCount(t.Context(), org)
	require.NoError(t, err)
	require.NoError(t, c.Close(t.Context()))
	require.NoError(t, c.Close(t.Context()), "Close may be called again")
	n := len(s.Requests())
	_, err = c.TaskCount(t.Context(), org)
	require.ErrorIs(t, err, provisioning.ErrClosed)
	err = c.Login(t.Context())
	require.ErrorIs(t, err, provisioning.ErrClosed)
	assert.Len(t, s.Requests(), n, "nothing is sent after Close, no OTP spent")
}
