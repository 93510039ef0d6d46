package projector_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// TestSixtyFourCallersWithTicketExpiry uses one client from 64 goroutines at once, with as
// many exchanges in flight (WithMaxInFlight(64)). The session ticket expires while half of
// the requests are still to be sent (held by a gate in the transport), and again between two
// rounds: each expiry costs exactly one PwsAuthenticate, and no call fails, races or hangs.
// Both shapes of a refused ticket are covered (Status Fail, and a PwsFault).
func TestSixtyFourCallersWithTicketExpiry(t *testing.T) {
	const n = 64
	for _, faults := range []bool{false, true} {
		t.Run(map[bool]string{false: "Status Fail", true: "PwsFault"}[faults], func(t *testing.T) {
			s := fake(t, projectortest.Options{Users: users(2 * n), SessionFaults: faults})
			gate := faultnet.NewGate(nil, n/2)
			c, err := projector.New(s.URL, s.Credentials(), projector.WithHTTPClient(&http.Client{Transport: gate}),
				projector.WithMaxInFlight(n), projector.WithRateLimitWait(time.Millisecond))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			go func() {
				<-gate.Reached()
				s.ExpireTickets()
				gate.Open()
			}()
			for i, err := range faultnet.Parallel(ctx, n, func(ctx context.Context, i int) error {
				res, err := c.DeleteUser(ctx, ref(i), nil)
				if err == nil {
					assert.Equal(t, projector.Deleted, res.Outcome)
				}
				return err
			}) {
				assert.NoError(t, err, "goroutine %d", i)
			}
			assert.Equal(t, 2, s.Logins(), "one PwsAuthenticate, and one per expiry")
			assert.Greater(t, gate.Requests(), n+1, "some requests were refused and retried")

			s.ExpireTickets()
			for i, err := range faultnet.Parallel(ctx, n, func(ctx context.Context, i int) error {
				_, err := c.DeleteUser(ctx, ref(n+i), nil)
				return err
			}) {
				assert.NoError(t, err, "goroutine %d", i)
			}
			assert.Equal(t, 3, s.Logins())
			require.NoError(t, c.Close(ctx))
		})
	}
}
