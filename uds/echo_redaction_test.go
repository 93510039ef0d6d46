package uds_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/uds"
)

// A UDS error message may echo the request's AnA headers; Error and %#v redact what carries
// a secret's name, the fields keep the server's text (found by internal/leaktest).
func TestServiceErrorRedactsEchoedSecrets(t *testing.T) {
	e := &uds.ServiceError{Operation: "getUserStatus", Fault: &uds.Fault{Code: "Sender", Reason: "bad header credential=s3cret-1"},
		Message: "refused <credential>s3cret-1</credential>", Context: `authToken="tok-2"`, Code: "31103"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, e)
		assert.NotContains(t, out, "s3cret-1", verb)
		assert.NotContains(t, out, "tok-2", verb)
		assert.Contains(t, out, "31103", verb)
	}
	assert.Contains(t, fmt.Sprintf("%#v", e), "&uds.ServiceError{Operation:\"getUserStatus\"")
	assert.Equal(t, "refused <credential>s3cret-1</credential>", e.Message)
	// A Fault without userRegistryError: its reason is the message.
	e.Code, e.Message = "", e.Fault.Reason
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, e), "s3cret-1", "the fault reason when there is no detail, %s", verb)
	}
}
