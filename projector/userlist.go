package projector

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
)

const opGetUserList = "PwsGetUserList"

// UserListOptions are PwsGetUserList's request members. The zero value lists
// the active users.
type UserListOptions struct {
	// IncludeInactive is IncludeInactiveFlag (always sent, false by default): also list users
	// that are inactive as of today. Projector disregards it when User is set.
	IncludeInactive bool
	// User is UserIdentity: list only this user. "All other criteria is disregarded if a user
	// is explicitly requested." nil sends nothing.
	User *UserRef
	// Query is QueryString: matches the display name or the reference system id / employee
	// id. Empty sends nothing.
	Query string
	// UpdatedSince is LastUpdatedSinceTimestamp: only users changed since then. The zero value
	// sends nothing.
	UpdatedSince time.Time
	// MaxRows is MaxRowsToReturn; 0 sends nothing (the server's own limit applies). When the
	// server has more rows it says so with the 104 RowCountExceeded warning (Truncated).
	MaxRows int
}

// UserSummary is one row of PwsGetUserList: a PwsUserSummaryElement.
type UserSummary struct {
	User         UserRef // UserDisplayName, UserId, UserReferenceSystemId, UserUid
	EmailAddress string
	FirstName    string
	MiddleName   string
	LastName     string
	// Inactive is InactiveFlag: whether the user is inactive as of today. nil when the
	// server sent none (xsi:nil or absent). It is read from PwsUserSummaryElement, as
	// Projector documents it, and else from inside UserSummary, where a third-party client
	// reads it.
	Inactive *bool
	// PasswordTicket is PasswordTicketFlag; nil when the server sent none.
	PasswordTicket *bool
}

// Active reports whether the server said the user is active as of today (InactiveFlag
// false). A row without InactiveFlag is not reported active.
func (u UserSummary) Active() bool { return u.Inactive != nil && !*u.Inactive }

// UserListResult is a successful PwsGetUserList answer.
type UserListResult struct {
	Users []UserSummary
	// Truncated: the server had more rows than it returned (warning 104 RowCountExceeded).
	Truncated  bool
	Status     Status    // Ok or OkWithWarnings
	Messages   []Message // every message, warnings and information included
	ResponseID int
	ServerTime time.Time // ServerTimestampUtc
}

// UserNotFoundError is FindUser's answer when PwsGetUserList, asked for one user, answered
// successfully without that user (an empty list, normally with the 105 AtLeastOneItemNotFound
// warning). It is ErrNotFound, and keeps what the server said.
type UserNotFoundError struct {
	User       UserRef   // the reference asked for
	Status     Status    // as sent
	Messages   []Message // every message, e.g. 105 AtLeastOneItemNotFound
	ResponseID int
}

func (e *UserNotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("projector: PwsGetUserList: no user matches ")
	b.WriteString(e.User.describe())
	if e.Status != "" {
		b.WriteString(" (Status ")
		b.WriteString(string(e.Status))
		b.WriteByte(')')
	}
	writeMessages(&b, e.Messages)
	return b.String()
}

// Is reports ErrNotFound.
func (e *UserNotFoundError) Is(target error) bool { return target == ErrNotFound }

// describe names the keys of a reference, for messages.
func (u UserRef) describe() string {
	var parts []string
	if u.UserReferenceSystemID != "" {
		parts = append(parts, fmt.Sprintf("UserReferenceSystemId %q", u.UserReferenceSystemID))
	}
	if u.UserID != 0 {
		parts = append(parts, fmt.Sprintf("UserId %d", u.UserID))
	}
	if u.UserUID != 0 {
		parts = append(parts, fmt.Sprintf("UserUid %d", u.UserUID))
	}
	if len(parts) == 0 {
		return "(no key)"
	}
	return strings.Join(parts, ", ")
}

// GetUserList lists users with PwsGetUserList (SOAPAction
// http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsGetUserList). opts
// may be nil (the active users). The service does not page: MaxRows bounds the answer and
// Truncated says when rows were left out.
//
// Errors: a response with Status Fail or a PwsFault is a *ServiceError with every message
// (ErrNotFound for 50024, ErrPermissionDenied for 50045…); bad input is ErrInvalidInput and
// nothing is sent.
func (c *Client) GetUserList(ctx context.Context, opts *UserListOptions) (*UserListResult, error) {
	var o UserListOptions
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	var res *UserListResult
	cl := c.c
	ctx, call := cl.startCall(ctx, opGetUserList)
	err := cl.withSession(ctx, opGetUserList, func(ctx context.Context, s *session) error {
		return cl.exchange(ctx, opGetUserList, func(ctx context.Context) (*projectorwsdl.PwsServiceResponse, error) {
			resp, err := s.svc.PwsGetUserList(ctx, &projectorwsdl.PwsGetUserList{ServiceRequest: o.toWire(cl.nextRequestID(), s.ticket)})
			if err != nil {
				return nil, err
			}
			rs := resp.PwsGetUserListResult
			if rs == nil {
				return nil, missingResult(opGetUserList)
			}
			res = cl.userListFromWire(rs)
			return rs.PwsServiceResponse, nil
		})
	})
	if err != nil {
		err = cl.secrets.Error(err)
		res = nil
	}
	cl.endCall(call, err)
	return res, err
}

