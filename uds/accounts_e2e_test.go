package uds_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// leaver seeds the fake with ACME/leaver, ACTIVE, with two accounts.
func leaver(s *udstest.Server) uds.UserID {
	s.AddUser("ACME", "leaver", uds.StatusActive)
	s.AddAccount("ACME", "leaver", udstest.Account{Type: "RADIUS_ID", ID: "leaver-radius", Status: 10})
	s.AddAccount("ACME", "leaver", udstest.Account{Type: "ALT_LOGIN", ID: "l.eaver@acme.example", Status: 12})
	return uds.UserID{OrgName: "ACME", UserName: "leaver"}
}

// End to end against the fake with AnA: a user with two accounts is read with its accounts, the
// accounts are listed and deleted, the user is deleted, and a read then says DELETED with no
// account left (the fake's default soft delete) or not found (HardDelete); a rerun gets
// ErrNotFound from every delete ("already done"). No request deviated from the contract.
func TestEndToEndOffboardUser(t *testing.T) {
	for _, hard := range []bool{false, true} {
		name := "soft delete"
		if hard {
			name = "hard delete"
		}
		t.Run(name, func(t *testing.T) {
			udstest.Test(t, udstest.Options{AnA: true, HardDelete: hard}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
				id := leaver(s)

				u, err := c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true, ClientTxID: "offboard-1"})
				require.NoError(t, err)
				require.NotNil(t, u.Status)
				assert.Equal(t, uds.StatusActive, *u.Status)
				assert.Equal(t, "leaver", u.ID.UserName)
				assert.NotZero(t, u.ID.UserRefID)
				assert.NotZero(t, u.Created)
				require.Len(t, u.Accounts, 2)
				assert.Equal(t, "RADIUS_ID", u.Accounts[0].Type)
				assert.Equal(t, "leaver-radius", u.Accounts[0].ID)
				assert.Equal(t, uds.AccountActive, u.Accounts[0].Status.State())
				assert.NotEmpty(t, u.TransactionID)

				noAccounts, err := c.RetrieveUser(ctx, id, nil)
				require.NoError(t, err)
				assert.Empty(t, noAccounts.Accounts, "accounts only when the filter asks for them")

				list, err := c.ListUserAccounts(ctx, id, nil)
				require.NoError(t, err)
				assert.Equal(t, []string{"RADIUS_ID", "ALT_LOGIN"}, accountTypes(list.Accounts))
				one, err := c.ListUserAccounts(ctx, id, &uds.ListAccountsOptions{AccountType: "ALT_LOGIN"})
				require.NoError(t, err)
				assert.Equal(t, []string{"ALT_LOGIN"}, accountTypes(one.Accounts))

				for _, a := range list.Accounts {
					res, err := c.DeleteUserAccount(ctx, id, a.Type, nil)
					require.NoError(t, err)
					assert.Equal(t, "The operation was successful!", res.Message)
					assert.NotEmpty(t, res.TransactionID)
				}
				list, err = c.ListUserAccounts(ctx, id, nil)
				require.NoError(t, err)
				assert.Empty(t, list.Accounts)

				res, err := c.DeleteUser(ctx, id, &uds.DeleteOptions{ClientTxID: "offboard-2"})
				require.NoError(t, err)
				assert.Equal(t, "The operation was successful!", res.Message)

				after, err := c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true})
				if hard {
					require.ErrorIs(t, err, uds.ErrNotFound, "gone")
				} else {
					require.NoError(t, err)
					assert.True(t, after.Deleted())
					assert.Empty(t, after.Accounts, "no account left")
				}

				// A rerun: every delete says "not found", which is "already done".
				_, err = c.DeleteUser(ctx, id, nil)
				requireRegistryNotFound(t, err, "deleteUser")
				_, err = c.DeleteUserAccount(ctx, id, "RADIUS_ID", nil)
				requireRegistryNotFound(t, err, "deleteUserAccount")

				assert.Empty(t, s.Violations(), "every request as the contract states it")
				assert.Equal(t, 1, s.Logins())
				for _, r := range s.Requests()[:1] {
					require.NotNil(t, r.Call)
					assert.Equal(t, udstest.Call{Users: []uds.UserID{{OrgName: "ACME", UserName: "leaver"}}, IncludeAccounts: true, ClientTxID: "offboard-1"}, *r.Call)
				}
			})
		})
	}
}

func requireRegistryNotFound(t *testing.T, err error, op string) {
	t.Helper()
	require.ErrorIs(t, err, uds.ErrNotFound)
	var re *uds.ServiceError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, op, re.Operation)
	assert.NotEmpty(t, re.Code)
	assert.NotEmpty(t, re.Message)
	assert.NotEmpty(t, re.TransactionID)
}

func accountTypes(as []uds.Account) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Type)
	}
	return out
}

