package cas_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/observe/observetest"
)

// The observations of a scripted sequence: the first request (the engine's verdict on the
// credentials), an error code, an HTTP POST call, refused credentials and their memory.
func TestObserver(t *testing.T) {
	const wrongPassword = "not-the-castest-password"
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"alice", "bob", "carol"}, MasterUsers: []string{"alice"}}}})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	defer s.Close()
	var rec observetest.Recorder
	c := s.NewClient(t, cas.WithObserver(&rec))
	post := s.NewClient(t, cas.WithObserver(&rec), cas.WithHTTPPost())
	wrong, err := cas.New(s.URL, cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: wrongPassword},
		cas.WithHTTPClient(s.HTTPClient()), cas.WithObserver(&rec))
	require.NoError(t, err)
	ctx := context.Background()

	steps := []struct {
		name string
		call func() error
		want string
	}{
		{"the first request is the login", func() error { _, err := c.DeleteUser(ctx, 42, "bob"); return err },
			"cas HandleUserTask: ok code=0 attempts=1 [login.started attempt#1:200:ok login.succeeded]"},
		{"a status code", func() error {
			s.FailNext(castest.Failure{Code: cas.CodeUserSuspended})
			_, err := c.DeleteUser(ctx, 42, "carol")
			return err
		}, "cas HandleUserTask: permission_denied code=2001 attempts=1 [attempt#1:200:ok]"},
		{"invalid input is not observed", func() error { _, err := c.DeleteUser(ctx, 0, "bob"); return err }, ""},
		{"another operation", func() error { _, err := c.DomainEntitlements(ctx, 42, cas.EntitlementQuery{}, 0, 10); return err },
			"cas GetDomainEntitlements: ok code= attempts=1 [attempt#1:200:ok]"},
		{"a cancellation's status code", func() error { _, err := c.CancelSubscriptionRenewal(ctx, 42, "no-such-subscription", nil); return err },
			"cas CancelSubscriptionRenewal: not_found code=3081 attempts=1 [attempt#1:200:ok]"},
		{"HTTP POST", func() error { _, err := post.DeleteUser(ctx, 42, "carol"); return err },
			"cas HandleUserTask: ok code=0 attempts=1 [login.started attempt#1:200:ok login.succeeded]"},
		{"refused credentials", func() error { _, err := wrong.DeleteUser(ctx, 42, "alice"); return err },
			"cas HandleUserTask: authentication code=1 attempts=1 [login.started attempt#1:404:ok credentials.refused]"},
		{"remembered", func() error { _, err := wrong.DeleteUser(ctx, 42, "alice"); return err },
			"cas HandleUserTask: authentication code=1 attempts=0 [credentials.refusal_remembered]"},
	}
	for _, st := range steps {
		rec.Reset()
		err := st.call()
		if st.want == "" {
			require.Empty(t, rec.Calls(), st.name)
			continue
		}
		require.Equal(t, []string{st.want}, rec.Summaries(), st.name)
		got := rec.Calls()[0]
		require.Equal(t, err, got.Result.Err, "%s: the observer gets the error the caller gets", st.name)
		text := rec.Text()
		require.NotContains(t, text, castest.DefaultWSPassword, st.name)
		require.NotContains(t, text, wrongPassword, st.name)
		if st.name == "HTTP POST" {
			require.Equal(t, observe.CallInfo{Service: "cas", Operation: "HandleUserTask", Host: host(t, s.URL)}, got.Info)
			require.Equal(t, "HandleUserTask", got.Events[1].Action)
			require.Empty(t, got.Events[1].SOAPVersion)
			continue
		}
		require.Equal(t, observe.CallInfo{Service: "cas", Operation: got.Info.Operation, Action: "http://ca.tvinci.com/" + got.Info.Operation,
			SOAPVersion: "1.1", Host: host(t, s.URL)}, got.Info)
	}
}

func host(t *testing.T, endpoint string) string {
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	return u.Host
}
