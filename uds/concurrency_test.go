package uds_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// TestSixtyFourCallersWithTokenExpiry uses one client from 64 goroutines at once. The token
// expires while half of them are still to be sent (held by a gate in the transport), and
// again between two rounds: each expiry costs exactly one authentication, however many
// callers find their token refused, and no call fails, races or hangs.
func TestSixtyFourCallersWithTokenExpiry(t *testing.T) {
	const n = 64
	s := newFake(t, udstest.Options{AnA: true})
	for i := range n {
		s.AddUser("ACME", userName(i), uds.StatusActive)
	}
	gate := faultnet.NewGate(nil, n/2)
	c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(&http.Client{Transport: gate}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call := func(ctx context.Context, i int) error {
		u := uds.UserID{OrgName: "ACME", UserName: userName(i)}
		if i%2 == 0 {
			_, err := c.UpdateUserStatus(ctx, []uds.UserID{u}, uds.StatusInactive, nil)
			return err
		}
		_, err := c.GetUserStatus(ctx, u, nil)
		return err
	}

	// Round 1: the first authentication, then an expiry with 32 requests still held.
	go func() {
		<-gate.Reached()
		s.ExpireTokens()
		gate.Open()
	}()
	for i, err := range faultnet.Parallel(ctx, n, call) {
		assert.NoError(t, err, "goroutine %d", i)
	}
	assert.Equal(t, 2, s.Logins(), "one authentication, and one per expiry")
	assert.Greater(t, gate.Requests(), n, "some requests were refused and retried")

	// Round 2: an expiry between two rounds of 64.
	s.ExpireTokens()
	for i, err := range faultnet.Parallel(ctx, n, call) {
		assert.NoError(t, err, "goroutine %d", i)
	}
	assert.Equal(t, 3, s.Logins())
	assert.Zero(t, s.FailedLogins())
}

func userName(i int) string { return "user" + string(rune('A'+i/26)) + string(rune('a'+i%26)) }
