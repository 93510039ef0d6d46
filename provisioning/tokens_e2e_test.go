package provisioning_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

var versions = []provisioning.SOAPVersion{provisioning.SOAP11, provisioning.SOAP12}

// seedLeaver: jdoe leaves with two tokens and one provisioning task; bob stays with one
// token; ops is an operator with a single token; one token sits in inventory.
func seedLeaver(s *provisioningtest.Server) {
	s.AddUser(org, provisioningtest.User{UserName: "ops", Operator: true})
	s.AddToken(org, provisioningtest.Token{Serial: "MP-0001", Type: provisioning.TokenMobilePASS, Owner: "jdoe", Initialized: true})
	s.AddToken(org, provisioningtest.Token{Serial: "KT-0002", Type: provisioning.TokenKT, Owner: "jdoe", Container: "hw", Initialized: true})
	s.AddToken(org, provisioningtest.Token{Serial: "MP-0003", Type: provisioning.TokenMobilePASS, Owner: "bob", Initialized: true})
	s.AddToken(org, provisioningtest.Token{Serial: "MP-0004", Type: provisioning.TokenMobilePASS, Owner: "ops", Initialized: true})
	s.AddToken(org, provisioningtest.Token{Serial: "MP-0005", Type: provisioning.TokenMobilePASS, Initialized: true})
	s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserName: "jdoe"}, {UserName: "bob"}}})
}

// A seeded leaver with two tokens: find them, read their details, revoke each (back to
// inventory by default), take the user out of its task, remove the user; verify: no token
// owned, no task left, user absent. A rerun finds nothing to do.
func TestE2ELeaverTokens(t *testing.T) {
	for _, version := range versions {
		t.Run(version.String(), func(t *testing.T) {
			provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
				seedLeaver(s)

				serials, err := c.TokensByOwner(ctx, org, "jdoe")
				require.NoError(t, err)
				assert.Equal(t, []string{"MP-0001", "KT-0002"}, serials)
				for _, serial := range serials {
					tok, err := c.Token(ctx, org, serial)
					require.NoError(t, err)
					assert.Equal(t, serial, tok.Serial)
					assert.Equal(t, "jdoe", tok.UserID)
					assert.Equal(t, "Active", tok.State)
					assert.Equal(t, org, tok.Organization)
					assert.False(t, tok.StateSetDate.IsZero())
				}
				kt, err := c.Token(ctx, org, "KT-0002")
				require.NoError(t, err)
				assert.Equal(t, provisioning.TokenKT, kt.Type)
				assert.Equal(t, "hw", kt.Container)
				assert.True(t, kt.HardwareInit)

				for _, serial := range serials {
					res, err := c.RevokeToken(ctx, org, serial, "jdoe", &provisioning.RevokeOptions{Comment: "offboarding"})
					require.NoError(t, err)
					assert.Equal(t, provisioning.RevokeSuccess, res)
				}
				err = c.RemoveUsersFromTask(ctx, org, 1, []string{"jdoe"}, false)
				require.NoError(t, err)
				require.NoError(t, c.RemoveUser(ctx, org, "jdoe", nil))

				// Verify.
				serials, err = c.TokensByOwner(ctx, org, "jdoe")
				require.NoError(t, err)
				assert.Empty(t, serials, "no token owned")
				n, err := c.TaskCountForUser(ctx, org, "jdoe")
				require.NoError(t, err)
				assert.Zero(t, n, "no task left")
				_, ok := s.User(org, "jdoe")
				assert.False(t, ok, "user absent")
				for _, serial := range []string{"MP-0001", "KT-0002"} {
					tok, err := c.Token(ctx, org, serial)
					require.NoError(t, err)
					assert.Empty(t, tok.UserID)
					assert.Equal(t, "Inventory", tok.State, "back to inventory by default")
					assert.True(t, tok.Assignable)
				}
				bob, err := c.TokensByOwner(ctx, org, "bob")
				require.NoError(t, err)
				assert.Equal(t, []string{"MP-0003"}, bob, "the others keep theirs")

				// Rerun: nothing owned, so nothing to revoke; the user is gone.
				_, err = c.RevokeToken(ctx, org, "MP-0001", "jdoe", nil)
				require.ErrorIs(t, err, provisioning.ErrRevokeFailed)
				err = c.RemoveUser(ctx, org, "jdoe", nil)
				require.ErrorIs(t, err, provisioning.ErrUserNotRemoved)
				assert.Empty(t, s.Violations())

				// What went on the wire: the default mode and every member.
				var revoke map[string]string
				for _, r := range s.Requests() {
					if r.Operation == "RevokeToken" && revoke == nil {
						revoke = r.Params
					}
				}
				require.NotNil(t, revoke)
				assert.Equal(t, "ReturntoInventory_Initialized", revoke["revokeMode"])
				assert.Equal(t, "offboarding", revoke["comment"])
			}, provisioning.WithSOAPVersion(version))
		})
	}
}

