package provisioning_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// TestSixtyFourCallersWithSessionExpiry uses one client from 64 goroutines at once. The
// session expires while half of the requests are still to be sent (held by a gate in the
// transport), and again between two rounds: each expiry costs exactly one Connect (one OTP,
// which the fake accepts only once), and no call fails, races or hangs.
func TestSixtyFourCallersWithSessionExpiry(t *testing.T) {
	const n = 64
	s := provisioningtest.NewServer(provisioningtest.Options{SingleUseOTPs: true})
	t.Cleanup(s.Close)
	t.Cleanup(func() { assert.Empty(t, s.Violations()) })
	id := s.AddTask(org, provisioningtest.Task{Users: []provisioningtest.TaskUser{{UserID: "1", UserName: "alice"}}})
	gate := faultnet.NewGate(nil, n/2)
	c, err := provisioning.New(s.URL, s.Credentials(), provisioning.WithHTTPClient(&http.Client{Transport: gate}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call := func(ctx context.Context, i int) error {
		switch i % 3 {
		case 0:
			n, err := c.TaskCount(ctx, org)
			if err == nil {
				assert.Equal(t, 1, n)
			}
			return err
		case 1:
			_, err := c.Tasks(ctx, org, 0, 10)
			return err
		}
		_, err := c.TaskUsers(ctx, org, id)
		return err
	}

	go func() {
		<-gate.Reached()
		s.ExpireSessions()
		gate.Open()
	}()
	for i, err := range faultnet.Parallel(ctx, n, call) {
		assert.NoError(t, err, "goroutine %d", i)
	}
	assert.Equal(t, 2, s.Logins(), "one Connect, and one per expiry")
	assert.Greater(t, gate.Requests(), n+1, "some requests found the session gone and were retried")

	s.ExpireSessions()
	for i, err := range faultnet.Parallel(ctx, n, call) {
		assert.NoError(t, err, "goroutine %d", i)
	}
	assert.Equal(t, 3, s.Logins())
}
