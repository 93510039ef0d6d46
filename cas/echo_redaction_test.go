package cas_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// A server message echoing the password is quoted with %q in StatusError.Error, which escapes
// quotes and backslashes: the client's scrubber must recognise the password in that form too
// (found by internal/leaktest).
func TestPasswordEchoedInQuotedMessage(t *testing.T) {
	creds := cas.Credentials{WSUserName: "u", WSPassword: `pa"ss\word`}
	s := castest.NewServer(castest.WithCredentials(creds), castest.WithHouseholds(castest.Household{ID: 1, Users: []string{"m"}, MasterUsers: []string{"m"}}))
	t.Cleanup(s.Close)
	c, err := s.NewClient()
	require.NoError(t, err)
	s.FailNext(cas.Code(4321), "refused sWSPassword "+creds.WSPassword)
	_, err = c.DeleteUser(t.Context(), 1, "m")
	var se *cas.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "refused sWSPassword [REDACTED]", se.Message, "the field is scrubbed too")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, err)
		assert.NotContains(t, out, `pa\"ss\\word`, verb)
		assert.NotContains(t, out, creds.WSPassword, verb)
		assert.Contains(t, out, "[REDACTED]", verb)
	}
}
