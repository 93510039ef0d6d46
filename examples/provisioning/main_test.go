package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/examples/internal/clitest"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

func TestRun(t *testing.T) {
	const otp = "otp-8e2f6b4a"
	s := provisioningtest.NewServer(provisioningtest.Options{OTP: otp})
	t.Cleanup(s.Close)
	start := time.Now().UTC().Truncate(time.Second)
	s.AddTask("Org", provisioningtest.Task{Operator: s.Credentials().OperatorEmail, TokenOption: "MobilePASS", Status: "Active", StartDate: start,
		Users: []provisioningtest.TaskUser{{UserName: "alice", Status: "Pending"}}})
	env := func(k string) string { return map[string]string{"PROVISIONING_OTP": otp}[k] }
	noEnv := func(string) string { return "" }
	real := []string{"-endpoint", s.URL, "-operator", s.Credentials().OperatorEmail, "-org", "Org", "-user", "alice"}
	tests := []clitest.Case{
		{Name: "demo with no flag", Env: noEnv, Code: cli.ExitOK, Stdout: "DEMO: running against the built-in fake"},
		{Name: "explicit demo", Args: []string{"-demo"}, Env: noEnv, Code: cli.ExitOK, Stdout: "now in 0 provisioning task(s)"},
		{Name: "demo with a target", Args: []string{"-demo", "-user", "x"}, Env: noEnv, Code: cli.ExitUsage, Stderr: "-demo runs against the built-in fake"},
		{Name: "empty endpoint", Args: []string{"-endpoint", "", "-user", "alice"}, Env: env, Code: cli.ExitUsage, Stderr: "-endpoint is empty"},
		{Name: "no target user", Args: []string{"-endpoint", s.URL, "-operator", s.Credentials().OperatorEmail, "-org", "Org"}, Env: env, Code: cli.ExitUsage, Stderr: "-user is required"},
		{Name: "no OTP", Args: real, Env: noEnv, Code: cli.ExitUsage, Stderr: "$PROVISIONING_OTP"},
		{Name: "extra argument", Args: append(real, "alice"), Env: env, Code: cli.ExitUsage, Stderr: `unexpected argument "alice"`},
		{Name: "version", Args: []string{"-version"}, Env: noEnv, Code: cli.ExitOK, Stdout: "provisioning "},
		{Name: "real", Args: real, Env: env, Code: cli.ExitOK, Stdout: `removed "alice" from task 1`},
		{Name: "real again", Args: real, Env: env, Code: cli.ExitOK, Stdout: "0 provisioning task(s) for"},
		{Name: "refused OTP", Args: real, Env: func(string) string { return "wrong" }, Code: cli.ExitFailed, Stderr: "connect refused"},
	}
	clitest.Run(t, run, tests, otp, func() int { return len(s.Requests()) })
	task, _ := s.Task("Org", 1)
	assert.Empty(t, task.Users)
	assert.Empty(t, s.Violations())
}
