package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/examples/internal/cli"
)

func TestRun(t *testing.T) {
	creds := cas.Credentials{WSUserName: "ws-user", WSPassword: "cas-Pass-4b8d2e6f"}
	s := castest.NewServer(castest.Options{Credentials: creds, Households: []castest.Household{{ID: 7, Users: []string{"owner", "jdoe"}, MasterUsers: []string{"owner"}}}})
	t.Cleanup(s.Close)
	env := func(k string) string {
		return map[string]string{"CAS_WS_USERNAME": creds.WSUserName, "CAS_WS_PASSWORD": creds.WSPassword}[k]
	}
	noEnv := func(string) string { return "" }
	real := []string{"-endpoint", s.URL, "-household", "7", "-user", "jdoe"}
	tests := []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		stdout string
		stderr string
	}{
		{"demo with no flag", nil, noEnv, cli.ExitOK, "DEMO: running against the built-in fake", ""},
		{"explicit demo", []string{"-demo", "-debug"}, noEnv, cli.ExitOK, "DEMO", "level=DEBUG"},
		{"demo with a target", []string{"-demo", "-user", "x"}, noEnv, cli.ExitUsage, "", "-demo runs against the built-in fake"},
		{"empty endpoint", []string{"-endpoint", "", "-household", "7", "-user", "jdoe"}, env, cli.ExitUsage, "", "-endpoint is empty"},
		{"no endpoint, a target", []string{"-household", "7", "-user", "jdoe"}, env, cli.ExitUsage, "", "-endpoint is empty or missing"},
		{"no target user", []string{"-endpoint", s.URL, "-household", "7"}, env, cli.ExitUsage, "", "-user is required"},
		{"no household", []string{"-endpoint", s.URL, "-user", "jdoe"}, env, cli.ExitUsage, "", "-household is required"},
		{"no password", real, func(k string) string { return map[string]string{"CAS_WS_USERNAME": "u"}[k] }, cli.ExitUsage, "", "$CAS_WS_PASSWORD"},
		{"extra argument", append(real, "jdoe"), env, cli.ExitUsage, "", `unexpected argument "jdoe"`},
		{"unknown flag", []string{"-v"}, noEnv, cli.ExitUsage, "", "flag provided but not defined"},
		{"bad wire form", append(real, "-wire", "xml"), env, cli.ExitUsage, "", "-wire"},
		{"version", []string{"-version"}, noEnv, cli.ExitOK, "cas ", ""},
		{"real", real, env, cli.ExitOK, "removed user jdoe from household 7", ""},
		// The real Delete checks no membership: a repeat answers 0 OK again.
		{"real again", real, env, cli.ExitOK, "removed user jdoe from household 7", ""},
		{"unknown household", []string{"-endpoint", s.URL, "-household", "99", "-user", "jdoe"}, env, cli.ExitOK, "already done: household 99", ""},
		{"refused password", real, func(k string) string {
			return map[string]string{"CAS_WS_USERNAME": "ws-user", "CAS_WS_PASSWORD": "wrong"}[k]
		}, cli.ExitFailed, "", "credentials were refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Requests())
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, tt.env, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.NotContains(t, stdout.String()+stderr.String(), creds.WSPassword)
			if tt.code == cli.ExitUsage {
				assert.Len(t, s.Requests(), before, "bad usage sends nothing")
			}
		})
	}
	h, _ := s.Household(7)
	assert.Equal(t, []string{"owner"}, h.Users)
	assert.Empty(t, s.Violations())
}
