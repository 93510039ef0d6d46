package projector_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// Input the wire would alter, and dates xs:dateTime cannot carry, are refused with an
// *InputError naming the field, and nothing is sent.
func TestInputRefusedBeforeSending(t *testing.T) {
	s := fake(t, projectortest.Options{Users: users(1)})
	for _, tc := range []struct {
		name, field string
		user        projector.UserRef
		opts        *projector.DeleteUserOptions
	}{
		{"reference id with NUL", "user.UserReferenceSystemID", projector.UserRef{UserReferenceSystemID: "jd\x00oe"}, nil},
		{"negative user id", "user.UserID", projector.UserRef{UserID: -1}, nil},
		{"display name with U+FFFE", "user.UserDisplayName", projector.UserRef{UserID: 1, UserDisplayName: "J\ufffe"}, nil},
		{"end date in year 0", "opts.EndDateIfInUse", ref(0), &projector.DeleteUserOptions{EndDateIfInUse: time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{"end date in year 10000", "opts.EndDateIfInUse", ref(0), &projector.DeleteUserOptions{EndDateIfInUse: time.Date(10000, 3, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.NewClient(t)
			_, err := c.DeleteUser(t.Context(), tc.user, tc.opts)
			var ie *projector.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, projector.ErrInvalidInput)
			assert.Empty(t, s.Requests(), "a request was sent")
		})
	}
	good := s.Credentials()
	for _, tc := range []struct {
		name, field string
		creds       projector.Credentials
		opts        []projector.Option
	}{
		{"password with ESC", "Credentials.Password", projector.Credentials{AccountCode: good.AccountCode, UserName: good.UserName, Password: "pw\x1b"}, nil},
		{"user name with C1", "Credentials.UserName", projector.Credentials{AccountCode: good.AccountCode, UserName: "u\u0085", Password: "pw"}, nil},
		{"account code with invalid UTF-8", "Credentials.AccountCode", projector.Credentials{AccountCode: "a\xc3", UserName: "u", Password: "pw"}, nil},
		{"culture with a newline is fine, with NUL not", "WithCultureName", good, []projector.Option{projector.WithCultureName("en\x00")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := projector.New(s.URL, tc.creds, tc.opts...)
			var ie *projector.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
		})
	}
	_, err := projector.New("https://u:hunter2@secure.projectorpsa.com/x.svc", good)
	require.ErrorIs(t, err, projector.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Empty(t, s.Requests())
}

// A nil option is ignored.
func TestNilOption(t *testing.T) {
	c, err := projector.New("https://secure.projectorpsa.com/x.svc", projector.Credentials{AccountCode: "a", UserName: "u", Password: "p"}, nil, projector.WithTimeout(time.Second), nil)
	require.NoError(t, err)
	assert.NotNil(t, c)
}
