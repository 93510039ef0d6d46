package cas

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScrubberForms(t *testing.T) {
	s := newScrubber(`p&w d<"x"`)
	for _, in := range []string{
		`raw p&w d<"x" here`,
		`xml p&amp;w d&lt;&#34;x&#34; here`,
		`query p%26w+d%3C%22x%22 here`,
		`path p&w%20d%3C%22x%22 here`,
	} {
		out := s.text(in)
		assert.Contains(t, out, "[REDACTED]", in)
		assert.False(t, s.contains(out), out)
	}
	assert.Equal(t, "nothing here", newScrubber("").text("nothing here"))

	base := errors.New("echo: p&w d<\"x\"")
	err := s.error(base)
	assert.Equal(t, "echo: [REDACTED]", err.Error())
	assert.Equal(t, "echo: [REDACTED]", fmt.Sprintf("%+v", err))
	assert.ErrorIs(t, err, base)
	clean := errors.New("clean")
	assert.Same(t, clean, s.error(clean))
	assert.NoError(t, s.error(nil))
}

// Every attribute shape the handler can receive is scrubbed, through WithAttrs and
// WithGroup too.
func TestScrubHandler(t *testing.T) {
	const secret = "hunter2-secret"
	var buf bytes.Buffer
	s := newScrubber(secret)
	l := slog.New(s.handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l = l.With("pre", "with "+secret).WithGroup("g")
	l.Debug("msg "+secret,
		slog.String("s", secret),
		slog.Any("h", http.Header{"X-Echo": {"a " + secret}}),
		slog.Any("err", errors.New("failed: "+secret)),
		slog.Any("list", []string{secret}),
		slog.Group("grp", slog.String("inner", secret), slog.Int("n", 1)),
		slog.Int("n", 7),
	)
	out := buf.String()
	require.NotEmpty(t, out)
	assert.NotContains(t, out, secret)
	assert.Contains(t, out, "n=7")
	assert.Contains(t, out, "g.grp.n=1")
	assert.Equal(t, 7, bytes.Count(buf.Bytes(), []byte("[REDACTED]")), out)
	assert.False(t, l.Handler().Enabled(t.Context(), slog.LevelDebug-1))
}
