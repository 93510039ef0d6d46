package provisioning

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
)

// ErrNotChanged is matched by a *NotChangedError: the server answered false to a change.
var ErrNotChanged = errors.New("provisioning: nothing was changed")

// ServiceError is the service's answer to an operation when that answer is a failure: either
// a SOAP Fault (ASMX wraps the exception the service threw as "Server was unable to process
// request. ---> <message>"; Fault holds everything received, Code is empty and Message the
// part after the arrow), or, for the token operations whose result is a code (RevokeToken,
// RemoveUser), a result that is not a success (Code holds it as the server spelled it,
// Message says what it means, Fault is nil).
//
// errors.Is categories:
//   - ErrSessionExpired: a Fault saying the session is gone ("not connected"); the Client
//     has then already logged in again once and retried the call once.
//   - ErrRevokeFailed: RevokeToken answered Fail, failRevokeTemp or SuccessFail.
//   - ErrLastAuthenticator and ErrPermissionDenied: RevokeToken answered LastAuth.
//   - ErrUserNotRemoved: RemoveUser answered anything but Deleted.
//   - and, through Unwrap, whatever the *Fault answers.
//
// A result this package does not know matches only its operation's failure sentinel, if any.
type ServiceError struct {
	// Operation is the wire operation, for example "GetProvisioningTasks" or "RevokeToken".
	Operation string
	// Code is the raw result the service returned to a result-typed operation (a RevokeResult
	// such as "Fail" or "LastAuth", a UserDeleteResult), kept as sent; "" for a Fault (its
	// fault code is Fault.Code).
	Code string
	// Message is the service's message: the text after ASMX's "--->" for a Fault, or what the
	// result means. Secrets the client knows are scrubbed from it.
	Message string
	// HTTPStatus is the HTTP status of the answer (200 for a result code).
	HTTPStatus int
	// Fault is the SOAP Fault when the answer was one; nil otherwise.
	Fault *Fault
	// Serial is the token of a RevokeToken result ("" otherwise).
	Serial string
	// UserName is the user of a RevokeToken or RemoveUser result ("" otherwise).
	UserName string
}

// Error shows the fault as the runtime words it: shortened, and with anything that looks like
// a secret redacted, because a fault's text may echo request values. Message has it in full.
func (e *ServiceError) Error() string {
	if e.Fault != nil {
		return "provisioning: " + e.Operation + ": " + e.Fault.Error()
	}
	switch {
	case e.Serial != "":
		return fmt.Sprintf("provisioning: %s: token %q of user %q: the server answered %q (%s)", e.Operation, e.Serial, e.UserName, e.Code, e.Message)
	case e.UserName != "":
		return fmt.Sprintf("provisioning: %s: user %q: the server answered %q (%s)", e.Operation, e.UserName, e.Code, e.Message)
	}
	return fmt.Sprintf("provisioning: %s: %q: %s (HTTP %d)", e.Operation, e.Code, soapx.RedactText(e.Message), e.HTTPStatus)
}

// GoString is %#v with the message redacted as in Error: it may echo request values.
func (e *ServiceError) GoString() string {
	if e == nil {
		return "(*provisioning.ServiceError)(nil)"
	}
	return fmt.Sprintf("&provisioning.ServiceError{Operation:%q, Code:%q, Message:%q, HTTPStatus:%d, Fault:%#v, Serial:%q, UserName:%q}",
		e.Operation, e.Code, soapx.RedactText(e.Message), e.HTTPStatus, e.Fault, e.Serial, e.UserName)
}

// Unwrap returns the Fault, so errors.As(err, &fault) and the runtime's own categories work.
func (e *ServiceError) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

// Is maps the answer to the package's categories (see ServiceError).
func (e *ServiceError) Is(target error) bool {
	if e.Fault != nil {
		return target == ErrSessionExpired && isNotConnected(e.Message)
	}
	switch e.Operation {
	case opRemoveUser:
		return target == ErrUserNotRemoved
	case opRevokeToken:
		switch RevokeResult(e.Code) {
		case RevokeLastAuth:
			return target == ErrLastAuthenticator || target == ErrPermissionDenied
		case RevokeFail, RevokeFailRevokeTemp, RevokeSuccessFail:
			return target == ErrRevokeFailed
		}
	}
	return false
}

