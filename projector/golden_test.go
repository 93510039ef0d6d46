package projector_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/projector"
)

var update = flag.Bool("update", false, "refresh testdata/ copies of the vendor samples from ../shared")

// assertWire checks one request against a vendor sample: POST to the endpoint, the exact
// SOAP 1.1 headers, and the Body element by element, namespace by namespace.
func assertWire(t *testing.T, call wireCall, op, sample string) {
	t.Helper()
	assert.Equal(t, "POST", call.Method)
	assert.Equal(t, testEndpoint, call.URL)
	assert.Equal(t, `"`+actionPrefix+op+`"`, call.SOAPAction)
	assert.Equal(t, "text/xml; charset=utf-8", call.ContentType)
	want, err := xmltest.Body(testdata(t, sample))
	require.NoError(t, err)
	got, err := xmltest.Body(call.Body)
	require.NoError(t, err)
	assert.Equal(t, want, got, "raw request:\n%s", call.Body)
}

// The documented PwsAuthenticate sample (credentials are Projector's public doc values).
func TestGoldenPwsAuthenticate(t *testing.T) {
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	c := m.client(projector.Credentials{AccountCode: "revcorp-doc", UserName: "bruce@revcorp.doc", Password: "kouling"})
	require.NoError(t, c.Login(t.Context()))
	calls := m.Calls()
	require.Len(t, calls, 1)
	assertWire(t, calls[0], "PwsAuthenticate", "PwsAuthenticate-request.xml")
}

// The spec's PwsDeleteUser Example 01: the first call of a session is RequestId 1.
func TestGoldenPwsDeleteUser(t *testing.T) {
	for name, end := range map[string]time.Time{
		"UTC midnight": time.Date(2018, 10, 17, 0, 0, 0, 0, time.UTC),
		// A local end date must not become the previous day in UTC.
		"local midnight east of UTC": time.Date(2018, 10, 17, 0, 0, 0, 0, time.FixedZone("UTC+14", 14*3600)),
		"local evening west of UTC":  time.Date(2018, 10, 17, 23, 30, 0, 0, time.FixedZone("UTC-10", -10*3600)),
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			m.on("PwsDeleteUser", deleteOK(""))
			c := m.client(testCreds)
			_, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "temporary_resource"},
				&projector.DeleteUserOptions{EndDateIfInUse: end})
			require.NoError(t, err)
			calls := m.Calls()
			require.Len(t, calls, 2)
			assertWire(t, calls[1], "PwsDeleteUser", "PwsDeleteUser-request.xml")
		})
	}
}

// The documented PwsUnauthenticate sample: Close right after authenticating is RequestId 1.
func TestGoldenPwsUnauthenticate(t *testing.T) {
	m := newMock(t)
	m.on("PwsAuthenticate", authOK("ARpTzROQ1vcU4qOWebXLww=="))
	m.on("PwsUnauthenticate", reply(resultXML("PwsUnauthenticate", baseXML("Ok"))))
	c := m.client(testCreds)
	require.NoError(t, c.Login(t.Context()))
	require.NoError(t, c.Close(t.Context()))
	calls := m.Calls()
	require.Len(t, calls, 2)
	assertWire(t, calls[1], "PwsUnauthenticate", "PwsUnauthenticate-request.xml")
}

