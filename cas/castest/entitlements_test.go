package castest_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/xmltest"
)

const creds = `<sWSUserName>` + castest.DefaultWSUserName + `</sWSUserName><sWSPassword>` + castest.DefaultWSPassword + `</sWSPassword>`

func renewalServer(t *testing.T) *castest.Server {
	t.Helper()
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"7"}, MasterUsers: []string{"7"},
		Entitlements: []castest.Entitlement{{Code: "101", UserID: "7", Renewing: true}}}}})
	t.Cleanup(s.Close)
	return s
}

// The fake reads each request against its own statement of the contract and records what
// the real server would silently read otherwise; a well-formed request records nothing.
func TestContractViolations(t *testing.T) {
	const ct = "text/xml; charset=utf-8"
	soapAction := func(op string) map[string]string {
		return map[string]string{"Soapaction": `"http://ca.tvinci.com/` + op + `"`}
	}
	tests := []struct {
		name       string
		op         string
		body       string
		violations []string // substrings, in order
		code       int      // Status code answered; -1: a Fault
		renewing   bool     // subscription 101 still renews afterwards
	}{
		{"as the contract says", "CancelSubscriptionRenewal",
			`<CancelSubscriptionRenewal xmlns="http://ca.tvinci.com/">` + creds + `<nDomainId>42</nDomainId><sSubscriptionCode>101</sSubscriptionCode><userId>7</userId></CancelSubscriptionRenewal>`,
			nil, 0, false},
		{"out of order", "CancelSubscriptionRenewal",
			`<CancelSubscriptionRenewal xmlns="http://ca.tvinci.com/">` + creds + `<sSubscriptionCode>101</sSubscriptionCode><nDomainId>42</nDomainId></CancelSubscriptionRenewal>`,
			[]string{"CancelSubscriptionRenewal/nDomainId: <nDomainId> comes after <sSubscriptionCode>"}, 0, false},
		{"wrong namespace", "CancelSubscriptionRenewal",
			`<CancelSubscriptionRenewal xmlns="http://ca.tvinci.com/">` + creds + `<nDomainId xmlns="http://tempuri.org/">42</nDomainId><sSubscriptionCode>101</sSubscriptionCode></CancelSubscriptionRenewal>`,
			[]string{`<nDomainId> is in namespace "http://tempuri.org/"`, "required <nDomainId> is missing: the server reads 0"}, int(cas.CodeDomainNotExists), true},
		{"unknown and repeated members", "GetUserCAStatus",
			`<GetUserCAStatus xmlns="http://ca.tvinci.com/">` + creds + `<userId>7</userId><sSiteGUID>7</sSiteGUID><sSiteGUID>8</sSiteGUID></GetUserCAStatus>`,
			[]string{"<userId> is not a member of GetUserCAStatus", "<sSiteGUID> appears twice"}, -2, true},
		{"wrong body element", "CancelServiceNow",
			`<CancelSubscriptionRenewal xmlns="http://ca.tvinci.com/">` + creds + `</CancelSubscriptionRenewal>`,
			[]string{"the Body's element is {http://ca.tvinci.com/}CancelSubscriptionRenewal, not {http://ca.tvinci.com/}CancelServiceNow"}, int(cas.CodeError), true},
		{"not a number", "CancelServiceNow",
			`<CancelServiceNow xmlns="http://ca.tvinci.com/">` + creds + `<nDomainId>x</nDomainId></CancelServiceNow>`,
			[]string{"refused: Server was unable to read request."}, -1, true},
		{"not an enum member", "GetDomainEntitlements",
			`<GetDomainEntitlements xmlns="http://ca.tvinci.com/">` + creds + `<domainId>42</domainId><type>Refund</type></GetDomainEntitlements>`,
			[]string{"refused: Server was unable to read request."}, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := renewalServer(t)
			got := post(t, s, castest.Path, ct, soapAction(tt.op), envelope(ns11, tt.body))
			v := s.Violations()
			require.Len(t, v, len(tt.violations), "%q", v)
			for i, want := range tt.violations {
				assert.Contains(t, v[i].String(), want)
				assert.Equal(t, tt.op, v[i].Operation)
			}
			reqs := s.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, v, reqs[0].Violations)
			switch tt.code {
			case -1:
				assert.Equal(t, 500, got.status)
				assert.Contains(t, reqs[0].Refusal, "Server was unable to read request.")
			case -2: // no Status in the answer
				assert.Equal(t, 200, got.status)
				assert.False(t, reqs[0].Answered)
			default:
				assert.True(t, reqs[0].Answered, got.body)
				assert.Equal(t, cas.Code(tt.code), reqs[0].Code)
			}
			assert.Equal(t, tt.renewing, s.Entitlements(42)[0].Renewing)
		})
	}
}

