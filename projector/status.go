package projector

import (
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
)

// Status is a PWS RequestStatus: how the server says a request went.
type Status string

// The documented RequestStatus values. Messages can come with any of them, Ok included.
const (
	StatusOk             Status = "Ok"
	StatusOkWithWarnings Status = "OkWithWarnings"
	StatusFail           Status = "Fail"
)

// succeeded reports whether the request was carried out. Anything but Ok and OkWithWarnings
// (Fail, a value this package does not know, or no Status at all) is a failure: with WCF a
// missing answer must never read as success.
func (s Status) succeeded() bool { return s == StatusOk || s == StatusOkWithWarnings }

// MessageType is a PwsMessage's severity, in increasing order Information, Warning, Error.
type MessageType string

// The documented MessageType values.
const (
	MessageInformation MessageType = "Information"
	MessageWarning     MessageType = "Warning"
	MessageError       MessageType = "Error"
)

// Message is one PwsMessage, as the server sent it.
type Message struct {
	Type                MessageType
	ErrorNumber         int    // e.g. 50024; see the Code… constants
	ErrorCode           string // the mnemonic, e.g. "EntityNotFound"
	ErrorText           string
	AdditionalErrorText string
	// ReferenceID1 and ReferenceID2 tie a message to an input item of the request. Zero when
	// the server sent none (xsi:nil).
	ReferenceID1 int
	ReferenceID2 int
}

// Is reports whether m is the message with the given error number. A message that carries
// only the mnemonic (no ErrorNumber) matches by its documented ErrorCode.
func (m Message) Is(number int) bool {
	if m.ErrorNumber != 0 {
		return m.ErrorNumber == number
	}
	name, ok := codeNames[number]
	return ok && strings.EqualFold(m.ErrorCode, name)
}

// String renders the message on one line: "Warning 105 AtLeastOneItemNotFound: At least one…".
func (m Message) String() string {
	var b strings.Builder
	if m.Type != "" {
		b.WriteString(string(m.Type))
		b.WriteByte(' ')
	}
	if m.ErrorNumber != 0 {
		b.WriteString(strconv.Itoa(m.ErrorNumber))
		b.WriteByte(' ')
	}
	b.WriteString(m.ErrorCode)
	if m.ErrorText != "" {
		b.WriteString(": ")
		b.WriteString(m.ErrorText)
	}
	if m.AdditionalErrorText != "" {
		b.WriteString(" (")
		b.WriteString(m.AdditionalErrorText)
		b.WriteByte(')')
	}
	return strings.TrimSpace(b.String())
}

// hasMessage reports whether any of msgs is the message with the given error number.
func hasMessage(msgs []Message, number int) bool {
	for _, m := range msgs {
		if m.Is(number) {
			return true
		}
	}
	return false
}

func messagesFromWire(a *projectorwsdl.ArrayOfPwsMessage) []Message {
	if a == nil || len(a.PwsMessage) == 0 {
		return nil
	}
	out := make([]Message, 0, len(a.PwsMessage))
	for _, w := range a.PwsMessage {
		if w == nil {
			continue
		}
		m := Message{
			ErrorNumber:         int(w.ErrorNumber),
			ErrorCode:           w.ErrorCode,
			ErrorText:           w.ErrorText,
			AdditionalErrorText: w.AdditionalErrorText,
		}
		if w.Type != nil {
			m.Type = MessageType(*w.Type)
		}
		if w.ReferenceId1 != nil {
			m.ReferenceID1 = int(*w.ReferenceId1)
		}
		if w.ReferenceId2 != nil {
			m.ReferenceID2 = int(*w.ReferenceId2)
		}
		out = append(out, m)
	}
	return out
}
