package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// newDemoFakes starts the fakes seeded as the demo is: every user with 2 uds accounts, 2
// renewing subscriptions in its household, 2 tokens, and a Projector user still referenced
// (in use), so that PwsDeleteUser makes it inactive as of today.
func newDemoFakes(t *testing.T, users ...user) *fakes {
	t.Helper()
	o := testSecrets
	o.provisioningOrg, o.projectorInUse = "Test Org", true
	f := startFakes(users, o)
	t.Cleanup(f.close)
	return f
}

// TestE2ELeaverEndsWithoutAccess is issue 19's end-to-end case: a leaver with 2 tokens, 2
// renewing subscriptions in a household that leaves, 2 uds accounts and an in-use Projector
// user ends with residual access none in every system, proven by reading each system again;
// a rerun reports "already" and still none. (TestCrashAndResume kills the same run at every
// step boundary.)
func TestE2ELeaverEndsWithoutAccess(t *testing.T) {
	f := newDemoFakes(t, jdoe)
	args := append(append(f.args(), userArgs(jdoe)...), "-cas-household-leaves", "-output", "compact")

	// The plan: what will be revoked, read from each system; nothing sent.
	plan := runOffboard(t, env(testSecrets), append(args, "-dry-run")...)
	require.Equal(t, exitOK, plan.code, "stdout:\n%s\nstderr:\n%s", plan.stdout, plan.stderr)
	p := plan.report.Rows[0]
	assert.Equal(t, all(outcomePlanned), outcomes(p))
	assert.Equal(t, []itemResult{{Kind: "account", ID: "RADIUS_ID", Outcome: outcomePlanned}, {Kind: "account", ID: "OTP_ID", Outcome: outcomePlanned}}, resultOf(t, p, "uds").Items)
	assert.Equal(t, []itemResult{{Kind: "subscription", ID: "101", Outcome: outcomePlanned}, {Kind: "subscription", ID: "202", Outcome: outcomePlanned},
		{Kind: "household", ID: "7", Outcome: outcomePlanned}}, resultOf(t, p, "cas").Items)
	assert.Equal(t, []itemResult{{Kind: "token", ID: "1000009", Outcome: outcomePlanned}, {Kind: "token", ID: "1000019", Outcome: outcomePlanned}}, resultOf(t, p, "provisioning").Items)
	assert.Contains(t, resultOf(t, p, "cas").Detail, "cancel the renewal of subscription(s) 101, 202")
	assert.Empty(t, mutations(f), "the plan changes nothing")

	// The run.
	first := runOffboard(t, env(testSecrets), args...)
	require.Equal(t, exitOK, first.code, "stdout:\n%s\nstderr:\n%s", first.stdout, first.stderr)
	u := first.report.Rows[0]
	assert.Equal(t, all(outcomeDone), outcomes(u))
	for _, system := range systemNames {
		assert.Equal(t, none(), resultOf(t, u, system).Residual, system)
	}
	assert.Equal(t, "none", u.ResidualAccess)
	assert.Zero(t, first.report.ResidualUsers)
	assert.Equal(t, "retrieveUser: status INACTIVE, no account", resultOf(t, u, "uds").Verification)
	assert.Contains(t, resultOf(t, u, "cas").Verification, "household 7 has 2 current subscription(s), none renewing")
	assert.Equal(t, "PwsGetUserList: user inactive as of today", resultOf(t, u, "projector").Verification)
	assert.Equal(t, "GetTokensByOwner: no token; GetProvisioningTasksForUser: in no task", resultOf(t, u, "provisioning").Verification)
	assert.Equal(t, "still referenced: made inactive as of "+time.Now().Format(time.DateOnly), resultOf(t, u, "projector").Detail)
	assert.Regexp(t, `(?m)^jdoe: ok uds done, cas done, projector done, provisioning done; residual access: none$`, first.stdout)
	assert.Contains(t, first.reportJSON, `"residual_access":"none"`)
	assertOffboarded(t, f, []user{jdoe}, true)
	pu, _ := f.projector.User("jdoe")
	assert.True(t, pu.InactiveOn(time.Now()), "in use: made inactive, not deleted")
	assert.NotContains(t, destructive(f), "cas CancelServiceNow", "never by default")
	assert.Empty(t, f.cas.Violations())
	assert.Empty(t, f.provisioning.Violations())
	assert.Empty(t, f.uds.Violations())
	assert.Empty(t, f.projector.Violations())

	// The rerun: read again, nothing left, "already", verified again. Only the cas steps
	// without a read are sent again (0 OK, nothing changed).
	before := destructive(f)
	second := runOffboard(t, env(testSecrets), args...)
	require.Equal(t, exitOK, second.code, "stdout:\n%s\nstderr:\n%s", second.stdout, second.stderr)
	u = second.report.Rows[0]
	want := all(outcomeAlready)
	want["cas"] = outcomeDone // HandleUserTask answers 0 OK again: cas cannot tell
	assert.Equal(t, want, outcomes(u))
	assert.Equal(t, "none", u.ResidualAccess)
	for _, system := range systemNames {
		assert.Equal(t, none(), resultOf(t, u, system).Residual, system)
	}
	assert.Equal(t, []itemResult{{Kind: "household", ID: "7", Outcome: outcomeDone, Code: "0 OK", Message: "OK"}}, resultOf(t, u, "cas").Items,
		"no subscription renews: no cancellation sent; DeleteDomain has no read: sent again")
	after := destructive(f)
	for target, n := range after {
		switch target {
		case "cas household 7 user jdoe", "cas household 7":
			assert.Equal(t, before[target]+1, n, target)
		default:
			assert.Equal(t, before[target], n, "%s sent again", target)
		}
	}
}

