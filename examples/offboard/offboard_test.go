package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

var jdoe = user{Label: "jdoe", UDSOrg: "ACME", UDSUser: "jdoe", CASHousehold: 7, CASUser: "jdoe", ProjectorRef: "jdoe", ProvisioningUser: "jdoe"}

// mutations lists the mutating operations each fake received.
func mutations(f *fakes) []string {
	var ops []string
	for _, r := range f.uds.Requests() {
		switch r.Operation {
		case "getUserStatus", "retrieveUser", "listUserAccounts":
		default:
			ops = append(ops, "uds "+r.Operation)
		}
	}
	for _, r := range f.cas.Requests() {
		switch {
		case r.Operation == "HandleUserTask" && r.Params != nil:
			ops = append(ops, "cas HandleUserTask")
		case r.Operation == "CancelSubscriptionRenewal", r.Operation == "CancelServiceNow":
			ops = append(ops, "cas "+r.Operation)
		}
	}
	for _, r := range f.projector.Requests() {
		if r.Operation == "PwsDeleteUser" {
			ops = append(ops, "projector "+r.Operation)
		}
	}
	for _, r := range f.provisioning.Requests() {
		switch r.Operation {
		case "GetProvisioningTasksForUser", "GetProvisioningTasks", "GetProvisioningTaskDetails",
			"GetProvisioningTaskCount", "GetProvisioningTasksForUserCount", "Connect", "PingConnection",
			"GetTokensByOwner", "GetTokens":
		default:
			ops = append(ops, "provisioning "+r.Operation)
		}
	}
	return ops
}

// TestDemo: no configuration at all, or -demo, runs against the built-in fakes, says so, and
// offboards the demo user everywhere.
func TestDemo(t *testing.T) {
	for _, args := range [][]string{nil, {"-demo"}, {"-demo", "-output", "compact"}} {
		t.Run(strings.Join(append([]string{"args"}, args...), " "), func(t *testing.T) {
			r := runOffboard(t, func(string) string { return "" }, args...)
			require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, "DEMO: running against the BUILT-IN FAKE servers")
			assert.True(t, r.report.AgainstFakes)
			assert.Empty(t, r.report.Journal, "the demo journals nothing unless asked")
			assert.Equal(t, all(outcomeDone), outcomes(r.report.Rows[0]))
			assert.Contains(t, r.stdout, "1 user(s), 0 with a failure, 0 with residual access; results: 4 done")
			assert.Empty(t, r.stderr)
			// The demo user's accounts and tokens were revoked, and every system verified.
			u := r.report.Rows[0]
			assert.Equal(t, "none", u.ResidualAccess)
			for _, system := range systemNames {
				assert.Equal(t, none(), resultOf(t, u, system).Residual, system)
			}
			assert.Len(t, resultOf(t, u, "uds").Items, 2)
			assert.Len(t, resultOf(t, u, "provisioning").Items, 2)
			assert.Equal(t, "PwsGetUserList: user inactive as of today", resultOf(t, u, "projector").Verification, "in use")
			if len(args) < 2 {
				assert.Contains(t, r.stdout, "still referenced: made inactive as of "+time.Now().Format(time.DateOnly))
				assert.Contains(t, r.stdout, "removed from tasks 1, 2")
			}
		})
	}
}

