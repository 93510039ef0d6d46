package projector_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/projector"
)

// A PWS fault reason or message may echo the PwsAuthenticate request; Error and %#v redact
// what carries a secret's name, the fields keep the server's text (found by
// internal/leaktest).
func TestServiceErrorRedactsEchoedSecrets(t *testing.T) {
	e := &projector.ServiceError{Operation: "PwsAuthenticate", Fault: &projector.Fault{Code: "Client", Reason: "login failed: Password=pw-1"},
		Message: "refused <Password>pw-1</Password>",
		Messages: []projector.Message{{Type: projector.MessageError, ErrorNumber: 1, ErrorCode: "LoginFailed",
			ErrorText: "refused <Password>pw-1</Password>", AdditionalErrorText: "&lt;SessionTicket&gt;tk-2&lt;/SessionTicket&gt;"}}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, e)
		assert.NotContains(t, out, "pw-1", verb)
		assert.NotContains(t, out, "tk-2", verb)
		assert.Contains(t, out, "LoginFailed", verb)
	}
	assert.Contains(t, fmt.Sprintf("%#v", e), "&projector.ServiceError{Operation:\"PwsAuthenticate\"")
	assert.Equal(t, "refused <Password>pw-1</Password>", e.Messages[0].ErrorText)
}
