package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusedCredentialsOneLoginPerSystem: with wrong secrets everywhere, a 50-user batch
// makes exactly one login attempt per system (one cas request with the refused password);
// the other 49 users are skipped there ("credentials refused") without a request.
func TestRefusedCredentialsOneLoginPerSystem(t *testing.T) {
	const n = 50
	users := make([]user, n)
	lines := []string{"uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user"}
	for i := range users {
		name := fmt.Sprintf("user%02d", i)
		users[i] = user{Label: name, UDSOrg: "ACME", UDSUser: name, CASHousehold: 100 + i, CASUser: name, ProjectorRef: name, ProvisioningUser: name}
		lines = append(lines, fmt.Sprintf("ACME,%s,%d,%s,%s,%s", name, 100+i, name, name, name))
	}
	f := newFakes(t, users...)
	wrong := fakeOptions{udsCredential: "uds-Wrong-0d9c", casPassword: "cas-Wrong-5e1b", projectorPassword: "prj-Wrong-c3a8", provisioningOTP: "otp-Wrong-77f2"}
	r := runOffboard(t, env(wrong), append(f.args(), "-users", usersCSV(t, lines...), "-concurrency", "16")...)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.Len(t, r.report.Rows, n)

	logins := map[string]int{
		"uds":          f.uds.Logins(),
		"provisioning": f.provisioning.Logins(),
	}
	for _, q := range f.projector.Requests() {
		if q.Operation == "PwsAuthenticate" {
			logins["projector"]++
		}
	}
	for _, q := range f.cas.Requests() {
		if q.Params["sWSPassword"] == wrong.casPassword {
			logins["cas"]++
		}
	}
	assert.Equal(t, map[string]int{"uds": 1, "cas": 1, "projector": 1, "provisioning": 1}, logins)
	assert.Len(t, f.uds.Requests(), 1, "nothing else sent to uds")

	tests := []struct{ system string }{{"uds"}, {"cas"}, {"projector"}, {"provisioning"}}
	for _, tt := range tests {
		t.Run(tt.system, func(t *testing.T) {
			count := map[outcome]int{}
			for _, u := range r.report.Rows {
				res := resultOf(t, u, tt.system)
				count[res.Outcome]++
				if res.Outcome == outcomeSkipped {
					assert.True(t, strings.HasPrefix(res.Detail, "credentials refused"), res.Detail)
				}
			}
			assert.Equal(t, map[outcome]int{outcomeFailed: 1, outcomeSkipped: n - 1}, count)
		})
	}
	assert.Contains(t, r.stdout, "credentials refused")
}
