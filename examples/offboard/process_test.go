//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/uds"
)

// The tests here run the program in a child process (this test binary again, running
// TestHelperProcess), so that they can kill it or send it signals; the fakes live in the
// test, outside the child, so that their request logs and state survive the child.

const helperEnv = "OFFBOARD_HELPER_SPEC"

// helperSpec tells the child what to run.
type helperSpec struct {
	Args []string
	// KillAt, when > 0, kills the child (SIGKILL, no clean-up of any kind) at the KillAt-th
	// step boundary, after writing where to NoteFile.
	KillAt   int
	NoteFile string
	// HeapFile, when set, receives the peak heap the child saw (bytes), sampled every ms.
	HeapFile string
	// Latency, when set, is added to every call the child sends (before it is sent).
	Latency time.Duration
}

// latency delays every request by d: the network between the program and the services.
type latency struct {
	rt http.RoundTripper
	d  time.Duration
}

func (l latency) RoundTrip(r *http.Request) (*http.Response, error) {
	t := time.NewTimer(l.d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return l.rt.RoundTrip(r)
}

// killNote is what the child wrote before it killed itself.
type killNote struct {
	Point hookPoint
	Step  stepID
}

// TestHelperProcess is the child: it runs the program as main does, with hooks.
func TestHelperProcess(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		t.Skip("only run as a child process of the tests")
	}
	var spec helperSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(99)
	}
	var h hooks
	if spec.KillAt > 0 {
		// Steps run one at a time (beforeIntent to afterOutcome), so that the kill lands on
		// a boundary of exactly one step, whatever the lanes' concurrency.
		var mu sync.Mutex
		var n atomic.Int64
		h.step = func(p hookPoint, id stepID) {
			if p == beforeIntent {
				mu.Lock()
			}
			if int(n.Add(1)) == spec.KillAt {
				b, _ := json.Marshal(killNote{Point: p, Step: id})
				_ = os.WriteFile(spec.NoteFile, b, 0o600)
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
			if p == afterOutcome {
				mu.Unlock()
			}
		}
	}
	if spec.Latency > 0 {
		h.transport = func(rt http.RoundTripper) http.RoundTripper { return latency{rt: rt, d: spec.Latency} }
	}
	var peak atomic.Uint64
	done := make(chan struct{})
	if spec.HeapFile != "" {
		go sampleHeap(&peak, done)
	}
	code := mainWith(spec.Args, os.Getenv, os.Stdout, os.Stderr, h)
	if spec.HeapFile != "" {
		close(done)
		_ = os.WriteFile(spec.HeapFile, []byte(fmt.Sprint(peak.Load())), 0o600)
	}
	os.Exit(code)
}

// sampleHeap records the largest live heap (objects, in bytes) until done is closed.
func sampleHeap(peak *atomic.Uint64, done chan struct{}) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

// child is a started child process.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
}

// lockedBuffer is a bytes.Buffer that the test reads while the child's output is copied in.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startChild starts the program in a child process with spec and the environment env
// (secrets; nothing else of the test's environment but PATH and HOME).
func startChild(t testing.TB, spec helperSpec, env func(string) string) *child {
	t.Helper()
	raw, err := json.Marshal(spec)
	require.NoError(t, err)
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")}
	c.cmd.Env = []string{helperEnv + "=" + string(raw), "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for _, k := range []string{envUDSCredential, envCASPassword, envProjectorPasswd, envProvisioningOTP} {
		c.cmd.Env = append(c.cmd.Env, k+"="+env(k))
	}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	require.NoError(t, c.cmd.Start())
	return c
}

// wait waits for the child and returns its exit code (-1 when a signal killed it).
func (c *child) wait(t testing.TB) int {
	t.Helper()
	err := c.cmd.Wait()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			require.NoError(t, err)
		}
	}
	return c.cmd.ProcessState.ExitCode()
}

