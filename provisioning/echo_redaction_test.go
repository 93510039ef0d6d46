package provisioning_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/provisioning"
)

// A ConnectError value (not a pointer) printed with fmt showed its exported Challenge field;
// an Error's %#v showed the fault message raw (found by internal/leaktest).
func TestErrorsKeepSecretsOutOfFmt(t *testing.T) {
	ce := provisioning.ConnectError{Result: provisioning.ConnectServerPINProvided, Challenge: "pin-4711"}
	for _, v := range []any{ce, &ce} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, "pin-4711", "%T %s", v, verb)
			assert.Contains(t, out, "SERVER_PIN_PROVIDED", "%T %s", v, verb)
		}
	}
	e := &provisioning.ServiceError{Operation: "Connect", Message: "A potentially dangerous value was detected (OTP=&quot;991122&quot;)", HTTPStatus: 500}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, e)
		assert.NotContains(t, out, "991122", verb)
	}
	assert.Contains(t, fmt.Sprintf("%#v", e), `&provisioning.ServiceError{Operation:"Connect"`)
}
