package projector_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// ServiceError's common fields: Code and Message are the first Error message's (a warning
// before it does not count), TransactionID the ResponseId, Fault nil for a Status Fail.
func TestServiceErrorFields(t *testing.T) {
	t.Run("Status Fail", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", failReply("PwsDeleteUser", msgRateWarn, msgDenied, msgNotFound))
		_, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
		var se *projector.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "PwsDeleteUser", se.Operation)
		assert.Equal(t, projector.CodeViewPermissionDenied, se.Code)
		assert.Equal(t, "You do not have permission to view this item.", se.Message)
		assert.Equal(t, 200, se.HTTPStatus)
		assert.Nil(t, se.Fault)
		assert.Nil(t, se.Unwrap())
		assert.Equal(t, "1", se.TransactionID)
		assert.Equal(t, projector.StatusFail, se.Status)
		assert.Len(t, se.Messages, 3)
		assert.True(t, se.Has(projector.CodeEntityNotFound), "Has looks at every message")
		assert.ErrorIs(t, err, projector.ErrNotFound)
	})
	t.Run("Fault without messages", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", faultReply("The formatter threw an exception"))
		_, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
		var se *projector.ServiceError
		require.ErrorAs(t, err, &se)
		require.NotNil(t, se.Fault)
		assert.Equal(t, 0, se.Code)
		assert.Equal(t, "The formatter threw an exception", se.Message, "the Fault's reason")
		assert.Equal(t, 500, se.HTTPStatus)
		assert.Empty(t, se.TransactionID)
		var f *projector.Fault
		require.ErrorAs(t, err, &f)
		assert.Same(t, se.Fault, f)
		assert.Contains(t, fmt.Sprintf("%#v", se), "Fault:&soapx.Fault{")
	})
}

// Credentials print their secret as [REDACTED] or <empty>, under every verb, as a value
// and as a pointer.
func TestCredentialsPrinting(t *testing.T) {
	set := projector.Credentials{AccountCode: "acme", UserName: "ops@acme.example", Password: "hunter2-pw"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{set, &set} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, "hunter2-pw", verb)
			assert.Contains(t, out, "[REDACTED]", verb)
			assert.Contains(t, out, "ops@acme.example", verb)
		}
		assert.Contains(t, fmt.Sprintf(verb, projector.Credentials{AccountCode: "acme"}), "<empty>", verb)
	}
	assert.Equal(t, `projector.Credentials{AccountCode:"acme", UserName:"ops@acme.example", Password:"[REDACTED]"}`, set.GoString())
	assert.Equal(t, set.GoString(), fmt.Sprintf("%#v", set))
}

// FailNext's Failure: documented text by default, the caller's texts, or as a PwsFault.
func TestFailNextFailure(t *testing.T) {
	projectortest.Test(t, projectortest.Options{Users: users(3)}, func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
		s.FailNext(projectortest.Failure{Code: projector.CodeViewPermissionDenied})
		s.FailNext(projectortest.Failure{Code: 4242, Message: "custom text", ErrorCode: "Custom"})
		s.FailNext(projectortest.Failure{Code: projector.CodeEntityNotFound, Fault: true})

		_, err := c.DeleteUser(ctx, ref(0), nil)
		var se *projector.ServiceError
		require.ErrorAs(t, err, &se)
		assert.ErrorIs(t, err, projector.ErrPermissionDenied)
		assert.Equal(t, projector.CodeViewPermissionDenied, se.Code)
		assert.Equal(t, "You do not have permission to view this item.", se.Message)
		assert.Equal(t, "1", se.TransactionID, "the echo of RequestId 1")

		_, err = c.DeleteUser(ctx, ref(0), nil)
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 4242, se.Code)
		assert.Equal(t, "custom text", se.Message)
		assert.Equal(t, "Custom", se.Messages[0].ErrorCode)
		assert.Nil(t, se.Fault)

		_, err = c.DeleteUser(ctx, ref(0), nil)
		require.ErrorAs(t, err, &se)
		assert.NotNil(t, se.Fault)
		assert.Equal(t, projector.CodeEntityNotFound, se.Code)
		assert.ErrorIs(t, err, projector.ErrNotFound)

		res, err := c.DeleteUser(ctx, ref(0), nil)
		require.NoError(t, err, "one failure per FailNext")
		assert.Equal(t, projector.Deleted, res.Outcome)
		assert.False(t, errors.Is(err, projector.ErrNotFound))
	})
}
