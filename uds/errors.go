package uds

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
)

// Error numbers (userRegistryError/errorNumber) this package interprets.
//
// Documented ones come from Broadcom's published tables ("User Data Service Error Codes" and
// "AuthMinder Server Codes"). The inferred ones are not in any public material found (the UDS
// table we could read was truncated): they are the numbers the fake server udstest sends, and
// the single place to correct when a real server says otherwise. Unknown numbers are never
// dropped: a ServiceError always keeps the number and message the server sent. Numbers
// whose cause varies, such as the documented 31201 "Unable to process the database query" and
// 31006 "Configuration parameter not found", deliberately answer no category.
const (
	// CodeAccessDenied is AuthMinder's 1001 "Access is denied": the operation is protected and
	// the caller did not authenticate. The number and meaning are documented (AuthMinder server
	// codes); that UDS answers a missing or stale AnA token with it is inferred.
	CodeAccessDenied = "1001"
	// CodeNotInitialized is 31002 "UDS is not initialized.". Documented.
	CodeNotInitialized = "31002"
	// CodeFatalRestart is 31003 "Fatal error, restart UDS.". Documented.
	CodeFatalRestart = "31003"
	// CodeConfigMissing is 31006 "Configuration parameter, {0} not found.". Documented.
	CodeConfigMissing = "31006"
	// CodeDatabaseQuery is 31201 "Unable to process the database query, {0}.". Documented.
	CodeDatabaseQuery = "31201"

	// CodeTokenInvalid: the authToken sent is unknown to the server. Inferred, not documented.
	CodeTokenInvalid = "31101"
	// CodeTokenExpired: the authToken sent has expired (default lifetime one day). Inferred, not documented.
	CodeTokenExpired = "31102"
	// CodeBadCredential: userID/orgName/credential did not authenticate. Inferred, not documented.
	CodeBadCredential = "31103"
	// CodeNotAuthorized: authenticated, but not allowed to act on the organisation. Inferred, not documented.
	CodeNotAuthorized = "31104"
	// CodeInvalidInput: a request element is missing or has an invalid value. Inferred, not documented.
	CodeInvalidInput = "31004"
	// CodeUserNotFound: no such user in the organisation. Inferred, not documented.
	CodeUserNotFound = "31301"
	// CodeOrgNotFound: no such organisation. Inferred, not documented.
	CodeOrgNotFound = "31302"
)

// categories maps an error number to the shared categories it answers errors.Is with.
func categories(errorNumber string) []error {
	switch errorNumber {
	case CodeAccessDenied, CodeBadCredential:
		return []error{ErrAuthentication}
	case CodeTokenInvalid, CodeTokenExpired:
		return []error{ErrAuthentication, ErrSessionExpired}
	case CodeNotAuthorized:
		return []error{ErrPermissionDenied}
	case CodeUserNotFound, CodeOrgNotFound:
		return []error{ErrNotFound}
	case CodeInvalidInput:
		return []error{ErrInvalidInput}
	case CodeNotInitialized, CodeFatalRestart:
		return []error{ErrUnavailable}
	}
	return nil
}

// ServiceError is the service's answer to an operation when it is a failure: a SOAP 1.2
// Fault, normally carrying a userRegistryError detail (error number, message, context).
// Nothing the server said is dropped: unknown error numbers keep their number and message,
// and a Fault without that detail keeps its code and reason in Fault.
//
// errors.Is answers the shared categories:
//
//   - ErrAuthentication: 1001 "Access is denied", a refused credential, an unknown or expired
//     authToken (the Code constants);
//
//   - ErrSessionExpired: an unknown or expired authToken;
//
//   - ErrPermissionDenied: authenticated, but not allowed to act on the organisation;
//
//   - ErrNotFound: no such user or organisation (a *NotFoundError adds the numbers
//     WithErrorClasses declares ClassNotFound, and CodeAccountNotFound is one by default);
//
//   - ErrInvalidInput: a request element is missing or has an invalid value;
//
//   - ErrUnavailable: 31002 "UDS is not initialized", 31003 "Fatal error, restart UDS", or an
//     HTTP 503 answer;
//
//   - ErrProtocol: a VersionMismatch or MustUnderstand Fault without detail (the server could
//     not read the envelope).
//
// To read what the server said:
//
//	var se *uds.ServiceError
//	if errors.As(err, &se) {
//		log.Printf("UDS error %s: %s (transaction %s)", se.Code, se.Message, se.TransactionID)
//	}
type ServiceError struct {
	// Operation is the wire operation, e.g. "updateUserStatus".
	Operation string
	// Code is userRegistryError/errorNumber, an opaque string as the service defines it (see
	// the Code constants); "" when the Fault carried no userRegistryError.
	Code string
	// Message is userRegistryError/errorMessage; the Fault's reason when the Fault carried no
	// userRegistryError.
	Message string
	// HTTPStatus is the HTTP status of the answer (Axis2 answers every Fault with 500).
	HTTPStatus int
	// Fault is the SOAP 1.2 Fault as received: Code ("Sender", "Receiver"…), Subcodes, Reason
	// and the raw Detail.
	Fault *Fault
	// TransactionID is the udsTransactionID response header: quote it to CA support.
	TransactionID string
	// Context is userRegistryError/errorContext (optional on the wire).
	Context string
}

