package projectortest_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector/projectortest"
)

func getUserList(ticket, members string) string {
	return envelope(`<pws:PwsGetUserList><pws:serviceRequest><req:RequestId>1</req:RequestId><req:SessionTicket>` + ticket +
		`</req:SessionTicket>` + members + `</pws:serviceRequest></pws:PwsGetUserList>`)
}

// PwsGetUserList requests are read against the fake's own statement of the contract: what WCF
// would ignore is dropped and recorded, and the answer is what the request means without it.
func TestGetUserListContract(t *testing.T) {
	users := []projectortest.User{
		{ReferenceSystemID: "active", UserID: 1, DisplayName: "Active User"},
		{ReferenceSystemID: "former", UserID: 2, DisplayName: "Former User", EndDate: time.Now().AddDate(0, 0, -1)},
	}
	for name, tc := range map[string]struct {
		members   string
		rows      []string
		violation string
	}{
		"all in order": {
			members: `<req:IncludeInactiveFlag>true</req:IncludeInactiveFlag><req:MaxRowsToReturn>10</req:MaxRowsToReturn><req:QueryString>user</req:QueryString>`,
			rows:    []string{"active", "former"},
		},
		"by identity, other criteria disregarded": {
			members: `<req:IncludeInactiveFlag>false</req:IncludeInactiveFlag><req:QueryString>nobody</req:QueryString><req:UserIdentity><com:UserId>2</com:UserId></req:UserIdentity>`,
			rows:    []string{"former"},
		},
		"IncludeInactiveFlag missing": {
			members:   `<req:QueryString>user</req:QueryString>`,
			rows:      []string{"active"},
			violation: "IncludeInactiveFlag ignored: required member missing",
		},
		"IncludeInactiveFlag after QueryString": {
			members:   `<req:QueryString>user</req:QueryString><req:IncludeInactiveFlag>true</req:IncludeInactiveFlag>`,
			rows:      []string{"active"},
			violation: "IncludeInactiveFlag ignored: out of DataContract order",
		},
		"UserIdentity member in the Requests namespace": {
			members:   `<req:IncludeInactiveFlag>true</req:IncludeInactiveFlag><req:UserIdentity><req:UserId>2</req:UserId></req:UserIdentity>`,
			violation: "UserIdentity: {http://projectorpsa.com/DataContracts/Requests/}UserId ignored: wrong namespace",
		},
		"QueryString in Shared/Common": {
			members:   `<req:IncludeInactiveFlag>false</req:IncludeInactiveFlag><com:QueryString>nobody</com:QueryString>`,
			rows:      []string{"active"},
			violation: "QueryString ignored: wrong namespace",
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := projectortest.NewServer(projectortest.Options{Users: users})
			defer s.Close()
			code, body := post(t, s, "PwsGetUserList", "text/xml; charset=utf-8", getUserList(login(t, s), tc.members))
			require.Equal(t, 200, code, body)
			var rows []string
			for _, m := range regexp.MustCompile(`<b:UserReferenceSystemId>([^<]+)<`).FindAllStringSubmatch(body, -1) {
				rows = append(rows, m[1])
			}
			assert.Equal(t, tc.rows, rows, body)
			v := s.Violations()
			if tc.violation == "" {
				assert.Empty(t, v)
				return
			}
			require.NotEmpty(t, v)
			assert.Contains(t, v[0].String(), tc.violation)
		})
	}
}

// The answer's layout: base members, then a:Users of b:PwsUserSummaryElement rows, each with
// InactiveFlag, PasswordTicketFlag and UserSummary, the user id an Int32 (nil when unset).
func TestGetUserListAnswerLayout(t *testing.T) {
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
		{ReferenceSystemID: "a", DisplayName: "A"}, {ReferenceSystemID: "b", UserID: 5, State: projectortest.Inactive}}})
	defer s.Close()
	_, body := post(t, s, "PwsGetUserList", "text/xml; charset=utf-8", getUserList(login(t, s), `<req:IncludeInactiveFlag>true</req:IncludeInactiveFlag>`))
	for _, want := range []string{
		`<a:Users xmlns:b="http://projectorpsa.com/DataContracts/Shared/Common/"><b:PwsUserSummaryElement><b:InactiveFlag>false</b:InactiveFlag><b:PasswordTicketFlag>false</b:PasswordTicketFlag><b:UserSummary><b:UserDisplayName>A</b:UserDisplayName><b:UserId i:nil="true"/><b:UserReferenceSystemId>a</b:UserReferenceSystemId>`,
		`<b:InactiveFlag>true</b:InactiveFlag><b:PasswordTicketFlag>false</b:PasswordTicketFlag><b:UserSummary><b:UserDisplayName i:nil="true"/><b:UserId>5</b:UserId>`,
		`<Status xmlns="http://projectorpsa.com/CommonServices/">Ok</Status>`,
	} {
		assert.Contains(t, body, want)
	}
	assert.Empty(t, s.Violations())
}
