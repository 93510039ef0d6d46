package cas_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/faultnet"
)

// TestSixtyFourCallers uses one client per wire form from 64 goroutines at once. cas has no
// session (the credentials travel in every request), so there is no expiry to inject: every
// request must carry them, and no call may fail, race or hang.
func TestSixtyFourCallers(t *testing.T) {
	const n = 64
	var members []string
	for i := range 3 * n {
		members = append(members, fmt.Sprintf("u%03d", i))
	}
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 7, Users: append([]string{"master"}, members...), MasterUsers: []string{"master"}}}})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for f, form := range []wireForm{soap11, soap12, httpPost} {
		c := s.NewClient(t, form.option())
		for i, err := range faultnet.Parallel(ctx, n, func(ctx context.Context, i int) error {
			if i%8 == 0 {
				_, err := c.DeleteHouseholdRecordings(ctx, 7)
				return err
			}
			res, err := c.DeleteUser(ctx, 7, members[f*n+i])
			if err == nil {
				assert.Equal(t, cas.CodeOK, res.Code)
			}
			return err
		}) {
			assert.NoError(t, err, "%s goroutine %d", form, i)
		}
	}
	reqs := s.Requests()
	require.Len(t, reqs, 3*n)
	for _, r := range reqs {
		require.NotNil(t, r.Params)
		assert.Equal(t, s.Credentials().WSPassword, r.Params["sWSPassword"])
	}
	h, _ := s.Household(7)
	assert.Equal(t, []string{"master"}, h.Users[:1])
	assert.Len(t, h.Users, 1+3*(n/8), "every Delete removed its user; the DeleteDomain callers left theirs")
}
