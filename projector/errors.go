package projector

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
)

// Errors of this package only.
var (
	// ErrRedirectRefused: PwsAuthenticate answered with a RedirectUrl this client will not
	// follow (foreign host, plain http, a loop, too many hops). The credentials were not sent
	// there. The *RedirectError says why.
	ErrRedirectRefused = errors.New("projector: RedirectUrl refused")
)

// PwsMessage error numbers documented by Projector.
const (
	CodeInvalidSession                   = -101  // InvalidSession: re-establish a session
	CodeRowCountExceeded                 = 104   // RowCountExceeded (warning with Status Ok)
	CodeAtLeastOneItemNotFound           = 105   // AtLeastOneItemNotFound (warning with Status Ok)
	CodeInvalidSessionTicket             = 10004 // InvalidSessionTicket
	CodeRequestExceededRateLimit         = 10016 // RequestExceededRateLimit
	CodeInvalidEnumerationValueSpecified = 10126 // InvalidEnumerationValueSpecified
	CodeEntityNotFound                   = 50024 // EntityNotFound ("Entity PwsUserRef was not found.")
	CodeViewPermissionDenied             = 50045 // ViewPermissionDenied
)

// codeNames are the documented mnemonics (PwsMessage.ErrorCode) of the numbers above, used
// when a message carries the mnemonic without the number.
var codeNames = map[int]string{
	CodeInvalidSession:                   "InvalidSession",
	CodeRowCountExceeded:                 "RowCountExceeded",
	CodeAtLeastOneItemNotFound:           "AtLeastOneItemNotFound",
	CodeInvalidSessionTicket:             "InvalidSessionTicket",
	CodeRequestExceededRateLimit:         "RequestExceededRateLimit",
	CodeInvalidEnumerationValueSpecified: "InvalidEnumerationValueSpecified",
	CodeEntityNotFound:                   "EntityNotFound",
	CodeViewPermissionDenied:             "ViewPermissionDenied",
}

// ServiceError is a PWS request that did not succeed: a response with Status Fail (or no
// known Status), or a SOAP Fault (a PwsFault carries its PwsMessages in the detail). It keeps
// everything the server said; errors.Is maps the messages to the shared categories:
//
//	50024 EntityNotFound                            → ErrNotFound
//	50045 ViewPermissionDenied                      → ErrPermissionDenied
//	10004 InvalidSessionTicket, -101 InvalidSession → ErrSessionExpired
//	10016 RequestExceededRateLimit                  → ErrRateLimited
//	PwsAuthenticate refused otherwise               → ErrAuthentication
type ServiceError struct {
	Operation  string    // wire operation, e.g. "PwsDeleteUser"
	Status     Status    // as sent; empty when the answer was a SOAP Fault
	Messages   []Message // every message, in the server's order
	ResponseID int       // the response's ResponseId (the echo of RequestId), if any
	HTTPStatus int

	// FaultCode and FaultReason are the SOAP Fault's faultcode and faultstring when the
	// error came as a Fault.
	FaultCode   string
	FaultReason string

	fault error // the *soapx.Fault, when there was one
}

func (e *ServiceError) Error() string {
	var b strings.Builder
	b.WriteString("projector: ")
	b.WriteString(e.Operation)
	b.WriteString(": ")
	switch {
	case e.FaultCode != "" || e.FaultReason != "":
		b.WriteString("SOAP Fault ")
		b.WriteString(e.FaultCode)
		if e.FaultReason != "" {
			b.WriteString(" ")
			b.WriteString(strconv.Quote(soapx.RedactText(e.FaultReason)))
		}
	case e.Status == "":
		b.WriteString("response without Status")
	default:
		b.WriteString("Status ")
		b.WriteString(string(e.Status))
	}
	for i, m := range e.Messages {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(soapx.RedactText(m.String()))
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteByte(')')
	}
	return b.String()
}

// GoString is %#v with the server's texts redacted as in Error: a reason or message may
// echo the request (the password of PwsAuthenticate).
func (e *ServiceError) GoString() string {
	if e == nil {
		return "(*projector.ServiceError)(nil)"
	}
	msgs := make([]Message, len(e.Messages))
	for i, m := range e.Messages {
		m.ErrorCode, m.ErrorText = soapx.RedactText(m.ErrorCode), soapx.RedactText(m.ErrorText)
		m.AdditionalErrorText = soapx.RedactText(m.AdditionalErrorText)
		msgs[i] = m
	}
	return fmt.Sprintf("&projector.ServiceError{Operation:%q, Status:%q, Messages:%#v, ResponseID:%d, HTTPStatus:%d, FaultCode:%q, FaultReason:%q}",
		e.Operation, e.Status, msgs, e.ResponseID, e.HTTPStatus, e.FaultCode, soapx.RedactText(e.FaultReason))
}

// Has reports whether the server sent the message with the given error number.
func (e *ServiceError) Has(number int) bool { return hasMessage(e.Messages, number) }

// Is maps the messages to the shared error categories (see the type's doc).
func (e *ServiceError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Has(CodeEntityNotFound)
	case ErrPermissionDenied:
		return e.Has(CodeViewPermissionDenied)
	case ErrSessionExpired:
		return e.Has(CodeInvalidSessionTicket) || e.Has(CodeInvalidSession)
	case ErrRateLimited:
		return e.Has(CodeRequestExceededRateLimit)
	case ErrAuthentication:
		// Projector does not document the bad-credentials message, so any refusal of
		// PwsAuthenticate is one, except being rate limited, which says nothing about them.
		// A Fault without PwsMessages (WCF's own ActionNotSupported…) is about the request,
		// not the credentials.
		return e.Operation == opAuthenticate && !e.Has(CodeRequestExceededRateLimit) &&
			(e.Status != "" || len(e.Messages) > 0)
	}
	return false
}

// Unwrap returns the SOAP Fault underneath, if any.
func (e *ServiceError) Unwrap() error { return e.fault }

// RedirectError is a RedirectUrl from PwsAuthenticate that the client refused to follow.
// It is ErrRedirectRefused.
type RedirectError struct {
	URL    string // the RedirectUrl as received (user info removed)
	Reason string
}

func (e *RedirectError) Error() string {
	return "projector: PwsAuthenticate RedirectUrl " + strconv.Quote(e.URL) + " refused: " + e.Reason
}

// Is reports ErrRedirectRefused.
func (e *RedirectError) Is(target error) bool { return target == ErrRedirectRefused }