// TestOutputViews: the stdout views, the JSON-lines stream to a file, the report.
func TestOutputViews(t *testing.T) {
	rroe := user{Label: "rroe", UDSUser: "rroe"}
	csv := []string{"label,uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user",
		"jdoe,ACME,jdoe,7,jdoe,jdoe,jdoe", "rroe,,rroe,,,,"}
	tests := []struct {
		name    string
		args    []string
		want    []string // regexps stdout matches
		notWant []string
	}{
		{"compact is the batch default", nil,
			[]string{`(?m)^line 2 jdoe: FAILED uds done, cas done, projector failed \(50045 ViewPermissionDenied .*\), provisioning done; residual access: not verified in projector$`,
				`(?m)^line 3 rroe: ok uds done, cas skipped, projector skipped, provisioning skipped; residual access: none$`,
				`2 user\(s\), 1 with a failure`},
			[]string{"SYSTEM"}},
		{"failures", []string{"-output", "failures"},
			[]string{`(?m)^line 2 jdoe: FAILED `},
			[]string{"rroe: ok"}},
		{"table", []string{"-output", "table"},
			[]string{`(?m)^user jdoe \(line 2\)$`, `SYSTEM +ACTION +OUTCOME +RESIDUAL ACCESS +ANSWER +TRANSACTION +DETAIL`, `(?m)^user rroe \(line 3\)$`,
				`(?m)^  verified uds: retrieveUser: status INACTIVE, no account$`, `(?m)^  residual access: not verified in projector$`, `(?m)^  residual access: none$`},
			nil},
		{"jsonl", []string{"-output", "jsonl"},
			[]string{`(?m)^\{"time":"[^"]+","user":"jdoe","line":2,"system":"projector",.*"outcome":"failed"`,
				`(?m)^\{"time":"[^"]+","user":"jdoe","line":2,"system":"provisioning",.*"residual_access":"none"\}$`},
			[]string{"Offboarding", "user(s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t, jdoe, rroe)
			f.projector.FailNext(projectortest.Failure{Code: projector.CodeViewPermissionDenied})
			stream := filepath.Join(t.TempDir(), "rows.jsonl")
			r := runOffboard(t, env(testSecrets), append(append(f.args(), "-users", usersCSV(t, csv...), "-jsonl", stream), tt.args...)...)
			require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			for _, re := range tt.want {
				assert.Regexp(t, re, r.stdout)
			}
			for _, s := range tt.notWant {
				assert.NotContains(t, r.stdout, s)
			}
			// The stream: one JSON object per user and system.
			b, err := os.ReadFile(stream)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			require.Len(t, lines, 8)
			seen := map[string]outcome{}
			for _, l := range lines {
				var row jsonRow
				require.NoError(t, json.Unmarshal([]byte(l), &row), l)
				seen[row.User+" "+row.System] = row.Outcome
			}
			assert.Equal(t, outcomeFailed, seen["jdoe projector"])
			assert.Equal(t, outcomeSkipped, seen["rroe cas"])
			require.Len(t, r.report.Rows, 2)
			assert.Equal(t, 1, r.report.FailedUsers)
			assert.Equal(t, 2, r.report.Users)
		})
	}
}

