package projector_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// The observations of a scripted sequence: authentication (after a RedirectUrl), a rejected
// ticket (reactive renewal), an ErrorNumber, a rate-limit pause, Close, refused credentials
// and their memory.
func TestObserver(t *testing.T) {
	const wrongPassword = "not-the-projector-password"
	users := []projectortest.User{{ReferenceSystemID: "u1"}, {ReferenceSystemID: "u2"}, {ReferenceSystemID: "u3"}, {ReferenceSystemID: "u4"}}
	home := fake(t, projectortest.Options{})
	defer home.Close()
	account := fake(t, projectortest.Options{Users: users})
	defer account.Close()
	home.RedirectTo(account.BaseURL())
	var rec observetest.Recorder
	c, err := projector.New(home.URL, home.Credentials(), projector.WithAllowedRedirectHosts(account.BaseURL()),
		projector.WithRateLimitWait(10*time.Millisecond), projector.WithObserver(&rec))
	require.NoError(t, err)
	creds := account.Credentials()
	creds.Password = wrongPassword
	wrong, err := projector.New(account.URL, creds, projector.WithObserver(&rec))
	require.NoError(t, err)
	ctx := context.Background()
	del := func(c *projector.Client, user string) func() error {
		return func() error {
			_, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: user}, nil)
			return err
		}
	}
	homeHost, accountHost := host(t, home.URL), host(t, account.URL)

	steps := []struct {
		name  string
		setup func()
		call  func() error
		want  string
		host  string // CallInfo.Host
	}{
		{"authentication, redirected", nil, del(c, "u1"),
			"projector PwsDeleteUser: ok code= attempts=3 [login.started attempt#1:200:ok redirect attempt#2:200:ok login.succeeded attempt#3:200:ok]", homeHost},
		{"a rejected ticket is renewed", account.ExpireTickets, del(c, "u2"),
			"projector PwsDeleteUser: ok code= attempts=3 [attempt#1:200:ok renewal(reactive) login.started attempt#2:200:ok login.succeeded attempt#3:200:ok]", accountHost},
		{"an ErrorNumber", nil, del(c, "nobody"),
			"projector PwsDeleteUser: not_found code=50024 attempts=1 [attempt#1:200:ok]", accountHost},
		{"a rate-limit pause", func() { account.RateLimit(projectortest.RateLimitFault, 1) }, del(c, "u3"),
			"projector PwsDeleteUser: ok code= attempts=2 [attempt#1:500:fault rate_limit.pause(10ms) attempt#2:200:ok]", accountHost},
		{"Close", nil, func() error { return c.Close(ctx) },
			"projector PwsUnauthenticate: ok code= attempts=1 [attempt#1:200:ok]", accountHost},
		{"refused credentials", nil, func() error { return wrong.Login(ctx) },
			"projector PwsAuthenticate: authentication code=AuthenticationFailed attempts=1 [login.started attempt#1:200:ok credentials.refused]", accountHost},
		{"remembered", nil, del(wrong, "u4"),
			"projector PwsDeleteUser: authentication code=AuthenticationFailed attempts=0 [credentials.refusal_remembered]", accountHost},
	}
	for _, st := range steps {
		rec.Reset()
		if st.setup != nil {
			st.setup()
		}
		err := st.call()
		require.Equal(t, []string{st.want}, rec.Summaries(), st.name)
		got := rec.Calls()[0]
		require.Equal(t, err, got.Result.Err, "%s: the observer gets the error the caller gets", st.name)
		require.Equal(t, observe.CallInfo{Service: "projector", Operation: got.Info.Operation,
			Action:      "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/" + got.Info.Operation,
			SOAPVersion: "1.1", Host: st.host}, got.Info, st.name)
		for _, e := range got.Events {
			if e.Kind == observe.EventRedirect {
				require.Equal(t, accountHost, e.Host, st.name)
			}
		}
		text := rec.Text()
		require.NotContains(t, text, account.Credentials().Password, st.name)
		require.NotContains(t, text, wrongPassword, st.name)
		for _, r := range account.Requests() { // the tickets the client sent
			if tk := r.SessionTicket; tk != "" {
				require.NotContains(t, text, tk, st.name)
			}
		}
	}
}

func host(t *testing.T, endpoint string) string {
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	return u.Host
}
