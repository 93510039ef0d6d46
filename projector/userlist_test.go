package projector_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// userListOK is a PwsGetUserList answer in the layout FACTS-NEXT §4 infers: the base members,
// then a:Users holding b:PwsUserSummaryElement rows.
func userListOK(status string, msgs []string, rows ...string) mockReply {
	users := `<a:Users xmlns:b="` + nsCom + `">`
	for _, r := range rows {
		users += r
	}
	return reply(resultXML("PwsGetUserList", baseXML(status, msgs...)+users+`</a:Users>`))
}

// The PwsGetUserList sample of the fact sheet: base members, then IncludeInactiveFlag,
// LastUpdatedSinceTimestamp and MaxRowsToReturn in the Requests namespace, in that order.
func TestGoldenPwsGetUserList(t *testing.T) {
	m := newMock(t)
	m.on("PwsAuthenticate", authOK("AaoSuE89vJzjNFnsXZNioA=="))
	m.on("PwsGetUserList", userListOK("Ok", nil))
	c := m.client(testCreds)
	_, err := c.GetUserList(t.Context(), &projector.UserListOptions{
		IncludeInactive: true, UpdatedSince: time.Date(2018, 10, 20, 0, 0, 0, 0, time.UTC), MaxRows: 5})
	require.NoError(t, err)
	calls := m.Calls()
	require.Len(t, calls, 2)
	assertWire(t, calls[1], "PwsGetUserList", "PwsGetUserList-request.xml")
}

// Every member GetUserList can send, and FindUser's request, element by element, namespace by
// namespace: base members, then the operation's own alphabetically; IncludeInactiveFlag is
// sent even when false (it is required); PwsUserRef members alphabetical in Shared/Common,
// UserId as an Int32.
func TestWirePwsGetUserList(t *testing.T) {
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	m.on("PwsGetUserList", userListOK("Ok", nil, summaryXML(true, "")))
	c := m.client(testCreds)
	_, err := c.GetUserList(t.Context(), &projector.UserListOptions{Query: "Doe",
		UpdatedSince: time.Date(2024, 5, 1, 12, 30, 0, 0, time.FixedZone("CEST", 2*3600)), MaxRows: 100,
		User: &projector.UserRef{UserReferenceSystemID: "jdoe", UserID: 42, UserUID: 1152921504607134367, UserDisplayName: "Jane Doe"}})
	require.NoError(t, err)
	_, err = c.GetUserList(t.Context(), nil)
	require.NoError(t, err)
	_, err = c.FindUser(t.Context(), projector.UserRef{UserID: 42})
	require.NoError(t, err)
	calls := m.Calls()
	require.Len(t, calls, 4)
	const all = `{http://projectorpsa.com/PwsProjectorServices/}PwsGetUserList
  {http://projectorpsa.com/PwsProjectorServices/}serviceRequest
    {http://projectorpsa.com/DataContracts/Requests/}RequestId
      "1"
    {http://projectorpsa.com/DataContracts/Requests/}SessionTicket
      "AYT2iwsWCxt78iwqu2y0/w=="
    {http://projectorpsa.com/DataContracts/Requests/}IncludeInactiveFlag
      "false"
    {http://projectorpsa.com/DataContracts/Requests/}LastUpdatedSinceTimestamp
      "2024-05-01T10:30:00.000Z"
    {http://projectorpsa.com/DataContracts/Requests/}MaxRowsToReturn
      "100"
    {http://projectorpsa.com/DataContracts/Requests/}QueryString
      "Doe"
    {http://projectorpsa.com/DataContracts/Requests/}UserIdentity
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserDisplayName
        "Jane Doe"
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserId
        "42"
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserReferenceSystemId
        "jdoe"
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserUid
        "1152921504607134367"
`
	const none = `{http://projectorpsa.com/PwsProjectorServices/}PwsGetUserList
  {http://projectorpsa.com/PwsProjectorServices/}serviceRequest
    {http://projectorpsa.com/DataContracts/Requests/}RequestId
      "2"
    {http://projectorpsa.com/DataContracts/Requests/}SessionTicket
      "AYT2iwsWCxt78iwqu2y0/w=="
    {http://projectorpsa.com/DataContracts/Requests/}IncludeInactiveFlag
      "false"
`
	const find = `{http://projectorpsa.com/PwsProjectorServices/}PwsGetUserList
  {http://projectorpsa.com/PwsProjectorServices/}serviceRequest
    {http://projectorpsa.com/DataContracts/Requests/}RequestId
      "3"
    {http://projectorpsa.com/DataContracts/Requests/}SessionTicket
      "AYT2iwsWCxt78iwqu2y0/w=="
    {http://projectorpsa.com/DataContracts/Requests/}IncludeInactiveFlag
      "true"
    {http://projectorpsa.com/DataContracts/Requests/}UserIdentity
      {http://projectorpsa.com/DataContracts/Shared/Common/}UserId
        "42"
`
	for i, want := range []string{all, none, find} {
		call := calls[i+1]
		assert.Equal(t, `"`+actionPrefix+`PwsGetUserList"`, call.SOAPAction)
		assert.Equal(t, "text/xml; charset=utf-8", call.ContentType)
		got, err := xmltest.Body(call.Body)
		require.NoError(t, err)
		assert.Equal(t, want, got, "request %d", i+1)
	}
}

