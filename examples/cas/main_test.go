package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/examples/internal/clitest"
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
	tests := []clitest.Case{
		{Name: "demo with no flag", Env: noEnv, Code: cli.ExitOK, Stdout: "DEMO: running against the built-in fake"},
		{Name: "explicit demo", Args: []string{"-demo", "-debug"}, Env: noEnv, Code: cli.ExitOK, Stdout: "DEMO", Stderr: "level=DEBUG"},
		{Name: "demo with a target", Args: []string{"-demo", "-user", "x"}, Env: noEnv, Code: cli.ExitUsage, Stderr: "-demo runs against the built-in fake"},
		{Name: "empty endpoint", Args: []string{"-endpoint", "", "-household", "7", "-user", "jdoe"}, Env: env, Code: cli.ExitUsage, Stderr: "-endpoint is empty"},
		{Name: "no endpoint, a target", Args: []string{"-household", "7", "-user", "jdoe"}, Env: env, Code: cli.ExitUsage, Stderr: "-endpoint is empty or missing"},
		{Name: "no target user", Args: []string{"-endpoint", s.URL, "-household", "7"}, Env: env, Code: cli.ExitUsage, Stderr: "-user is required"},
		{Name: "no household", Args: []string{"-endpoint", s.URL, "-user", "jdoe"}, Env: env, Code: cli.ExitUsage, Stderr: "-household is required"},
		{Name: "no password", Args: real, Env: func(k string) string { return map[string]string{"CAS_WS_USERNAME": "u"}[k] }, Code: cli.ExitUsage, Stderr: "$CAS_WS_PASSWORD"},
		{Name: "extra argument", Args: append(real, "jdoe"), Env: env, Code: cli.ExitUsage, Stderr: `unexpected argument "jdoe"`},
		{Name: "unknown flag", Args: []string{"-v"}, Env: noEnv, Code: cli.ExitUsage, Stderr: "flag provided but not defined"},
		{Name: "bad wire form", Args: append(real, "-wire", "xml"), Env: env, Code: cli.ExitUsage, Stderr: "-wire"},
		{Name: "version", Args: []string{"-version"}, Env: noEnv, Code: cli.ExitOK, Stdout: "cas "},
		{Name: "real", Args: real, Env: env, Code: cli.ExitOK, Stdout: "removed user jdoe from household 7"},
		// The real Delete checks no membership: a repeat answers 0 OK again.
		{Name: "real again", Args: real, Env: env, Code: cli.ExitOK, Stdout: "removed user jdoe from household 7"},
		{Name: "unknown household", Args: []string{"-endpoint", s.URL, "-household", "99", "-user", "jdoe"}, Env: env, Code: cli.ExitOK, Stdout: "already done: household 99"},
		{Name: "refused password", Args: real, Env: func(k string) string {
			return map[string]string{"CAS_WS_USERNAME": "ws-user", "CAS_WS_PASSWORD": "wrong"}[k]
		}, Code: cli.ExitFailed, Stderr: "credentials were refused"},
	}
	clitest.Run(t, run, tests, creds.WSPassword, func() int { return len(s.Requests()) })
	h, _ := s.Household(7)
	assert.Equal(t, []string{"owner"}, h.Users)
	assert.Empty(t, s.Violations())
}
