package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/examples/internal/cli"
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
	tests := []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		stdout string
		stderr string
	}{
		{"demo with no flag", nil, noEnv, cli.ExitOK, "DEMO: running against the built-in fake", ""},
		{"explicit demo", []string{"-demo"}, noEnv, cli.ExitOK, "now in 0 provisioning task(s)", ""},
		{"demo with a target", []string{"-demo", "-user", "x"}, noEnv, cli.ExitUsage, "", "-demo runs against the built-in fake"},
		{"empty endpoint", []string{"-endpoint", "", "-user", "alice"}, env, cli.ExitUsage, "", "-endpoint is empty"},
		{"no target user", []string{"-endpoint", s.URL, "-operator", s.Credentials().OperatorEmail, "-org", "Org"}, env, cli.ExitUsage, "", "-user is required"},
		{"no OTP", real, noEnv, cli.ExitUsage, "", "$PROVISIONING_OTP"},
		{"extra argument", append(real, "alice"), env, cli.ExitUsage, "", `unexpected argument "alice"`},
		{"version", []string{"-version"}, noEnv, cli.ExitOK, "provisioning ", ""},
		{"real", real, env, cli.ExitOK, `removed "alice" from task 1`, ""},
		{"real again", real, env, cli.ExitOK, "0 provisioning task(s) for", ""},
		{"refused OTP", real, func(string) string { return "wrong" }, cli.ExitFailed, "", "connect refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Requests())
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, tt.env, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.NotContains(t, stdout.String()+stderr.String(), otp)
			if tt.code == cli.ExitUsage {
				assert.Len(t, s.Requests(), before, "bad usage sends nothing")
			}
		})
	}
	task, _ := s.Task("Org", 1)
	assert.Empty(t, task.Users)
	assert.Empty(t, s.Violations())
}