func TestFullSuccess(t *testing.T) {
	f := newFakes(t, jdoe)
	r := runOffboard(t, env(testSecrets), append(f.args(), userArgs(jdoe)...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.NotNil(t, r.report)
	require.Len(t, r.report.Rows, 1)
	u := r.report.Rows[0]
	assert.Equal(t, all(outcomeDone), outcomes(u))
	assert.False(t, r.report.AgainstFakes, "configured endpoints are real systems to the program")

	ur := resultOf(t, u, "uds")
	assert.Equal(t, "The operation was successful!", ur.Message)
	assert.NotEmpty(t, ur.TransactionID, "udsTransactionID")
	assert.Equal(t, "ACTIVE → INACTIVE; accounts deleted: RADIUS_ID, OTP_ID", ur.Detail)
	assert.Equal(t, "0 OK", resultOf(t, u, "cas").Code)
	for _, system := range systemNames {
		assert.Equal(t, none(), resultOf(t, u, system).Residual, system)
	}
	assert.Equal(t, "none", u.ResidualAccess)
	assert.Equal(t, []itemResult{{Kind: "token", ID: "1000009", Outcome: outcomeDone, Code: "Success"}, {Kind: "token", ID: "1000019", Outcome: outcomeDone, Code: "Success"}},
		resultOf(t, u, "provisioning").Items)
	pr := resultOf(t, u, "projector")
	assert.Equal(t, "deleted", pr.Detail)
	assert.Regexp(t, `^ResponseId \d+$`, pr.TransactionID)
	assert.Equal(t, []taskResult{{TaskID: 1, Outcome: outcomeDone}, {TaskID: 2, Outcome: outcomeDone}}, resultOf(t, u, "provisioning").Tasks)

	// The systems changed.
	st, _ := f.uds.User("ACME", "jdoe")
	assert.Equal(t, uds.StatusInactive, st.Status)
	h, _ := f.cas.Household(7)
	assert.Equal(t, []string{demoHouseholdOwner}, h.Users)
	pu, _ := f.projector.User("jdoe")
	assert.Equal(t, projectortest.Removed, pu.State)
	for _, task := range f.provisioning.Tasks(f.org) {
		for _, tu := range task.Users {
			assert.NotEqual(t, "jdoe", tu.UserName, "task %d", task.ID)
		}
	}
	// The table shows the same.
	assert.Regexp(t, `uds +updateUserStatus INACTIVE, deleteUserAccount ×2 +done +none +The operation was successful! +`+ur.TransactionID, r.stdout)
	assert.Contains(t, r.stdout, "  residual access: none\n")
	st, _ = f.uds.User("ACME", "jdoe")
	assert.Empty(t, st.Accounts)
	tok, _ := f.provisioning.Token(f.org, "1000009")
	assert.Equal(t, "Inventory", tok.State, "revoked back to inventory by default")
	assert.Empty(t, f.uds.Violations())
	assert.Empty(t, f.cas.Violations())
	assert.Empty(t, f.provisioning.Violations())
	assert.Empty(t, f.projector.Violations())
}

// TestUDSOptions: -uds-delete sends deleteUser; a lock window is sent with INACTIVE (and one
// that starts later leaves the user active now: residual access, exit status 1);
// -projector-end-date none sends no EndDateIfInUse.
func TestUDSOptions(t *testing.T) {
	t.Run("delete", func(t *testing.T) {
		f := newFakes(t, jdoe)
		r := runOffboard(t, env(testSecrets), append(f.args(), append(userArgs(jdoe), "-uds-delete")...)...)
		require.Equal(t, exitOK, r.code, r.stdout)
		st, _ := f.uds.User("ACME", "jdoe")
		assert.Equal(t, uds.StatusDeleted, st.Status)
		assert.Contains(t, mutations(f), "uds deleteUser")
		assert.NotContains(t, mutations(f), "uds updateUserStatus")
		ur := resultOf(t, r.report.Rows[0], "uds")
		assert.Equal(t, "retrieveUser: status DELETED, no account", ur.Verification)
		assert.Equal(t, none(), ur.Residual)
	})
	t.Run("lock window that starts later leaves access", func(t *testing.T) {
		f := newFakes(t, jdoe)
		r := runOffboard(t, env(testSecrets), append(f.args(), append(userArgs(jdoe),
			"-uds-lock-from", "2030-01-01T00:00:00Z", "-uds-lock-until", "2030-02-01")...)...)
		require.Equal(t, exitFailed, r.code, r.stdout)
		st, _ := f.uds.User("ACME", "jdoe")
		assert.Equal(t, uds.StatusInactive, st.Status)
		assert.True(t, st.StartLockTime.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
		assert.True(t, st.EndLockTime.Equal(time.Date(2030, 2, 1, 0, 0, 0, 0, time.Local)))
		u := r.report.Rows[0]
		assert.Equal(t, outcomeDone, resultOf(t, u, "uds").Outcome, "every call succeeded")
		assert.Equal(t, &residual{Left: []string{"user status ACTIVE (not INACTIVE)"}}, resultOf(t, u, "uds").Residual)
		assert.True(t, u.Failed)
		assert.Equal(t, "left in uds", u.ResidualAccess)
		assert.Equal(t, 1, r.report.ResidualUsers)
		assert.Contains(t, r.stdout, "1 user(s), 1 with a failure, 1 with residual access")
	})
	t.Run("referenced projector user without EndDateIfInUse fails", func(t *testing.T) {
		f := newFakes(t, jdoe)
		f.projector.AddUser(projectortest.User{ReferenceSystemID: "busy", InUse: true})
		r := runOffboard(t, env(testSecrets), append(f.argsFor("projector"), "-projector-ref", "busy", "-projector-end-date", "none")...)
		require.Equal(t, exitFailed, r.code, r.stdout)
		u := r.report.Rows[0]
		assert.Equal(t, map[string]outcome{"uds": outcomeSkipped, "cas": outcomeSkipped, "projector": outcomeFailed, "provisioning": outcomeSkipped}, outcomes(u))
		pu, _ := f.projector.User("busy")
		assert.Equal(t, projectortest.Active, pu.State)
	})
}

// TestDryRun: the plan is read and printed, and no mutating operation reaches any system.
func TestDryRun(t *testing.T) {
	f := newFakes(t, jdoe)
	r := runOffboard(t, env(testSecrets), append(f.args(), append(userArgs(jdoe), "-dry-run")...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "DRY RUN")
	u := r.report.Rows[0]
	assert.Equal(t, all(outcomePlanned), outcomes(u))
	assert.True(t, r.report.DryRun)
	assert.Equal(t, "ACTIVE → INACTIVE; delete account(s) RADIUS_ID (jdoe-radius), OTP_ID (jdoe-otp)", resultOf(t, u, "uds").Detail)
	assert.Equal(t, "revoke token(s) 1000009, 1000019 (ReturntoInventory_Initialized); remove from tasks 1, 2", resultOf(t, u, "provisioning").Detail)
	assert.Equal(t, []itemResult{{Kind: "account", ID: "RADIUS_ID", Outcome: outcomePlanned}, {Kind: "account", ID: "OTP_ID", Outcome: outcomePlanned}}, resultOf(t, u, "uds").Items)
	assert.Equal(t, []itemResult{{Kind: "token", ID: "1000009", Outcome: outcomePlanned}, {Kind: "token", ID: "1000019", Outcome: outcomePlanned}}, resultOf(t, u, "provisioning").Items)
	assert.Contains(t, r.stdout, "residual access: not verified (dry run")

	assert.Empty(t, mutations(f), "a dry run sends no mutating operation")
	// It did read: the uds status and the provisioning tasks; projector authenticated.
	require.NotEmpty(t, f.uds.Requests())
	assert.Equal(t, 1, f.projector.Logins())
	st, _ := f.uds.User("ACME", "jdoe")
	assert.Equal(t, uds.StatusActive, st.Status)
	h, _ := f.cas.Household(7)
	assert.Contains(t, h.Users, "jdoe")
}

// TestRerun: a second run reads every system, finds nothing left, says "already" and
// verifies again: residual access none. Only what has no read in its system is sent again
// (cas's HandleUserTask, BSIDCA's RemoveUser), and changes nothing.
func TestRerun(t *testing.T) {
	tests := []struct {
		name  string
		extra []string
		again []string // the mutating requests the rerun sends
	}{
		{"defaults", nil, []string{"cas HandleUserTask"}},
		{"every destructive extra", []string{"-uds-delete", "-cas-household-leaves", "-provisioning-remove-user", "-provisioning-revoke-mode", "lost"},
			[]string{"cas HandleUserTask", "cas HandleUserTask", "provisioning RemoveUser"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t, jdoe)
			args := append(append(f.args(), userArgs(jdoe)...), tt.extra...)
			first := runOffboard(t, env(testSecrets), args...)
			require.Equal(t, exitOK, first.code, first.stdout)
			assert.Equal(t, "none", first.report.Rows[0].ResidualAccess)
			before := mutations(f)

			second := runOffboard(t, env(testSecrets), args...)
			require.Equal(t, exitOK, second.code, "stdout:\n%s\nstderr:\n%s", second.stdout, second.stderr)
			u := second.report.Rows[0]
			// cas cannot say "already" for the user: the real Delete does not check membership
			// and answers 0 OK again (FACTS §1), and the fake does the same.
			want := all(outcomeAlready)
			want["cas"] = outcomeDone
			assert.Equal(t, want, outcomes(u))
			for _, system := range systemNames {
				assert.Equal(t, none(), resultOf(t, u, system).Residual, system)
				assert.NotEmpty(t, resultOf(t, u, system).Verification, system)
			}
			assert.Equal(t, "none", u.ResidualAccess)
			assert.Regexp(t, `^already: status (INACTIVE|DELETED), no account$`, resultOf(t, u, "uds").Detail)
			assert.Equal(t, "0 OK", resultOf(t, u, "cas").Code)
			assert.Regexp(t, `^already: (no such user|inactive as of today)$`, resultOf(t, u, "projector").Detail)
			if len(tt.extra) == 0 {
				assert.Equal(t, "already: no token, in no provisioning task", resultOf(t, u, "provisioning").Detail)
			}
			assert.Contains(t, second.stdout, "results: 1 done, 3 already")
			assert.Contains(t, second.stdout, "residual access: none")
			assert.ElementsMatch(t, append(before, tt.again...), mutations(f))
		})
	}
}

// TestOneSystemFails: a failing system is reported with what the server said; the others
// go on; the exit code is 1.
func TestOneSystemFails(t *testing.T) {
	tests := []struct {
		name    string
		system  string
		breakIt func(f *fakes)
		code    string // the server's code in the report
		message string // part of the server's message
	}{
		{"uds fault", "uds", func(f *fakes) { f.uds.FailNext(udstest.NotInitialized()) },
			uds.CodeNotInitialized, "UDS is not initialized."},
		{"cas status", "cas", func(f *fakes) {
			f.cas.FailNext(castest.Failure{Code: cas.CodeDomainSuspended, Message: "Domain suspended"})
		},
			"1009 DomainSuspended", "Domain suspended"},
		{"cas stopped", "cas", func(f *fakes) { f.cas.Close() }, "", "no answer: dial tcp"},
		{"projector message", "projector", func(f *fakes) { f.projector.FailNext(projectortest.Failure{Code: projector.CodeViewPermissionDenied}) },
			"50045 ViewPermissionDenied", ""},
		{"provisioning fault", "provisioning", func(f *fakes) { f.provisioning.FailNext(provisioningtest.Failure{Message: "Task store is locked"}) },
			"Server", "Task store is locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t, jdoe)
			tt.breakIt(f)
			r := runOffboard(t, env(testSecrets), append(f.args(), userArgs(jdoe)...)...)
			require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			u := r.report.Rows[0]
			want := all(outcomeDone)
			want[tt.system] = outcomeFailed
			assert.Equal(t, want, outcomes(u))
			assert.True(t, u.Failed)
			res := resultOf(t, u, tt.system)
			assert.Equal(t, tt.code, res.Code)
			assert.Contains(t, res.Message, tt.message)
			assert.NotEmpty(t, res.Message, "every failure says what the server said")
			assert.NotContains(t, res.Message, "http://", "the endpoint is in the run's header, not in every cell")
			assert.Regexp(t, tt.system+` +\S+.* +failed +`, r.stdout)
			assert.Contains(t, r.stdout, "1 user(s), 1 with a failure")
		})
	}
}

// TestBatch: 50 users from a CSV file, 8 at a time, over one client per system.
func TestBatch(t *testing.T) {
	const n = 50
	users := make([]user, n)
	lines := []string{"label,uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user"}
	for i := range users {
		name := fmt.Sprintf("user%02d", i)
		users[i] = user{Label: "User " + name, UDSOrg: "ACME", UDSUser: name, CASHousehold: 100 + i/5, CASUser: name, ProjectorRef: name, ProvisioningUser: name}
		lines = append(lines, fmt.Sprintf("User %s,ACME,%s,%d,%s,%s,%s", name, name, 100+i/5, name, name, name))
	}
	f := newFakes(t, users...)
	path := usersCSV(t, lines...)

	// Hold Projector's deletes until the client has as many in flight as it can: with one
	// client per user, 8 workers would get 8 there.
	release := f.projector.HoldDeleteUser()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer release()
		assert.Eventually(t, func() bool { return f.projector.InFlight() >= projector.DefaultMaxInFlight }, 10*time.Second, time.Millisecond)
	}()
	r := runOffboard(t, env(testSecrets), append(f.args(), "-users", path, "-concurrency", "8")...)
	wg.Wait()

	require.Equal(t, exitOK, r.code, "stderr:\n%s", r.stderr)
	require.Len(t, r.report.Rows, n)
	total := 0
	for i, u := range r.report.Rows {
		assert.Equal(t, users[i].Label, u.User, "reports keep the file's order")
		assert.Equal(t, i+2, u.Line)
		assert.Equal(t, all(outcomeDone), outcomes(u), u.User)
		total += len(u.Results)
	}
	assert.Equal(t, n*4, total)
	assert.Equal(t, n*4, r.report.Summary[outcomeDone])
	assert.LessOrEqual(t, f.projector.MaxInFlight(), projector.DefaultMaxInFlight, "one shared projector client")
	assert.Equal(t, 1, f.projector.Logins(), "one session for the whole batch")
	assert.Equal(t, 1, f.uds.Logins(), "one AnA authentication, then the token")
	assert.Equal(t, 1, f.provisioning.Logins(), "one BSIDCA session")
	for _, task := range f.provisioning.Tasks(f.org)[:2] {
		assert.Empty(t, task.Users)
	}
	assert.Contains(t, r.stdout, "50 user(s), 0 with a failure, 0 with residual access; results: 200 done")
}

// TestDuplicateRowsRunOnce: a user given twice in the users file is offboarded once, with
// a warning naming both lines.
func TestDuplicateRowsRunOnce(t *testing.T) {
	f := newFakes(t, jdoe)
	path := usersCSV(t, "label,uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user",
		"jdoe,ACME,jdoe,7,jdoe,jdoe,jdoe", "Jane Doe,ACME,jdoe,7,jdoe,jdoe,jdoe")
	r := runOffboard(t, env(testSecrets), append(f.args(), "-users", path)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stderr, "line 3: the same user as line 2 (Jane Doe): offboarded once")
	require.Len(t, r.report.Rows, 1)
	for target, n := range destructive(f) {
		assert.Equal(t, 1, n, target)
	}
	assert.Len(t, destructive(f), 9)
}

// TestSecretsNeverPrinted: with -debug wire logging, failures and a report, no secret, session
// token, ticket or cookie appears in stdout, stderr or the report.
func TestSecretsNeverPrinted(t *testing.T) {
	f := newFakes(t, jdoe)
	args := append(f.args(), append(userArgs(jdoe), "-debug", "-observe")...)
	ok := runOffboard(t, env(testSecrets), args...)
	require.Equal(t, exitOK, ok.code, ok.stderr)
	require.Contains(t, ok.stderr, "level=DEBUG", "the wire log was on")
	require.Contains(t, ok.stderr, `msg="offboard call"`, "the observation lines were on")

	// Wrong secrets: cas and provisioning refuse them, uds and projector too.
	wrong := fakeOptions{udsCredential: "uds-Wrong-0d9c", casPassword: "cas-Wrong-5e1b", projectorPassword: "prj-Wrong-c3a8", provisioningOTP: "otp-Wrong-77f2"}
	bad := runOffboard(t, env(wrong), args...)
	require.Equal(t, exitFailed, bad.code, bad.stdout)
	assert.Equal(t, all(outcomeFailed), outcomes(bad.report.Rows[0]))

	secrets := []string{testSecrets.udsCredential, testSecrets.casPassword, testSecrets.projectorPassword, testSecrets.provisioningOTP,
		wrong.udsCredential, wrong.casPassword, wrong.projectorPassword, wrong.provisioningOTP}
	// The session secrets the servers issued: uds authToken, projector tickets, BSIDCA cookie.
	for _, r := range f.uds.Requests() {
		if r.AnA.AuthToken != "" {
			secrets = append(secrets, r.AnA.AuthToken)
		}
	}
	for _, r := range f.projector.Requests() {
		if r.SessionTicket != "" {
			secrets = append(secrets, r.SessionTicket)
		}
	}
	for _, r := range f.provisioning.Requests() {
		if r.SessionID != "" {
			secrets = append(secrets, r.SessionID)
		}
	}
	secrets = slices.Compact(slices.Sorted(slices.Values(secrets)))
	require.Greater(t, len(secrets), 8, "the servers issued session secrets")

	for _, r := range []runResult{ok, bad} {
		for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "report": r.reportJSON, "journal": r.journal} {
			require.NotEmpty(t, out, name)
			for _, s := range secrets {
				require.NotEmpty(t, s)
				assert.NotContains(t, out, s, "%s leaks a secret", name)
			}
		}
	}
	// The secrets were used: the servers saw them.
	assert.Equal(t, testSecrets.casPassword, f.cas.Requests()[0].Params["sWSPassword"])
}

