package cas_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// Input the wire would alter (control characters, invalid UTF-8, U+FFFE) is refused with
// an *InputError naming the field, and nothing is sent.
func TestInputRefusedBeforeSending(t *testing.T) {
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 1, Users: []string{"m"}, MasterUsers: []string{"m"}}}})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	t.Cleanup(s.Close)
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"user with NUL", "userID", func() error {
			c := s.NewClient(t)
			_, err := c.DeleteUser(t.Context(), 1, "bo\x00b")
			return err
		}},
		{"user with invalid UTF-8", "userID", func() error {
			c := s.NewClient(t)
			_, err := c.DeleteUser(t.Context(), 1, "bo\xffb")
			return err
		}},
		{"user with U+FFFE", "userID", func() error {
			c := s.NewClient(t)
			_, err := c.DeleteUser(t.Context(), 1, "bob\uFFFE")
			return err
		}},
		{"password with ESC", "Credentials.WSPassword", func() error {
			_, err := cas.New(s.URL, cas.Credentials{WSUserName: "u", WSPassword: "pa\x1bss"})
			return err
		}},
		{"user name with C1", "Credentials.WSUserName", func() error {
			_, err := cas.New(s.URL, cas.Credentials{WSUserName: "u\u0085", WSPassword: "pass"})
			return err
		}},
		{"endpoint with user info", "endpoint", func() error {
			_, err := cas.New("http://u:pw@"+s.URL[len("http://"):], s.Credentials())
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ie *cas.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, cas.ErrInvalidInput)
			assert.Empty(t, s.Requests(), "a request was sent")
		})
	}
}

// A nil option is ignored.
func TestNilOption(t *testing.T) {
	c, err := cas.New("https://cas.example.test/ws_cas_module.asmx", cas.Credentials{WSUserName: "u", WSPassword: "pass"}, nil, cas.WithTimeout(0), nil)
	require.NoError(t, err)
	assert.NotNil(t, c)
}