// RemoveUser alone revokes the user's tokens with the mode given, and takes it out of its
// tasks.
func TestE2ERemoveUserRevokesTokens(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		seedLeaver(s)
		require.NoError(t, c.RemoveUser(ctx, org, "jdoe", &provisioning.RemoveUserOptions{TokenMode: provisioning.RevokeLost}))
		serials, err := c.TokensByOwner(ctx, org, "jdoe")
		require.NoError(t, err)
		assert.Empty(t, serials)
		lost := 0
		for tok, err := range c.AllTokens(ctx, org, provisioning.TokenQuery{State: "Lost"}) {
			require.NoError(t, err)
			assert.Contains(t, []string{"MP-0001", "KT-0002"}, tok.Serial)
			lost++
		}
		assert.Equal(t, 2, lost)
		n, err := c.TaskCountForUser(ctx, org, "jdoe")
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Empty(t, s.Violations())
	})
}

// AllTokens walks every page (WithPageSize 2 over 7 tokens: 5 GetTokens calls), with filters.
func TestE2ETokensPaging(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		for i := range 7 {
			typ := provisioning.TokenMobilePASS
			if i%2 == 1 {
				typ = provisioning.TokenOATH
			}
			s.AddToken(org, provisioningtest.Token{Serial: fmt.Sprintf("T-%02d", i), Type: typ})
		}
		var got []string
		for tok, err := range c.AllTokens(ctx, org, provisioning.TokenQuery{}) {
			require.NoError(t, err)
			got = append(got, tok.Serial)
		}
		assert.Equal(t, []string{"T-00", "T-01", "T-02", "T-03", "T-04", "T-05", "T-06"}, got)
		calls := 0
		for _, r := range s.Requests() {
			if r.Operation == "GetTokens" {
				calls++
			}
		}
		assert.Equal(t, 5, calls, "4 pages (2, 2, 2, 1) and the empty one")

		got = nil
		for tok, err := range c.AllTokens(ctx, org, provisioning.TokenQuery{Type: provisioning.TokenOATH}) {
			require.NoError(t, err)
			got = append(got, tok.Serial)
		}
		assert.Equal(t, []string{"T-01", "T-03", "T-05"}, got)

		// Stopping early sends nothing more.
		before := len(s.Requests())
		for range c.AllTokens(ctx, org, provisioning.TokenQuery{}) {
			break
		}
		assert.Equal(t, before+1, len(s.Requests()))
		assert.Empty(t, s.Violations())
	}, provisioning.WithPageSize(2))
}

// Every failure path of each token operation is a typed error that keeps what the server said.
func TestE2ETokenFailures(t *testing.T) {
	tests := []struct {
		name    string
		call    func(context.Context, *provisioning.Client) error
		result  string // ServiceError.Code of a result, or "" for another error type
		fault   string // FailNext message (an ASMX Fault), or ""
		is      []error
		isNot   []error
		errType any
	}{
		{name: "revoke: not the user's token", result: "Fail",
			call: func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.RevokeToken(ctx, org, "MP-0003", "jdoe", nil)
				return err
			}, is: []error{provisioning.ErrRevokeFailed}, isNot: []error{provisioning.ErrPermissionDenied, provisioning.ErrLastAuthenticator}},
		{name: "revoke: unknown user", result: "Fail",
			call: func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.RevokeToken(ctx, org, "MP-0001", "nobody", nil)
				return err
			}, is: []error{provisioning.ErrRevokeFailed}},
		{name: "revoke: an operator's last token", result: "LastAuth",
			call: func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.RevokeToken(ctx, org, "MP-0004", "ops", nil)
				return err
			}, is: []error{provisioning.ErrLastAuthenticator, provisioning.ErrPermissionDenied}, isNot: []error{provisioning.ErrRevokeFailed}},
		{name: "remove user: unknown user", result: "Fail",
			call: func(ctx context.Context, c *provisioning.Client) error { return c.RemoveUser(ctx, org, "nobody", nil) },
			is:   []error{provisioning.ErrUserNotRemoved}, isNot: []error{provisioning.ErrRevokeFailed}},
		{name: "token details: no such serial",
			call: func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.Token(ctx, org, "NOPE")
				return err
			}, is: []error{provisioning.ErrNotFound}, errType: new(*provisioning.TokenNotFoundError)},
	}
	for _, op := range []string{"GetTokensByOwner", "GetTokens", "RevokeToken", "RemoveUser"} {
		call := map[string]func(context.Context, *provisioning.Client) error{
			"GetTokensByOwner": func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.TokensByOwner(ctx, org, "jdoe")
				return err
			},
			"GetTokens": func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.Tokens(ctx, org, provisioning.TokenQuery{}, 0, 10)
				return err
			},
			"RevokeToken": func(ctx context.Context, c *provisioning.Client) error {
				_, err := c.RevokeToken(ctx, org, "MP-0001", "jdoe", nil)
				return err
			},
			"RemoveUser": func(ctx context.Context, c *provisioning.Client) error { return c.RemoveUser(ctx, org, "jdoe", nil) },
		}[op]
		tests = append(tests, struct {
			name    string
			call    func(context.Context, *provisioning.Client) error
			result  string
			fault   string
			is      []error
			isNot   []error
			errType any
		}{name: op + ": server fault", call: call, fault: "System.Data.SqlClient.SqlException: Timeout expired.",
			isNot: []error{provisioning.ErrNotFound, provisioning.ErrSessionExpired}, errType: new(*provisioning.ServiceError)})
	}
	for _, version := range versions {
		for _, tt := range tests {
			t.Run(version.String()+"/"+tt.name, func(t *testing.T) {
				provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
					seedLeaver(s)
					err := c.Login(ctx)
					require.NoError(t, err)
					if tt.fault != "" {
						s.FailNext(provisioningtest.Failure{Message: tt.fault})
					}
					err = tt.call(ctx, c)
					require.Error(t, err)
					if tt.result != "" {
						var re *provisioning.ServiceError
						require.ErrorAs(t, err, &re)
						assert.Equal(t, tt.result, re.Code, "the raw value is kept")
						assert.Nil(t, re.Fault)
						assert.NotEmpty(t, re.Message)
						assert.Contains(t, err.Error(), tt.result)
					}
					if tt.fault != "" {
						var pe *provisioning.ServiceError
						require.ErrorAs(t, err, &pe)
						assert.Equal(t, tt.fault, pe.Message, "the server's message is kept")
						require.NotNil(t, pe.Fault)
						assert.Equal(t, map[provisioning.SOAPVersion]string{provisioning.SOAP11: "Server", provisioning.SOAP12: "Receiver"}[version], pe.Fault.Code)
					}
					if tt.errType != nil {
						require.ErrorAs(t, err, tt.errType)
					}
					for _, target := range tt.is {
						assert.ErrorIs(t, err, target)
					}
					for _, target := range tt.isNot {
						assert.NotErrorIs(t, err, target)
					}
					assert.Equal(t, 1, s.Logins(), "a Fail that PingConnection confirms costs no new session")
					assert.Empty(t, s.Violations())
				}, provisioning.WithSOAPVersion(version))
			})
		}
	}
}