// TestBadUsage: exit code 2, a message on stderr, and nothing sent.
func TestBadUsage(t *testing.T) {
	f := newFakes(t, jdoe)
	good := append(f.args(), userArgs(jdoe)...)
	noEnv := func(string) string { return "" }
	casCSV := func(path string) []string { return append(f.argsFor("cas"), "-users", path) }
	missing := func(name string) func(string) string {
		e := env(testSecrets)
		return func(k string) string {
			if k == name {
				return ""
			}
			return e(k)
		}
	}
	tests := []struct {
		name   string
		args   []string
		env    func(string) string
		stderr string
	}{
		{"unknown flag", []string{"-frobnicate"}, noEnv, "flag provided but not defined"},
		{"positional argument", []string{"jdoe"}, noEnv, `unexpected argument "jdoe"`},
		{"concurrency 0", []string{"-concurrency", "0"}, noEnv, "-concurrency"},
		{"unknown revoke mode", append(slices.Clone(good), "-provisioning-revoke-mode", "shred"), env(testSecrets), `-provisioning-revoke-mode "shred": want inventory, inventory-uninitialized, faulty or lost`},
		{"options without endpoints nor -demo", []string{"-uds-delete", "-cas-household-leaves"}, env(testSecrets), "or -demo to try them against the built-in fakes"},
		{"users file missing", casCSV("/nonexistent/users.csv"), env(testSecrets), "-users"},
		{"users file bad column", casCSV(usersCSV(t, "uds_user,email", "jdoe,j@example.com")), env(testSecrets), `unknown column "email"`},
		{"users file bad household", casCSV(usersCSV(t, "cas_household,cas_user", "abc,jdoe")), env(testSecrets), `line 2: cas_household "abc"`},
		{"users file empty", casCSV(usersCSV(t, "")), env(testSecrets), "empty file"},
		{"users file header only", casCSV(usersCSV(t, "uds_user")), env(testSecrets), "no users"},
		{"users file without any system", []string{"-users", usersCSV(t, "uds_user", "jdoe")}, noEnv, "no system configured"},
		{"empty endpoint", []string{"-uds-endpoint", "", "-uds-user", "realuser"}, env(testSecrets), "-uds-endpoint is empty"},
		{"empty endpoint among good ones", append(slices.Clone(good), "-cas-endpoint="), env(testSecrets), "-cas-endpoint is empty"},
		{"system flag without endpoint", append(f.argsFor("uds"), "-uds-user", "jdoe", "-projector-ref", "jdoe"), env(testSecrets), "projector flags were given but -projector-endpoint is empty"},
		{"demo with system flags", []string{"-demo", "-uds-endpoint", f.uds.URL}, noEnv, "-demo"},
		{"demo and resume", []string{"-demo", "-resume", "x.jsonl"}, noEnv, "-demo excludes -resume"},
		{"resume a missing journal", append(slices.Clone(good), "-resume", "/nonexistent/j.jsonl"), env(testSecrets), "-resume"},
		{"journal and resume", append(slices.Clone(good), "-resume", "a", "-journal", "b"), env(testSecrets), "exclude each other"},
		{"unknown output", []string{"-output", "xml"}, noEnv, `-output "xml"`},
		{"projector concurrency over 4", []string{"-projector-concurrency", "5"}, noEnv, "at most 4"},
		{"users and user flags", []string{"-users", usersCSV(t, "uds_user", "jdoe"), "-uds-user", "jdoe"}, noEnv, "exclude each other"},
		{"half a cas user", []string{"-cas-household", "7"}, noEnv, "-cas-household and -cas-user go together"},
		{"lock window with delete", []string{"-uds-delete", "-uds-lock-until", "2030-01-01"}, noEnv, "lock window"},
		{"lock window backwards", []string{"-uds-lock-from", "2030-02-01", "-uds-lock-until", "2030-01-01"}, noEnv, "after"},
		{"bad end date", []string{"-projector-end-date", "tomorrow"}, noEnv, "-projector-end-date"},
		{"report in a missing directory", append(slices.Clone(good), "-report", "/nonexistent/r.json"), env(testSecrets), "-report"},
		{"missing CAS_WS_PASSWORD", good, missing(envCASPassword), "$CAS_WS_PASSWORD"},
		{"missing UDS_CREDENTIAL", good, missing(envUDSCredential), "$UDS_CREDENTIAL"},
		{"missing PROJECTOR_PASSWORD", good, missing(envProjectorPasswd), "$PROJECTOR_PASSWORD"},
		{"missing PROVISIONING_OTP", good, missing(envProvisioningOTP), "$PROVISIONING_OTP"},
		{"endpoint without the user", []string{"-projector-endpoint", f.projector.URL, "-projector-account", "a", "-projector-login", "l", "-uds-user", "jdoe"},
			env(testSecrets), "-projector-ref is missing"},
		{"endpoint and no user at all", []string{"-cas-endpoint", f.cas.URL}, env(testSecrets), "nothing to offboard"},
		{"bad endpoint", []string{"-cas-endpoint", "::not a url", "-cas-household", "7", "-cas-user", "jdoe", "-cas-ws-user", "u"}, env(testSecrets), "cas:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, tt.env, &stdout, &stderr)
			assert.Equal(t, exitUsage, code, "stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.Empty(t, stdout.String())
		})
	}
	assert.Empty(t, mutations(f))
	assert.Empty(t, f.uds.Requests())
	assert.Empty(t, f.projector.Requests())
	assert.Empty(t, f.provisioning.Requests())
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitOK, run(context.Background(), []string{"-h"}, func(string) string { return "CAS_DEFAULT_USER" }, &stdout, &stderr))
	help := stderr.String()
	for _, want := range []string{"UDS_CREDENTIAL", "CAS_WS_PASSWORD", "PROJECTOR_PASSWORD", "PROVISIONING_OTP",
		strings.Join(csvColumns, ","), "-dry-run", "-users", "-resume", "-journal", "-output", "-version", "Exit status"} {
		assert.Contains(t, help, want)
	}
	// Grouped: the global flags, then each system's.
	groups := []string{"Global flags:", "uds flags:", "cas flags:", "projector flags:", "provisioning flags:"}
	last := -1
	for _, g := range groups {
		i := strings.Index(help, "\n"+g+"\n")
		require.Positive(t, i, g)
		assert.Greater(t, i, last, "%s comes after the previous group", g)
		last = i
	}
	global := help[strings.Index(help, "Global flags:"):strings.Index(help, "uds flags:")]
	assert.NotContains(t, global, "-uds-")
	assert.Contains(t, global, "-concurrency")
	// The default of -cas-ws-user is said once, not with the environment's value.
	assert.Equal(t, 1, strings.Count(help, "default $CAS_WS_USERNAME"))
	assert.NotContains(t, help, "CAS_DEFAULT_USER")
}