// TestCrashAndResume kills the program (SIGKILL, in a child process) at every step boundary
// of a run through the four systems (two users with the defaults; one whose whole household
// leaves, -cas-household-leaves), then resumes it with -resume: the systems end as after an
// uninterrupted run, every row is done with residual access none, and no destructive call is
// repeated — but for the one cas step the kill cut between its call and its outcome when that
// step has no read in cas (the removal from the household, DeleteDomain): it is sent again,
// and changes nothing. A step with a read (uds status and accounts, cas renewals, projector,
// provisioning tokens and tasks) is re-read instead.
func TestCrashAndResume(t *testing.T) {
	rroe := user{Label: "rroe", UDSOrg: "ACME", UDSUser: "rroe", CASHousehold: 8, CASUser: "rroe", ProjectorRef: "rroe", ProvisioningUser: "rroe"}
	header := "label,uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user"
	tests := []struct {
		name  string
		users []user
		csv   []string
		extra []string
		steps int  // destructive steps of the uninterrupted run
		demo  bool // seeded as the demo: Projector users in use (made inactive, not deleted)
	}{
		{"defaults", []user{jdoe, rroe}, []string{header, "jdoe,ACME,jdoe,7,jdoe,jdoe,jdoe", "rroe,ACME,rroe,8,rroe,rroe,rroe"}, nil,
			2 * (3 + 1 + 1 + 4), false}, // uds status + 2 accounts, cas, projector, provisioning 2 tokens + 2 tasks
		{"demo leaver, household leaves", []user{jdoe}, []string{header, "jdoe,ACME,jdoe,7,jdoe,jdoe,jdoe"}, []string{"-cas-household-leaves"},
			3 + 4 + 1 + 4, true}, // cas: the user, 2 renewals, DeleteDomain
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := newFakes
			if tt.demo {
				start = newDemoFakes
			}
			// The uninterrupted run: how many boundaries, and the state to reach.
			f := start(t, tt.users...)
			path := usersCSV(t, tt.csv...)
			args := append(append(f.args(), "-users", path), tt.extra...)
			clean := runOffboard(t, env(testSecrets), args...)
			require.Equal(t, exitOK, clean.code, clean.stdout+clean.stderr)
			want := destructive(f)
			require.Len(t, want, tt.steps, "%v", want)
			for target, n := range want {
				require.Equal(t, 1, n, target)
			}
			boundaries := 4 * tt.steps // beforeIntent, afterIntent, afterCall, afterOutcome

			for killAt := 1; killAt <= boundaries; killAt++ {
				t.Run(fmt.Sprintf("kill at boundary %d", killAt), func(t *testing.T) {
					f := start(t, tt.users...)
					dir := t.TempDir()
					journalPath, notePath := filepath.Join(dir, "journal.jsonl"), filepath.Join(dir, "note.json")
					args := append(append(f.args(), "-users", path), tt.extra...)
					c := startChild(t, helperSpec{Args: append(args, "-journal", journalPath), KillAt: killAt, NoteFile: notePath}, env(testSecrets))
					require.Equal(t, -1, c.wait(t), "the child was killed\nstdout:\n%s\nstderr:\n%s", &c.stdout, &c.stderr)
					var note killNote
					b, err := os.ReadFile(notePath)
					require.NoError(t, err)
					require.NoError(t, json.Unmarshal(b, &note))

					r := runOffboard(t, env(testSecrets), append(args, "-resume", journalPath)...)
					require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
					require.Len(t, r.report.Rows, len(tt.users))
					for _, u := range r.report.Rows {
						assert.Equal(t, all(outcomeDone), outcomes(u), "%s: %+v", u.User, u.Results)
						assert.Equal(t, "none", u.ResidualAccess, "%s: %+v", u.User, u.Results)
					}
					assertOffboarded(t, f, tt.users, slices.Contains(tt.extra, "-cas-household-leaves"))

					// Every destructive call once; twice only for a cas step without a read
					// whose call the kill cut from its outcome.
					expect := map[string]int{}
					for target := range want {
						expect[target] = 1
					}
					if note.Point == afterCall && note.Step.System == "cas" && note.Step.Step != casCancelRenewal {
						expect[note.Step.System+" "+note.Step.Target]++
					}
					assert.Equal(t, expect, destructive(f), "killed at %s of %+v", note.Point, note.Step)
				})
			}
		})
	}
}

// assertOffboarded checks the fakes' state after every user was offboarded everywhere.
func assertOffboarded(t *testing.T, f *fakes, users []user, householdLeaves bool) {
	t.Helper()
	for _, u := range users {
		st, _ := f.uds.User(u.UDSOrg, u.UDSUser)
		assert.Equal(t, uds.StatusInactive, st.Status, u.UDSUser)
		assert.Empty(t, st.Accounts, u.UDSUser)
		h, _ := f.cas.Household(u.CASHousehold)
		assert.NotContains(t, h.Users, u.CASUser)
		for _, e := range f.cas.Entitlements(u.CASHousehold) {
			assert.Equal(t, !householdLeaves, e.Renewing, "household %d subscription %s", u.CASHousehold, e.Code)
			assert.False(t, e.Cancelled, "CancelServiceNow is never sent")
		}
		if householdLeaves {
			assert.Zero(t, h.Recordings, "DeleteDomain")
		}
		pu, _ := f.projector.User(u.ProjectorRef)
		assert.True(t, pu.State == projectortest.Removed || pu.InactiveOn(time.Now()), "projector %s: %+v", u.ProjectorRef, pu)
	}
	for _, task := range f.provisioning.Tasks(f.org)[:2] {
		assert.Empty(t, task.Users, "task %d", task.ID)
	}
	for i := range 2 * len(users) {
		tok, ok := f.provisioning.Token(f.org, demoSerial(i))
		assert.True(t, ok)
		assert.Empty(t, tok.Owner, tok.Serial)
		assert.Equal(t, "Inventory", tok.State, tok.Serial)
	}
}