// Each operation's answer on the wire, as the fake writes it from its state.
func TestEntitlementAnswers(t *testing.T) {
	s := renewalServer(t)
	got := post(t, s, castest.Path, "application/soap+xml; charset=utf-8; action=\"http://ca.tvinci.com/GetUserCAStatus\"", nil,
		envelope(ns12, `<GetUserCAStatus xmlns="http://ca.tvinci.com/">`+creds+`<sSiteGUID>7</sSiteGUID></GetUserCAStatus>`))
	assert.Equal(t, 200, got.status)
	xmltest.Equal(t, []byte(envelope(ns12, `<GetUserCAStatusResponse xmlns="http://ca.tvinci.com/"><GetUserCAStatusResult>CurrentSub</GetUserCAStatusResult></GetUserCAStatusResponse>`)), []byte(got.body))

	got = post(t, s, castest.Path, "text/xml; charset=utf-8", map[string]string{"Soapaction": `"http://ca.tvinci.com/GetUserPermittedSubscriptions"`},
		envelope(ns11, `<GetUserPermittedSubscriptions xmlns="http://ca.tvinci.com/">`+creds+`<sSiteGUID>not-a-number</sSiteGUID></GetUserPermittedSubscriptions>`))
	xmltest.Equal(t, []byte(envelope(ns11, `<GetUserPermittedSubscriptionsResponse xmlns="http://ca.tvinci.com/"/>`)), []byte(got.body))

	got = post(t, s, castest.Path, "text/xml; charset=utf-8", map[string]string{"Soapaction": `"http://ca.tvinci.com/CancelServiceNow"`},
		envelope(ns11, `<CancelServiceNow xmlns="http://ca.tvinci.com/"><sWSUserName>x</sWSUserName><sWSPassword>y</sWSPassword><nDomainId>42</nDomainId><nAssetID>101</nAssetID><transactionType>Subscription</transactionType><bIsForce>true</bIsForce></CancelServiceNow>`))
	assert.Equal(t, 404, got.status)
	xmltest.Equal(t, []byte(statusAnswerOf("CancelServiceNow", 1, "Invalid request")), []byte(got.body))
	assert.True(t, s.Entitlements(42)[0].Renewing, "refused: nothing changed")
	assert.Empty(t, s.Violations())
	assert.NotContains(t, formatRequests(s), castest.DefaultWSPassword)
}

func statusAnswerOf(op string, code int, msg string) string {
	return envelope(ns11, `<`+op+`Response xmlns="http://ca.tvinci.com/"><`+op+`Result><Code>`+strconv.Itoa(code)+`</Code><Message>`+msg+`</Message></`+op+`Result></`+op+`Response>`)
}

// formatRequests prints every request the way a test log would (%+v).
func formatRequests(s *castest.Server) string {
	var b strings.Builder
	for _, r := range s.Requests() {
		fmt.Fprintf(&b, "%+v %v %#v\n", r, r, r)
	}
	return b.String()
}

// A suspended household passes Delete's household check: the user is removed.
func TestDeleteInSuspendedHousehold(t *testing.T) {
	opts := castest.Options{Households: []castest.Household{{ID: 43, Users: []string{"carol"}, MasterUsers: []string{"carol"}, Suspended: true,
		Entitlements: []castest.Entitlement{{Code: "101", UserID: "carol", Renewing: true}}}}}
	castest.Test(t, opts, func(ctx context.Context, c *cas.Client, s *castest.Server) {
		res, err := c.DeleteUser(ctx, 43, "carol")
		require.NoError(t, err)
		assert.Equal(t, cas.CodeOK, res.Code)
		h, _ := s.Household(43)
		assert.Empty(t, h.Users)
		// A renewal cancellation in the same household is refused: 1009.
		_, err = c.CancelSubscriptionRenewal(ctx, 43, "101", &cas.RenewalCancelOptions{UserID: "carol"})
		require.ErrorIs(t, err, cas.ErrPermissionDenied)
	})
}