// A Fail on a lost session: PingConnection says so, the client connects again and sends the
// call once more.
func TestE2ERevokeAfterSessionLoss(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		seedLeaver(s)
		_, err := c.TokensByOwner(ctx, org, "jdoe")
		require.NoError(t, err)
		s.ExpireSessions()
		res, err := c.RevokeToken(ctx, org, "MP-0001", "jdoe", &provisioning.RevokeOptions{Mode: provisioning.RevokeFaulty, RevokeStaticPassword: true})
		require.NoError(t, err)
		assert.Equal(t, provisioning.RevokeBothSuccess, res)
		assert.Equal(t, 2, s.Logins())
		tok, _ := s.Token(org, "MP-0001")
		assert.Equal(t, "Faulty", tok.State)
	})
}

// Bad input is refused before anything is sent, naming the field.
func TestTokenInput(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		tests := []struct {
			field string
			call  func() error
		}{
			{"organization", func() error { _, err := c.TokensByOwner(ctx, " ", "jdoe"); return err }},
			{"userName", func() error { _, err := c.TokensByOwner(ctx, org, ""); return err }},
			{"startRecord", func() error { _, err := c.Tokens(ctx, org, provisioning.TokenQuery{}, -1, 10); return err }},
			{"pageSize", func() error { _, err := c.Tokens(ctx, org, provisioning.TokenQuery{}, 0, 0); return err }},
			{"TokenQuery.Type", func() error { _, err := c.Tokens(ctx, org, provisioning.TokenQuery{Type: "YubiKey"}, 0, 1); return err }},
			{"TokenQuery.Serial", func() error { _, err := c.Tokens(ctx, org, provisioning.TokenQuery{Serial: "a\x00"}, 0, 1); return err }},
			{"serial", func() error { _, err := c.Token(ctx, org, ""); return err }},
			{"serial", func() error { _, err := c.RevokeToken(ctx, org, " ", "jdoe", nil); return err }},
			{"userName", func() error { _, err := c.RevokeToken(ctx, org, "MP-1", "", nil); return err }},
			{"RevokeOptions.Mode", func() error {
				_, err := c.RevokeToken(ctx, org, "MP-1", "jdoe", &provisioning.RevokeOptions{Mode: "Shred"})
				return err
			}},
			{"RevokeOptions.Comment", func() error {
				_, err := c.RevokeToken(ctx, org, "MP-1", "jdoe", &provisioning.RevokeOptions{Comment: "\x01"})
				return err
			}},
			{"userName", func() error { return c.RemoveUser(ctx, org, "", nil) }},
			{"RemoveUserOptions.TokenMode", func() error {
				return c.RemoveUser(ctx, org, "jdoe", &provisioning.RemoveUserOptions{TokenMode: "Keep"})
			}},
		}
		for _, tt := range tests {
			err := tt.call()
			var ie *provisioning.InputError
			require.ErrorAs(t, err, &ie, tt.field)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, provisioning.ErrInvalidInput)
		}
		assert.Empty(t, s.Requests(), "nothing was sent")
		assert.Zero(t, s.Logins())
	})
}