// TestInterrupted: once the context ends (SIGINT), users not yet started are reported as
// not started, without a request, and the exit code is 1.
func TestInterrupted(t *testing.T) {
	f := newFakes(t, jdoe)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runOffboardCtx(ctx, t, env(testSecrets), append(f.args(), userArgs(jdoe)...)...)
	assert.Equal(t, exitFailed, r.code)
	assert.Regexp(t, `uds +- +not started`, r.stdout)
	assert.Contains(t, r.stdout, "-resume")
	assert.Contains(t, r.stderr, "stopped")
	require.Len(t, r.report.Rows, 1)
	assert.True(t, r.report.Rows[0].NotStarted)
	assert.False(t, r.report.Rows[0].Failed)
	assert.Equal(t, all(outcomeNotStarted), outcomes(r.report.Rows[0]))
	assert.Equal(t, 1, r.report.NotStartedUsers)
	assert.Empty(t, f.cas.Requests())
	assert.Empty(t, f.uds.Requests())
}

// TestSkipped: a system without an endpoint is skipped for everyone, and a user without an
// identifier for a system is skipped there; neither is a failure.
func TestSkipped(t *testing.T) {
	rroe := user{Label: "rroe", UDSUser: "rroe", ProjectorRef: "rroe"} // in uds (default organisation) and projector only
	f := newFakes(t, jdoe, rroe)
	path := usersCSV(t, "projector_ref,uds_user,uds_org,cas_household,cas_user,provisioning_user",
		"jdoe,jdoe,ACME,7,jdoe,jdoe",
		"rroe,rroe,,,,")
	r := runOffboard(t, env(testSecrets), append(f.argsFor("uds", "projector", "provisioning"), "-users", path)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.Len(t, r.report.Rows, 2)
	assert.Equal(t, map[string]outcome{"uds": outcomeDone, "cas": outcomeSkipped, "projector": outcomeDone, "provisioning": outcomeDone},
		outcomes(r.report.Rows[0]))
	assert.Equal(t, map[string]outcome{"uds": outcomeDone, "cas": outcomeSkipped, "projector": outcomeDone, "provisioning": outcomeSkipped},
		outcomes(r.report.Rows[1]))
	assert.Equal(t, "not configured (no -cas-… flags)", resultOf(t, r.report.Rows[0], "cas").Detail)
	assert.Equal(t, "no provisioning_user for this user", resultOf(t, r.report.Rows[1], "provisioning").Detail)
	assert.Contains(t, r.stdout, "cas           skipped: not configured")
	assert.Empty(t, f.cas.Requests())
	st, _ := f.uds.User("", "rroe")
	assert.Equal(t, uds.StatusInactive, st.Status)
}