// TestResidualAccess: what the final read finds left is reported per user and system, in
// the table, the compact line, the JSON lines and the report, and makes the run fail (exit
// status 1) even when every call succeeded.
func TestResidualAccess(t *testing.T) {
	tests := []struct {
		name    string
		extra   []string
		setup   func(f *fakes)
		system  string
		left    []string
		callsOK bool // every call the run sent succeeded
	}{
		{"projector end date later", []string{"-projector-end-date", "2099-01-01"}, nil,
			"projector", []string{"user active (end date 2099-01-01)"}, true},
		{"uds lock window starting later", []string{"-uds-lock-from", "2099-01-01"}, nil,
			"uds", []string{"user status ACTIVE (not INACTIVE)"}, true},
		{"a token the server will not revoke", nil, func(f *fakes) {
			f.provisioning.AddUser(f.org, provisioningtest.User{UserName: "jdoe", Operator: true})
			f.provisioning.AddToken(f.org, provisioningtest.Token{Serial: "1000009", Owner: "jdoe", State: "Active"})
			f.provisioning.AddToken(f.org, provisioningtest.Token{Serial: "1000019", Owner: "", State: "Inventory"})
		}, "provisioning", []string{"token 1000009 owned"}, false},
		{"a renewal the server will not cancel", []string{"-cas-household-leaves"}, func(f *fakes) {
			f.cas.AddHousehold(castest.Household{ID: 7, Users: []string{demoHouseholdOwner, "jdoe"}, MasterUsers: []string{demoHouseholdOwner},
				Entitlements: []castest.Entitlement{{Code: "101", UserID: "jdoe", Renewing: true}, {Code: "202", UserID: "jdoe", Renewing: true, CancellationBlocked: true}}})
		}, "cas", []string{"subscription 202 renews"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDemoFakes(t, jdoe)
			if tt.setup != nil {
				tt.setup(f)
			}
			stream := filepath.Join(t.TempDir(), "rows.jsonl")
			args := append(append(f.args(), userArgs(jdoe)...), "-jsonl", stream)
			r := runOffboard(t, env(testSecrets), append(args, tt.extra...)...)
			require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			u := r.report.Rows[0]
			res := resultOf(t, u, tt.system)
			assert.Equal(t, &residual{Left: tt.left}, res.Residual)
			if tt.callsOK {
				assert.Equal(t, outcomeDone, res.Outcome, "the calls succeeded")
			}
			for _, s := range systemNames {
				if s != tt.system {
					assert.Equal(t, none(), resultOf(t, u, s).Residual, s)
				}
			}
			assert.True(t, u.Failed)
			assert.Equal(t, "left in "+tt.system, u.ResidualAccess)
			assert.Equal(t, 1, r.report.ResidualUsers)
			assert.Equal(t, 1, r.report.FailedUsers)
			// The table, the report, the JSON lines.
			assert.Contains(t, r.stdout, "  residual access: left in "+tt.system+"\n")
			assert.Regexp(t, `(?m)^  `+tt.system+` .* `+regexp.QuoteMeta(strings.Join(tt.left, "; "))+` `, r.stdout)
			assert.Contains(t, r.reportJSON, `"users_with_residual_access": 1`)
			b, err := os.ReadFile(stream)
			require.NoError(t, err)
			found := false
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				var row jsonRow
				require.NoError(t, json.Unmarshal([]byte(line), &row))
				if row.System == tt.system {
					found = true
					assert.Equal(t, tt.left, row.Residual.Left)
				}
			}
			assert.True(t, found)

			// The compact view.
			r = runOffboard(t, env(testSecrets), append(append(f.args(), userArgs(jdoe)...), append(tt.extra, "-output", "compact")...)...)
			require.Equal(t, exitFailed, r.code)
			assert.Regexp(t, `(?m)^jdoe: RESIDUAL ACCESS .*`+tt.system+` \w+.* \[left: `+regexp.QuoteMeta(strings.Join(tt.left, "; "))+`\].*; residual access: left in `+tt.system+`$`, r.stdout)
		})
	}
}

// TestDemoHouseholdLeaves: the demo takes the options that choose what is done
// (-cas-household-leaves, -uds-delete, -provisioning-remove-user…) and ends with residual
// access none; the systems' connection flags still mean real systems.
func TestDemoHouseholdLeaves(t *testing.T) {
	r := runOffboard(t, func(string) string { return "" }, "-demo", "-cas-household-leaves", "-uds-delete", "-provisioning-remove-user", "-provisioning-revoke-mode", "faulty")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.True(t, r.report.AgainstFakes)
	u := r.report.Rows[0]
	assert.Equal(t, all(outcomeDone), outcomes(u))
	assert.Equal(t, "none", u.ResidualAccess)
	assert.Contains(t, r.stdout, "the whole household leaves")
	assert.Contains(t, r.stdout, "retrieveUser: status DELETED, no account")

	bad := runOffboard(t, func(string) string { return "" }, "-cas-household-leaves")
	assert.Equal(t, exitUsage, bad.code)
	assert.Contains(t, bad.stderr, "-demo to try them against the built-in fakes")
	bad = runOffboard(t, func(string) string { return "" }, "-demo", "-cas-endpoint", "http://127.0.0.1:1/x")
	assert.Equal(t, exitUsage, bad.code)
}
