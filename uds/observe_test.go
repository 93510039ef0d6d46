package uds_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/observe/observetest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// The observations of a scripted sequence: the authentication with the credentials, a token
// the server rejects (reactive renewal), a token at the end of its lifetime (proactive), an
// errorNumber, refused credentials and their memory.
func TestObserver(t *testing.T) {
	const wrongCredential = "not-the-uds-credential"
	clk := newClock()
	s := newFake(t, udstest.Options{AnA: true, Now: clk.Now})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	var rec observetest.Recorder
	c, err := uds.New(s.URL, s.Credentials(), uds.WithObserver(&rec), uds.WithSessionLifetime(time.Hour), uds.WithClock(clk.Now))
	require.NoError(t, err)
	wrong, err := uds.New(s.URL, uds.Credentials{UserID: udstest.DefaultAdminUserID, OrgName: udstest.DefaultAdminOrg, Credential: wrongCredential},
		uds.WithObserver(&rec))
	require.NoError(t, err)
	ctx := context.Background()
	get := func(c *uds.Client, user string) func() error {
		return func() error {
			_, err := c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: user}, nil)
			return err
		}
	}

	steps := []struct {
		name  string
		setup func()
		call  func() error
		want  string
	}{
		{"authentication with the credentials", nil, get(c, "jdoe"),
			"uds getUserStatus: ok code= attempts=1 [login.started attempt#1:200:ok login.succeeded]"},
		{"the token is used", nil, func() error {
			_, err := c.UpdateUserStatus(ctx, []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}, uds.StatusInactive, nil)
			return err
		}, "uds updateUserStatus: ok code= attempts=1 [attempt#1:200:ok]"},
		{"a rejected token is renewed", s.ExpireTokens, get(c, "jdoe"),
			"uds getUserStatus: ok code= attempts=2 [attempt#1:500:fault renewal(reactive) login.started attempt#2:200:ok login.succeeded]"},
		{"a token at the end of its lifetime", func() { clk.Advance(56 * time.Minute) }, get(c, "jdoe"),
			"uds getUserStatus: ok code= attempts=1 [renewal(proactive) login.started attempt#1:200:ok login.succeeded]"},
		{"an errorNumber", nil, get(c, "nobody"),
			"uds getUserStatus: not_found code=31301 attempts=1 [attempt#1:500:fault]"},
		{"refused credentials", nil, get(wrong, "jdoe"),
			"uds getUserStatus: authentication code=31103 attempts=1 [login.started attempt#1:500:fault credentials.refused]"},
		{"remembered", nil, get(wrong, "jdoe"),
			"uds getUserStatus: authentication code=31103 attempts=0 [credentials.refusal_remembered]"},
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
		require.Equal(t, err, got.Result.Err, "%s: the observer gets the error the caller gets", st.name)
		require.Equal(t, observe.CallInfo{Service: "uds", Operation: got.Info.Operation, Action: "urn:UDS." + map[string]string{
			"getUserStatus": "GetUserStatus", "updateUserStatus": "UpdateUserStatus"}[got.Info.Operation],
			SOAPVersion: "1.2", Host: u.Host}, got.Info, st.name)
		for _, e := range got.Events {
			if e.Kind == observe.EventAttempt {
				require.Equal(t, "1.2", e.SOAPVersion, st.name)
				require.Equal(t, u.Host, e.Host, st.name)
			}
		}
		text := rec.Text()
		require.NotContains(t, text, udstest.DefaultAdminCredential, st.name)
		require.NotContains(t, text, wrongCredential, st.name)
		for _, r := range s.Requests() { // the tokens the client sent
			if r.AnA.AuthToken != "" {
				require.NotContains(t, text, r.AnA.AuthToken, st.name)
			}
		}
	}
}
