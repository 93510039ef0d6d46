package cas

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinels of this service only.
var (
	// ErrMasterUserNotFound: the server answered 1036 MasterUserNotFound, the household has
	// no master user.
	ErrMasterUserNotFound = errors.New("cas: household has no master user (1036 MasterUserNotFound)")

	// ErrTaskFailed: the server answered its generic code 1 "Error". For Delete this is what
	// a household without a master user gives (the user's recordings have nowhere to go), or a
	// failed recordings update; for DeleteDomain, any exception on the server. The server says
	// nothing more, so neither can this error.
	ErrTaskFailed = errors.New("cas: the server could not complete the task (1 Error)")
)

// StatusError is a Status whose Code is not 0: what the server said, all of it.
//
// errors.Is answers the shared categories:
//   - 1006 DomainNotExists, 1020 UserNotExistsInDomain, 2000 UserDoesNotExist and
//     1005 UserNotInDomain are ErrNotFound;
//   - 1009 DomainSuspended and 2001 UserSuspended are ErrPermissionDenied;
//   - 1036 MasterUserNotFound is ErrMasterUserNotFound;
//   - 1 Error is ErrTaskFailed;
//   - the cancellations' codes as cancellationCodeIs says (3000 and 3081 ErrNotFound, 3002
//     ErrNotRenewing, 3001/3005/3068/3069/3074 ErrCancellationRefused);
//   - a Status that comes with HTTP 404 is how the server rejects the web-service credentials
//     (sWSUserName/sWSPassword): that is ErrAuthentication, and only that, whatever the code;
//   - any other code matches no category and keeps its Code and Message.
type StatusError struct {
	Operation  string     // wire operation, "HandleUserTask"
	Code       Code       // Status.Code, never 0 here
	Message    string     // Status.Message, as sent
	Args       []KeyValue // Status.Args, as sent (usually empty)
	HTTPStatus int        // HTTP status of the answer (200, or 404 for bad credentials)
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cas: %s: ", e.Operation)
	if e.authentication() {
		b.WriteString("web-service credentials (sWSUserName/sWSPassword) rejected: ")
	}
	fmt.Fprintf(&b, "code %d %s", int(e.Code), e.Code)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %q", e.Message)
	}
	for _, a := range e.Args {
		fmt.Fprintf(&b, " [%s=%q]", a.Key, a.Value)
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	return b.String()
}

// Is reports whether the server's answer falls in the category target; see StatusError.
func (e *StatusError) Is(target error) bool {
	if e.authentication() {
		return target == ErrAuthentication
	}
	switch e.Code {
	case CodeDomainNotExists, CodeUserNotExistsInDomain, CodeUserDoesNotExist, CodeUserNotInDomain:
		return target == ErrNotFound
	case CodeDomainSuspended, CodeUserSuspended:
		return target == ErrPermissionDenied
	case CodeMasterUserNotFound:
		return target == ErrMasterUserNotFound
	case CodeError:
		return target == ErrTaskFailed
	}
	return cancellationCodeIs(e.Code, target)
}

// authentication: the ASMX module sets HTTP 404 on the response, with a normal Status body,
// exactly when it cannot map (sWSUserName, sWSPassword) to a partner.
func (e *StatusError) authentication() bool { return e.HTTPStatus == http.StatusNotFound }

// EndpointError is an HTTP 404 that carries no SOAP answer: nothing is listening at that URL,
// so the endpoint is probably wrong (the service lives at …/ws_cas_module.asmx). It is not a
// credentials problem: the service answers bad credentials with a SOAP body.
// Unwrap gives the runtime's *HTTPError with the status and a body excerpt.
type EndpointError struct {
	Operation string
	URL       string // the URL that answered 404
	Err       error  // *HTTPError
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("cas: %s: HTTP 404 without a SOAP answer from %s: the endpoint URL is probably wrong (expected https://<host>/ws_cas_module.asmx): %v",
		e.Operation, e.URL, e.Err)
}

func (e *EndpointError) Unwrap() error { return e.Err }