// summaryXML is one PwsUserSummaryElement of user 42 / jdoe; inactive "" leaves InactiveFlag
// out of the element (in is where to put it instead: "element", "summary" or "nil").
func summaryXML(inactive bool, in string) string {
	flag := "false"
	if inactive {
		flag = "true"
	}
	s := `<b:PwsUserSummaryElement>`
	switch in {
	case "":
		s += `<b:InactiveFlag>` + flag + `</b:InactiveFlag>`
	case "nil":
		s += `<b:InactiveFlag i:nil="true"/>`
	}
	s += `<b:PasswordTicketFlag>false</b:PasswordTicketFlag><b:UserSummary>` +
		`<b:UserDisplayName>Jane Doe</b:UserDisplayName><b:UserId i:nil="true"/>` +
		`<b:UserReferenceSystemId>jdoe</b:UserReferenceSystemId><b:UserUid>1152921504607134367</b:UserUid>` +
		`<b:EmailAddress>jane.doe@revcorp.example</b:EmailAddress><b:FirstName>Jane</b:FirstName><b:LastName>Doe</b:LastName>` +
		`<b:MiddleName i:nil="true"/><b:ClientIdentity i:nil="true"/>` +
		`<b:PrimaryUserTypeCostCenter><b:CostCenterIdentity><b:CostCenterId i:nil="true"/><b:CostCenterName>Ops</b:CostCenterName></b:CostCenterIdentity></b:PrimaryUserTypeCostCenter>`
	if in == "summary" {
		s += `<b:InactiveFlag>` + flag + `</b:InactiveFlag>`
	}
	return s + `</b:UserSummary></b:PwsUserSummaryElement>`
}

// Answers decode into typed rows: the three summary levels, InactiveFlag from the element or,
// as a third-party client reads it, from inside UserSummary; a nil flag stays nil; .NET dates
// without a zone and at DateTime.MaxValue decode; 104 sets Truncated.
func TestDecodePwsGetUserList(t *testing.T) {
	jane := projector.UserRef{UserDisplayName: "Jane Doe", UserReferenceSystemID: "jdoe", UserUID: 1152921504607134367}
	yes, no := true, false
	row := func(inactive *bool) projector.UserSummary {
		return projector.UserSummary{User: jane, EmailAddress: "jane.doe@revcorp.example", FirstName: "Jane", LastName: "Doe",
			Inactive: inactive, PasswordTicket: &no}
	}
	for _, tc := range []struct {
		name      string
		rows      []string
		msgs      []string
		want      []projector.UserSummary
		truncated bool
	}{
		{"flag on the element", []string{summaryXML(true, "")}, nil, []projector.UserSummary{row(&yes)}, false},
		{"flag inside UserSummary", []string{summaryXML(true, "summary")}, nil, []projector.UserSummary{row(&yes)}, false},
		{"active", []string{summaryXML(false, "")}, nil, []projector.UserSummary{row(&no)}, false},
		{"nil flag", []string{summaryXML(false, "nil")}, nil, []projector.UserSummary{row(nil)}, false},
		{"no rows", nil, nil, []projector.UserSummary{}, false},
		{"row count exceeded", []string{summaryXML(false, ""), summaryXML(true, "")},
			[]string{msgXML("Warning", 104, "RowCountExceeded", "Not all data rows were returned by this request.")},
			[]projector.UserSummary{row(&no), row(&yes)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			status := "Ok"
			if len(tc.msgs) > 0 {
				status = "OkWithWarnings"
			}
			m.on("PwsGetUserList", userListOK(status, tc.msgs, tc.rows...))
			res, err := m.client(testCreds).GetUserList(t.Context(), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.Users)
			assert.Equal(t, tc.truncated, res.Truncated)
			assert.Equal(t, projector.Status(status), res.Status)
			assert.Equal(t, time.Date(2018, 10, 17, 18, 10, 14, 234502100, time.UTC), res.ServerTime)
		})
	}
	t.Run(".NET dates", func(t *testing.T) {
		for in, want := range map[string]time.Time{
			"9999-12-31T23:59:59.9999999":   time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC),
			"2026-03-16T10:25:34":           time.Date(2026, 3, 16, 10, 25, 34, 0, time.UTC),
			"2026-03-16T10:25:34.123+02:00": time.Date(2026, 3, 16, 8, 25, 34, 123000000, time.UTC),
		} {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			m.on("PwsGetUserList", reply(resultXML("PwsGetUserList", `<Messages xmlns="`+nsCS+`" xmlns:b="`+nsCom+`"/>`+
				`<ResponseId xmlns="`+nsCS+`">1</ResponseId><Status xmlns="`+nsCS+`">Ok</Status>`+
				`<ServerTimestampUtc xmlns="`+nsCS+`">`+in+`</ServerTimestampUtc><a:Users i:nil="true"/>`)))
			res, err := m.client(testCreds).GetUserList(t.Context(), nil)
			require.NoError(t, err, in)
			assert.True(t, want.Equal(res.ServerTime), "%s: got %v", in, res.ServerTime)
			assert.Empty(t, res.Users)
		}
	})
}

