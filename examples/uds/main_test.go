package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/examples/internal/clitest"
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
	tests := []clitest.Case{
		{Name: "demo with no flag", Env: noEnv, Code: cli.ExitOK, Stdout: "DEMO: running against the built-in fake"},
		{Name: "explicit demo", Args: []string{"-demo"}, Env: noEnv, Code: cli.ExitOK, Stdout: "is INACTIVE"},
		{Name: "demo with a target", Args: []string{"-demo", "-user", "x"}, Env: noEnv, Code: cli.ExitUsage, Stderr: "-demo runs against the built-in fake"},
		{Name: "empty endpoint", Args: []string{"-endpoint", "", "-user", "realuser"}, Env: env, Code: cli.ExitUsage, Stderr: "-endpoint is empty"},
		{Name: "no target user", Args: []string{"-endpoint", s.URL}, Env: env, Code: cli.ExitUsage, Stderr: "-user is required"},
		{Name: "no credential", Args: real, Env: noEnv, Code: cli.ExitUsage, Stderr: "$UDS_CREDENTIAL"},
		{Name: "no admin org", Args: []string{"-endpoint", s.URL, "-admin", a.UserID, "-user", "jdoe"}, Env: env, Code: cli.ExitUsage, Stderr: "-admin-org"},
		{Name: "org help", Args: []string{"-h"}, Env: noEnv, Code: cli.ExitOK, Stderr: "the demo's user is in ACME"},
		{Name: "extra argument", Args: append(real, "jdoe"), Env: env, Code: cli.ExitUsage, Stderr: `unexpected argument "jdoe"`},
		{Name: "unknown flag", Args: []string{"-v"}, Env: noEnv, Code: cli.ExitUsage, Stderr: "flag provided but not defined"},
		{Name: "version", Args: []string{"-version"}, Env: noEnv, Code: cli.ExitOK, Stdout: "uds "},
		{Name: "real", Args: real, Env: env, Code: cli.ExitOK, Stdout: "is INACTIVE"},
		{Name: "real again", Args: real, Env: env, Code: cli.ExitOK, Stdout: "already done"},
		{Name: "refused credential", Args: real, Env: func(string) string { return "wrong" }, Code: cli.ExitFailed, Stderr: "uds:"},
	}
	clitest.Run(t, run, tests, a.Credential, func() int { return len(s.Requests()) })
	u, _ := s.User("ACME", "jdoe")
	assert.Equal(t, uds.StatusInactive, u.Status)
	assert.Empty(t, s.Violations())
}
