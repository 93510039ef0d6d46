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

// Error is a SOAP Fault answered by the service to an operation. ASMX wraps the exception the
// service threw as "Server was unable to process request. ---> <message>"; Message holds the
// part after the arrow, and Fault everything that was received.
//
// An Error whose message says the session is gone ("not connected") matches ErrSessionExpired;
// the Client has then already connected again once and retried the call once.
type Error struct {
	Op         string // wire operation, for example "GetProvisioningTasks"
	Code       string // local part of the fault code: "Server" or "Client" (1.1), "Receiver" or "Sender" (1.2)
	Message    string // the service's message, without ASMX's wrapper
	HTTPStatus int
	Fault      *soapx.Fault
}

// Error shows the fault as the runtime words it: shortened, and with anything that looks like
// a secret redacted, because a fault's text may echo request values. Message has it in full.
func (e *Error) Error() string {
	if e.Fault != nil {
		return "provisioning: " + e.Op + ": " + e.Fault.Error()
	}
	return fmt.Sprintf("provisioning: %s: %s: %s (HTTP %d)", e.Op, e.Code, e.Message, e.HTTPStatus)
}

// GoString is %#v with the message redacted as in Error: it may echo request values.
func (e *Error) GoString() string {
	if e == nil {
		return "(*provisioning.Error)(nil)"
	}
	return fmt.Sprintf("&provisioning.Error{Op:%q, Code:%q, Message:%q, HTTPStatus:%d, Fault:%#v}",
		e.Op, e.Code, soapx.RedactText(e.Message), e.HTTPStatus, e.Fault)
}

// Unwrap returns the Fault, so errors.As(err, &fault) and the runtime's own categories work.
func (e *Error) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

// Is reports ErrSessionExpired for a "not connected" fault.
func (e *Error) Is(target error) bool {
	return target == ErrSessionExpired && isNotConnected(e.Message)
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

// ConnectError is a Connect answered with a ConnectResult other than AUTH_SUCCESS. It matches
// ErrAuthentication.
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
	Op        string // wire operation
	TaskID    int
	UserNames []string
}

func (e *NotChangedError) Error() string {
	return fmt.Sprintf("provisioning: %s: the server answered false for task %d and %d user(s): nothing was changed",
		e.Op, e.TaskID, len(e.UserNames))
}

// Is reports ErrNotChanged.
func (e *NotChangedError) Is(target error) bool { return target == ErrNotChanged }

// opError gives an error of the runtime its operation: a Fault becomes an *Error, anything
// else is wrapped with the operation's name and stays reachable with errors.As/Is.
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ie *soapx.InputError
	if errors.As(err, &ie) {
		return err
	}
	var e *Error
	var ce *ConnectError
	var nc *NotChangedError
	if errors.As(err, &e) || errors.As(err, &ce) || errors.As(err, &nc) {
		return err
	}
	var f *soapx.Fault
	if errors.As(err, &f) {
		return &Error{Op: op, Code: f.Code, Message: faultMessage(f.Reason), HTTPStatus: f.HTTPStatus, Fault: f}
	}
	return fmt.Errorf("provisioning: %s: %w", op, err)
}
