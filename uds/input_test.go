package uds_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// Input the wire would alter, and dates xs:dateTime cannot carry, are refused with an
// *InputError naming the field, and nothing is sent.
func TestInputRefusedBeforeSending(t *testing.T) {
	s := udstest.NewServer(udstest.Options{AnA: true})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	t.Cleanup(s.Close)
	a := s.Credentials()
	newClient := func(opts ...uds.Option) (*uds.Client, error) {
		return uds.New(s.URL, a, opts...)
	}
	jdoe := uds.UserID{OrgName: "ACME", UserName: "jdoe"}
	for _, tc := range []struct {
		name, field string
		call        func(c *uds.Client) error
		opts        []uds.Option
	}{
		{name: "user name with NUL", field: "users[0].UserName", call: func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{{UserName: "jd\x00oe"}}, uds.StatusInactive, nil)
			return err
		}},
		{name: "second user's org with invalid UTF-8", field: "users[1].OrgName", call: func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{jdoe, {OrgName: "AC\xffME", UserName: "x"}}, uds.StatusInactive, nil)
			return err
		}},
		{name: "get with U+FFFF", field: "user.UserName", call: func(c *uds.Client) error {
			_, err := c.GetUserStatus(t.Context(), uds.UserID{UserName: "jdoe\uffff"}, nil)
			return err
		}},
		{name: "client tx id with a control character", field: "opts.ClientTxID", call: func(c *uds.Client) error {
			_, err := c.GetUserStatus(t.Context(), jdoe, &uds.GetOptions{ClientTxID: "tx\x07"})
			return err
		}},
		{name: "year 0", field: "opts.StartLockTime", call: func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{jdoe}, uds.StatusInactive,
				&uds.UpdateOptions{StartLockTime: time.Date(0, 1, 2, 0, 0, 0, 0, time.UTC)})
			return err
		}},
		{name: "year -1", field: "opts.StartLockTime", call: func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{jdoe}, uds.StatusInactive,
				&uds.UpdateOptions{StartLockTime: time.Date(-1, 1, 2, 0, 0, 0, 0, time.UTC)})
			return err
		}},
		{name: "year 10000", field: "opts.EndLockTime", call: func(c *uds.Client) error {
			_, err := c.UpdateUserStatus(t.Context(), []uds.UserID{jdoe}, uds.StatusInactive,
				&uds.UpdateOptions{EndLockTime: time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC)})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newClient(tc.opts...)
			require.NoError(t, err)
			err = tc.call(c)
			var ie *uds.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, uds.ErrInvalidInput)
			assert.Empty(t, s.Requests(), "a request was sent")
		})
	}
	for _, tc := range []struct {
		name, field string
		creds       uds.Credentials
		opts        []uds.Option
	}{
		{"credential with ESC", "Credentials.Credential", uds.Credentials{UserID: "admin", OrgName: "ORG", Credential: "pw\x1b"}, nil},
		{"userID with invalid UTF-8", "Credentials.UserID", uds.Credentials{UserID: "ad\xc3min", OrgName: "ORG", Credential: "pw"}, nil},
		{"orgName with NUL", "Credentials.OrgName", uds.Credentials{UserID: "admin", OrgName: "O\x00RG", Credential: "pw"}, nil},
		{"target org with NUL", "WithTargetOrgs[1]", uds.Credentials{UserID: "admin", OrgName: "ORG", Credential: "pw"}, []uds.Option{uds.WithTargetOrgs("A", "B\x00")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := uds.New(s.URL, tc.creds, tc.opts...)
			var ie *uds.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
		})
	}
	_, err := uds.New("http://admin:pw@uds.example.test"+uds.ServicePath, uds.Credentials{})
	require.ErrorIs(t, err, uds.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "admin:pw")
}

// A nil option is ignored.
func TestNilOption(t *testing.T) {
	c, err := uds.New("https://uds.example.test"+uds.ServicePath, uds.Credentials{}, nil, uds.WithTimeout(time.Second), nil)
	require.NoError(t, err)
	assert.NotNil(t, c)
}