// Every member the façade can send, in DataContract order: base members, then alphabetical;
// PwsUserRef members alphabetical in Shared/Common.
func TestWireAllMembers(t *testing.T) {
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	m.on("PwsDeleteUser", deleteOK(""))
	c := m.client(testCreds, projector.WithCultureName("en-US"))
	_, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe", UserID: 42, UserUID: 7, UserDisplayName: "Jane Doe"},
		&projector.DeleteUserOptions{EndDateIfInUse: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), UserTimestamp: "AAAAABCI7Dk="})
	require.NoError(t, err)
	calls := m.Calls()
	require.Len(t, calls, 2)
	const auth = `{http://projectorpsa.com/PwsProjectorServices/}PwsAuthenticate
  {http://projectorpsa.com/PwsProjectorServices/}serviceRequest
    {http://projectorpsa.com/DataContracts/Requests/}AccountCode
      "revcorp"
    {http://projectorpsa.com/DataContracts/Requests/}CultureName
      "en-US"
    {http://projectorpsa.com/DataContracts/Requests/}Password
      "s3cret-Pa55word!"
    {http://projectorpsa.com/DataContracts/Requests/}UserName
      "ops@revcorp.example"
`
	const del = `{http://projectorpsa.com/PwsProjectorServices/}PwsDeleteUser
  {http://projectorpsa.com/PwsProjectorServices/}serviceRequest
    {http://projectorpsa.com/DataContracts/Requests/}RequestId
      "1"
    {http://projectorpsa.com/DataContracts/Requests/}SessionTicket
      "AYT2iwsWCxt78iwqu2y0/w=="
    {http://projectorpsa.com/DataContracts/Requests/}EndDateIfInUse
      "2024-05-01T00:00:00.000Z"
    {http://projectorpsa.com/DataContracts/Requests/}UserIdentity
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserDisplayName
        "Jane Doe"
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserId
        "42"
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserReferenceSystemId
        "jdoe"
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserUid
        "7"
    {http://projectorpsa.com/DataContracts/Requests/}UserTimestamp
      "AAAAABCI7Dk="
`
	for i, want := range []string{auth, del} {
		got, err := xmltest.Body(calls[i].Body)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

// sharedDir is ../shared beside the module root, or a skip when this checkout has none.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared not present: testdata copies cannot be checked against the originals")
	}
	return dir
}

