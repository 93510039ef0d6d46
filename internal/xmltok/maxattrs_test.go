package xmltok_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltok"
)

func TestMaxAttrs(t *testing.T) {
	tag := func(n int, format string) string {
		var b strings.Builder
		b.WriteString("<r")
		for i := range n {
			b.WriteString(strings.ReplaceAll(format, "N", strings.Repeat("x", i+1)))
		}
		return b.String() + "/>"
	}
	for _, tc := range []struct {
		name  string
		doc   string
		limit int
		fail  bool
	}{
		{"at the limit", tag(4, ` aN=""`), 4, false},
		{"over the limit", tag(5, ` aN=""`), 4, true},
		{"declarations count", tag(5, ` xmlns:pN="u"`), 4, true},
		{"no limit", tag(500, ` aN=""`), 0, false},
		{"over the limit in a long tag", tag(3000, ` aN=""`), 128, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := xmltok.NewReader(strings.NewReader(tc.doc))
			r.MaxAttrs = tc.limit
			d := xml.NewTokenDecoder(r)
			var err error
			for err == nil {
				_, err = d.Token()
			}
			if !tc.fail {
				require.ErrorIs(t, err, io.EOF)
				return
			}
			require.ErrorIs(t, err, xmltok.ErrTooManyAttrs)
			_, again := d.Token()
			assert.True(t, errors.Is(again, xmltok.ErrTooManyAttrs), "the error sticks")
		})
	}
}
