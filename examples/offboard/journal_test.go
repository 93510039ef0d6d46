package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResume: resuming a finished run sends nothing destructive and reports what the journal
// recorded; resuming against another endpoint is refused; a last line cut short by a crash
// is ignored.
func TestResume(t *testing.T) {
	f := newFakes(t, jdoe)
	args := append(f.args(), userArgs(jdoe)...)
	first := runOffboard(t, env(testSecrets), args...)
	require.Equal(t, exitOK, first.code, first.stdout+first.stderr)
	journal := first.report.Journal
	require.NotEmpty(t, journal)
	before := destructive(f)
	uds := len(f.uds.Requests())

	tests := []struct {
		name   string
		args   []string
		tamper func(t *testing.T)
		code   int
		stderr string
	}{
		{"finished run", nil, nil, exitOK, ""},
		{"torn last line", nil, func(t *testing.T) {
			fh, err := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = fh.WriteString(`{"time":"2026-12-04T22:00:00Z","kind":"inte`)
			require.NoError(t, err)
			require.NoError(t, fh.Close())
		}, exitOK, ""},
		{"another cas endpoint", []string{"-cas-endpoint", "http://127.0.0.1:1/ws_cas_module.asmx"}, nil, exitUsage, "resume against the same systems"},
		{"other settings", []string{"-uds-delete"}, nil, exitUsage, `the journal's run had uds_status "INACTIVE", this one "DELETED"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.tamper != nil {
				tt.tamper(t)
			}
			r := runOffboard(t, env(testSecrets), append(append(args, tt.args...), "-resume", journal)...)
			require.Equal(t, tt.code, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			if tt.code == exitOK {
				assert.Equal(t, all(outcomeDone), outcomes(r.report.Rows[0]))
				for _, res := range r.report.Rows[0].Results {
					assert.Contains(t, res.Detail, "recorded by an earlier run", res.System)
				}
			}
			assert.Equal(t, before, destructive(f), "nothing sent again")
			assert.Equal(t, uds, len(f.uds.Requests()), "not even a read: the results were recorded")
		})
	}

	// The journal: a run record per run, an intent before each outcome, results; no secret.
	b, err := os.ReadFile(journal)
	require.NoError(t, err)
	for _, s := range []string{testSecrets.udsCredential, testSecrets.casPassword, testSecrets.projectorPassword, testSecrets.provisioningOTP} {
		assert.NotContains(t, string(b), s)
	}
	kinds := map[recordKind]int{}
	intents := map[stepID]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		var rec record
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue // the torn line
		}
		kinds[rec.Kind]++
		switch rec.Kind {
		case kindIntent:
			intents[rec.stepID] = true
		case kindOutcome:
			assert.True(t, intents[rec.stepID], "an outcome after its intent: %+v", rec.stepID)
		}
	}
	assert.Equal(t, map[recordKind]int{kindRun: 3, kindIntent: 9, kindOutcome: 9, kindResult: 4}, kinds,
		"3 runs (the first, two resumes; the refused one wrote nothing), 9 steps (uds 1+2 accounts, cas 1, projector 1, provisioning 2 tokens+2 tasks), 4 results (not written again)")
	assert.True(t, strings.HasSuffix(string(b), "}\n"), "the torn line was cut off")
}

// TestResidualInJournal: the residual access of a result survives the journal ("none" or the
// list), and -resume reuses a recorded result only if it succeeded with no access left: one
// with access left is done again (read, and verified again).
func TestResidualInJournal(t *testing.T) {
	tests := []struct {
		name     string
		residual *residual
		json     string
		reused   bool
	}{
		{"verified, nothing left", none(), `"residual_access":"none"`, true},
		{"access left", &residual{Left: []string{"token 1000000 owned"}}, `"residual_access":["token 1000000 owned"]`, false},
		{"not verified", nil, ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record{Kind: kindResult, stepID: stepID{User: "k", System: "provisioning"},
				Result: &result{System: "provisioning", Outcome: outcomeDone, Residual: tt.residual}}
			b, err := json.Marshal(rec)
			require.NoError(t, err)
			if tt.json != "" {
				assert.Contains(t, string(b), tt.json)
			} else {
				assert.NotContains(t, string(b), "residual_access")
			}
			p, err := readJournal(strings.NewReader(string(b) + "\n"))
			require.NoError(t, err)
			r, ok := p.result("k", "provisioning")
			assert.Equal(t, tt.reused, ok)
			if ok {
				assert.Equal(t, tt.residual, r.Residual)
			}
		})
	}
}

// TestResumeRedoesResidual: a run that left access (a lock window starting later) is not
// taken as done by -resume: the user is read again, and still reported with access left.
func TestResumeRedoesResidual(t *testing.T) {
	f := newFakes(t, jdoe)
	args := append(f.argsFor("uds"), "-uds-org", "ACME", "-uds-user", "jdoe", "-uds-lock-from", "2099-01-01")
	first := runOffboard(t, env(testSecrets), args...)
	require.Equal(t, exitFailed, first.code, first.stdout)
	reads := len(f.uds.Requests())

	r := runOffboard(t, env(testSecrets), append(args, "-resume", first.report.Journal)...)
	require.Equal(t, exitFailed, r.code, r.stdout)
	assert.Greater(t, len(f.uds.Requests()), reads, "read again, not taken from the journal")
	res := resultOf(t, r.report.Rows[0], "uds")
	assert.Equal(t, &residual{Left: []string{"user status ACTIVE (not INACTIVE)"}}, res.Residual)
	assert.NotContains(t, res.Detail, "recorded by an earlier run")
}
