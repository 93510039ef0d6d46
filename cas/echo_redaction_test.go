package cas_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// A server message echoing the password is quoted with %q in ServiceError.Error, which escapes
// quotes and backslashes: the client's scrubber must recognise the password in that form too
// (found by internal/leaktest).
func TestPasswordEchoedInQuotedMessage(t *testing.T) {
	creds := cas.Credentials{WSUserName: "u", WSPassword: `pa"ss\word`}
	s := castest.NewServer(castest.Options{Credentials: creds, Households: []castest.Household{{ID: 1, Users: []string{"m"}, MasterUsers: []string{"m"}}}})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	t.Cleanup(s.Close)
	c := s.NewClient(t)
	s.FailNext(castest.Failure{Code: cas.Code(4321), Message: "refused sWSPassword " + creds.WSPassword})
	_, err := c.DeleteUser(t.Context(), 1, "m")
	var se *cas.ServiceError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "refused sWSPassword [REDACTED]", se.Message, "the field is scrubbed too")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, err)
		assert.NotContains(t, out, `pa\"ss\\word`, verb)
		assert.NotContains(t, out, creds.WSPassword, verb)
		assert.Contains(t, out, "[REDACTED]", verb)
	}
}
