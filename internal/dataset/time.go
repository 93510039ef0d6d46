package dataset

import (
	"errors"
	"sync"
	"time"
)

var errBadTime = errors.New("not a .NET date/time (want YYYY-MM-DD[Thh:mm:ss[.fffffff]][Z|±hh:mm])")

// ParseTime parses the date/time forms a .NET DataSet writes for DateTime
// columns (xs:dateTime and xs:date):
//
//	2024-05-01
//	2024-05-01T10:20:30
//	2024-05-01T10:20:30.1234567   (any number of fraction digits; beyond 9 are dropped)
//	2024-05-01T10:20:30Z
//	2024-05-01T10:20:30+02:00     (also on a date-only value)
//
// A value without a zone (DateTimeMode Unspecified, or a date) is taken as
// UTC, never time.Local, so the result does not depend on the host that
// decodes it. "Z" and a zero offset give time.UTC; any other offset gives a
// fixed zone with that offset and no name. time.Parse is not used because
// it rejects zone-less values with RFC 3339 layouts and picks time.Local
// for an offset that matches the host's zone.
func ParseTime(s string) (time.Time, error) { return parseTime(s) }

// parseTime is ParseTime for both strings and the decoder's byte buffer,
// without converting (and so allocating) either.
func parseTime[S string | []byte](s S) (time.Time, error) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, errBadTime
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return time.Time{}, errBadTime
	}
	s = s[10:]
	var hour, minute, sec, nsec int
	if len(s) > 0 && s[0] == 'T' {
		if len(s) < 9 || s[3] != ':' || s[6] != ':' {
			return time.Time{}, errBadTime
		}
		var ok4, ok5, ok6 bool
		hour, ok4 = digits(s[1:3])
		minute, ok5 = digits(s[4:6])
		sec, ok6 = digits(s[7:9])
		if !ok4 || !ok5 || !ok6 || hour > 23 || minute > 59 || sec > 59 {
			return time.Time{}, errBadTime
		}
		s = s[9:]
		if len(s) > 0 && s[0] == '.' {
			i := 1
			scale := 100_000_000
			for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
				nsec += int(s[i]-'0') * scale
				scale /= 10
			}
			if i == 1 {
				return time.Time{}, errBadTime
			}
			s = s[i:]
		}
	}
	loc := time.UTC
	switch {
	case len(s) == 0:
	case len(s) == 1 && s[0] == 'Z':
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		hh, ok1 := digits(s[1:3])
		mm, ok2 := digits(s[4:6])
		if !ok1 || !ok2 || hh > 14 || mm > 59 {
			return time.Time{}, errBadTime
		}
		off := (hh*60 + mm) * 60
		if s[0] == '-' {
			off = -off
		}
		loc = fixedZone(off)
	default:
		return time.Time{}, errBadTime
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), nil
}

func digits[S string | []byte](b S) (int, bool) {
	n := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// zones caches one *time.Location per UTC offset: time.FixedZone allocates,
// and a table typically repeats one offset in every row. The set of keys
// is bounded (offsets within ±14:59), and a Location is immutable.
var zones sync.Map // int (seconds east of UTC) -> *time.Location

func fixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if l, ok := zones.Load(off); ok {
		return l.(*time.Location)
	}
	l, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return l.(*time.Location)
}

// FormatTime formats t as .NET writes a DateTime column with round-trip
// kind: up to 7 fraction digits with trailing zeros dropped, "Z" for UTC
// and the offset otherwise, e.g. "2024-05-01T10:20:30.5+02:00". A fake
// server can use it to produce values for Write.
func FormatTime(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.9999999Z07:00")
}