// A deep search finds the user by an account id when no user has that name.
func TestEndToEndDeepSearch(t *testing.T) {
	udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		leaver(s)
		byAccount := uds.UserID{OrgName: "ACME", UserName: "leaver-radius"}
		_, err := c.RetrieveUser(ctx, byAccount, nil)
		require.ErrorIs(t, err, uds.ErrNotFound)
		u, err := c.RetrieveUser(ctx, byAccount, &uds.RetrieveOptions{DeepSearch: true, AccountType: "RADIUS_ID"})
		require.NoError(t, err)
		assert.Equal(t, "leaver", u.ID.UserName)
		assert.Empty(t, s.Violations())
	})
}

// Every failure the fake answers for each new operation is a typed error with the server's
// number, message, context and transaction id kept; numbers the client does not know stay
// opaque (no category).
func TestEndToEndNewOperationFailures(t *testing.T) {
	id := uds.UserID{OrgName: "ACME", UserName: "leaver"}
	ops := map[string]func(ctx context.Context, c *uds.Client) error{
		"retrieveUser": func(ctx context.Context, c *uds.Client) error {
			_, err := c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true})
			return err
		},
		"deleteUser": func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUser(ctx, id, nil)
			return err
		},
		"listUserAccounts": func(ctx context.Context, c *uds.Client) error {
			_, err := c.ListUserAccounts(ctx, id, nil)
			return err
		},
		"deleteUserAccount": func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUserAccount(ctx, id, "RADIUS_ID", nil)
			return err
		},
	}
	faults := []struct {
		fault udstest.Failure
		is    error
	}{
		{udstest.Failure{FaultCode: "Sender", Code: uds.CodeUserNotFound, Message: "User leaver not found in organization ACME.", Context: "orgName=ACME"}, uds.ErrNotFound},
		{udstest.Failure{FaultCode: "Sender", Code: uds.CodeAccountNotFound, Message: "Account of type RADIUS_ID not found."}, uds.ErrNotFound},
		{udstest.Failure{FaultCode: "Sender", Code: uds.CodeNotAuthorized, Message: "Organization ACME is not a target."}, uds.ErrPermissionDenied},
		{udstest.NotInitialized(), uds.ErrUnavailable},
		{udstest.Failure{FaultCode: "Receiver", Code: uds.CodeDatabaseQuery, Message: "Unable to process the database query, timeout."}, nil},
		{udstest.Failure{FaultCode: "Receiver", Code: "48123", Message: "Something only this tenant says."}, nil},
	}
	for op, call := range ops {
		for _, f := range faults {
			t.Run(op+"/"+f.fault.Code, func(t *testing.T) {
				udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
					leaver(s)
					s.FailNext(f.fault)
					err := call(ctx, c)
					var re *uds.ServiceError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, op, re.Operation)
					assert.Equal(t, f.fault.Code, re.Code)
					assert.Equal(t, f.fault.Message, re.Message)
					assert.Equal(t, f.fault.Context, re.Context)
					assert.Equal(t, f.fault.FaultCode, re.Fault.Code)
					assert.Equal(t, 500, re.HTTPStatus)
					reqs := s.Requests()
					assert.Equal(t, reqs[len(reqs)-1].TransactionID, re.TransactionID)
					if f.is != nil {
						assert.ErrorIs(t, err, f.is)
					}
					for _, other := range []error{uds.ErrNotFound, uds.ErrUnavailable, uds.ErrPermissionDenied, uds.ErrAuthentication} {
						if other != f.is {
							assert.NotErrorIs(t, err, other)
						}
					}
					require.NoError(t, call(ctx, c), "only the next request fails")
					assert.Empty(t, s.Violations())
				})
			})
		}
	}
}

// A tenant whose server says "not found" with its own number declares it ClassNotFound: the
// answer is ErrNotFound and still a *ServiceError with the number kept, and a credential
// request answered with it is not taken for refused credentials.
func TestTenantNotFoundNumber(t *testing.T) {
	udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		leaver(s)
		s.FailNext(udstest.Failure{FaultCode: "Sender", Code: "40404", Message: "No such user."})
		_, err := c.DeleteUser(ctx, uds.UserID{OrgName: "ACME", UserName: "leaver"}, nil)
		require.ErrorIs(t, err, uds.ErrNotFound)
		var re *uds.ServiceError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "40404", re.Code)
		var nf *uds.NotFoundError
		require.ErrorAs(t, err, &nf)

		_, err = c.DeleteUser(ctx, uds.UserID{OrgName: "ACME", UserName: "leaver"}, nil)
		require.NoError(t, err, "the credentials were not taken for refused")
	}, uds.WithErrorClasses(map[string]uds.ErrorClass{"40404": uds.ClassNotFound}))

	// Without the declaration the number is opaque: not ErrNotFound.
	udstest.Test(t, udstest.Options{}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
		leaver(s)
		s.FailNext(udstest.Failure{FaultCode: "Sender", Code: "40404", Message: "No such user."})
		_, err := c.DeleteUser(ctx, uds.UserID{OrgName: "ACME", UserName: "leaver"}, nil)
		require.Error(t, err)
		assert.NotErrorIs(t, err, uds.ErrNotFound)
	})
}
