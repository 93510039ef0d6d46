package soapx_test

import (
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

type stamped struct {
	XMLName xml.Name         `xml:"urn:t S"`
	When    soapx.DateTime   `xml:"urn:t When,omitempty"`
	Ptr     *soapx.DateTime  `xml:"urn:t Ptr,omitempty"`
	Attr    soapx.DateTime   `xml:"at,attr,omitempty"`
	List    []soapx.DateTime `xml:"urn:t L"`
}

func TestDateTimeMarshal(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"utc millis", time.Date(2024, 5, 1, 10, 20, 30, 123e6, time.UTC), "2024-05-01T10:20:30.123Z"},
		{"whole seconds", time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC), "2024-05-01T10:20:30.000Z"},
		{"offset converted to utc", time.Date(2024, 5, 1, 12, 20, 30, 0, time.FixedZone("", 2*3600)), "2024-05-01T10:20:30.000Z"},
		{"dotnet ticks", time.Date(2024, 5, 1, 10, 20, 30, 123456700, time.UTC), "2024-05-01T10:20:30.1234567Z"},
		{"micros", time.Date(2024, 5, 1, 10, 20, 30, 123400000+500, time.UTC), "2024-05-01T10:20:30.1234005Z"},
		{"sub-tick truncated", time.Date(2024, 5, 1, 10, 20, 30, 1000050, time.UTC), "2024-05-01T10:20:30.001Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := soapx.DateTime{Time: tt.in}
			out, err := xml.Marshal(stamped{When: d, Attr: d})
			require.NoError(t, err)
			assert.Equal(t, `<S xmlns="urn:t" at="`+tt.want+`"><When xmlns="urn:t">`+tt.want+`</When></S>`, string(out))
			txt, err := d.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(txt))

			var back soapx.DateTime
			require.NoError(t, back.UnmarshalText(txt))
			assert.True(t, back.Equal(tt.in.Truncate(100*time.Nanosecond)), "%v != %v", back, tt.in)
		})
	}
	t.Run("zero writes nothing", func(t *testing.T) {
		out, err := xml.Marshal(stamped{Ptr: &soapx.DateTime{}})
		require.NoError(t, err)
		assert.Equal(t, `<S xmlns="urn:t"></S>`, string(out))
	})
}

func TestDateTimeUnmarshal(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-05-01T10:20:30", utc(2024, 5, 1, 10, 20, 30, 0)},
		{"2024-05-01T10:20:30.647", utc(2024, 5, 1, 10, 20, 30, 647e6)}, // WCF, no zone: UTC on every host
		{"2024-05-01T10:20:30.1", utc(2024, 5, 1, 10, 20, 30, 1e8)},
		{"2024-05-01T10:20:30.1234567", utc(2024, 5, 1, 10, 20, 30, 123456700)},
		{"2024-05-01T10:20:30.123456789", utc(2024, 5, 1, 10, 20, 30, 123456789)},
		{"2024-05-01T10:20:30Z", utc(2024, 5, 1, 10, 20, 30, 0)},
		{"2024-05-01T10:20:30.5Z", utc(2024, 5, 1, 10, 20, 30, 5e8)},
		{"2024-05-01T10:20:30.1234567+02:00", utc(2024, 5, 1, 8, 20, 30, 123456700)},
		{"2024-05-01T10:20:30-05:30", utc(2024, 5, 1, 15, 50, 30, 0)},
		{"2024-05-01T00:00:00+14:00", utc(2024, 4, 30, 10, 0, 0, 0)},
		{"2024-05-01", utc(2024, 5, 1, 0, 0, 0, 0)},
		{"2024-05-01Z", utc(2024, 5, 1, 0, 0, 0, 0)},
		{"2024-05-01+02:00", utc(2024, 4, 30, 22, 0, 0, 0)},
		{"  2024-05-01T10:20:30Z \n", utc(2024, 5, 1, 10, 20, 30, 0)},
		{"", time.Time{}},
		{"0001-01-01T00:00:00", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			doc := `<S xmlns="urn:t" at="` + tt.in + `"><When>` + tt.in + `</When><L>` + tt.in + `</L></S>`
			var s stamped
			require.NoError(t, xml.Unmarshal([]byte(doc), &s))
			assert.True(t, s.When.Equal(tt.want), "got %v want %v", s.When.Time, tt.want)
			assert.True(t, s.Attr.Equal(tt.want))
			require.Len(t, s.List, 1)
			assert.True(t, s.List[0].Equal(tt.want))
			if tt.want.IsZero() {
				assert.True(t, s.When.IsZero())
			}
		})
	}
	t.Run("xsi:nil", func(t *testing.T) {
		doc := `<S xmlns="urn:t" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><When i:nil="true"/><Ptr i:nil="true"></Ptr></S>`
		var s stamped
		require.NoError(t, xml.Unmarshal([]byte(doc), &s))
		assert.True(t, s.When.IsZero())
		require.NotNil(t, s.Ptr)
		assert.True(t, s.Ptr.IsZero())
	})
	for _, bad := range []string{"yesterday", "2024-13-01T00:00:00", "2024-05-01T25:00:00", "2024-05-01T10:20", "24-05-01T10:20:30"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			var s stamped
			assert.Error(t, xml.Unmarshal([]byte(`<S xmlns="urn:t"><When>`+bad+`</When></S>`), &s))
		})
	}
	t.Run("json", func(t *testing.T) {
		b, err := json.Marshal(struct{ T soapx.DateTime }{soapx.DateTime{Time: utc(2024, 5, 1, 1, 2, 3, 0)}})
		require.NoError(t, err)
		assert.JSONEq(t, `{"T":"2024-05-01T01:02:03.000Z"}`, string(b))
	})
}
