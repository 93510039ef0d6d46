package dataset

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	minus5 := time.FixedZone("", -5*3600)
	minus330 := time.FixedZone("", -(3*3600 + 30*60))
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-05-01", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"2024-05-01Z", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"2024-05-01+02:00", time.Date(2024, 5, 1, 0, 0, 0, 0, plus2)},
		{"2024-05-01T10:20:30", time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)},
		{"2024-05-01T10:20:30.1", time.Date(2024, 5, 1, 10, 20, 30, 100000000, time.UTC)},
		{"2024-05-01T10:20:30.12", time.Date(2024, 5, 1, 10, 20, 30, 120000000, time.UTC)},
		{"2024-05-01T10:20:30.123", time.Date(2024, 5, 1, 10, 20, 30, 123000000, time.UTC)},
		{"2024-05-01T10:20:30.1234", time.Date(2024, 5, 1, 10, 20, 30, 123400000, time.UTC)},
		{"2024-05-01T10:20:30.12345", time.Date(2024, 5, 1, 10, 20, 30, 123450000, time.UTC)},
		{"2024-05-01T10:20:30.123456", time.Date(2024, 5, 1, 10, 20, 30, 123456000, time.UTC)},
		{"2024-05-01T10:20:30.1234567", time.Date(2024, 5, 1, 10, 20, 30, 123456700, time.UTC)},
		{"2024-05-01T10:20:30.0000001", time.Date(2024, 5, 1, 10, 20, 30, 100, time.UTC)},
		{"2024-05-01T10:20:30.123456789", time.Date(2024, 5, 1, 10, 20, 30, 123456789, time.UTC)},
		{"2024-05-01T10:20:30.1234567891", time.Date(2024, 5, 1, 10, 20, 30, 123456789, time.UTC)},
		{"2024-05-01T10:20:30Z", time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)},
		{"2024-05-01T10:20:30.5Z", time.Date(2024, 5, 1, 10, 20, 30, 500000000, time.UTC)},
		{"2024-05-01T10:20:30+02:00", time.Date(2024, 5, 1, 10, 20, 30, 0, plus2)},
		{"2024-05-01T10:20:30.1234567+02:00", time.Date(2024, 5, 1, 10, 20, 30, 123456700, plus2)},
		{"2024-05-01T10:20:30-05:00", time.Date(2024, 5, 1, 10, 20, 30, 0, minus5)},
		{"2024-05-01T10:20:30-03:30", time.Date(2024, 5, 1, 10, 20, 30, 0, minus330)},
		{"2024-05-01T10:20:30+00:00", time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)},
		{"2024-05-01T10:20:30-00:00", time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)},
		{"2024-02-29T23:59:59", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)},
		{"2000-02-29", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"0001-01-01T00:00:00", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.9999999", time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "want %v, got %v", tt.want, got)
			_, wantOff := tt.want.Zone()
			_, gotOff := got.Zone()
			assert.Equal(t, wantOff, gotOff)
			if wantOff == 0 {
				assert.Equal(t, time.UTC, got.Location(), "zone-less and zero-offset values are UTC, not Local")
			}
		})
	}
}

func TestParseTimeRejects(t *testing.T) {
	for _, in := range []string{
		"", "2024", "2024-05", "2024-5-01", "2024-05-1", "24-05-01", "2024/05/01",
		"2024-00-01", "2024-13-01", "2024-05-00", "2024-05-32", "2023-02-29", "1900-02-29", "2024-04-31",
		"2024-05-01T", "2024-05-01T10", "2024-05-01T10:20", "2024-05-01T24:00:00", "2024-05-01T10:60:00", "2024-05-01T10:20:60",
		"2024-05-01T10:20:30.", "2024-05-01T10:20:30.Z", "2024-05-01T10:20:30.12a", "2024-05-01 10:20:30",
		"2024-05-01T10:20:30z", "2024-05-01T10:20:30+2:00", "2024-05-01T10:20:30+0200", "2024-05-01T10:20:30+15:00",
		"2024-05-01T10:20:30+02:60", "2024-05-01T10:20:30+02:00:00", "2024-05-01T10:20:30 ", "-2024-05-01",
		"2024-05-01T1a:20:30", "２０２４-05-01",
	} {
		_, err := ParseTime(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestFormatTime(t *testing.T) {
	for _, tt := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC), "2024-05-01T10:20:30Z"},
		{time.Date(2024, 5, 1, 10, 20, 30, 123456789, time.UTC), "2024-05-01T10:20:30.1234567Z"},
		{time.Date(2024, 5, 1, 10, 20, 30, 500000000, time.FixedZone("", 7200)), "2024-05-01T10:20:30.5+02:00"},
	} {
		got := FormatTime(tt.in)
		assert.Equal(t, tt.want, got)
		back, err := ParseTime(got)
		require.NoError(t, err)
		assert.True(t, tt.in.Truncate(100).Equal(back))
	}
}

func TestDatesThroughReader(t *testing.T) {
	type row struct {
		D  time.Time
		PD *time.Time
	}
	for _, tt := range []struct{ in, want string }{
		{"2024-05-01T10:20:30", "2024-05-01T10:20:30Z"},
		{"2024-05-01T10:20:30.1234567", "2024-05-01T10:20:30.1234567Z"},
		{"2024-05-01T10:20:30.1234567-05:00", "2024-05-01T15:20:30.1234567Z"},
		{"2024-05-01", "2024-05-01T00:00:00Z"},
	} {
		got, _, err := decodeAll[row](t, diffgramOpen+`<DocumentElement xmlns=""><T><D>`+tt.in+`</D><PD>`+tt.in+`</PD></T></DocumentElement>`+diffgramClose)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.True(t, utc(tt.want).Equal(got[0].D), "%s: got %v", tt.in, got[0].D)
		require.NotNil(t, got[0].PD)
		assert.True(t, utc(tt.want).Equal(*got[0].PD))
	}
}
