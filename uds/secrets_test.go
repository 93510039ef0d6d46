package uds_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// TestSecretsNeverLeak runs the AnA life cycle with debug wire logging captured and checks
// that neither the credential nor any token appears in a log record, an error string, or
// the fmt output of the client, its options and its results.
func TestSecretsNeverLeak(t *testing.T) {
	const badCredential = "Wr0ng-credential-value"
	logs := newLogCapture()
	logger := slog.New(logs)
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	c, err := uds.New(s.URL, s.Credentials(), uds.WithLogger(logger))
	require.NoError(t, err)
	ctx := t.Context()

	var printed []string
	show := func(vs ...any) {
		for _, v := range vs {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				printed = append(printed, fmt.Sprintf(verb, v))
			}
		}
	}
	var errs []error

	r1, err := c.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusInactive, &uds.UpdateOptions{ClientTxID: "tx-1"})
	require.NoError(t, err)
	show(r1, *r1, c, *c)
	r2, err := c.GetUserStatus(ctx, jdoe, nil)
	require.NoError(t, err)
	show(r2, c)
	s.ExpireTokens()
	errs = append(errs, concurrently(8, func() error {
		_, err := c.GetUserStatus(ctx, jdoe, nil)
		return err
	})...)
	_, err = c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "ghost"}, nil)
	require.ErrorIs(t, err, uds.ErrNotFound)
	errs = append(errs, err)
	var re *uds.ServiceError
	require.ErrorAs(t, err, &re)
	show(re, *re)
	_, err = c.GetUserStatus(ctx, jdoe, nil) // the last token issued is presented too
	require.NoError(t, err)
	show(c, *c)

	badCreds := uds.Credentials{UserID: udstest.DefaultAdminUserID, OrgName: udstest.DefaultAdminOrg, Credential: badCredential}
	bad, err := uds.New(s.URL, badCreds, uds.WithLogger(logger))
	require.NoError(t, err)
	_, err = bad.GetUserStatus(ctx, jdoe, nil)
	require.ErrorIs(t, err, uds.ErrAuthentication)
	errs = append(errs, err)
	show(bad, *bad, badCreds, &badCreds)

	secrets := []string{s.Credentials().Credential, badCredential}
	seen := map[string]bool{}
	for _, r := range s.Requests() {
		if tok := r.AnA.AuthToken; tok != "" && !seen[tok] {
			seen[tok] = true
			secrets = append(secrets, tok)
		}
	}
	require.Len(t, seen, 2, "two tokens were issued and used: before and after the expiry")
	assert.Equal(t, 3, s.Logins(), "two accepted, one refused")
	assert.Equal(t, 1, s.FailedLogins())

	text, records := logs.text()
	require.Positive(t, records)
	assert.Contains(t, text, "urn:UDS.GetUserStatus", "the wire log ran at debug level")
	assert.Contains(t, text, "[REDACTED]", "the logged envelopes had their secrets redacted")
	assert.Contains(t, text, "authenticating again", "the re-authentication was logged")
	requireNoSecret(t, text, secrets...)
	for _, e := range errs {
		if e != nil {
			requireNoSecret(t, e.Error(), secrets...)
			requireNoSecret(t, fmt.Sprintf("%+v", e), secrets...)
		}
	}
	requireNoSecret(t, strings.Join(printed, "\n"), secrets...)
	assert.NotContains(t, strings.Join(printed, "\n"), "MASTERADMIN\", credential: \"", "sanity: the String form is used")
}

// Credentials print without the credential under every verb, as a value and as a pointer.
func TestCredentialsPrinting(t *testing.T) {
	c := uds.Credentials{UserID: "admin", OrgName: "ORG", Credential: "secret-value"}
	want := `uds.Credentials{UserID:"admin" OrgName:"ORG" Credential:[REDACTED]}`
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.Equal(t, want, fmt.Sprintf(verb, c), verb)
		assert.NotContains(t, fmt.Sprintf(verb, &c), "secret-value", verb)
		assert.NotContains(t, fmt.Sprintf(verb, []any{c, &c, struct{ C uds.Credentials }{c}}), "secret-value", verb)
	}
	assert.Equal(t, fmt.Sprintf("%q", want), fmt.Sprintf("%q", c))
	assert.NotContains(t, fmt.Sprintf("%x", c), hex.EncodeToString([]byte("secret-value")))
	assert.Equal(t, want, c.String())
	assert.Equal(t, want, c.GoString())
	assert.Equal(t, `uds.Credentials{UserID:"" OrgName:"" Credential:<empty>}`, uds.Credentials{}.String())
}

func TestClientString(t *testing.T) {
	c, err := uds.New(endpoint, uds.Credentials{})
	require.NoError(t, err)
	assert.Equal(t, `uds.Client{endpoint: "`+endpoint+`", AnA: off}`, c.String())
	c, err = uds.New(endpoint, uds.Credentials{UserID: "admin", OrgName: "ORG", Credential: "secret-value"})
	require.NoError(t, err)
	want := `uds.Client{endpoint: "` + endpoint + `", AnA: on, userID: "admin", orgName: "ORG", credential: [REDACTED], authToken: none}`
	assert.Equal(t, want, c.String())
	assert.Equal(t, want, fmt.Sprintf("%+v", c))
	assert.Equal(t, want, fmt.Sprintf("%#v", c))
	assert.Equal(t, want, c.GoString())
	assert.Equal(t, fmt.Sprintf("%q", want), fmt.Sprintf("%q", c))
	assert.NotContains(t, fmt.Sprintf("%+v", *c), "secret-value")
	var nilClient *uds.Client
	assert.Equal(t, "uds.Client(nil)", nilClient.String())
}

// TestErrorsIsSharedSentinels: the package's sentinels are the runtime's, so one errors.Is
// works across services.
func TestErrorsIsSharedSentinels(t *testing.T) {
	udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		_, err := c.GetUserStatus(ctx, uds.UserID{UserName: "nobody"}, nil)
		require.Error(t, err)
		assert.True(t, errors.Is(err, uds.ErrNotFound))
		assert.Equal(t, "offboard: not found", uds.ErrNotFound.Error())
	})
}