// The testdata/ copies are the vendor samples, unchanged (go test -run TestTestdata -update
// refreshes them).
func TestTestdataMatchesShared(t *testing.T) {
	shared := sharedDir(t)
	copies, err := filepath.Glob(filepath.Join(shared, "reference", "projector", "*.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, copies)
	for _, orig := range copies {
		want, err := os.ReadFile(orig)
		require.NoError(t, err)
		checkCopy(t, filepath.Base(orig), want, false)
	}
	spec, err := os.ReadFile(filepath.Join(shared, "spec", "projector-PwsDeleteUser.txt"))
	require.NoError(t, err)
	checkCopy(t, "PwsDeleteUser-request.xml", extract(t, spec, "<soapenv:Envelope", "</soapenv:Envelope>"), true)
	checkCopy(t, "PwsDeleteUser-response.xml", extract(t, spec, "<s:Envelope", "</s:Envelope>"), true)
}

func checkCopy(t *testing.T, name string, want []byte, canonical bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	if !canonical {
		assert.True(t, bytes.Equal(want, got), "testdata/%s differs from ../shared", name)
		return
	}
	xmltest.Equal(t, want, got)
}

// extract cuts the XML example from a spec page (the first block from start to end).
func extract(t *testing.T, page []byte, start, end string) []byte {
	t.Helper()
	s := string(page)
	i := strings.Index(s, start)
	j := strings.Index(s, end)
	require.True(t, i >= 0 && j > i, "no %s example in the spec", start)
	return []byte(s[i:j+len(end)] + "\n")
}

// The spec's PwsDeleteUser response: the user was made inactive (Timestamp set).
func TestDecodeSpecPwsDeleteUserResponse(t *testing.T) {
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	m.on("PwsDeleteUser", reply(string(testdata(t, "PwsDeleteUser-response.xml"))))
	c := m.client(testCreds)
	res, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "temporary_resource"},
		&projector.DeleteUserOptions{EndDateIfInUse: time.Date(2018, 10, 17, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, &projector.DeleteUserResult{
		Outcome: projector.Deactivated,
		User: projector.UserRef{UserDisplayName: "Temporary Resource", UserReferenceSystemID: "temporary_resource",
			UserUID: 1152921504607134367},
		Timestamp:  "AAAAABCI7Dk=",
		Status:     projector.StatusOk,
		ResponseID: 1,
		ServerTime: time.Date(2018, 10, 17, 18, 10, 14, 234502100, time.UTC),
	}, res)
	assert.Empty(t, res.Warnings())
}

// PwsReleaseProjectorLocks-response.xml is the reference for the layout of every response;
// read as a PwsDeleteUser answer it is a plain deletion (no Timestamp) with its base members.
func TestDecodeReleaseProjectorLocksShape(t *testing.T) {
	body := strings.ReplaceAll(string(testdata(t, "PwsReleaseProjectorLocks-response.xml")), "PwsReleaseProjectorLocks", "PwsDeleteUser")
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	m.on("PwsDeleteUser", reply(body))
	c := m.client(testCreds)
	res, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, &projector.DeleteUserResult{
		Outcome:    projector.Deleted,
		Status:     projector.StatusOk,
		ResponseID: 1,
		ServerTime: time.Date(2018, 10, 30, 21, 8, 14, 981411300, time.UTC),
	}, res)
}

// The PwsMessage samples, wrapped in a response the way Projector sends them: every field is
// kept, and messages that come with a successful Status are returned, not dropped.
func TestDecodeMessageSamples(t *testing.T) {
	spec := string(testdata(t, "PwsDeleteUser-response.xml"))
	emptyMessages := `<Messages xmlns="http://projectorpsa.com/CommonServices/" xmlns:b="http://projectorpsa.com/DataContracts/Shared/Common/"/>`
	require.Contains(t, spec, emptyMessages)
	open := strings.TrimSuffix(emptyMessages, "/>") + ">"

	t.Run("warning 105", func(t *testing.T) {
		body := strings.Replace(spec, emptyMessages, open+string(testdata(t, "PwsMessage-warning-fragment.xml"))+"</Messages>", 1)
		res := deleteWith(t, reply(body))
		assert.Equal(t, []projector.Message{{
			Type: projector.MessageWarning, ErrorNumber: 105, ErrorCode: "AtLeastOneItemNotFound",
			ErrorText: "At least one requested item was not found. The remaining items, if any, were returned.",
		}}, res.Messages)
		assert.Equal(t, res.Messages, res.Warnings())
		assert.True(t, res.Messages[0].Is(projector.CodeAtLeastOneItemNotFound))
	})
	t.Run("Messages with warning 104", func(t *testing.T) {
		body := strings.Replace(spec, emptyMessages, string(testdata(t, "PwsGetProjectList-Messages-RowCountExceeded-fragment.xml")), 1)
		res := deleteWith(t, reply(body))
		assert.Equal(t, projector.StatusOk, res.Status)
		assert.Equal(t, []projector.Message{{
			Type: projector.MessageWarning, ErrorNumber: 104, ErrorCode: "RowCountExceeded",
			ErrorText:           "Not all data rows were returned by this request because the specified row count was smaller than the total number of rows available.",
			AdditionalErrorText: "Warning 104: {oldestSurvivingTimeCardWorkDateString}",
		}}, res.Messages)
	})
	t.Run("error 10004 in a PwsFault", func(t *testing.T) {
		fault := faultReply("The specified session ticket is invalid.", string(testdata(t, "PwsMessage-error-InvalidSessionTicket-fragment.xml")))
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", fault)
		c := m.client(testCreds)
		_, err := c.DeleteUser(t.Context(), projector.UserRef{UserID: 1}, nil)
		var se *projector.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, []projector.Message{{
			Type: projector.MessageError, ErrorNumber: 10004, ErrorCode: "InvalidSessionTicket",
			ErrorText:           "The specified session ticket is invalid. Please verify you are issuing this request against the correct instance of Projector.",
			AdditionalErrorText: "Error 10004: InvalidSessionTicket",
		}}, se.Messages)
		assert.Equal(t, "PwsDeleteUser", se.Operation)
		require.NotNil(t, se.Fault)
		assert.Equal(t, "Client", se.Fault.Code)
		assert.Equal(t, "The specified session ticket is invalid.", se.Fault.Reason)
		assert.Equal(t, 10004, se.Code)
		assert.Equal(t, "The specified session ticket is invalid. Please verify you are issuing this request against the correct instance of Projector.", se.Message)
		assert.Empty(t, se.TransactionID, "a Fault has no ResponseId")
		assert.Equal(t, 500, se.HTTPStatus)
		assert.ErrorIs(t, err, projector.ErrSessionExpired)
		// Re-authenticated once and retried once.
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsAuthenticate", "PwsDeleteUser"}, m.ops())
	})
}

func deleteWith(t *testing.T, r mockReply) *projector.DeleteUserResult {
	t.Helper()
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	m.on("PwsDeleteUser", r)
	c := m.client(testCreds)
	res, err := c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "temporary_resource"}, nil)
	require.NoError(t, err)
	return res
}
