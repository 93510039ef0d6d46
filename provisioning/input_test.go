package provisioning_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// Input the wire would alter, and dates xs:dateTime cannot carry, are refused with an
// *InputError naming the field, and nothing is sent.
func TestTextAndDateInputRefused(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	t.Cleanup(s.Close)
	t.Cleanup(func() { assert.Empty(t, s.Violations()) })
	for _, tc := range []struct {
		name, field string
		call        func(c *provisioning.Client) error
	}{
		{"organization with NUL", "organization", func(c *provisioning.Client) error {
			_, err := c.TaskCount(t.Context(), "Org\x00")
			return err
		}},
		{"user with invalid UTF-8", "user", func(c *provisioning.Client) error {
			_, err := c.TasksForUser(t.Context(), "Org", "al\xffice", 0, 10)
			return err
		}},
		{"second user name with U+FFFE", "userNames[1]", func(c *provisioning.Client) error {
			return c.RemoveUsersFromTask(t.Context(), "Org", 1, []string{"alice", "bob\ufffe"}, false)
		}},
		{"stop date in year 10000", "newStopDate", func(c *provisioning.Client) error {
			return c.UpdateStopDate(t.Context(), "Org", 1, []string{"alice"}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"stop date in year -1", "newStopDate", func(c *provisioning.Client) error {
			return c.UpdateStopDate(t.Context(), "Org", 1, []string{"alice"}, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.NewClient(t)
			err := tc.call(c)
			var ie *provisioning.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, provisioning.ErrInvalidInput)
			assert.Empty(t, s.Requests(), "a request was sent")
		})
	}
	otp := func(context.Context) (string, error) { return provisioningtest.TestOTP, nil }
	_, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: "op\x00@example.com", OTP: otp})
	var ie *provisioning.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "Credentials.OperatorEmail", ie.Field)
	assert.Empty(t, s.Requests())
}

// A nil option is ignored (it used to panic).
func TestNilOption(t *testing.T) {
	otp := func(context.Context) (string, error) { return "123456", nil }
	c, err := provisioning.New("https://bsidca.example.test/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "op@example.com", OTP: otp}, nil, provisioning.WithTimeout(time.Second), nil)
	require.NoError(t, err)
	assert.NotNil(t, c)
}

// An OTP the source returns with a control character is refused before Connect is sent.
func TestOTPWithControlCharacterRefused(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	t.Cleanup(s.Close)
	t.Cleanup(func() { assert.Empty(t, s.Violations()) })
	otp := func(context.Context) (string, error) { return "123\x00456", nil }
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: provisioningtest.TestOperator, OTP: otp})
	require.NoError(t, err)
	_, err = c.TaskCount(t.Context(), "Org")
	var ie *provisioning.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "Credentials.OTP", ie.Field)
	assert.Empty(t, s.Requests(), "Connect was sent")
}
