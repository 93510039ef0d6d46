package provisioning_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// A serial is an identifier the caller sends back (RevokeToken): the client's scrubber must
// not cut it. With the OTP 123456 a serial ending in "123" comes back as "7000[REDACTED]"
// (the scrubber's cut-at-the-end rule), and RevokeToken of that answers Fail. The same
// happens at random with the ASP.NET session id (24 of a-z0-5) as the secret: one session in
// about 8,000 for a serial ending in 3 digits 0-5.
func TestSerialNotCutByScrubber(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	ctx := context.Background()
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail, OTP: func(context.Context) (string, error) { return provisioningtest.TestOTP, nil }})
	require.NoError(t, err)
	{
		s.AddUser("Example Org", provisioningtest.User{UserName: "jdoe"})
		s.AddToken("Example Org", provisioningtest.Token{Serial: "7000123", Owner: "jdoe", State: "Active"})
		serials, err := c.TokensByOwner(ctx, "Example Org", "jdoe")
		require.NoError(t, err)
		assert.Equal(t, []string{"7000123"}, serials)
		_, err = c.RevokeToken(ctx, "Example Org", serials[0], "jdoe", nil)
		assert.NoError(t, err)
	}
}
