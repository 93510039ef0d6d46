package dataset

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"taskid", "taskid"},
		{"Provisioning_x0020_Tasks", "Provisioning Tasks"},
		{"_x0031_st", "1st"},
		{"a_X002F_b", "a/b"},
		{"a_x002f_b", "a/b"},
		{"_x005F_x0020_", "_x0020_"},
		{"x_x00E9_", "xé"},
		{"_x0001F600_", "😀"},
		{"_xD83D__xDE00_", "😀"},
		{"_xD83D_", "\uFFFD"},
		{"_xD83D_x", "\uFFFDx"},
		{"_x0020", "_x0020"},
		{"_x002G_", "_x002G_"},
		{"_x0020_x0020_", " x0020_"},
		{"_x00110000_", "_x00110000_"},
		{"a__x0020__", "a_ _"},
		{"_", "_"},
	} {
		assert.Equal(t, tt.want, DecodeName(tt.in), "DecodeName(%q)", tt.in)
	}
}

func TestEncodeName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"taskid", "taskid"},
		{"Provisioning Tasks", "Provisioning_x0020_Tasks"},
		{"1st", "_x0031_st"},
		{"a1.b-c_d", "a1.b-c_d"},
		{"-a", "_x002D_a"},
		{"a:b", "a_x003A_b"},
		{"_x0020_", "_x005F_x0020_"},
		{"_x00200000_", "_x005F_x00200000_"},
		{"_x", "_x"},
		{"é", "_x00E9_"},
		{"😀", "_x0001F600_"},
		{"a\xffb", "a_xFFFD_b"},
		// An underscore that would start an escape once the next
		// character is encoded (found by FuzzName).
		{"_x0__xDA00 ", "_x0__x005F_xDA00_x0020_"},
		{"_x00200000 ", "_x005F_x00200000_x0020_"},
	} {
		assert.Equal(t, tt.want, EncodeName(tt.in), "EncodeName(%q)", tt.in)
	}
}

func TestNameRoundTrip(t *testing.T) {
	for _, s := range []string{"Provisioning Tasks", "a_x0020_b", "x<y>&\"'", "日本語 テーブル", "😀 _ _x", "123", "Ünïcødé"} {
		checkName(t, s)
	}
}

func checkName(t testing.TB, s string) {
	enc := EncodeName(s)
	if utf8.ValidString(s) {
		require.Equal(t, s, DecodeName(enc), "round trip of %q via %q", s, enc)
	}
	if s == "" {
		return
	}
	// The encoded name is a valid element name for encoding/xml.
	d := xml.NewDecoder(strings.NewReader("<" + enc + "/>"))
	tok, err := d.Token()
	require.NoError(t, err, "encoded %q as %q", s, enc)
	require.Equal(t, enc, tok.(xml.StartElement).Name.Local)
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"Provisioning Tasks", "_x0020_", "_xD83D__xDE00_", "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkName(t, s)
		_ = DecodeName(s) // never panics
	})
}
