package uds_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// The new operations are observed like the others: their wire operation and action, the
// errorNumber of a Fault as the code, ErrNotFound as not_found.
func TestObserverNewOperations(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	id := leaver(s)
	var rec observetest.Recorder
	c, err := uds.New(s.URL, s.Credentials(), uds.WithObserver(&rec))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true})
	require.NoError(t, err)
	_, err = c.ListUserAccounts(ctx, id, nil)
	require.NoError(t, err)
	_, err = c.DeleteUserAccount(ctx, id, "RADIUS_ID", nil)
	require.NoError(t, err)
	_, err = c.DeleteUserAccount(ctx, id, "RADIUS_ID", nil)
	require.ErrorIs(t, err, uds.ErrNotFound)
	_, err = c.DeleteUser(ctx, id, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"uds retrieveUser: ok code= attempts=1 [login.started attempt#1:200:ok login.succeeded]",
		"uds listUserAccounts: ok code= attempts=1 [attempt#1:200:ok]",
		"uds deleteUserAccount: ok code= attempts=1 [attempt#1:200:ok]",
		"uds deleteUserAccount: not_found code=" + uds.CodeAccountNotFound + " attempts=1 [attempt#1:500:fault]",
		"uds deleteUser: ok code= attempts=1 [attempt#1:200:ok]",
	}, rec.Summaries())
	for _, call := range rec.Calls() {
		assert.Equal(t, map[string]string{"retrieveUser": "urn:UDS.RetrieveUser", "listUserAccounts": "urn:UDS.ListUserAccounts",
			"deleteUserAccount": "urn:UDS.DeleteUserAccount", "deleteUser": "urn:UDS.DeleteUser"}[call.Info.Operation], call.Info.Action)
	}
}
