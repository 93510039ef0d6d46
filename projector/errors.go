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

// ServiceError is a PWS request the service answered with a failure: a response with Status
// Fail (or with no known Status, or with a successful one under an HTTP error status), or a
// SOAP Fault (a PwsFault carries its PwsMessages in the detail). It keeps everything the
// server said.
//
// errors.Is answers the shared categories from the messages (any of them, not only the first):
//
//	50024 EntityNotFound                            → ErrNotFound
//	50045 ViewPermissionDenied                      → ErrPermissionDenied
//	10004 InvalidSessionTicket, -101 InvalidSession → ErrSessionExpired
//	10016 RequestExceededRateLimit                  → ErrRateLimited
//	PwsAuthenticate refused otherwise               → ErrAuthentication
//
// A Fault without PwsMessages (WCF's own ActionNotSupported or DeserializationFailed) matches
// no category. Unwrap returns the *Fault when there was one.
type ServiceError struct {
	// Operation is the wire operation, e.g. "PwsDeleteUser".
	Operation string
	// Code is the ErrorNumber of the first message of Type Error (of the first message when
	// none is of Type Error); 0 when there is no message or it carries no number. Use Has to
	// look for a number among all the messages.
	Code int
	// Message is the ErrorText of that message, as sent and scrubbed of the client's secrets;
	// for a Fault without messages, the Fault's reason.
	Message string
	// HTTPStatus is the HTTP status of the answer.
	HTTPStatus int
	// Fault is the SOAP Fault when the answer was one; nil otherwise.
	Fault *Fault
	// TransactionID is the answer's ResponseId (the echo of the request's RequestId) in
	// decimal; "" when the answer had none (PwsAuthenticate is sent without RequestId).
	TransactionID string
	// Status is the RequestStatus as sent; empty when the answer was a SOAP Fault.
	Status Status
	// Messages are every PwsMessage of the answer, in the server's order.
	Messages []Message
}

// newServiceError fills Code and Message from the messages (and the fault).
func newServiceError(op string, httpStatus int, status Status, responseID int32, msgs []Message, f *Fault) *ServiceError {
	e := &ServiceError{Operation: op, HTTPStatus: httpStatus, Fault: f, Status: status, Messages: msgs}
	if responseID != 0 {
		e.TransactionID = strconv.FormatInt(int64(responseID), 10)
	}
	if len(msgs) > 0 {
		first := msgs[0]
		for _, m := range msgs {
			if m.Type == MessageError {
				first = m
				break
			}
		}
		e.Code, e.Message = first.ErrorNumber, first.ErrorText
	} else if f != nil {
		e.Message = f.Reason
	}
	return e
}

func (e *ServiceError) Error() string {
	var b strings.Builder
	b.WriteString("projector: ")
	b.WriteString(e.Operation)
	b.WriteString(": ")
	switch {
	case e.Fault != nil:
		b.WriteString("SOAP Fault ")
		b.WriteString(e.Fault.Code)
		if e.Fault.Reason != "" {
			b.WriteString(" ")
			b.WriteString(strconv.Quote(soapx.RedactText(e.Fault.Reason)))
		}
	case e.Status == "":
		b.WriteString("response without Status")
	default:
		b.WriteString("Status ")
		b.WriteString(string(e.Status))
	}
	writeMessages(&b, e.Messages)
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
	fault := "nil"
	if e.Fault != nil {
		fault = e.Fault.GoString()
	}
	return fmt.Sprintf("&projector.ServiceError{Operation:%q, Code:%d, Message:%q, HTTPStatus:%d, Fault:%s, TransactionID:%q, Status:%q, Messages:%#v}",
		e.Operation, e.Code, soapx.RedactText(e.Message), e.HTTPStatus, fault, e.TransactionID, e.Status, msgs)
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

// Unwrap returns the SOAP Fault, if any.
func (e *ServiceError) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

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

// writeMessages appends ": " and the messages, redacted as Error redacts them, separated by
// "; ".
func writeMessages(b *strings.Builder, ms []Message) {
	for i, m := range ms {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(soapx.RedactText(m.String()))
	}
}
