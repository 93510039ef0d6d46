package dataset

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeName undoes .NET XmlConvert name encoding: every _xHHHH_ (four hex
// digits, one UTF-16 code unit) or _xHHHHHHHH_ (eight hex digits, one code
// point) becomes the character it stands for, so "Provisioning_x0020_Tasks"
// becomes "Provisioning Tasks". DataSet writes table and column names this
// way because element names cannot hold spaces and most punctuation.
//
// Escaped UTF-16 surrogate pairs are joined; a lone surrogate becomes
// U+FFFD. Text that is not a well-formed escape is kept as it is. A name
// without escapes is returned without allocating.
func DecodeName(s string) string {
	i := nextEscape(s, 0)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		r, n := escapeAt(s[i:])
		s = s[i+n:]
		if utf16.IsSurrogate(r) {
			if r2, n2 := escapeAt(s); n2 == 7 {
				if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
					r = c
					s = s[n2:]
				}
			}
		}
		b.WriteRune(r) // lone surrogates become U+FFFD
		i = nextEscape(s, 0)
	}
	b.WriteString(s)
	return b.String()
}

// nextEscape returns the index of the first well-formed escape in s at or
// after from, or -1.
func nextEscape(s string, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == '_' {
			if _, n := escapeAt(s[i:]); n > 0 {
				return i
			}
		}
	}
	return -1
}

// escapeAt decodes an escape at the start of s. It returns the rune and the
// escape's length (7 or 11), or 0 when s does not start with an escape.
// Eight-digit values beyond U+10FFFF are not escapes.
func escapeAt(s string) (rune, int) {
	if len(s) < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') {
		return 0, 0
	}
	v, ok := hexVal(s[2:6])
	if !ok {
		return 0, 0
	}
	if s[6] == '_' {
		return rune(v), 7
	}
	if len(s) < 11 || s[10] != '_' {
		return 0, 0
	}
	lo, ok := hexVal(s[6:10])
	if !ok {
		return 0, 0
	}
	v = v<<16 | lo
	if v > utf8.MaxRune {
		return 0, 0
	}
	return rune(v), 11
}

// looksLikeEscape reports whether the underscore at the start of s would
// read as the start of an escape once s is encoded: _[Xx]HHHH or
// _[Xx]HHHHHHHH followed by '_' or by a character that is itself written
// as an escape (which starts with '_'). .NET checks only the first case,
// so it can write names that do not decode back; this does not.
func looksLikeEscape(s string) bool {
	if len(s) < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	if _, ok := hexVal(s[2:6]); !ok {
		return false
	}
	if startsEscaped(s[6:]) {
		return true
	}
	if len(s) < 11 {
		return false
	}
	_, ok := hexVal(s[6:10])
	return ok && startsEscaped(s[10:])
}

// startsEscaped reports whether EncodeName writes s (not at the start of a
// name) beginning with '_'.
func startsEscaped(s string) bool {
	return s != "" && (s[0] == '_' || s[0] >= utf8.RuneSelf || !isNameByte(s[0], false))
}

func hexVal(s string) (uint32, bool) {
	var v uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// EncodeName encodes s the way .NET XmlConvert.EncodeLocalName does, so a
// fake server can write table and column names as DataSet does: a
// character that may not appear in an XML name becomes _xHHHH_ (or
// _xHHHHHHHH_ above U+FFFF), and an underscore that would otherwise read
// as the start of an escape becomes _x005F_.
//
// It is deliberately more conservative than .NET: only ASCII letters,
// digits, '_', '-' and '.' are kept (no digit, '-' or '.' first), so the
// result is a valid name for every XML parser, including encoding/xml,
// whose name tables predate XML 1.0 fifth edition. Where .NET keeps a
// non-ASCII letter such as "é", EncodeName escapes it; DecodeName gives
// the same name back for both. Invalid UTF-8 is encoded as U+FFFD.
func EncodeName(s string) string {
	var b strings.Builder
	last := 0 // s[last:i] is pending, copied verbatim
	for i, r := range s {
		ok := r < utf8.RuneSelf && isNameByte(byte(r), i == 0)
		if ok && r == '_' && looksLikeEscape(s[i:]) {
			ok = false
		}
		if ok {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[last:i])
		const hexdigits = "0123456789ABCDEF"
		b.WriteString("_x")
		digits := 4
		if r > 0xFFFF {
			digits = 8
		}
		for shift := (digits - 1) * 4; shift >= 0; shift -= 4 {
			b.WriteByte(hexdigits[(r>>shift)&0xF])
		}
		b.WriteByte('_')
		_, size := utf8.DecodeRuneInString(s[i:])
		last = i + size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isNameByte(c byte, first bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		return true
	case '0' <= c && c <= '9', c == '-', c == '.':
		return !first
	}
	return false
}