// Every failure of PwsGetUserList is a typed error keeping the server's numbers and texts.
func TestGetUserListFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answer  mockReply
		is      error
		number  int
		text    string
		http    int
		asHTTP  bool
		asProto bool
	}{
		{"EntityNotFound", failReply("PwsGetUserList", msgNotFound), projector.ErrNotFound, 50024, "Entity PwsUserRef was not found.", 200, false, false},
		{"ViewPermissionDenied", failReply("PwsGetUserList", msgDenied), projector.ErrPermissionDenied, 50045, "You do not have permission to view this item.", 200, false, false},
		{"unknown number kept", failReply("PwsGetUserList", msgXML("Error", 57813, "PermissionLimitedToClientUsers", "Limited to client users.")),
			nil, 57813, "Limited to client users.", 200, false, false},
		{"PwsFault rate limit", faultReply("Rate limit exceeded.", msgRateError), projector.ErrRateLimited, 10016, "Rate limit exceeded.", 500, false, false},
		{"PwsFault unknown number", faultReply("Something failed.", msgXML("Error", 99999, "Boom", "Something failed.")), nil, 99999, "Something failed.", 500, false, false},
		{"HTML 502", mockReply{status: http.StatusBadGateway, contentType: "text/html", body: "<html>bad gateway</html>"}, projector.ErrUnavailable, 0, "", 502, true, false},
		{"no result", reply(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><PwsGetUserListResponse xmlns="http://projectorpsa.com/PwsProjectorServices/"/></s:Body></s:Envelope>`),
			projector.ErrProtocol, 0, "", 0, false, true},
		{"Ok with HTTP 500", mockReply{status: http.StatusInternalServerError, body: userListOK("Ok", nil).body}, nil, 0, "", 500, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			m.on("PwsGetUserList", tc.answer)
			c := m.client(testCreds, projector.WithRateLimitRetries(0))
			res, err := c.GetUserList(t.Context(), &projector.UserListOptions{IncludeInactive: true})
			require.Error(t, err)
			assert.Nil(t, res)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			switch {
			case tc.asHTTP:
				var he *projector.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, tc.http, he.StatusCode)
			case tc.asProto:
				var pe *projector.ProtocolError
				require.ErrorAs(t, err, &pe)
			default:
				var se *projector.ServiceError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, "PwsGetUserList", se.Operation)
				assert.Equal(t, tc.http, se.HTTPStatus)
				if tc.number != 0 {
					require.Len(t, se.Messages, 1)
					assert.Equal(t, tc.number, se.Messages[0].ErrorNumber)
					assert.Equal(t, tc.text, se.Messages[0].ErrorText)
					assert.True(t, se.Has(tc.number))
				}
			}
			assert.NotErrorIs(t, err, projector.ErrAuthentication)
		})
	}
}

// FindUser: "not found" is ErrNotFound whichever way Projector says it, with what it said kept.
func TestFindUserNotFound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer mockReply
		as     any
		msgs   int
	}{
		{"105 warning and no rows", userListOK("OkWithWarnings", []string{msgXML("Warning", 105, "AtLeastOneItemNotFound",
			"At least one requested item was not found.")}), new(*projector.UserNotFoundError), 1},
		{"no rows, no message", userListOK("Ok", nil), new(*projector.UserNotFoundError), 0},
		{"Users nil", reply(resultXML("PwsGetUserList", baseXML("Ok")+`<a:Users i:nil="true"/>`)), new(*projector.UserNotFoundError), 0},
		{"50024 Fail", failReply("PwsGetUserList", msgNotFound), new(*projector.ServiceError), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			m.on("PwsGetUserList", tc.answer)
			u, err := m.client(testCreds).FindUser(t.Context(), projector.UserRef{UserReferenceSystemID: "gone"})
			assert.Nil(t, u)
			require.ErrorIs(t, err, projector.ErrNotFound)
			require.ErrorAs(t, err, tc.as)
			var nf *projector.UserNotFoundError
			if errors.As(err, &nf) {
				assert.Len(t, nf.Messages, tc.msgs)
				assert.Equal(t, "gone", nf.User.UserReferenceSystemID)
				assert.Contains(t, err.Error(), `UserReferenceSystemId "gone"`)
			}
		})
	}
	t.Run("two rows for one reference", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsGetUserList", userListOK("Ok", nil, summaryXML(false, ""), summaryXML(false, "")))
		_, err := m.client(testCreds).FindUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe"})
		require.ErrorIs(t, err, projector.ErrProtocol)
		assert.NotErrorIs(t, err, projector.ErrNotFound)
	})
}

// Bad input is refused with the field named, before anything is sent.
func TestGetUserListInputRefused(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		call        func(c *projector.Client) error
	}{
		{"user without key", "opts.User", func(c *projector.Client) error {
			_, err := c.GetUserList(t.Context(), &projector.UserListOptions{User: &projector.UserRef{UserDisplayName: "x"}})
			return err
		}},
		{"negative user id", "opts.User.UserID", func(c *projector.Client) error {
			_, err := c.GetUserList(t.Context(), &projector.UserListOptions{User: &projector.UserRef{UserID: -4}})
			return err
		}},
		{"negative max rows", "opts.MaxRows", func(c *projector.Client) error {
			_, err := c.GetUserList(t.Context(), &projector.UserListOptions{MaxRows: -1})
			return err
		}},
		{"query with NUL", "opts.Query", func(c *projector.Client) error {
			_, err := c.GetUserList(t.Context(), &projector.UserListOptions{Query: "a\x00b"})
			return err
		}},
		{"date in year 10000", "opts.UpdatedSince", func(c *projector.Client) error {
			_, err := c.GetUserList(t.Context(), &projector.UserListOptions{UpdatedSince: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
			return err
		}},
		{"find without key", "user", func(c *projector.Client) error {
			_, err := c.FindUser(t.Context(), projector.UserRef{})
			return err
		}},
		{"find with negative uid", "user.UserUID", func(c *projector.Client) error {
			_, err := c.FindUser(t.Context(), projector.UserRef{UserUID: -1})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMock(t)
			err := tc.call(m.client(testCreds))
			require.ErrorIs(t, err, projector.ErrInvalidInput)
			var ie *projector.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.Empty(t, m.Calls(), "nothing sent")
		})
	}
}

// End to end against the fake: an in-use user is found active, end-dated today with
// PwsDeleteUser EndDateIfInUse, then found inactive as of today and listed only with
// IncludeInactiveFlag; a user not in use is deleted and then not found. No request had an
// element WCF would have ignored.
func TestEndToEndUserList(t *testing.T) {
	today := time.Now()
	s := fake(t, projectortest.Options{Users: []projectortest.User{
		{ReferenceSystemID: "leaver", UserID: 7, DisplayName: "Leaving User", InUse: true, EmailAddress: "leaver@revcorp.example"},
		{ReferenceSystemID: "temp", UserID: 8, DisplayName: "Temp User"},
		{ReferenceSystemID: "gone-last-year", UserID: 9, DisplayName: "Former User", EndDate: today.AddDate(-1, 0, 0)},
		{ReferenceSystemID: "leaves-next-month", UserID: 10, DisplayName: "Future Leaver", EndDate: today.AddDate(0, 1, 0)},
	}})
	c := s.NewClient(t)
	ctx := t.Context()

	u, err := c.FindUser(ctx, projector.UserRef{UserReferenceSystemID: "leaver"})
	require.NoError(t, err)
	assert.True(t, u.Active())
	assert.Equal(t, int32(7), u.User.UserID)
	assert.Equal(t, "leaver@revcorp.example", u.EmailAddress)

	del, err := c.DeleteUser(ctx, u.User, &projector.DeleteUserOptions{EndDateIfInUse: today})
	require.NoError(t, err)
	assert.Equal(t, projector.Deactivated, del.Outcome)

	u, err = c.FindUser(ctx, projector.UserRef{UserID: 7})
	require.NoError(t, err)
	require.NotNil(t, u.Inactive)
	assert.True(t, *u.Inactive, "inactive as of today")
	assert.False(t, u.Active())

	active, err := c.GetUserList(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"temp", "leaves-next-month"}, refs(active.Users), "an end date in the future is still active today")
	all, err := c.GetUserList(ctx, &projector.UserListOptions{IncludeInactive: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"leaver", "temp", "gone-last-year", "leaves-next-month"}, refs(all.Users))
	assert.Equal(t, []bool{true, false, true, false}, inactiveFlags(all.Users))

	found, err := c.GetUserList(ctx, &projector.UserListOptions{IncludeInactive: true, Query: "LEAV", MaxRows: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"leaver"}, refs(found.Users))
	assert.True(t, found.Truncated)
	assert.Equal(t, projector.StatusOkWithWarnings, found.Status)

	del, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "temp"}, &projector.DeleteUserOptions{EndDateIfInUse: today})
	require.NoError(t, err)
	assert.Equal(t, projector.Deleted, del.Outcome)
	_, err = c.FindUser(ctx, projector.UserRef{UserReferenceSystemID: "temp"})
	require.ErrorIs(t, err, projector.ErrNotFound, "deleted: gone")
	var nf *projector.UserNotFoundError
	require.ErrorAs(t, err, &nf)
	require.Len(t, nf.Messages, 1)
	assert.Equal(t, projector.CodeAtLeastOneItemNotFound, nf.Messages[0].ErrorNumber)

	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	require.NotNil(t, last.GetUserList)
	assert.True(t, last.GetUserList.IncludeInactiveFlag)
}

// The fake's InactiveFlag in UserSummary (a third-party layout) is read as well.
func TestEndToEndInactiveFlagInSummary(t *testing.T) {
	s := fake(t, projectortest.Options{InactiveFlagInSummary: true, Users: []projectortest.User{
		{ReferenceSystemID: "old", State: projectortest.Inactive}}})
	u, err := s.NewClient(t).FindUser(t.Context(), projector.UserRef{UserReferenceSystemID: "old"})
	require.NoError(t, err)
	require.NotNil(t, u.Inactive)
	assert.True(t, *u.Inactive)
}

// Every failure the fake injects into PwsGetUserList is a typed error with its number and text.
func TestEndToEndUserListFailures(t *testing.T) {
	for _, tc := range []struct {
		number int
		is     error
	}{
		{projector.CodeEntityNotFound, projector.ErrNotFound},
		{projector.CodeViewPermissionDenied, projector.ErrPermissionDenied},
		{57813, nil},
	} {
		s := fake(t, projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}})
		c := s.NewClient(t)
		s.FailNext(projectortest.Failure{Code: tc.number})
		_, err := c.FindUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe"})
		var se *projector.ServiceError
		require.ErrorAs(t, err, &se, "%d", tc.number)
		require.Len(t, se.Messages, 1)
		assert.Equal(t, tc.number, se.Messages[0].ErrorNumber)
		assert.NotEmpty(t, se.Messages[0].ErrorText)
		assert.Equal(t, projector.StatusFail, se.Status)
		if tc.is != nil {
			assert.ErrorIs(t, err, tc.is)
		} else {
			assert.NotErrorIs(t, err, projector.ErrNotFound)
		}
		u, err := c.FindUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe"})
		require.NoError(t, err, "only the next request fails")
		assert.True(t, u.Active())
	}
}

func refs(us []projector.UserSummary) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.User.UserReferenceSystemID)
	}
	return out
}

func inactiveFlags(us []projector.UserSummary) []bool {
	var out []bool
	for _, u := range us {
		out = append(out, u.Inactive != nil && *u.Inactive)
	}
	return out
}
