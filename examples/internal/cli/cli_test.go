package cli

import (
	"bytes"
	"errors"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		demo bool
		err  string // part of the usage error; "" for none
	}{
		{name: "no flag at all: the demo", demo: true},
		{name: "global flags only: the demo", args: []string{"-debug", "-timeout", "5s"}, demo: true},
		{name: "explicit demo", args: []string{"-demo"}, demo: true},
		{name: "demo and a target", args: []string{"-demo", "-user", "x"}, err: "-demo runs against the built-in fake: it excludes -user"},
		{name: "a target without endpoint", args: []string{"-user", "x"}, err: "-endpoint is empty or missing"},
		{name: "an empty endpoint", args: []string{"-endpoint", " ", "-user", "x"}, err: "-endpoint is empty or missing"},
		{name: "real", args: []string{"-endpoint", "https://example.com/x", "-user", "x"}},
		{name: "extra argument", args: []string{"-endpoint", "https://example.com/x", "x"}, err: `unexpected argument "x"`},
		{name: "unknown flag", args: []string{"-v"}, err: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			fs, c := NewFlagSet("prog", "doc\n", "`URL`", &stderr)
			fs.String("user", "", "target")
			err := c.Parse(fs, tt.args)
			if tt.err != "" {
				var ue *UsageError
				require.ErrorAs(t, err, &ue)
				assert.Contains(t, ue.Msg, tt.err)
				assert.Equal(t, ExitUsage, Fail(&stderr, "prog", err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.demo, c.Demo)
		})
	}
}

func TestFail(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, ExitOK, Fail(&stderr, "p", flag.ErrHelp))
	assert.Equal(t, ExitFailed, Fail(&stderr, "p", errors.New("refused")))
	assert.Equal(t, ExitUsage, Fail(&stderr, "p", Usagef("bad %s", "flag")))
	assert.Equal(t, "p: refused\np: bad flag\nRun with -h for help.\n", stderr.String())
	assert.Error(t, Require("-user", " "))
	assert.NoError(t, Require("-user", "x"))
}
