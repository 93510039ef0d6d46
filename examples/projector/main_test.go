package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/projector/projectortest"
)

func TestRun(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{Password: "prj-Pass-71c5a9d3", Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}})
	t.Cleanup(s.Close)
	c := s.Credentials()
	env := func(k string) string { return map[string]string{"PROJECTOR_PASSWORD": c.Password}[k] }
	noEnv := func(string) string { return "" }
	real := []string{"-endpoint", s.URL, "-account", c.AccountCode, "-login", c.UserName, "-ref", "jdoe"}
	tests := []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		stdout string
		stderr string
	}{
		{"demo with no flag", nil, noEnv, cli.ExitOK, "DEMO: running against the built-in fake", ""},
		{"explicit demo", []string{"-demo"}, noEnv, cli.ExitOK, "made inactive", ""},
		{"demo with a target", []string{"-demo", "-ref", "x"}, noEnv, cli.ExitUsage, "", "-demo runs against the built-in fake"},
		{"empty endpoint", []string{"-endpoint", "", "-ref", "jdoe"}, env, cli.ExitUsage, "", "-endpoint is empty"},
		{"the login is -login, not -user", []string{"-endpoint", s.URL, "-user", "ops"}, env, cli.ExitUsage, "", "flag provided but not defined: -user"},
		{"no target", []string{"-endpoint", s.URL, "-account", c.AccountCode, "-login", c.UserName}, env, cli.ExitUsage, "", "-ref is required"},
		{"no password", real, noEnv, cli.ExitUsage, "", "$PROJECTOR_PASSWORD"},
		{"extra argument", append(real, "jdoe"), env, cli.ExitUsage, "", `unexpected argument "jdoe"`},
		{"bad end date", append(real, "-end-date", "soon"), env, cli.ExitUsage, "", "-end-date"},
		{"version", []string{"-version"}, noEnv, cli.ExitOK, "projector ", ""},
		{"real", real, env, cli.ExitOK, "jdoe (", ""},
		{"real again", real, env, cli.ExitOK, "already done", ""},
		{"refused password", real, func(string) string { return "wrong" }, cli.ExitFailed, "", "projector:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Requests())
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, tt.env, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.NotContains(t, stdout.String()+stderr.String(), c.Password)
			if tt.code == cli.ExitUsage {
				assert.Len(t, s.Requests(), before, "bad usage sends nothing")
			}
		})
	}
	u, _ := s.User("jdoe")
	assert.Equal(t, projectortest.Removed, u.State)
	assert.Empty(t, s.Violations())
}
