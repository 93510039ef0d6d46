package soapx

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// DateTime is xs:dateTime as these services write it. It replaces gowsdl's
// soap.XSDDateTime, which reads zone-less values in time.Local, so the same answer meant
// different instants on different hosts. Here a zone-less value is UTC (WCF and ASMX send
// UTC timestamps without a zone), and output is always UTC.
//
// Accepted: "2024-05-01T10:20:30", with 0 to 9 fractional digits (.NET sends 7), with "Z" or
// a ±hh:mm offset, and date-only "2024-05-01" (optionally with a zone). Empty text (an
// xsi:nil="true" element is empty) gives the zero value, and the zero value is not written at
// all, so an optional element stays absent instead of becoming 0001-01-01.
type DateTime struct{ time.Time }

// String formats like the wire does.
func (t DateTime) String() string { return t.format() }

func (t DateTime) format() string {
	if t.IsZero() {
		return ""
	}
	u := t.UTC()
	if u.Nanosecond()%int(time.Millisecond) == 0 {
		return u.Format("2006-01-02T15:04:05.000Z")
	}
	// Sub-millisecond: up to 7 digits (100 ns ticks, .NET's resolution), trailing zeros
	// trimmed but never below milliseconds.
	s := u.Format("2006-01-02T15:04:05.0000000")
	for len(s) > len("2006-01-02T15:04:05.000") && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s + "Z"
}

// MarshalXML writes the UTC form, or nothing for the zero value.
func (t DateTime) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if t.IsZero() {
		return nil
	}
	return e.EncodeElement(t.format(), start)
}

// MarshalXMLAttr writes the UTC form, or omits the attribute for the zero value.
func (t DateTime) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	if t.IsZero() {
		return xml.Attr{}, nil
	}
	return xml.Attr{Name: name, Value: t.format()}, nil
}

// UnmarshalXMLAttr accepts the same forms as UnmarshalText.
func (t *DateTime) UnmarshalXMLAttr(a xml.Attr) error { return t.UnmarshalText([]byte(a.Value)) }

// MarshalText is the wire form, for JSON and text encoders.
func (t DateTime) MarshalText() ([]byte, error) { return []byte(t.format()), nil }

// UnmarshalText parses the wire form.
func (t *DateTime) UnmarshalText(b []byte) error {
	v, err := ParseDateTime(string(b))
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON overrides the method promoted from time.Time, so JSON shows the wire form.
func (t DateTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.format() + `"`), nil
}

// UnmarshalJSON accepts null, "" and the forms UnmarshalXML accepts.
func (t *DateTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		t.Time = time.Time{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("soapx: invalid JSON dateTime %s", s)
	}
	return t.UnmarshalText([]byte(s[1 : len(s)-1]))
}

// ParseDateTime parses an xs:dateTime or xs:date as DateTime does; zone-less is UTC.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	datePart, timePart, hasTime := strings.Cut(s, "T")
	if !hasTime {
		if len(datePart) == len("2006-01-02") {
			return parseIn("2006-01-02", s)
		}
		return parseIn("2006-01-02Z07:00", s)
	}
	if len(datePart) != len("2006-01-02") {
		return time.Time{}, fmt.Errorf("soapx: invalid xs:dateTime %q", s)
	}
	if hasZone(timePart) {
		// Fractional seconds of any length are accepted after the seconds when parsing.
		return parseIn("2006-01-02T15:04:05Z07:00", s)
	}
	return parseIn("2006-01-02T15:04:05", s)
}

func hasZone(timePart string) bool {
	return strings.HasSuffix(timePart, "Z") || strings.ContainsAny(timePart, "+-")
}

func parseIn(layout, s string) (time.Time, error) {
	v, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("soapx: invalid xs:dateTime %q", s)
	}
	return v, nil
}
