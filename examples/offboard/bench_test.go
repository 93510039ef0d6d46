//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchLatency is the latency added to every call to every service.
const benchLatency = 20 * time.Millisecond

// BenchmarkOffboard is the main job: users through the four fakes, each call delayed by
// benchLatency (in the program's HTTP transport, before the request is sent: the network),
// with the default concurrency, the program in a child process (so that its peak heap is
// its own, not the fakes'). It reports the wall time next to the bound the
// concurrency settings impose, calls × latency ÷ limit for the slowest system, and the
// child's peak live heap. Run it alone, once:
//
//	go test -run '^$' -bench Offboard -benchtime 1x ./examples/offboard/
func BenchmarkOffboard(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			for range b.N {
				benchmarkOffboard(b, n)
			}
		})
	}
}

func benchmarkOffboard(b *testing.B, n int) {
	b.StopTimer()
	users := make([]user, n)
	var csv strings.Builder
	csv.WriteString("uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user\n")
	for i := range users {
		name := fmt.Sprintf("user%05d", i)
		users[i] = user{Label: name, UDSOrg: "ACME", UDSUser: name, CASHousehold: 1000 + i/4, CASUser: name, ProjectorRef: name, ProvisioningUser: name}
		fmt.Fprintf(&csv, "ACME,%s,%d,%s,%s,%s\n", name, 1000+i/4, name, name, name)
	}
	o := testSecrets
	o.provisioningOrg = "Test Org"
	f := startFakes(users, o)
	defer f.close()
	dir := b.TempDir()
	usersPath := filepath.Join(dir, "users.csv")
	require.NoError(b, os.WriteFile(usersPath, []byte(csv.String()), 0o600))

	a := f.uds.Credentials()
	pc := f.projector.Credentials()
	args := []string{
		"-uds-endpoint", f.uds.URL, "-uds-admin", a.UserID, "-uds-admin-org", a.OrgName,
		"-cas-endpoint", f.cas.URL, "-cas-ws-user", f.cas.Credentials().WSUserName,
		"-projector-endpoint", f.projector.URL, "-projector-account", pc.AccountCode, "-projector-login", pc.UserName,
		"-provisioning-endpoint", f.provisioning.URL, "-provisioning-operator", f.provisioning.Credentials().OperatorEmail, "-provisioning-org", f.org,
		"-users", usersPath, "-journal", filepath.Join(dir, "journal.jsonl"), "-report", filepath.Join(dir, "report.json"),
		"-jsonl", filepath.Join(dir, "rows.jsonl"), "-output", "failures", "-progress", "0",
	}
	heapPath := filepath.Join(dir, "heap")

	b.StartTimer()
	started := time.Now()
	c := startChild(b, helperSpec{Args: args, HeapFile: heapPath, Latency: benchLatency}, env(testSecrets))
	code := c.wait(b)
	wall := time.Since(started)
	b.StopTimer()
	require.Equal(b, exitOK, code, "stdout:\n%s\nstderr:\n%s", c.stdout.String(), c.stderr.String())

	// The bound: each system's calls (as the fakes counted them) × latency ÷ its limit.
	cfg := &config{concurrency: defaultConcurrency}
	calls := map[string]int{"uds": len(f.uds.Requests()), "cas": len(f.cas.Requests()),
		"projector": len(f.projector.Requests()), "provisioning": len(f.provisioning.Requests())}
	var bound time.Duration
	slowest := ""
	for _, s := range systemNames {
		d := time.Duration(calls[s]) * benchLatency / time.Duration(cfg.limit(s))
		if d > bound {
			bound, slowest = d, s
		}
	}
	raw, err := os.ReadFile(heapPath)
	require.NoError(b, err)
	peak, err := strconv.ParseUint(string(raw), 10, 64)
	require.NoError(b, err)

	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "wall/bound")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.Logf("%d users: wall %s, bound %s (%s: %d calls × %s ÷ %d), peak heap %.1f MiB; calls %v",
		n, wall.Round(10*time.Millisecond), bound.Round(10*time.Millisecond), slowest, calls[slowest], benchLatency,
		cfg.limit(slowest), float64(peak)/(1<<20), calls)
}
