package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/offboard-go/offboard/uds"
)

// udsAPI is what the uds step needs of *uds.Client.
type udsAPI interface {
	GetUserStatus(ctx context.Context, user uds.UserID, opts *uds.GetOptions) (*uds.UserStatus, error)
	UpdateUserStatus(ctx context.Context, users []uds.UserID, status uds.Status, opts *uds.UpdateOptions) (*uds.UpdateResult, error)
}

// udsStep sets the user's AuthMinder status (INACTIVE, or DELETED), optionally with a lock
// window, after reading the current one: a user already in the target state, already
// DELETED, or unknown to the service is left alone ("already").
type udsStep struct {
	c      udsAPI
	status uds.Status
	// lockFrom and lockUntil are the optional lock window (INACTIVE only); zero: not sent.
	lockFrom, lockUntil time.Time
}

func (s *udsStep) name() string { return "uds" }

func (s *udsStep) authError(err error) bool { return errors.Is(err, uds.ErrAuthentication) }

// The uds step: set-status, target the user (org/name). Its read is getUserStatus, so a
// set-status with an intent and no outcome is read back before it is sent again.
const udsSetStatus = "set-status"

func (s *udsStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	id := uds.UserID{OrgName: u.UDSOrg, UserName: u.UDSUser}
	res := result{System: "uds", Action: "getUserStatus", Target: udsTarget(id)}
	if u.UDSUser == "" {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no uds_user for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	action := "updateUserStatus " + string(s.status)
	if rec, ok := x.recorded(udsSetStatus, res.Target); ok {
		res.Action, res.Outcome, res.Code, res.Message, res.Detail = action, rec.Outcome, rec.Code, rec.Message, detailRecorded
		return res, nil
	}
	st, err := s.c.GetUserStatus(ctx, id, nil)
	x.contact(err)
	if err != nil {
		udsError(&res, err)
		if errors.Is(err, uds.ErrNotFound) {
			res.Outcome, res.Detail = outcomeAlready, "not in the user registry"
			return res, nil
		}
		return res, err
	}
	res.TransactionID = st.TransactionID
	if st.Status == s.status || st.Status == uds.StatusDeleted {
		res.Outcome, res.Detail = outcomeAlready, "status already "+string(st.Status)
		if x.pending(udsSetStatus, res.Target) {
			res.Action, res.Outcome, res.Detail = action, outcomeDone, detailConfirmed+" (status "+string(st.Status)+")"
			x.confirm(udsSetStatus, res.Target, res.Detail)
		}
		return res, nil
	}
	change := fmt.Sprintf("%s → %s%s", st.Status, s.status, s.window())
	res.Action, res.Outcome, res.Detail = action, outcomePlanned, change
	if x.dryRun() {
		return res, nil
	}
	res.TransactionID = ""
	out := x.do(ctx, udsSetStatus, res.Target, change, func(ctx context.Context) stepOutcome {
		opts := &uds.UpdateOptions{StartLockTime: s.lockFrom, EndLockTime: s.lockUntil}
		up, err := s.c.UpdateUserStatus(ctx, []uds.UserID{id}, s.status, opts)
		r := res
		switch {
		case errors.Is(err, uds.ErrNotFound): // removed since it was read
			udsError(&r, err)
			r.Outcome, r.Detail = outcomeAlready, "not in the user registry"
			err = nil
		case err != nil:
			udsError(&r, err)
		default:
			r.Outcome, r.Message, r.TransactionID = outcomeDone, up.Message, up.TransactionID
		}
		res = r
		return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
	})
	if out.Err != nil && res.Outcome == outcomePlanned { // not sent: stopped, or the journal failed
		res.Outcome, res.Message = out.Outcome, out.Message
	}
	return res, out.Err
}

// window describes the lock window, if any.
func (s *udsStep) window() string {
	switch {
	case !s.lockFrom.IsZero() && !s.lockUntil.IsZero():
		return fmt.Sprintf(" from %s until %s", s.lockFrom.Format(time.RFC3339), s.lockUntil.Format(time.RFC3339))
	case !s.lockFrom.IsZero():
		return " from " + s.lockFrom.Format(time.RFC3339)
	case !s.lockUntil.IsZero():
		return " until " + s.lockUntil.Format(time.RFC3339)
	}
	return ""
}

// udsError records what the service said: the userRegistryError and the transaction id of a
// Fault, or the error itself (network, HTTP, protocol).
func udsError(res *result, err error) {
	res.Outcome = outcomeFailed
	var re *uds.RegistryError
	if errors.As(err, &re) {
		res.Code, res.Message, res.TransactionID = re.ErrorNumber, re.ErrorMessage, re.TransactionID
		if re.ErrorNumber == "" { // a Fault without userRegistryError detail
			res.Code, res.Message = re.FaultCode, re.FaultReason
		}
		return
	}
	res.Message = errText(err)
}

func udsTarget(id uds.UserID) string {
	if id.OrgName == "" {
		return id.UserName
	}
	return id.OrgName + "/" + id.UserName
}
