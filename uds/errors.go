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
// dropped: a RegistryError always keeps the number and message the server sent. Numbers
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

// RegistryError is a SOAP 1.2 Fault answered by the User Data Service, normally carrying a
// userRegistryError detail. Nothing the server said is dropped: unknown error numbers keep
// their number and message, and a Fault without detail keeps its code and reason.
//
//	var re *uds.RegistryError
//	if errors.As(err, &re) {
//		log.Printf("UDS error %s: %s (transaction %s)", re.ErrorNumber, re.ErrorMessage, re.TransactionID)
//	}
type RegistryError struct {
	Operation     string // wire operation, e.g. "updateUserStatus"
	FaultCode     string // SOAP 1.2 Code/Value, e.g. "Sender" or "Receiver"
	FaultSubcodes []string
	FaultReason   string
	ErrorContext  string // userRegistryError/errorContext (optional on the wire)
	ErrorMessage  string // userRegistryError/errorMessage
	ErrorNumber   string // userRegistryError/errorNumber, opaque (see the Code constants)
	TransactionID string // udsTransactionID response header: quote it to CA support
	HTTPStatus    int

	fault *soapx.Fault
}

// Error shows what the server said with anything that looks like a secret redacted: a
// message may echo the request's AnA headers. The fields keep the text as received.
func (e *RegistryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "uds: %s: ", e.Operation)
	switch {
	case e.ErrorNumber != "" || e.ErrorMessage != "":
		fmt.Fprintf(&b, "error %s: %s", soapx.RedactText(e.ErrorNumber), soapx.RedactText(e.ErrorMessage))
		if e.ErrorContext != "" {
			fmt.Fprintf(&b, " (context: %s)", soapx.RedactText(e.ErrorContext))
		}
	default:
		fmt.Fprintf(&b, "fault %s: %s", e.FaultCode, soapx.RedactText(e.FaultReason))
	}
	if e.TransactionID != "" {
		fmt.Fprintf(&b, " [udsTransactionID %s]", e.TransactionID)
	}
	return b.String()
}

// GoString is %#v with the server's texts redacted as in Error.
func (e *RegistryError) GoString() string {
	if e == nil {
		return "(*uds.RegistryError)(nil)"
	}
	return fmt.Sprintf("&uds.RegistryError{Operation:%q, FaultCode:%q, FaultSubcodes:%#v, FaultReason:%q, ErrorContext:%q, "+
		"ErrorMessage:%q, ErrorNumber:%q, TransactionID:%q, HTTPStatus:%d}", e.Operation, e.FaultCode, e.FaultSubcodes,
		soapx.RedactText(e.FaultReason), soapx.RedactText(e.ErrorContext), soapx.RedactText(e.ErrorMessage),
		soapx.RedactText(e.ErrorNumber), e.TransactionID, e.HTTPStatus)
}

// Is answers the shared categories: ErrAuthentication (1001 and token/credential failures),
// ErrSessionExpired (token failures), ErrPermissionDenied, ErrNotFound (user or organisation not found),
// ErrInvalidInput, ErrUnavailable (31002, 31003, HTTP 503) and ErrProtocol (a
// VersionMismatch or MustUnderstand Fault: the server could not read the envelope).
func (e *RegistryError) Is(target error) bool {
	for _, c := range categories(e.ErrorNumber) {
		if c == target {
			return true
		}
	}
	switch target {
	case ErrProtocol:
		return e.ErrorNumber == "" && (e.FaultCode == "VersionMismatch" || e.FaultCode == "MustUnderstand")
	case ErrUnavailable:
		return e.HTTPStatus == 503
	}
	return false
}

// Unwrap gives the SOAP Fault as the runtime decoded it, for errors.As(err, **soapx.Fault).
func (e *RegistryError) Unwrap() error {
	if e.fault == nil {
		return nil
	}
	return e.fault
}

// newRegistryError builds the service error from a SOAP 1.2 Fault.
func newRegistryError(op string, f *soapx.Fault, txID string) *RegistryError {
	e := &RegistryError{
		Operation:     op,
		FaultCode:     f.Code,
		FaultSubcodes: f.Subcodes,
		FaultReason:   f.Reason,
		TransactionID: txID,
		HTTPStatus:    f.HTTPStatus,
		fault:         f,
	}
	if len(f.Detail) > 0 {
		var detail registryErrorDetail
		if err := f.DecodeDetail(&detail); err == nil {
			e.ErrorContext = strings.TrimSpace(detail.ErrorContext)
			e.ErrorMessage = strings.TrimSpace(detail.ErrorMessage)
			e.ErrorNumber = strings.TrimSpace(detail.ErrorNumber)
		}
	}
	return e
}

// asRegistryError reports whether err is a RegistryError (possibly wrapped).
func asRegistryError(err error) (*RegistryError, bool) {
	var re *RegistryError
	ok := errors.As(err, &re)
	return re, ok
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
