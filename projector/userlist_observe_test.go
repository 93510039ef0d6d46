package projector_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// PwsGetUserList is observed like the other operations: its action, and the first error
// number of a failure as the code.
func TestObserverGetUserList(t *testing.T) {
	s := fake(t, projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}})
	var rec observetest.Recorder
	c := s.NewClient(t, projector.WithObserver(&rec))
	ctx := context.Background()
	_, err := c.FindUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"})
	require.NoError(t, err)
	s.FailNext(projectortest.Failure{Code: projector.CodeViewPermissionDenied})
	_, err = c.GetUserList(ctx, nil)
	require.ErrorIs(t, err, projector.ErrPermissionDenied)
	sums := rec.Summaries()
	require.Len(t, sums, 2)
	assert.Contains(t, sums[0], "projector PwsGetUserList: ok code= attempts=2")
	assert.Contains(t, sums[1], "projector PwsGetUserList: permission_denied code=50045 attempts=1")
	for _, call := range rec.Calls() {
		assert.Equal(t, "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsGetUserList", call.Info.Action)
	}
}
