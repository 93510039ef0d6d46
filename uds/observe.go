package uds

import (
	"errors"

	"github.com/offboard-go/offboard/internal/soapx"
)

// WithObserver reports every call of the client to o: service "uds", the wire operation
// (updateUserStatus, getUserStatus, retrieveUser, deleteUser, listUserAccounts,
// deleteUserAccount), its outcome, the userRegistryError errorNumber of a Fault
// as the observation's Code, each HTTP exchange and retry, and the AnA session events (the
// authentication with the credentials, renewals, refused credentials). A nil o observes
// nothing; without it a call costs nothing more. See CallInfo, CallEvent and CallResult.
func WithObserver(o Observer) Option {
	return func(c *config) { c.observer = o }
}

// endCall ends the observation of a call (nil: none) with the errorNumber of its Fault.
func endCall(call *soapx.Call, err error) {
	if call == nil {
		return
	}
	code := ""
	var re *ServiceError
	if errors.As(err, &re) {
		code = re.Code
	}
	call.End(err, code)
}
