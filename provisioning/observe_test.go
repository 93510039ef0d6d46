package provisioning_test

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// The observations of a scripted sequence: Connect on first use, a lost session (reactive
// renewal), a Fault, a change answered false (and the PingConnection that checks it), a change
// answered true, Connect and PingConnection themselves, a refused Connect and its memory.
func TestObserver(t *testing.T) {
	const org, wrongOTP = "Example Org", "999999"
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	taskID := s.AddTask(org, provisioningtest.Task{Users: []provisioningtest.TaskUser{{UserName: "alice"}, {UserName: "bob"}}})
	s.AddUser(org, provisioningtest.User{UserName: "opr", Operator: true})
	s.AddToken(org, provisioningtest.Token{Serial: "T-1", Owner: "alice"})
	s.AddToken(org, provisioningtest.Token{Serial: "T-2", Owner: "opr"})
	var rec observetest.Recorder
	c := s.NewClient(t, provisioning.WithObserver(&rec))
	wrong, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail, OTP: func(context.Context) (string, error) { return wrongOTP, nil }},
		provisioning.WithObserver(&rec))
	require.NoError(t, err)
	fresh := s.NewClient(t, provisioning.WithObserver(&rec))
	ctx := context.Background()
	count := func(c *provisioning.Client) func() error {
		return func() error { _, err := c.TaskCount(ctx, org); return err }
	}
	remove := func(user string) func() error {
		return func() error { return c.RemoveUsersFromTask(ctx, org, taskID, []string{user}, false) }
	}

	steps := []struct {
		name  string
		setup func()
		call  func() error
		want  string
	}{
		{"Connect on first use", nil, count(c),
			"provisioning GetProvisioningTaskCount: ok code= attempts=2 [login.started attempt#1:200:ok login.succeeded attempt#2:200:ok]"},
		{"a lost session is renewed", s.ExpireSessions, func() error { _, err := c.TaskUsers(ctx, org, taskID); return err },
			"provisioning GetProvisioningTaskDetails: ok code= attempts=3 [attempt#1:500:fault renewal(reactive) login.started attempt#2:200:ok login.succeeded attempt#3:200:ok]"},
		{"a Fault", func() { s.FailNext(provisioningtest.Failure{Message: "boom"}) }, count(c),
			"provisioning GetProvisioningTaskCount: fault code= attempts=1 [attempt#1:500:fault]"},
		{"a change answered true", nil, remove("alice"),
			"provisioning RemoveUsersFromProvisioningTask: ok code=true attempts=1 [attempt#1:200:ok]"},
		{"a change answered false, checked", nil, remove("alice"),
			"provisioning RemoveUsersFromProvisioningTask: error code=false attempts=2 [attempt#1:200:ok attempt#2:200:ok]"},
		{"a result", nil, func() error { _, err := c.RevokeToken(ctx, org, "T-1", "alice", nil); return err },
			"provisioning RevokeToken: ok code=Success attempts=1 [attempt#1:200:ok]"},
		{"a result that is a failure", nil, func() error { _, err := c.RevokeToken(ctx, org, "T-2", "opr", nil); return err },
			"provisioning RevokeToken: permission_denied code=LastAuth attempts=1 [attempt#1:200:ok]"},
		{"Login", nil, func() error { return fresh.Login(ctx) },
			"provisioning Connect: ok code=AUTH_SUCCESS attempts=1 [login.started attempt#1:200:ok login.succeeded]"},
		{"PingConnection", nil, func() error { _, err := c.PingConnection(ctx); return err },
			"provisioning PingConnection: ok code=true attempts=1 [attempt#1:200:ok]"},
		{"a refused Connect", nil, count(wrong),
			"provisioning GetProvisioningTaskCount: authentication code=AUTH_FAILURE attempts=1 [login.started attempt#1:200:ok credentials.refused]"},
		{"remembered", nil, count(wrong),
			"provisioning GetProvisioningTaskCount: authentication code=AUTH_FAILURE attempts=0 [credentials.refusal_remembered]"},
	}
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	for _, st := range steps {
		rec.Reset()
		if st.setup != nil {
			st.setup()
		}
		err := st.call()
		require.Equal(t, []string{st.want}, rec.Summaries(), st.name)
		got := rec.Calls()[0]
		switch st.name {
		case "a result that is a failure":
			require.ErrorIs(t, got.Result.Err, provisioning.ErrPermissionDenied)
			var re *provisioning.ServiceError
			require.ErrorAs(t, got.Result.Err, &re)
			require.Equal(t, "LastAuth", re.Code)
		case "a change answered false, checked":
			require.ErrorIs(t, err, provisioning.ErrNotChanged)
			require.ErrorIs(t, got.Result.Err, provisioning.ErrNotChanged)
			require.Equal(t, provisioningwsdl.ActionPingConnection, got.Events[1].Action)
		default:
			require.Equal(t, err, got.Result.Err, "%s: the observer gets the error the caller gets", st.name)
		}
		require.Equal(t, observe.CallInfo{Service: "provisioning", Operation: got.Info.Operation,
			Action: "http://www.cryptocard.com/blackshield/" + got.Info.Operation, SOAPVersion: "1.1", Host: u.Host}, got.Info, st.name)
		text := rec.Text()
		require.NotContains(t, text, wrongOTP, st.name)
		for _, r := range s.Requests() { // the OTPs and session cookies the clients sent
			if otp := r.Params["OTP"]; r.Operation == "Connect" && otp != "" {
				require.NotContains(t, text, otp, st.name)
			}
			if r.SessionID != "" {
				require.NotContains(t, text, r.SessionID, st.name)
			}
		}
	}
	rec.Reset()
	require.NoError(t, fresh.Login(ctx))
	require.Empty(t, rec.Summaries(), "Login with a session open sends and observes nothing")
}

// Concurrent callers and one Connect: every call is observed and ended, the Connect (run
// detached, for all of them) is in the observation of the caller that started it only.
func TestObserverConcurrentCalls(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	var rec observetest.Recorder
	c := s.NewClient(t, provisioning.WithObserver(&rec))
	const callers = 32
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.TaskCount(context.Background(), "Example Org")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	calls := rec.Calls()
	require.Len(t, calls, callers)
	logins, attempts := 0, 0
	for _, call := range calls {
		require.True(t, call.Ended)
		require.Equal(t, observe.OutcomeOK, call.Result.Outcome)
		attempts += call.Result.Attempts
		for _, e := range call.Events {
			if e.Kind == observe.EventLoginStarted {
				logins++
				require.Equal(t, "provisioning GetProvisioningTaskCount: ok code= attempts=2 [login.started attempt#1:200:ok login.succeeded attempt#2:200:ok]",
					call.Summary())
			}
		}
	}
	require.Equal(t, 1, logins)
	require.Equal(t, 1, s.Logins())
	require.Equal(t, callers+1, attempts, "one Connect and one request per caller")
}
