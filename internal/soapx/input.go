package soapx

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// CheckText refuses a string that cannot travel in an XML request unchanged: invalid UTF-8,
// control characters other than tab, CR and LF (C0, DEL and C1), and the code points XML
// forbids (U+FFFE, U+FFFF). encoding/xml would replace them by U+FFFD on the wire, so two
// different inputs would name the same user; they are an *InputError naming field instead,
// before anything is sent. The reason gives the byte offset, never the value (it may be a
// secret).
func CheckText(field, s string) error {
	if reason := TextProblem(s); reason != "" {
		return &InputError{Field: field, Reason: reason}
	}
	return nil
}

// TextProblem is CheckText's test without the error: "" when s may be sent, otherwise the
// reason. It does not allocate when s is fine, so a caller can build a field name (a
// fmt.Sprintf of an index) only when it has to.
func TextProblem(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return fmt.Sprintf("control character U+%04X at byte %d", c, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return "invalid UTF-8 at byte " + strconv.Itoa(i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("control character U+%04X at byte %d", r, i)
		case r == 0xfffe || r == 0xffff:
			return fmt.Sprintf("U+%04X (not allowed in XML) at byte %d", r, i)
		}
		i += n
	}
	return ""
}

// CheckTexts is CheckText for each of pairs (field, value, field, value…), stopping at the
// first refusal.
func CheckTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckText(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// CheckDateTime refuses a time that xs:dateTime as .NET reads it cannot carry: a year
// outside 1 to 9999 once in UTC, the form DateTime writes. The zero time is accepted (it
// means "not sent").
func CheckDateTime(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return &InputError{Field: field, Reason: "year " + strconv.Itoa(y) + " is outside 1 to 9999 (the range of xs:dateTime in .NET)"}
	}
	return nil
}
