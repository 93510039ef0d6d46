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
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
)

// Distinctive secrets, so that a search of the output cannot match anything by accident.
var testSecrets = fakeOptions{
	udsCredential:     "uds-Cred-9f3a7c1e",
	casPassword:       "cas-Pass-4b8d2e6f",
	projectorPassword: "prj-Pass-71c5a9d3",
	provisioningOTP:   "otp-8e2f6b4a",
}

// newFakes starts the four fakes with users and testSecrets; they close when the test ends.
func newFakes(t *testing.T, users ...user) *fakes {
	t.Helper()
	o := testSecrets
	o.provisioningOrg = "Test Org"
	f := startFakes(users, o)
	t.Cleanup(f.close)
	return f
}

// args are the flags that configure all four systems for the fakes (no secret among them).
func (f *fakes) args() []string { return f.argsFor(systemNames...) }

// argsFor are the flags that configure the systems for the fakes; the others are skipped.
func (f *fakes) argsFor(systems ...string) []string {
	var args []string
	for _, s := range systems {
		switch s {
		case "uds":
			a := f.uds.Credentials()
			args = append(args, "-uds-endpoint", f.uds.URL, "-uds-admin", a.UserID, "-uds-admin-org", a.OrgName)
		case "cas":
			args = append(args, "-cas-endpoint", f.cas.URL, "-cas-ws-user", f.cas.Credentials().WSUserName)
		case "projector":
			pc := f.projector.Credentials()
			args = append(args, "-projector-endpoint", f.projector.URL, "-projector-account", pc.AccountCode, "-projector-login", pc.UserName)
		case "provisioning":
			args = append(args, "-provisioning-endpoint", f.provisioning.URL, "-provisioning-operator", f.provisioning.Credentials().OperatorEmail, "-provisioning-org", f.org)
		}
	}
	return args
}

// env is the environment with the secrets the fakes accept.
func env(o fakeOptions) func(string) string {
	m := map[string]string{
		envUDSCredential:   o.udsCredential,
		envCASPassword:     o.casPassword,
		envProjectorPasswd: o.projectorPassword,
		envProvisioningOTP: o.provisioningOTP,
	}
	return func(k string) string { return m[k] }
}

// userArgs are the flags naming one user.
func userArgs(u user) []string {
	return []string{"-uds-org", u.UDSOrg, "-uds-user", u.UDSUser, "-cas-household", fmt.Sprint(u.CASHousehold), "-cas-user", u.CASUser,
		"-projector-ref", u.ProjectorRef, "-provisioning-user", u.ProvisioningUser}
}

// hasFlag reports whether args give the flag.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// outcome of one run.
type runResult struct {
	code           int
	stdout, stderr string
	report         *report // nil without -report
	reportJSON     string
	journal        string // the journal, when the test chose its path
}

// runOffboard runs the program with args and env, always with -report (and, against real
// systems, a -journal in a temporary directory unless args give one), and reads it back.
func runOffboard(t *testing.T, getenv func(string) string, args ...string) runResult {
	t.Helper()
	return runOffboardCtx(context.Background(), t, getenv, args...)
}

func runOffboardCtx(ctx context.Context, t *testing.T, getenv func(string) string, args ...string) runResult {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	args = append(slices.Clone(args), "-report", path)
	real := slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "-") && systemOf(strings.TrimLeft(a, "-")) != "" })
	journal := ""
	if real && !hasFlag(args, "-journal") && !hasFlag(args, "-resume") && !hasFlag(args, "-dry-run") {
		journal = filepath.Join(dir, "journal.jsonl")
		args = append(args, "-journal", journal)
	}
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, getenv, &stdout, &stderr)
	r := runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
	if journal != "" {
		b, _ := os.ReadFile(journal)
		r.journal = string(b)
	}
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
		r.reportJSON = string(b)
		r.report = &report{}
		require.NoError(t, json.Unmarshal(b, r.report), "report: %s", b)
		slices.SortFunc(r.report.Rows, func(a, b userReport) int { return a.Line - b.Line })
	}
	return r
}

// outcomes maps system → outcome for one user of a report.
func outcomes(u userReport) map[string]outcome {
	m := map[string]outcome{}
	for _, r := range u.Results {
		m[r.System] = r.Outcome
	}
	return m
}

// resultOf returns the result of system for the user.
func resultOf(t *testing.T, u userReport, system string) result {
	t.Helper()
	for _, r := range u.Results {
		if r.System == system {
			return r
		}
	}
	t.Fatalf("no %s result for %s", system, u.User)
	return result{}
}

func all(o outcome) map[string]outcome {
	return map[string]outcome{"uds": o, "cas": o, "projector": o, "provisioning": o}
}

// usersCSV writes a users file and returns its path.
func usersCSV(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.csv")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	return path
}

// destructive counts the destructive requests each fake received, by system and target (the
// targets the journal names the steps with).
func destructive(f *fakes) map[string]int {
	n := map[string]int{}
	for _, r := range f.uds.Requests() {
		switch {
		case r.Operation == "updateUserStatus" && r.Call != nil:
			for _, u := range r.Call.Users {
				n["uds "+udsTarget(uds.UserID{OrgName: u.OrgName, UserName: u.UserName})]++
			}
		case r.Operation == "deleteUser" && r.Call != nil:
			n["uds "+udsTarget(r.Call.User())]++
		case r.Operation == "deleteUserAccount" && r.Call != nil:
			n["uds "+udsAccountTarget(udsTarget(r.Call.User()), r.Call.AccountType)]++
		}
	}
	for _, r := range f.cas.Requests() {
		switch {
		case r.Operation == "HandleUserTask" && r.Params != nil && r.Params["actionType"] == "DeleteDomain":
			n[fmt.Sprintf("cas household %s", r.Params["domainId"])]++
		case r.Operation == "HandleUserTask" && r.Params != nil:
			n[fmt.Sprintf("cas household %s user %s", r.Params["domainId"], r.Params["userId"])]++
		case r.Operation == "CancelSubscriptionRenewal":
			n[fmt.Sprintf("cas household %s subscription %s", r.Params["nDomainId"], r.Params["sSubscriptionCode"])]++
		case r.Operation == "CancelServiceNow":
			n["cas CancelServiceNow"]++ // never sent: counted so that a test sees it
		}
	}
	for _, r := range f.projector.Requests() {
		if r.Operation == "PwsDeleteUser" && r.DeleteUser != nil && r.DeleteUser.UserIdentity != nil {
			n["projector "+r.DeleteUser.UserIdentity.UserReferenceSystemID]++
		}
	}
	for _, r := range f.provisioning.Requests() {
		p := r.Params // the members as the fake read them
		switch r.Operation {
		case "RemoveUsersFromProvisioningTask":
			for _, u := range r.UserNames {
				n[fmt.Sprintf("provisioning %s/%s task %s", p["organization"], u, p["taskID"])]++
			}
		case "RevokeToken":
			n[fmt.Sprintf("provisioning %s/%s token %s", p["organization"], p["userName"], p["serial"])]++
		case "RemoveUser":
			n[fmt.Sprintf("provisioning %s/%s", p["organization"], p["userName"])]++
		}
	}
	return n
}