// Error shows what the server said with anything that looks like a secret redacted: a
// message may echo the request's AnA headers. The fields keep the text as received.
func (e *ServiceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "uds: %s: ", e.Operation)
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, "error %s: %s", soapx.RedactText(e.Code), soapx.RedactText(e.Message))
		if e.Context != "" {
			fmt.Fprintf(&b, " (context: %s)", soapx.RedactText(e.Context))
		}
	case e.Fault != nil:
		fmt.Fprintf(&b, "fault %s: %s", e.Fault.Code, soapx.RedactText(e.Message))
	default:
		b.WriteString(soapx.RedactText(e.Message))
	}
	if e.TransactionID != "" {
		fmt.Fprintf(&b, " [udsTransactionID %s]", e.TransactionID)
	}
	return b.String()
}

// GoString is %#v with the server's texts redacted as in Error.
func (e *ServiceError) GoString() string {
	if e == nil {
		return "(*uds.ServiceError)(nil)"
	}
	fault := "nil"
	if f := e.Fault; f != nil {
		fault = fmt.Sprintf("&uds.Fault{Code:%q, Subcodes:%#v, Reason:%q, HTTPStatus:%d}", f.Code, f.Subcodes,
			soapx.RedactText(f.Reason), f.HTTPStatus)
	}
	return fmt.Sprintf("&uds.ServiceError{Operation:%q, Code:%q, Message:%q, HTTPStatus:%d, Fault:%s, TransactionID:%q, "+
		"Context:%q}", e.Operation, soapx.RedactText(e.Code), soapx.RedactText(e.Message), e.HTTPStatus, fault,
		e.TransactionID, soapx.RedactText(e.Context))
}

// Is answers the shared categories listed on the type.
func (e *ServiceError) Is(target error) bool {
	for _, c := range categories(e.Code) {
		if c == target {
			return true
		}
	}
	switch target {
	case ErrProtocol:
		return e.Code == "" && e.Fault != nil && (e.Fault.Code == "VersionMismatch" || e.Fault.Code == "MustUnderstand")
	case ErrUnavailable:
		return e.HTTPStatus == 503
	}
	return false
}

// Unwrap gives the SOAP Fault, for errors.As(err, **uds.Fault); nil when there is none.
func (e *ServiceError) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

// newServiceError builds the service error from a SOAP 1.2 Fault.
func newServiceError(op string, f *soapx.Fault, txID string) *ServiceError {
	e := &ServiceError{
		Operation:     op,
		Message:       f.Reason,
		TransactionID: txID,
		HTTPStatus:    f.HTTPStatus,
		Fault:         f,
	}
	if len(f.Detail) > 0 {
		var detail registryErrorDetail
		if err := f.DecodeDetail(&detail); err == nil {
			e.Context = strings.TrimSpace(detail.ErrorContext)
			e.Code = strings.TrimSpace(detail.ErrorNumber)
			if e.Code != "" || strings.TrimSpace(detail.ErrorMessage) != "" {
				e.Message = strings.TrimSpace(detail.ErrorMessage)
			}
		}
	}
	return e
}

// asServiceError reports whether err is a ServiceError (possibly wrapped).
func asServiceError(err error) (*ServiceError, bool) {
	var se *ServiceError
	ok := errors.As(err, &se)
	return se, ok
}

// registryErrorDetail reads Detail/msgs:userRegistryError leniently: the children are matched
// by local name in any namespace (the XSD qualifies them with the UserSchema namespace, but a
// server that does not must not make us lose its error number).
type registryErrorDetail struct {
	XMLName      xml.Name `xml:"userRegistryError"`
	ErrorContext string   `xml:"errorContext"`
	ErrorMessage string   `xml:"errorMessage"`
	ErrorNumber  string   `xml:"errorNumber"`
}
