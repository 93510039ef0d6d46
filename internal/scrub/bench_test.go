package scrub_test

import (
	"strings"
	"testing"

	"github.com/offboard-go/offboard/internal/scrub"
)

// The scrubber runs on error and logging paths only; this is its cost on a debug-logged
// 64 KiB body with markup and escapes and three registered secrets.
func BenchmarkString64KiB(b *testing.B) {
	set := scrub.New(`Pw<&>"ü'Ωx`, "Tok-1234567890abcdef", "ASP.NET-session-cookie-value")
	unit := `<a:Item xmlns:a="urn:x"><a:Name>R&amp;D &lt;team&gt; 100%</a:Name><a:Note>+1 \"quoted\"</a:Note></a:Item>`
	text := strings.Repeat(unit, 64<<10/len(unit))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = set.String(text)
	}
}
