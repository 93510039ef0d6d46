package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestObserveFlag: -observe prints one line per call to a service on stderr, from the
// clients' observation hook, and nothing else changes.
func TestObserveFlag(t *testing.T) {
	r := runOffboard(t, func(string) string { return "" }, "-demo", "-observe")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "1 user(s), 0 with a failure, 0 with residual access; results: 4 done")

	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	line := regexp.MustCompile(`^time=\S+ level=INFO msg="offboard call" service=(uds|cas|projector|provisioning) operation=\S+ host=\S+ outcome=\w+ .*attempts=\d+ http_status=\d+ duration=\S+ bytes_sent=\d+ bytes_received=\d+`)
	services := map[string]int{}
	logins := 0
	for _, l := range lines {
		m := line.FindStringSubmatch(l)
		require.NotNil(t, m, "not an observation line: %q", l)
		services[m[1]]++
		if strings.Contains(l, "login.started") {
			logins++
		}
	}
	for _, s := range systemNames {
		assert.GreaterOrEqual(t, services[s], 2, "%s: its read, change and verification calls", s)
	}
	assert.Equal(t, 4, logins, "one login per system (uds and cas: the first request with the credentials)")

	// Without the flag: no such line.
	r = runOffboard(t, func(string) string { return "" }, "-demo")
	require.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stderr, "offboard call")
}