// asmxPrefix is how ASMX words a Fault made from an exception the web method threw.
const asmxPrefix = "Server was unable to process request."

// faultMessage removes ASMX's wrapper from a fault reason. Nested exceptions keep their
// arrows: "A ---> B" means B caused A.
func faultMessage(reason string) string {
	msg := strings.TrimSpace(reason)
	if rest, ok := strings.CutPrefix(msg, asmxPrefix); ok {
		rest = strings.TrimSpace(rest)
		if after, ok := strings.CutPrefix(rest, "--->"); ok {
			return strings.TrimSpace(after)
		}
		if rest != "" {
			return rest
		}
	}
	return msg
}

// isNotConnected reports whether a fault message says that the call had no live session.
//
// Inferred: the exact wording is not documented. A "connect first" ASMX service is seen
// answering "you are not connected"; matching on "not connected" (any case) also covers
// "Not connected to the server" and similar. Changing the wording is a change here only.
func isNotConnected(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "not connected")
}

// ConnectError is a login (the Connect operation) answered with a ConnectResult other than
// AUTH_SUCCESS. It matches ErrAuthentication.
type ConnectError struct {
	Result ConnectResult
	// Challenge is the challenge text the server sent with the result, if any. It may be
	// secret (a server-provided PIN, for example): it is never part of Error() or GoString().
	Challenge string
}

func (e *ConnectError) Error() string {
	s := fmt.Sprintf("provisioning: Connect: %s: %s", e.Result, e.Result.describe())
	if e.Challenge != "" {
		s += " (the server sent a challenge)"
	}
	return s
}

// Is reports ErrAuthentication.
func (e *ConnectError) Is(target error) bool { return target == ErrAuthentication }

// GoString keeps the challenge out of %#v.
func (e *ConnectError) GoString() string {
	return fmt.Sprintf("&provisioning.ConnectError{Result:%q, Challenge:<%d bytes, not shown>}", e.Result, len(e.Challenge))
}

// Format keeps the challenge out of every fmt verb, also for a ConnectError value, whose
// exported fields fmt would otherwise print: %#v is GoString, anything else Error.
func (e ConnectError) Format(f fmt.State, verb rune) {
	s := e.Error()
	if verb == 'v' && f.Flag('#') {
		s = e.GoString()
	}
	_, _ = io.WriteString(f, s)
}

// NotChangedError is a RemoveUsersFromProvisioningTask or UpdateProvisioningStopDate answered
// with false: the server changed nothing (for example because none of the users is in the
// task). It matches ErrNotChanged.
type NotChangedError struct {
	Operation string // wire operation
	TaskID    int
	UserNames []string
}

func (e *NotChangedError) Error() string {
	return fmt.Sprintf("provisioning: %s: the server answered false for task %d and %d user(s): nothing was changed",
		e.Operation, e.TaskID, len(e.UserNames))
}

// Is reports ErrNotChanged.
func (e *NotChangedError) Is(target error) bool { return target == ErrNotChanged }

// opError gives an error of the runtime its operation: a Fault becomes a *ServiceError, anything
// else is wrapped with the operation's name and stays reachable with errors.As/Is.
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ie *soapx.InputError
	if errors.As(err, &ie) {
		return err
	}
	var e *ServiceError
	var ce *ConnectError
	var nc *NotChangedError
	if errors.As(err, &e) || errors.As(err, &ce) || errors.As(err, &nc) {
		return err
	}
	var f *soapx.Fault
	if errors.As(err, &f) {
		return &ServiceError{Operation: op, Message: faultMessage(f.Reason), HTTPStatus: f.HTTPStatus, Fault: f}
	}
	return fmt.Errorf("provisioning: %s: %w", op, err)
}
