package projectortest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/projector"
)

// The warnings PwsGetUserList sends, with Projector's texts (the vendor's samples in
// projector/testdata).
var (
	msgRowCountExceeded = projector.Message{Type: projector.MessageWarning, ErrorNumber: projector.CodeRowCountExceeded,
		ErrorCode: "RowCountExceeded", AdditionalErrorText: "Warning 104",
		ErrorText: "Not all data rows were returned by this request because the specified row count was smaller than the total number of rows available."}
	msgAtLeastOneItemNotFound = projector.Message{Type: projector.MessageWarning, ErrorNumber: projector.CodeAtLeastOneItemNotFound,
		ErrorCode: "AtLeastOneItemNotFound",
		ErrorText: "At least one requested item was not found. The remaining items, if any, were returned."}
)

// getUserList answers PwsGetUserList:
//   - UserIdentity given: that user only, active or not ("all other criteria is
//     disregarded"); an unknown user is an empty list with the 105 AtLeastOneItemNotFound
//     warning (inferred: Projector's answer for an unknown UserIdentity is not documented);
//   - otherwise the users that are not deleted, the inactive ones (as of today) only with
//     IncludeInactiveFlag, matching QueryString (display name or reference system id, case
//     insensitive) and changed since LastUpdatedSinceTimestamp; more than MaxRowsToReturn
//     rows are cut with the 104 RowCountExceeded warning.
func (s *Server) getUserList(rq *GetUserListRequest, requestID int32, warnings []projector.Message) (int, []byte) {
	const op = "PwsGetUserList"
	if rq == nil {
		rq = &GetUserListRequest{}
	}
	s.mu.Lock()
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		s.mu.Unlock()
		return answerFailure(op, requestID, f, warnings)
	}
	now := s.opts.Now()
	var rows []User
	if rq.UserIdentity != nil {
		if u := s.lookup(rq.UserIdentity); u != nil {
			rows = append(rows, *u)
		} else {
			warnings = append(warnings, msgAtLeastOneItemNotFound)
		}
	} else {
		q := strings.ToLower(rq.QueryString)
		for _, u := range s.users {
			switch {
			case u.State == Removed:
			case u.InactiveOn(now) && !rq.IncludeInactiveFlag:
			case q != "" && !strings.Contains(strings.ToLower(u.DisplayName), q) && !strings.Contains(strings.ToLower(u.ReferenceSystemID), q):
			case !rq.LastUpdatedSinceTimestamp.IsZero() && u.Updated.Before(rq.LastUpdatedSinceTimestamp):
			default:
				rows = append(rows, *u)
			}
		}
		if rq.MaxRowsToReturn != nil && *rq.MaxRowsToReturn >= 0 && len(rows) > int(*rq.MaxRowsToReturn) {
			rows = rows[:*rq.MaxRowsToReturn]
			warnings = append(warnings, msgRowCountExceeded)
		}
	}
	inSummary := s.opts.InactiveFlagInSummary
	s.mu.Unlock()

	return http.StatusOK, result(op, func(b *xw) {
		b.base(warnings, requestID, statusOf(warnings), time.Now())
		b.WriteString(`<a:Users xmlns:b="` + nsCom + `">`)
		for i := range rows {
			b.userSummary(&rows[i], rows[i].InactiveOn(now), inSummary)
		}
		b.WriteString(`</a:Users>`)
	})
}

// userSummary writes a PwsUserSummaryElement: InactiveFlag, PasswordTicketFlag, then
// UserSummary with the PwsUserRef, PwsUserSummary and detail levels in order (inferred from
// the documented member order), everything in Shared/Common. inSummary moves
// InactiveFlag into UserSummary, as a third-party client reads it.
func (b *xw) userSummary(u *User, inactive, inSummary bool) {
	flag := strconv.FormatBool(inactive)
	b.WriteString("<b:PwsUserSummaryElement>")
	if !inSummary {
		b.elem("b:InactiveFlag", flag, false)
	}
	b.elem("b:PasswordTicketFlag", strconv.FormatBool(u.PasswordTicket), false)
	b.WriteString("<b:UserSummary>")
	b.str("b:UserDisplayName", u.DisplayName)
	b.elem("b:UserId", strconv.Itoa(int(u.UserID)), u.UserID == 0)
	b.str("b:UserReferenceSystemId", u.ReferenceSystemID)
	b.elem("b:UserUid", strconv.FormatInt(u.UID, 10), u.UID == 0)
	b.str("b:EmailAddress", u.EmailAddress)
	b.str("b:FirstName", u.FirstName)
	b.str("b:LastName", u.LastName)
	b.str("b:MiddleName", "")
	b.elem("b:ClientIdentity", "", true)
	b.elem("b:PrimaryUserTypeCostCenter", "", true)
	if inSummary {
		b.elem("b:InactiveFlag", flag, false)
	}
	b.WriteString("</b:UserSummary></b:PwsUserSummaryElement>")
}
