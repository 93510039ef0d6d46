package projector

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
)

// UserRef identifies a Projector user (a PwsUserRef). Any one of the keys
// UserReferenceSystemID, UserID or UserUID is enough; set only the ones you mean, since every
// key set is sent.
type UserRef struct {
	UserReferenceSystemID string // the user's id in your own system, e.g. "temporary_resource"
	UserID                int32  // Projector's user id (Int32, "for internal use only"); 0 means not set
	UserUID               int64  // Projector's unique id (Int64); 0 means not set
	UserDisplayName       string // filled in answers; not a key
}

func (u UserRef) hasKey() bool {
	return strings.TrimSpace(u.UserReferenceSystemID) != "" || u.UserID != 0 || u.UserUID != 0
}

// check refuses a reference that cannot be sent as given: negative ids, texts that would not
// reach the server as written (see soapx.CheckText).
func (u UserRef) check(field string) error {
	if u.UserID < 0 {
		return &soapx.InputError{Field: field + ".UserID", Reason: "must not be negative"}
	}
	if u.UserUID < 0 {
		return &soapx.InputError{Field: field + ".UserUID", Reason: "must not be negative"}
	}
	return soapx.CheckTexts(field+".UserReferenceSystemID", u.UserReferenceSystemID, field+".UserDisplayName", u.UserDisplayName)
}

func (u UserRef) toWire() *projectorwsdl.PwsUserRef {
	w := &projectorwsdl.PwsUserRef{UserDisplayName: u.UserDisplayName, UserReferenceSystemId: u.UserReferenceSystemID}
	if u.UserID != 0 {
		id := u.UserID
		w.UserId = &id
	}
	if u.UserUID != 0 {
		uid := u.UserUID
		w.UserUid = &uid
	}
	return w
}

func userFromWire(w *projectorwsdl.PwsUserRef) UserRef {
	if w == nil {
		return UserRef{}
	}
	u := UserRef{UserDisplayName: w.UserDisplayName, UserReferenceSystemID: w.UserReferenceSystemId}
	if w.UserId != nil {
		u.UserID = *w.UserId
	}
	if w.UserUid != nil {
		u.UserUID = *w.UserUid
	}
	return u
}

// DeleteUserOptions are PwsDeleteUser's optional members.
type DeleteUserOptions struct {
	// EndDateIfInUse makes a user that is referenced elsewhere (time cards, assignments…)
	// inactive as of this date instead of failing the request. Only the calendar date counts:
	// the year, month and day of the value in its own location are sent as midnight UTC, the
	// form of Projector's sample (2018-10-17T00:00:00.000Z), so a local midnight never turns
	// into the previous day on the wire. The zero value sends nothing.
	EndDateIfInUse time.Time
	// UserTimestamp is the user's Base64 timestamp from an earlier answer, for optimistic
	// locking; empty sends nothing.
	UserTimestamp string
}

// Outcome says what PwsDeleteUser did.
type Outcome int

const (
	// Deleted: the user is gone.
	Deleted Outcome = iota + 1
	// Deactivated: the user is referenced elsewhere, so Projector made it inactive as of
	// EndDateIfInUse instead (the answer carries a Timestamp).
	Deactivated
)

func (o Outcome) String() string {
	switch o {
	case Deleted:
		return "Deleted"
	case Deactivated:
		return "Deactivated"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// DeleteUserResult is a successful PwsDeleteUser answer.
type DeleteUserResult struct {
	Outcome Outcome
	User    UserRef // the UserIdentity Projector answered with
	// Timestamp is the user's new Base64 timestamp; Projector sets it only when the user was
	// made inactive instead of deleted.
	Timestamp  string
	Status     Status    // Ok or OkWithWarnings
	Messages   []Message // every message, warnings and information included
	ResponseID int
	ServerTime time.Time // ServerTimestampUtc
}

// Warnings returns the messages of type Warning (e.g. 10016 in Projector's rate-limit
// warning mode, which does not stop the request).
func (r *DeleteUserResult) Warnings() []Message {
	var w []Message
	for _, m := range r.Messages {
		if m.Type == MessageWarning {
			w = append(w, m)
		}
	}
	return w
}

// DeleteUser deletes a user with PwsDeleteUser (SOAPAction
// http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsDeleteUser).
//
// A user still referenced elsewhere cannot be deleted: with opts.EndDateIfInUse set Projector
// makes it inactive instead (Outcome Deactivated), without it the request fails. opts may be
// nil. Errors: ErrNotFound (50024) for an unknown user, ErrPermissionDenied (50045), and any
// other failure as a *ServiceError with every message; bad input is ErrInvalidInput and
// nothing is sent.
func (c *Client) DeleteUser(ctx context.Context, user UserRef, opts *DeleteUserOptions) (*DeleteUserResult, error) {
	if !user.hasKey() {
		return nil, &soapx.InputError{Field: "user", Reason: "needs UserReferenceSystemID, UserID or UserUID"}
	}
	if err := user.check("user"); err != nil {
		return nil, err
	}
	var o DeleteUserOptions
	if opts != nil {
		o = *opts
	}
	if o.UserTimestamp != "" {
		if _, err := base64.StdEncoding.DecodeString(o.UserTimestamp); err != nil {
			return nil, &soapx.InputError{Field: "opts.UserTimestamp", Reason: "not Base64"}
		}
	}
	if err := soapx.CheckDateTime("opts.EndDateIfInUse", o.EndDateIfInUse); err != nil {
		return nil, err
	}
	var endDate *soapx.DateTime
	if !o.EndDateIfInUse.IsZero() {
		y, m, d := o.EndDateIfInUse.Date()
		endDate = &soapx.DateTime{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	}

	var res *DeleteUserResult
	cl := c.c
	ctx, call := cl.startCall(ctx, opDeleteUser)
	err := cl.withSession(ctx, opDeleteUser, func(ctx context.Context, s *session) error {
		return cl.exchange(ctx, opDeleteUser, func(ctx context.Context) (*projectorwsdl.PwsServiceResponse, error) {
			req := &projectorwsdl.PwsDeleteUser{ServiceRequest: &projectorwsdl.PwsDeleteUserRq{
				PwsServiceRequest: &projectorwsdl.PwsServiceRequest{RequestId: cl.nextRequestID(), SessionTicket: s.ticket},
				EndDateIfInUse:    endDate,
				UserIdentity:      user.toWire(),
				UserTimestamp:     o.UserTimestamp,
			}}
			resp, err := s.svc.PwsDeleteUser(ctx, req)
			if err != nil {
				return nil, err
			}
			rs := resp.PwsDeleteUserResult
			if rs == nil {
				return nil, missingResult(opDeleteUser)
			}
			res = &DeleteUserResult{Outcome: Deleted, User: userFromWire(rs.UserIdentity), Timestamp: rs.Timestamp}
			if res.Timestamp != "" {
				res.Outcome = Deactivated
			}
			if b := rs.PwsServiceResponse; b != nil {
				res.Messages, res.ResponseID, res.ServerTime = cl.scrubMessages(messagesFromWire(b.Messages)), int(b.ResponseId), b.ServerTimestampUtc.Time
				if b.Status != nil {
					res.Status = Status(*b.Status)
				}
			}
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
