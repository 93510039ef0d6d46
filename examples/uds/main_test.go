package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

func TestRun(t *testing.T) {
	s := udstest.NewServer(udstest.Options{AnA: true, Admin: uds.Credentials{Credential: "uds-Cred-9f3a7c1e"}})
	t.Cleanup(s.Close)
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	a := s.Credentials()
	env := func(k string) string { return map[string]string{"UDS_CREDENTIAL": a.Credential}[k] }
	noEnv := func(string) string { return "" }
	real := []string{"-endpoint", s.URL, "-admin", a.UserID, "-admin-org", a.OrgName, "-org", "ACME", "-user", "jdoe"}
	tests := []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		stdout string
		stderr string
	}{
		{"demo with no flag", nil, noEnv, cli.ExitOK, "DEMO: running against the built-in fake", ""},
		{"explicit demo", []string{"-demo"}, noEnv, cli.ExitOK, "is INACTIVE", ""},
		{"demo with a target", []string{"-demo", "-user", "x"}, noEnv, cli.ExitUsage, "", "-demo runs against the built-in fake"},
		{"empty endpoint", []string{"-endpoint", "", "-user", "realuser"}, env, cli.ExitUsage, "", "-endpoint is empty"},
		{"no target user", []string{"-endpoint", s.URL}, env, cli.ExitUsage, "", "-user is required"},
		{"no credential", real, noEnv, cli.ExitUsage, "", "$UDS_CREDENTIAL"},
		{"no admin org", []string{"-endpoint", s.URL, "-admin", a.UserID, "-user", "jdoe"}, env, cli.ExitUsage, "", "-admin-org"},
		{"org help", []string{"-h"}, noEnv, cli.ExitOK, "", "the demo's user is in ACME"},
		{"extra argument", append(real, "jdoe"), env, cli.ExitUsage, "", `unexpected argument "jdoe"`},
		{"unknown flag", []string{"-v"}, noEnv, cli.ExitUsage, "", "flag provided but not defined"},
		{"version", []string{"-version"}, noEnv, cli.ExitOK, "uds ", ""},
		{"real", real, env, cli.ExitOK, "is INACTIVE", ""},
		{"real again", real, env, cli.ExitOK, "already done", ""},
		{"refused credential", real, func(string) string { return "wrong" }, cli.ExitFailed, "", "uds:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Requests())
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, tt.env, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.NotContains(t, stdout.String()+stderr.String(), a.Credential)
			if tt.code == cli.ExitUsage {
				assert.Len(t, s.Requests(), before, "bad usage sends nothing")
			}
		})
	}
	u, _ := s.User("ACME", "jdoe")
	assert.Equal(t, uds.StatusInactive, u.Status)
	assert.Empty(t, s.Violations())
}
