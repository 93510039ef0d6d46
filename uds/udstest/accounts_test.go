package udstest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// postRaw sends a SOAP 1.2 envelope holding body with action, and returns the status and answer.
func postRaw(t *testing.T, s *udstest.Server, action, body string) (int, string) {
	t.Helper()
	env := `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:m="` + msgsNS +
		`" xmlns:u="http://ws.arcot.com/UserSchema/1.0"><e:Body>` + body + `</e:Body></e:Envelope>`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL, strings.NewReader(env))
	require.NoError(t, err)
	req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8; action="`+action+`"`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// Requests of every operation are read against the fake's own statement of the contract:
// each deviation is a Violation and, as ADB would, a Sender Fault; a valid request is served.
func TestOperationsContract(t *testing.T) {
	for name, tc := range map[string]struct {
		action, body, violation string
	}{
		"valid deleteUserAccount": {"urn:UDS.DeleteUserAccount",
			`<m:deleteUserAccountRequest><m:userId><u:orgName>ACME</u:orgName><u:userName>jdoe</u:userName></m:userId><m:account><u:accountType>RADIUS_ID</u:accountType></m:account></m:deleteUserAccountRequest>`, ""},
		"valid retrieveUser with 1 for true": {"urn:UDS.RetrieveUser",
			`<m:retrieveUserRequest><m:userIdentifier>jdoe</m:userIdentifier><m:orgName>ACME</m:orgName><m:filter><u:includeAccounts>1</u:includeAccounts></m:filter></m:retrieveUserRequest>`, ""},
		"userName in msgs": {"urn:UDS.DeleteUser",
			`<m:deleteUserRequest><m:userId><m:userName>jdoe</m:userName></m:userId></m:deleteUserRequest>`, "wrong namespace"},
		"userName missing": {"urn:UDS.DeleteUser",
			`<m:deleteUserRequest><m:userId><u:orgName>ACME</u:orgName></m:userId></m:deleteUserRequest>`, "{http://ws.arcot.com/UserSchema/1.0}userName: required element missing"},
		"account missing": {"urn:UDS.DeleteUserAccount",
			`<m:deleteUserAccountRequest><m:userId><u:userName>jdoe</u:userName></m:userId></m:deleteUserAccountRequest>`, "account: required element missing"},
		"clientTxId first": {"urn:UDS.ListUserAccounts",
			`<m:listUserAccountRequest><m:clientTxId>x</m:clientTxId><m:userId><u:userName>jdoe</u:userName></m:userId></m:listUserAccountRequest>`, "clientTxId: out of order"},
		"filter members reversed": {"urn:UDS.RetrieveUser",
			`<m:retrieveUserRequest><m:userIdentifier>jdoe</m:userIdentifier><m:filter><u:deepSearch>true</u:deepSearch><u:includeAccounts>true</u:includeAccounts></m:filter></m:retrieveUserRequest>`, "includeAccounts: out of order"},
		"two accounts": {"urn:UDS.ListUserAccounts",
			`<m:listUserAccountRequest><m:userId><u:userName>jdoe</u:userName></m:userId><m:account><u:accountType>A</u:accountType></m:account><m:account><u:accountType>B</u:accountType></m:account></m:listUserAccountRequest>`, "occurs more than 1"},
		"boolean yes": {"urn:UDS.RetrieveUser",
			`<m:retrieveUserRequest><m:userIdentifier>jdoe</m:userIdentifier><m:filter><u:includeAccounts>yes</u:includeAccounts></m:filter></m:retrieveUserRequest>`, `"yes" is not an xs:boolean`},
		"valid updateUserStatus": {"urn:UDS.UpdateUserStatus",
			`<m:updateUserStatusRequest><m:userId><u:orgName>ACME</u:orgName><u:userName>jdoe</u:userName></m:userId><m:status>INACTIVE</m:status></m:updateUserStatusRequest>`, ""},
		"getUserStatus userName in msgs": {"urn:UDS.GetUserStatus",
			`<m:getUserStatusRequest><m:userId><m:userName>jdoe</m:userName></m:userId></m:getUserStatusRequest>`, "wrong namespace"},
		"updateUserStatus status first": {"urn:UDS.UpdateUserStatus",
			`<m:updateUserStatusRequest><m:status>INACTIVE</m:status><m:userId><u:userName>jdoe</u:userName></m:userId></m:updateUserStatusRequest>`, "status: out of order"},
		"updateUserStatus userRefId not an int": {"urn:UDS.UpdateUserStatus",
			`<m:updateUserStatusRequest><m:userId><u:userName>jdoe</u:userName><u:userRefId>x</u:userRefId></m:userId><m:status>INACTIVE</m:status></m:updateUserStatusRequest>`, `"x" is not an xs:int`},
		"updateUserStatus lock time not a dateTime": {"urn:UDS.UpdateUserStatus",
			`<m:updateUserStatusRequest><m:userId><u:userName>jdoe</u:userName></m:userId><m:status>INACTIVE</m:status><m:startLockTime>tomorrow</m:startLockTime></m:updateUserStatusRequest>`, `"tomorrow" is not an xs:dateTime`},
		"unknown element": {"urn:UDS.DeleteUser",
			`<m:deleteUserRequest><m:userId><u:userName>jdoe</u:userName></m:userId><m:force>true</m:force></m:deleteUserRequest>`, "unknown element"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newFake(t, udstest.Options{})
			s.AddUser("ACME", "jdoe", uds.StatusActive)
			s.AddAccount("ACME", "jdoe", udstest.Account{Type: "RADIUS_ID", ID: "r", Status: 10})
			status, answer := postRaw(t, s, tc.action, tc.body)
			v := s.Violations()
			if tc.violation == "" {
				assert.Equal(t, 200, status, answer)
				assert.Empty(t, v)
				assert.Empty(t, s.Requests()[0].Violations)
				return
			}
			assert.Equal(t, 500, status)
			assert.Contains(t, answer, "<ns1:errorNumber>"+uds.CodeInvalidInput+"</ns1:errorNumber>")
			require.NotEmpty(t, v)
			assert.Contains(t, v[0].String(), tc.violation)
			reqs := s.Requests()
			assert.Equal(t, v, reqs[len(reqs)-1].Violations)
			u, _ := s.User("ACME", "jdoe")
			assert.Equal(t, uds.StatusActive, u.Status, "nothing done")
			assert.Len(t, u.Accounts, 1, "nothing done")
		})
	}
}
