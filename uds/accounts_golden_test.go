package uds_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/uds"
)

// Answers in the vendor samples' layout (KB 434195, KB 434243): msgs wrappers and their direct
// children, UserSchema members, xsi:type on retrieveUser's return.
const (
	msgsNS      = "http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs"
	retrieveOK  = `<ns3:retrieveUserResponse xmlns:ns3="` + msgsNS + `"><ns3:return xsi:type="ns1:UserDetailsTypeEx" xmlns:ns1="http://ws.arcot.com/UserSchema/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><ns1:userId><ns1:orgName>ORG</ns1:orgName><ns1:userName>jdoe</ns1:userName><ns1:userRefId>000</ns1:userRefId></ns1:userId><ns1:status>ACTIVE</ns1:status><ns1:account><ns1:accountType>RADIUS_ID</ns1:accountType><ns1:accountID>jdoe-r</ns1:accountID><ns1:accountStatus>10</ns1:accountStatus><ns1:dateCreated>2026-03-16T10:25:34.000+00:00</ns1:dateCreated></ns1:account></ns3:return></ns3:retrieveUserResponse>`
	deleteOK    = `<ns3:deleteUserResponse xmlns:ns3="` + msgsNS + `"><ns3:return><ns1:message xmlns:ns1="http://ws.arcot.com/UserSchema/1.0">The operation was successful!</ns1:message></ns3:return></ns3:deleteUserResponse>`
	deleteAccOK = `<ns3:deleteUserAccountResponse xmlns:ns3="` + msgsNS + `"><ns3:return><ns1:message xmlns:ns1="http://ws.arcot.com/UserSchema/1.0">The operation was successful!</ns1:message></ns3:return></ns3:deleteUserAccountResponse>`
	listOK      = `<ns3:listUserAccountResponse xmlns:ns3="` + msgsNS + `" xmlns:ns1="http://ws.arcot.com/UserSchema/1.0"><ns3:account><ns1:accountType>RADIUS_ID</ns1:accountType></ns3:account></ns3:listUserAccountResponse>`
)

// goldenBody compares the Body of a request with the Body of a hand-written envelope in
// testdata, element by element and namespace by namespace.
func goldenBody(t *testing.T, name string, got []byte) {
	t.Helper()
	want, err := xmltest.Body(readTestdata(t, name))
	require.NoError(t, err)
	gotBody, err := xmltest.Body(got)
	require.NoError(t, err)
	assert.Equal(t, want, gotBody, "raw request:\n%s", got)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// The four new operations' requests against envelopes written from the fact sheet: SOAP 1.2,
// the action in the Content-Type only, no Header without AnA, the body element by element.
func TestGoldenNewOperations(t *testing.T) {
	m := newMock(t, ok12(txHeader("TX-1"), retrieveOK), ok12(txHeader("TX-2"), deleteOK), ok12(txHeader("TX-3"), listOK), ok12(txHeader("TX-4"), deleteAccOK))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)
	ctx := t.Context()

	_, err = c.RetrieveUser(ctx, uds.UserID{OrgName: "ORGANIZATION_NAME", UserName: "USER_LOGIN_ID"}, &uds.RetrieveOptions{IncludeAccounts: true})
	require.NoError(t, err)
	_, err = c.DeleteUser(ctx, uds.UserID{OrgName: "ORG", UserName: "jdoe"}, &uds.DeleteOptions{ClientTxID: "optional"})
	require.NoError(t, err)
	_, err = c.ListUserAccounts(ctx, uds.UserID{OrgName: "ORG", UserName: "jdoe"}, &uds.ListAccountsOptions{AccountType: "RADIUS_ID", ClientTxID: "offboard-7"})
	require.NoError(t, err)
	_, err = c.DeleteUserAccount(ctx, uds.UserID{UserName: "jdoe"}, "RADIUS_ID", nil)
	require.NoError(t, err)

	rq := m.requests()
	require.Len(t, rq, 4)
	for i, tc := range []struct{ action, file string }{
		{"urn:UDS.RetrieveUser", "retrieveUser-request.xml"},
		{"urn:UDS.DeleteUser", "deleteUser-request.xml"},
		{"urn:UDS.ListUserAccounts", "listUserAccount-request.xml"},
		{"urn:UDS.DeleteUserAccount", "deleteUserAccount-request.xml"},
	} {
		assert.Equal(t, http.MethodPost, rq[i].Method)
		assert.Equal(t, `application/soap+xml; charset=utf-8; action="`+tc.action+`"`, rq[i].Header.Get("Content-Type"))
		assert.Empty(t, rq[i].Header.Values("SOAPAction"))
		assert.NotContains(t, string(rq[i].Body), "Header>", "no AnA: no Header")
		goldenBody(t, tc.file, rq[i].Body)
	}
}

// Every member the façade can send, in schema order: retrieveUser's filter base members first
// (UserBaseFilterType: includeImage, includeAccounts), then deepSearch, all in UserSchema; the
// message's own children in msgs. userRefId is sent for deleteUser when given. With AnA the
// token is a Header block and the body is the same.
func TestWireNewOperationsAllMembers(t *testing.T) {
	const token = "TOKEN-abc"
	m := newMock(t, ok12(txHeader("TX-1")+tokenHeader(token), retrieveOK), ok12(txHeader("TX-2"), deleteOK))
	c := anaClient(t, m)
	_, err := c.RetrieveUser(t.Context(), uds.UserID{OrgName: "ACME", UserName: "jdoe"}, &uds.RetrieveOptions{
		IncludeAccounts: true, IncludeImage: true, DeepSearch: true, AccountType: "RADIUS_ID", ClientTxID: "tx-9"})
	require.NoError(t, err)
	_, err = c.DeleteUser(t.Context(), uds.UserID{OrgName: "ACME", UserName: "jdoe", UserRefID: 1234}, nil)
	require.NoError(t, err)
	rq := m.requests()
	require.Len(t, rq, 2)
	const retrieve = `{http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}retrieveUserRequest
  {http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}userIdentifier
    "jdoe"
  {http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}orgName
    "ACME"
  {http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}accountType
    "RADIUS_ID"
  {http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}filter
    {http://ws.arcot.com/UserSchema/1.0}includeImage
      "true"
    {http://ws.arcot.com/UserSchema/1.0}includeAccounts
      "true"
    {http://ws.arcot.com/UserSchema/1.0}deepSearch
      "true"
  {http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}clientTxId
    "tx-9"
`
	const del = `{http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}deleteUserRequest
  {http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs}userId
    {http://ws.arcot.com/UserSchema/1.0}orgName
      "ACME"
    {http://ws.arcot.com/UserSchema/1.0}userName
      "jdoe"
    {http://ws.arcot.com/UserSchema/1.0}userRefId
      "1234"
`
	for i, want := range []string{retrieve, del} {
		got, err := xmltest.Body(rq[i].Body)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	assert.Contains(t, string(rq[0].Body), testCredential, "the first request authenticates with the credentials")
	assert.Contains(t, string(rq[1].Body), ">"+token+"<", "the second carries the token")
}
