package uds_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
)

// The KB 434195 answer (completed where the page copy is cut) and every member of
// UserDetailsTypeEx decode into typed values: xsi:type ignored, dates with offsets and without
// a zone, .NET's maximum date, status ranges, nillable values as nil pointers, image base64.
func TestDecodeRetrieveUser(t *testing.T) {
	const full = `<ns3:retrieveUserResponse xmlns:ns3="` + msgsNS + `"><ns3:return xsi:type="ns1:UserDetailsTypeEx" xmlns:ns1="http://ws.arcot.com/UserSchema/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<ns1:userId><ns1:orgName>ACME</ns1:orgName><ns1:userName>jdoe</ns1:userName><ns1:userRefId>000</ns1:userRefId></ns1:userId>` +
		`<ns1:dateCreated>2026-03-16T10:25:34.000+00:00</ns1:dateCreated><ns1:dateModified>2026-03-17T08:00:00</ns1:dateModified>` +
		`<ns1:emailId qualifier="work">jdoe@acme.example</ns1:emailId><ns1:emailId>j@home.example</ns1:emailId>` +
		`<ns1:telephoneNumber qualifier="mobile">+1 555 0100</ns1:telephoneNumber>` +
		`<ns1:firstName>John</ns1:firstName><ns1:middleName>Q</ns1:middleName><ns1:lastName>Doe</ns1:lastName>` +
		`<ns1:pam>hello</ns1:pam><ns1:pamImageURL>https://img.example/p.png</ns1:pamImageURL><ns1:image>aGk=</ns1:image>` +
		`<ns1:status>INACTIVE</ns1:status>` +
		`<ns1:customAttribute><ns1:name>dept</ns1:name><ns1:value>ops</ns1:value></ns1:customAttribute>` +
		`<ns1:customAttribute><ns1:name>cost</ns1:name><ns1:value xsi:nil="true"/></ns1:customAttribute>` +
		`<ns1:startLockTime>2026-03-18T00:00:00.000+01:00</ns1:startLockTime><ns1:endLockTime>9999-12-31T23:59:59.9999999</ns1:endLockTime>` +
		`<ns1:account><ns1:accountType>RADIUS_ID</ns1:accountType><ns1:accountID>jdoe-r</ns1:accountID><ns1:accountStatus>10</ns1:accountStatus>` +
		`<ns1:accountIDAttribute key="2">alt</ns1:accountIDAttribute><ns1:accountIDAttribute>first</ns1:accountIDAttribute>` +
		`<ns1:dateCreated>2026-03-16T10:25:34.000+00:00</ns1:dateCreated>` +
		`<ns1:accountCustomAttribute><ns1:attributeName>x</ns1:attributeName><ns1:attributeValue xsi:nil="true"/></ns1:accountCustomAttribute></ns1:account>` +
		`<ns1:account><ns1:accountType>OLD</ns1:accountType><ns1:accountStatus>25</ns1:accountStatus></ns1:account>` +
		`</ns3:return></ns3:retrieveUserResponse>`
	m := newMock(t, ok12(txHeader("TX-77"), full))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)
	u, err := c.RetrieveUser(t.Context(), uds.UserID{OrgName: "ACME", UserName: "jdoe"}, &uds.RetrieveOptions{IncludeAccounts: true, IncludeImage: true})
	require.NoError(t, err)
	inactive := uds.StatusInactive
	ops := "ops"
	assert.Equal(t, &uds.User{
		ID:               uds.UserID{OrgName: "ACME", UserName: "jdoe"},
		Created:          time.Date(2026, 3, 16, 10, 25, 34, 0, time.UTC),
		Modified:         time.Date(2026, 3, 17, 8, 0, 0, 0, time.UTC),
		Emails:           []uds.Qualified{{Value: "jdoe@acme.example", Qualifier: "work"}, {Value: "j@home.example"}},
		Phones:           []uds.Qualified{{Value: "+1 555 0100", Qualifier: "mobile"}},
		FirstName:        "John",
		MiddleName:       "Q",
		LastName:         "Doe",
		PAM:              "hello",
		PAMImageURL:      "https://img.example/p.png",
		Image:            []byte("hi"),
		Status:           &inactive,
		CustomAttributes: []uds.CustomAttribute{{Name: "dept", Value: &ops}, {Name: "cost"}},
		StartLockTime:    time.Date(2026, 3, 17, 23, 0, 0, 0, time.UTC),
		EndLockTime:      time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC),
		Accounts: []uds.Account{
			{Type: "RADIUS_ID", ID: "jdoe-r", Status: 10, IDAttributes: []uds.AccountIDAttribute{{Key: 2, Value: "alt"}, {Key: 1, Value: "first"}},
				Created: time.Date(2026, 3, 16, 10, 25, 34, 0, time.UTC), CustomAttributes: []uds.CustomAttribute{{Name: "x"}}},
			{Type: "OLD", Status: 25},
		},
		TransactionID: "TX-77",
	}, u)
	assert.Equal(t, uds.AccountActive, u.Accounts[0].Status.State())
	assert.Equal(t, uds.AccountDisabled, u.Accounts[1].Status.State())
	assert.False(t, u.Deleted())
}