// FindUser reads one user with PwsGetUserList and UserIdentity (IncludeInactiveFlag true, so
// an inactive user is found too): the way to tell whether a user still exists and whether it
// is active as of today (UserSummary.Active).
//
// A user that does not exist is ErrNotFound: a *UserNotFoundError when the server answered
// successfully without it (105 AtLeastOneItemNotFound or an empty list), a *ServiceError when
// it failed the request with 50024 EntityNotFound. For offboarding that means "already gone".
// An answer with several rows for one reference is a *ProtocolError.
func (c *Client) FindUser(ctx context.Context, user UserRef) (*UserSummary, error) {
	if !user.hasKey() {
		return nil, &soapx.InputError{Field: "user", Reason: "needs UserReferenceSystemID, UserID or UserUID"}
	}
	if err := user.check("user"); err != nil {
		return nil, err
	}
	res, err := c.GetUserList(ctx, &UserListOptions{User: &user, IncludeInactive: true})
	if err != nil {
		return nil, err
	}
	switch len(res.Users) {
	case 0:
		return nil, &UserNotFoundError{User: user, Status: res.Status, Messages: res.Messages, ResponseID: res.ResponseID}
	case 1:
		u := res.Users[0]
		return &u, nil
	}
	return nil, fmt.Errorf("projector: %s: %w", opGetUserList, &soapx.ProtocolError{
		Reason: fmt.Sprintf("%d users answered for one UserIdentity (%s)", len(res.Users), user.describe()),
	})
}

func (o *UserListOptions) check() error {
	if o.User != nil {
		if !o.User.hasKey() {
			return &soapx.InputError{Field: "opts.User", Reason: "needs UserReferenceSystemID, UserID or UserUID"}
		}
		if err := o.User.check("opts.User"); err != nil {
			return err
		}
	}
	if o.MaxRows < 0 || o.MaxRows > math.MaxInt32 {
		return &soapx.InputError{Field: "opts.MaxRows", Reason: "must be between 0 and 2147483647"}
	}
	if err := soapx.CheckText("opts.Query", o.Query); err != nil {
		return err
	}
	return soapx.CheckDateTime("opts.UpdatedSince", o.UpdatedSince)
}

func (o *UserListOptions) toWire(requestID int32, ticket string) *projectorwsdl.PwsGetUserListRq {
	rq := &projectorwsdl.PwsGetUserListRq{
		PwsServiceRequest:   &projectorwsdl.PwsServiceRequest{RequestId: requestID, SessionTicket: ticket},
		IncludeInactiveFlag: o.IncludeInactive,
		QueryString:         o.Query,
	}
	if !o.UpdatedSince.IsZero() {
		rq.LastUpdatedSinceTimestamp = &soapx.DateTime{Time: o.UpdatedSince}
	}
	if o.MaxRows > 0 {
		n := int32(o.MaxRows)
		rq.MaxRowsToReturn = &n
	}
	if o.User != nil {
		rq.UserIdentity = o.User.toWire()
	}
	return rq
}

// userListFromWire converts a successful answer; the texts are scrubbed of the client's
// secrets like every other text the server sends.
func (c *client) userListFromWire(rs *projectorwsdl.PwsGetUserListRs) *UserListResult {
	res := &UserListResult{}
	if b := rs.PwsServiceResponse; b != nil {
		res.Messages, res.ResponseID, res.ServerTime = c.scrubMessages(messagesFromWire(b.Messages)), int(b.ResponseId), b.ServerTimestampUtc.Time
		if b.Status != nil {
			res.Status = Status(*b.Status)
		}
	}
	res.Truncated = hasMessage(res.Messages, CodeRowCountExceeded)
	if rs.Users == nil {
		return res
	}
	res.Users = make([]UserSummary, 0, len(rs.Users.PwsUserSummaryElement))
	for _, e := range rs.Users.PwsUserSummaryElement {
		if e == nil {
			continue
		}
		u := UserSummary{Inactive: e.InactiveFlag, PasswordTicket: e.PasswordTicketFlag}
		if d := e.UserSummary; d != nil {
			if u.Inactive == nil {
				u.Inactive = d.InactiveFlag
			}
			if s := d.PwsUserSummary; s != nil {
				u.User = userFromWire(s.PwsUserRef)
				u.EmailAddress, u.FirstName, u.MiddleName, u.LastName = s.EmailAddress, s.FirstName, s.MiddleName, s.LastName
			}
		}
		sc := c.secrets.String
		u.User.UserDisplayName, u.User.UserReferenceSystemID = sc(u.User.UserDisplayName), sc(u.User.UserReferenceSystemID)
		u.EmailAddress, u.FirstName, u.MiddleName, u.LastName = sc(u.EmailAddress), sc(u.FirstName), sc(u.MiddleName), sc(u.LastName)
		res.Users = append(res.Users, u)
	}
	return res
}