// TestSIGINTMidBatch sends SIGINT (and SIGTERM) to a batch while a projector delete is in flight: that
// step finishes and is recorded, users never started are reported as not started (not
// failed), the exit code is 1; -resume then finishes the batch without repeating anything.
func TestSIGINTMidBatch(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { testStopMidBatch(t, sig) })
	}
}

func testStopMidBatch(t *testing.T, sig os.Signal) {
	const n = 30
	users := make([]user, n)
	lines := []string{"label,uds_user,cas_household,cas_user,projector_ref,provisioning_user"}
	for i := range users {
		name := fmt.Sprintf("u%02d", i)
		users[i] = user{Label: name, UDSUser: name, CASHousehold: 100 + i, CASUser: name, ProjectorRef: name, ProvisioningUser: name}
		lines = append(lines, fmt.Sprintf("%s,%s,%d,%s,%s,%s", name, name, 100+i, name, name, name))
	}
	f := newFakes(t, users...)
	path := usersCSV(t, lines...)
	dir := t.TempDir()
	journalPath, reportPath := filepath.Join(dir, "journal.jsonl"), filepath.Join(dir, "report.json")
	args := append(f.args(), "-users", path, "-concurrency", "2", "-projector-concurrency", "1")

	release := f.projector.HoldDeleteUser()
	c := startChild(t, helperSpec{Args: append(args, "-journal", journalPath, "-report", reportPath)}, env(testSecrets))
	// A projector delete held in flight: after the session's PwsAuthenticate, the only
	// request that stays in flight.
	require.Eventually(t, func() bool {
		if f.projector.Logins() < 1 || f.projector.InFlight() != 1 {
			return false
		}
		// The lane runs one user at a time: a delete received and one request in flight is
		// the held delete (reads come and go).
		return slices.ContainsFunc(f.projector.Requests(), func(r projectortest.Request) bool { return r.Operation == "PwsDeleteUser" })
	}, 20*time.Second, time.Millisecond, "a projector delete in flight")
	require.NoError(t, c.cmd.Process.Signal(sig))
	require.Eventually(t, func() bool { return strings.Contains(c.stderr.String(), "finishing the steps in flight") }, 10*time.Second, time.Millisecond)
	release()
	require.Equal(t, exitFailed, c.wait(t), "stdout:\n%s\nstderr:\n%s", &c.stdout, &c.stderr)

	var rep report
	b, err := os.ReadFile(reportPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep), "%s", b)
	require.Len(t, rep.Rows, n)
	assert.True(t, rep.Stopped)
	assert.Zero(t, rep.FailedUsers, "stopping fails no one")
	assert.Positive(t, rep.NotStartedUsers)
	notStarted := 0
	for _, u := range rep.Rows {
		assert.False(t, u.Failed, u.User)
		if u.NotStarted {
			notStarted++
			assert.Equal(t, all(outcomeNotStarted), outcomes(u), u.User)
		}
	}
	assert.Equal(t, rep.NotStartedUsers, notStarted)
	// The delete in flight was finished (and recorded: the resume below does not send it
	// again), and no other started after the signal.
	deletes := 0
	for target, count := range destructive(f) {
		if strings.HasPrefix(target, "projector ") {
			deletes += count
		}
	}
	assert.Equal(t, 1, deletes, "%v", destructive(f))
	assert.Contains(t, c.stdout.String(), "-resume "+journalPath)
	before := destructive(f)

	r := runOffboard(t, env(testSecrets), append(args, "-resume", journalPath)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assertOffboarded(t, f, users, false)
	for target, count := range destructive(f) {
		assert.Equal(t, 1, count, "%s sent again (first run: %d)", target, before[target])
	}
}

// TestVersion: -version prints something and exits 0, in a child as an operator runs it.
func TestVersion(t *testing.T) {
	c := startChild(t, helperSpec{Args: []string{"-version"}}, func(string) string { return "" })
	require.Equal(t, exitOK, c.wait(t), c.stderr.String())
	assert.Regexp(t, `^offboard \S+`, c.stdout.String())
}
