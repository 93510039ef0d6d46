// Package clitest runs the per-service example programs' table tests: each case runs the
// program's run function and checks its exit status and output the same way in all four.
package clitest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/examples/internal/cli"
)

// Case is one run of an example program.
type Case struct {
	Name   string
	Args   []string
	Env    func(string) string
	Code   int    // the exit status
	Stdout string // what stdout must contain
	Stderr string // what stderr must contain
}

// RunFunc is an example program's run.
type RunFunc func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int

// Run runs the cases in order, as subtests. Besides each case's status and output, it checks
// that neither output shows secret, and that a usage error sent nothing to the server
// (requests counts what the fake has received).
func Run(t *testing.T, run RunFunc, cases []Case, secret string, requests func() int) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			before := requests()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.Args, tt.Env, &stdout, &stderr)
			require.Equal(t, tt.Code, code, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stdout.String(), tt.Stdout)
			assert.Contains(t, stderr.String(), tt.Stderr)
			assert.NotContains(t, stdout.String()+stderr.String(), secret)
			if tt.Code == cli.ExitUsage {
				assert.Equal(t, before, requests(), "bad usage sends nothing")
			}
		})
	}
}
