package provisioningtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// The fake reads each token request against its own statement of the contract and records
// what an ASMX server would silently read otherwise; a request as the contract says records
// nothing.
func TestTokenContractViolations(t *testing.T) {
	tests := []struct {
		name       string
		op         string
		body       string
		violations []string
		owner      string // MP-1's owner afterwards
	}{
		{"as the contract says", "RevokeToken",
			`<RevokeToken xmlns="` + ns + `"><serial>MP-1</serial><userName>jdoe</userName><revokeMode>Lost</revokeMode><revokeStaticPassword>false</revokeStaticPassword><organization>Org</organization></RevokeToken>`,
			nil, ""},
		{"out of order", "RevokeToken",
			`<RevokeToken xmlns="` + ns + `"><userName>jdoe</userName><serial>MP-1</serial><revokeMode>Lost</revokeMode><revokeStaticPassword>false</revokeStaticPassword><organization>Org</organization></RevokeToken>`,
			[]string{"RevokeToken: RevokeToken: {" + ns + "}serial: comes after <userName>"}, ""},
		{"wrong namespace", "RevokeToken",
			`<RevokeToken xmlns="` + ns + `"><serial>MP-1</serial><userName xmlns="urn:other">jdoe</userName><revokeMode>Lost</revokeMode><revokeStaticPassword>false</revokeStaticPassword><organization>Org</organization></RevokeToken>`,
			[]string{`RevokeToken: RevokeToken: {urn:other}userName: in namespace "urn:other"`}, "jdoe"},
		{"missing required and unknown members", "RevokeToken",
			`<RevokeToken xmlns="` + ns + `"><serial>MP-1</serial><userName>jdoe</userName><mode>Lost</mode><organization>Org</organization></RevokeToken>`,
			[]string{"{" + ns + "}mode: not a member of RevokeToken", "{" + ns + "}revokeMode: required member is missing",
				"{" + ns + "}revokeStaticPassword: required member is missing"}, ""},
		{"repeated member", "GetTokensByOwner",
			`<GetTokensByOwner xmlns="` + ns + `"><userName>jdoe</userName><userName>bob</userName><organization>Org</organization></GetTokensByOwner>`,
			[]string{"GetTokensByOwner: GetTokensByOwner: {" + ns + "}userName: appears twice"}, "jdoe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := provisioningtest.NewServer(provisioningtest.Options{})
			defer s.Close()
			s.AddToken("Org", provisioningtest.Token{Serial: "MP-1", Type: provisioning.TokenMobilePASS, Owner: "jdoe"})
			cookie := connect(t, s)
			a := post(t, s.URL, ct11, `"`+ns+tt.op+`"`, env11(tt.body), cookie)
			assert.Equal(t, http.StatusOK, a.status, a.body)
			v := s.Violations()
			require.Len(t, v, len(tt.violations), "%q", v)
			for i, want := range tt.violations {
				assert.Contains(t, v[i].String(), want)
			}
			tok, _ := s.Token("Org", "MP-1")
			assert.Equal(t, tt.owner, tok.Owner)
		})
	}
}

// The token answers on the wire, as the fake writes them from its state.
func TestTokenAnswers(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	s.AddToken("Org", provisioningtest.Token{Serial: "MP-1", Type: provisioning.TokenMobilePASS, Owner: "jdoe"})
	s.AddToken("Org", provisioningtest.Token{Serial: "MP-2", Type: provisioning.TokenMobilePASS, Owner: "jdoe"})
	s.AddUser("Org", provisioningtest.User{UserName: "ops", Operator: true})
	s.AddToken("Org", provisioningtest.Token{Serial: "MP-3", Owner: "ops"})
	cookie := connect(t, s)
	a := post(t, s.URL, ct11, `"`+ns+`GetTokensByOwner"`, env11(`<GetTokensByOwner xmlns="`+ns+`"><userName>JDOE</userName><organization>Org</organization></GetTokensByOwner>`), cookie)
	xmltest.Equal(t, []byte(env11(`<GetTokensByOwnerResponse xmlns="`+ns+`"><GetTokensByOwnerResult><string>MP-1</string><string>MP-2</string></GetTokensByOwnerResult></GetTokensByOwnerResponse>`)), []byte(a.body))

	revoke := func(serial, user string) string {
		return env11(`<RevokeToken xmlns="` + ns + `"><serial>` + serial + `</serial><userName>` + user + `</userName><revokeMode>ReturntoInventory_NotInitialized</revokeMode><revokeStaticPassword>false</revokeStaticPassword><organization>Org</organization></RevokeToken>`)
	}
	answer := func(res string) string {
		return env11(`<RevokeTokenResponse xmlns="` + ns + `"><RevokeTokenResult>` + res + `</RevokeTokenResult></RevokeTokenResponse>`)
	}
	a = post(t, s.URL, ct11, `"`+ns+`RevokeToken"`, revoke("MP-3", "ops"), cookie)
	xmltest.Equal(t, []byte(answer("LastAuth")), []byte(a.body))
	a = post(t, s.URL, ct11, `"`+ns+`RevokeToken"`, revoke("MP-1", "bob"), cookie)
	xmltest.Equal(t, []byte(answer("Fail")), []byte(a.body))
	a = post(t, s.URL, ct11, `"`+ns+`RevokeToken"`, revoke("MP-1", "jdoe"), cookie)
	xmltest.Equal(t, []byte(answer("Success")), []byte(a.body))
	tok, _ := s.Token("Org", "MP-1")
	assert.Equal(t, provisioningtest.Token{Serial: "MP-1", Type: provisioning.TokenMobilePASS, State: "Inventory", StateSetDate: tok.StateSetDate}, tok)

	a = post(t, s.URL, ct11, `"`+ns+`GetTokens"`, env11(`<GetTokens xmlns="`+ns+`"><serial>MP-2</serial><organization>Org</organization><startRecord>0</startRecord><pageSize>5</pageSize></GetTokens>`), cookie)
	assert.Contains(t, a.body, `<Named_Tokens_Table diffgr:id="Named_Tokens_Table1" msdata:rowOrder="0"><serialnumber>MP-2</serialnumber><state>Active</state>`)
	assert.Empty(t, s.Violations())

	// Without a session: the "not connected" Fault, as for every operation.
	a = post(t, s.URL, ct11, `"`+ns+`RemoveUser"`, env11(`<RemoveUser xmlns="`+ns+`"><userName>jdoe</userName><tokenOption>Lost</tokenOption><organization>Org</organization></RemoveUser>`))
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Contains(t, a.body, "You are not connected.")
	_, ok := s.User("Org", "jdoe")
	assert.True(t, ok)
}
