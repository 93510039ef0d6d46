package uds_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/uds"
)

// A UDS error message may echo the request's AnA headers; Error and %#v redact what carries
// a secret's name, the fields keep the server's text (found by internal/leaktest).
func TestRegistryErrorRedactsEchoedSecrets(t *testing.T) {
	e := &uds.RegistryError{Operation: "getUserStatus", FaultCode: "Sender", FaultReason: "bad header credential=s3cret-1",
		ErrorMessage: "refused <credential>s3cret-1</credential>", ErrorContext: `authToken="tok-2"`, ErrorNumber: "31103"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, e)
		assert.NotContains(t, out, "s3cret-1", verb)
		assert.NotContains(t, out, "tok-2", verb)
		assert.Contains(t, out, "31103", verb)
	}
	assert.Contains(t, fmt.Sprintf("%#v", e), "&uds.RegistryError{Operation:\"getUserStatus\"")
	assert.Equal(t, "refused <credential>s3cret-1</credential>", e.ErrorMessage)
	e.ErrorNumber, e.ErrorMessage = "", ""
	assert.NotContains(t, e.Error(), "s3cret-1", "the fault reason when there is no detail")
}
