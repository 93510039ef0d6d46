package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/examples/internal/clitest"
	"github.com/offboard-go/offboard/projector/projectortest"
)

func TestRun(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{Password: "prj-Pass-71c5a9d3", Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}})
	t.Cleanup(s.Close)
	c := s.Credentials()
	env := func(k string) string { return map[string]string{"PROJECTOR_PASSWORD": c.Password}[k] }
	noEnv := func(string) string { return "" }
	real := []string{"-endpoint", s.URL, "-account", c.AccountCode, "-login", c.UserName, "-ref", "jdoe"}
	tests := []clitest.Case{
		{Name: "demo with no flag", Env: noEnv, Code: cli.ExitOK, Stdout: "DEMO: running against the built-in fake"},
		{Name: "explicit demo", Args: []string{"-demo"}, Env: noEnv, Code: cli.ExitOK, Stdout: "made inactive"},
		{Name: "demo with a target", Args: []string{"-demo", "-ref", "x"}, Env: noEnv, Code: cli.ExitUsage, Stderr: "-demo runs against the built-in fake"},
		{Name: "empty endpoint", Args: []string{"-endpoint", "", "-ref", "jdoe"}, Env: env, Code: cli.ExitUsage, Stderr: "-endpoint is empty"},
		{Name: "the login is -login, not -user", Args: []string{"-endpoint", s.URL, "-user", "ops"}, Env: env, Code: cli.ExitUsage, Stderr: "flag provided but not defined: -user"},
		{Name: "no target", Args: []string{"-endpoint", s.URL, "-account", c.AccountCode, "-login", c.UserName}, Env: env, Code: cli.ExitUsage, Stderr: "-ref is required"},
		{Name: "no password", Args: real, Env: noEnv, Code: cli.ExitUsage, Stderr: "$PROJECTOR_PASSWORD"},
		{Name: "extra argument", Args: append(real, "jdoe"), Env: env, Code: cli.ExitUsage, Stderr: `unexpected argument "jdoe"`},
		{Name: "bad end date", Args: append(real, "-end-date", "soon"), Env: env, Code: cli.ExitUsage, Stderr: "-end-date"},
		{Name: "version", Args: []string{"-version"}, Env: noEnv, Code: cli.ExitOK, Stdout: "projector "},
		{Name: "real", Args: real, Env: env, Code: cli.ExitOK, Stdout: "jdoe ("},
		{Name: "real again", Args: real, Env: env, Code: cli.ExitOK, Stdout: "already done"},
		{Name: "refused password", Args: real, Env: func(string) string { return "wrong" }, Code: cli.ExitFailed, Stderr: "projector:"},
	}
	clitest.Run(t, run, tests, c.Password, func() int { return len(s.Requests()) })
	u, _ := s.User("jdoe")
	assert.Equal(t, projectortest.Removed, u.State)
	assert.Empty(t, s.Violations())
}