func TestAccountStatusRanges(t *testing.T) {
	for _, tc := range []struct {
		status uds.AccountStatus
		want   uds.AccountState
	}{
		{0, uds.AccountInitial}, {9, uds.AccountInitial}, {10, uds.AccountActive}, {19, uds.AccountActive},
		{20, uds.AccountDisabled}, {29, uds.AccountDisabled}, {30, uds.AccountDeleted}, {39, uds.AccountDeleted},
		{40, uds.AccountUnknown}, {-1, uds.AccountUnknown},
	} {
		assert.Equal(t, tc.want, tc.status.State(), "%d", tc.status)
	}
	assert.Equal(t, "25 (DISABLED)", uds.AccountStatus(25).String())
}

// An empty listUserAccountResponse is no account, not an error.
func TestDecodeEmptyAccountList(t *testing.T) {
	m := newMock(t, ok12(txHeader("TX-5"), `<ns3:listUserAccountResponse xmlns:ns3="`+msgsNS+`"/>`))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)
	l, err := c.ListUserAccounts(t.Context(), uds.UserID{UserName: "jdoe"}, nil)
	require.NoError(t, err)
	assert.Empty(t, l.Accounts)
	assert.Equal(t, "TX-5", l.TransactionID)
}

// Every failure path of each new operation over httpmock: a typed error keeping what the
// server said; unknown numbers opaque.
func TestNewOperationFailurePaths(t *testing.T) {
	id := uds.UserID{OrgName: "ACME", UserName: "jdoe"}
	ops := []struct {
		name string
		call func(ctx context.Context, c *uds.Client) error
	}{
		{"retrieveUser", func(ctx context.Context, c *uds.Client) error { _, err := c.RetrieveUser(ctx, id, nil); return err }},
		{"deleteUser", func(ctx context.Context, c *uds.Client) error { _, err := c.DeleteUser(ctx, id, nil); return err }},
		{"listUserAccounts", func(ctx context.Context, c *uds.Client) error { _, err := c.ListUserAccounts(ctx, id, nil); return err }},
		{"deleteUserAccount", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUserAccount(ctx, id, "RADIUS_ID", nil)
			return err
		}},
	}
	cases := []struct {
		name    string
		answer  answer
		is      error
		number  string
		message string
		check   func(t *testing.T, err error)
	}{
		{name: "user not found", answer: answer{500, ct12, env12(txHeader("TX-F"), fault12("Sender", "User jdoe not found.", uds.CodeUserNotFound, "User jdoe not found.", "orgName=ACME"))},
			is: uds.ErrNotFound, number: uds.CodeUserNotFound, message: "User jdoe not found."},
		{name: "account not found", answer: answer{500, ct12, env12(txHeader("TX-F"), fault12("Sender", "No account.", uds.CodeAccountNotFound, "No account.", ""))},
			is: uds.ErrNotFound, number: uds.CodeAccountNotFound, message: "No account."},
		{name: "unknown number kept opaque", answer: answer{500, ct12, env12(txHeader("TX-F"), fault12("Receiver", "Odd.", "77001", "Odd.", "ctx"))},
			number: "77001", message: "Odd."},
		{name: "not initialised", answer: answer{500, ct12, env12(txHeader("TX-F"), fault12("Receiver", "UDS is not initialized.", uds.CodeNotInitialized, "UDS is not initialized.", ""))},
			is: uds.ErrUnavailable, number: uds.CodeNotInitialized, message: "UDS is not initialized."},
		{name: "fault without detail", answer: answer{500, ct12, env12("", fault12("Receiver", "java.lang.NullPointerException", "", "", ""))},
			check: func(t *testing.T, err error) {
				var re *uds.ServiceError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, "Receiver", re.Fault.Code)
				assert.Equal(t, "java.lang.NullPointerException", re.Fault.Reason)
			}},
		{name: "SOAP 1.1 answer", answer: answer{200, "text/xml; charset=utf-8", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`},
			is: uds.ErrProtocol},
		{name: "HTML 503", answer: answer{503, "text/html", "<html>down</html>"}, is: uds.ErrUnavailable,
			check: func(t *testing.T, err error) {
				var he *uds.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, 503, he.StatusCode)
			}},
	}
	for _, op := range ops {
		for _, tc := range cases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				m := newMock(t, tc.answer)
				c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
				require.NoError(t, err)
				err = op.call(t.Context(), c)
				require.Error(t, err)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				} else {
					assert.NotErrorIs(t, err, uds.ErrNotFound)
					assert.NotErrorIs(t, err, uds.ErrUnavailable)
				}
				if tc.number != "" {
					var re *uds.ServiceError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, op.name, re.Operation)
					assert.Equal(t, tc.number, re.Code)
					assert.Equal(t, tc.message, re.Message)
					assert.Equal(t, "TX-F", re.TransactionID)
					assert.Contains(t, err.Error(), tc.number)
				}
				if tc.check != nil {
					tc.check(t, err)
				}
			})
		}
	}
	t.Run("retrieveUser without return", func(t *testing.T) {
		m := newMock(t, ok12(txHeader("TX"), `<ns3:retrieveUserResponse xmlns:ns3="`+msgsNS+`"/>`))
		c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
		require.NoError(t, err)
		_, err = c.RetrieveUser(t.Context(), id, nil)
		require.ErrorIs(t, err, uds.ErrProtocol)
	})
	t.Run("retrieveUser with an image that is not base64", func(t *testing.T) {
		m := newMock(t, ok12(txHeader("TX"), `<ns3:retrieveUserResponse xmlns:ns3="`+msgsNS+`"><ns3:return><ns1:userId xmlns:ns1="http://ws.arcot.com/UserSchema/1.0"><ns1:userName>j</ns1:userName></ns1:userId><ns1:image xmlns:ns1="http://ws.arcot.com/UserSchema/1.0">%%%</ns1:image></ns3:return></ns3:retrieveUserResponse>`))
		c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
		require.NoError(t, err)
		_, err = c.RetrieveUser(t.Context(), id, nil)
		require.ErrorIs(t, err, uds.ErrProtocol)
	})
}

// Bad input is refused with the field named, before anything is sent.
func TestNewOperationsInputRefused(t *testing.T) {
	good := uds.UserID{OrgName: "ACME", UserName: "jdoe"}
	for _, tc := range []struct {
		name, field string
		call        func(ctx context.Context, c *uds.Client) error
	}{
		{"retrieve empty name", "user.UserName", func(ctx context.Context, c *uds.Client) error {
			_, err := c.RetrieveUser(ctx, uds.UserID{OrgName: "ACME", UserName: " "}, nil)
			return err
		}},
		{"retrieve with a reference id", "user.UserRefID", func(ctx context.Context, c *uds.Client) error {
			_, err := c.RetrieveUser(ctx, uds.UserID{UserName: "jdoe", UserRefID: 7}, nil)
			return err
		}},
		{"retrieve org with NUL", "user.OrgName", func(ctx context.Context, c *uds.Client) error {
			_, err := c.RetrieveUser(ctx, uds.UserID{OrgName: "A\x00", UserName: "jdoe"}, nil)
			return err
		}},
		{"retrieve account type invalid UTF-8", "opts.AccountType", func(ctx context.Context, c *uds.Client) error {
			_, err := c.RetrieveUser(ctx, good, &uds.RetrieveOptions{AccountType: "\xff"})
			return err
		}},
		{"delete empty name", "user.UserName", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUser(ctx, uds.UserID{OrgName: "ACME"}, nil)
			return err
		}},
		{"delete negative reference id", "user.UserRefID", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUser(ctx, uds.UserID{UserName: "jdoe", UserRefID: -1}, nil)
			return err
		}},
		{"delete client tx id with U+FFFE", "opts.ClientTxID", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUser(ctx, good, &uds.DeleteOptions{ClientTxID: "\ufffe"})
			return err
		}},
		{"list empty name", "user.UserName", func(ctx context.Context, c *uds.Client) error {
			_, err := c.ListUserAccounts(ctx, uds.UserID{}, nil)
			return err
		}},
		{"list account type with NUL", "opts.AccountType", func(ctx context.Context, c *uds.Client) error {
			_, err := c.ListUserAccounts(ctx, good, &uds.ListAccountsOptions{AccountType: "R\x00"})
			return err
		}},
		{"delete account without type", "accountType", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUserAccount(ctx, good, " ", nil)
			return err
		}},
		{"delete account type with NUL", "accountType", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUserAccount(ctx, good, "R\x00", nil)
			return err
		}},
		{"delete account empty user", "user.UserName", func(ctx context.Context, c *uds.Client) error {
			_, err := c.DeleteUserAccount(ctx, uds.UserID{}, "RADIUS_ID", nil)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMock(t, ok12("", deleteOK))
			c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
			require.NoError(t, err)
			err = tc.call(t.Context(), c)
			require.ErrorIs(t, err, uds.ErrInvalidInput)
			var ie *uds.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.Empty(t, m.requests(), "nothing sent")
		})
	}
}
