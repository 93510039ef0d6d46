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

// ServiceError is the service's answer to an operation that failed: a Status whose Code is
// not 0 (or that came with a non-2xx HTTP status), or a SOAP Fault (Fault set, Code 0,
// Message the fault's reason). It keeps what the server said, all of it.
//
// errors.Is answers the shared categories:
//   - 1006 DomainNotExists, 1020 UserNotExistsInDomain, 2000 UserDoesNotExist and
//     1005 UserNotInDomain are ErrNotFound;
//   - 1009 DomainSuspended and 2001 UserSuspended are ErrPermissionDenied;
//   - 1036 MasterUserNotFound is ErrMasterUserNotFound;
//   - 1 Error is ErrTaskFailed;
//   - the cancellations' codes: 3000 InvalidPurchase and 3081 SubscriptionDoesNotExist are
//     ErrNotFound, 3002 SubscriptionNotRenewable is ErrNotRenewing, and 3001, 3005, 3068,
//     3069 and 3074 are ErrCancellationRefused;
//   - a Status that comes with HTTP 404 is how the server rejects the web-service credentials
//     (sWSUserName/sWSPassword): that is ErrAuthentication, and only that, whatever the code;
//   - a SOAP Fault matches no category (errors.As reaches the *Fault through Unwrap);
//   - any other code matches no category and keeps its Code and Message.
type ServiceError struct {
	// Operation is the wire operation, e.g. "HandleUserTask" or "CancelSubscriptionRenewal".
	Operation string
	// Code is Status.Code, the server's eResponseStatus (an open set); 0 for a SOAP Fault.
	Code Code
	// Message is Status.Message as sent, or the SOAP Fault's reason (scrubbed of secrets).
	Message string
	// HTTPStatus is the HTTP status of the answer (200, or 404 for refused credentials, 500
	// for a Fault).
	HTTPStatus int
	// Fault is the SOAP Fault when the server answered with one; nil otherwise.
	Fault *Fault
	// Args is Status.Args as sent (usually empty; scrubbed of secrets).
	Args []KeyValue
}

func (e *ServiceError) Error() string {
	if e.Fault != nil {
		return fmt.Sprintf("cas: %s: %v", e.Operation, e.Fault)
	}
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

// GoString shows every field (the Fault as its own GoString, which redacts as Error does).
func (e *ServiceError) GoString() string {
	if e == nil {
		return "(*cas.ServiceError)(nil)"
	}
	fault := "nil"
	if e.Fault != nil {
		fault = e.Fault.GoString()
	}
	return fmt.Sprintf("&cas.ServiceError{Operation:%q, Code:%d, Message:%q, HTTPStatus:%d, Fault:%s, Args:%#v}",
		e.Operation, int(e.Code), e.Message, e.HTTPStatus, fault, e.Args)
}

// Is reports whether the server's answer falls in the category target; see ServiceError.
func (e *ServiceError) Is(target error) bool {
	if e.Fault != nil {
		return false
	}
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

// Unwrap returns the SOAP Fault when the answer was one, nil otherwise.
func (e *ServiceError) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

// answered reports whether the server ran the operation far enough to check the credentials:
// a Status was answered (a Fault is answered before).
func (e *ServiceError) answered() bool { return e.Fault == nil }

// authentication: the ASMX module sets HTTP 404 on the response, with a normal Status body,
// exactly when it cannot map (sWSUserName, sWSPassword) to a partner.
func (e *ServiceError) authentication() bool { return e.HTTPStatus == http.StatusNotFound }

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
