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

func (s *udsStep) system() string { return "uds" }

func (s *udsStep) plan(ctx context.Context, u user) plan {
	id := uds.UserID{OrgName: u.UDSOrg, UserName: u.UDSUser}
	res := result{System: "uds", Action: "getUserStatus", Target: udsTarget(id)}
	if u.UDSUser == "" {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no uds_user for this user"
		return plan{result: res}
	}
	st, err := s.c.GetUserStatus(ctx, id, nil)
	if err != nil {
		udsError(&res, err)
		if errors.Is(err, uds.ErrNotFound) {
			res.Outcome, res.Detail = outcomeAlready, "not in the user registry"
		}
		return plan{result: res}
	}
	res.TransactionID = st.TransactionID
	if st.Status == s.status || st.Status == uds.StatusDeleted {
		res.Outcome, res.Detail = outcomeAlready, "status already "+string(st.Status)
		return plan{result: res}
	}
	change := fmt.Sprintf("%s → %s%s", st.Status, s.status, s.window())
	res.Action, res.Outcome, res.Detail = "updateUserStatus "+string(s.status), outcomePlanned, change
	return plan{result: res, apply: func(ctx context.Context) result {
		res := res
		res.TransactionID = ""
		opts := &uds.UpdateOptions{StartLockTime: s.lockFrom, EndLockTime: s.lockUntil}
		up, err := s.c.UpdateUserStatus(ctx, []uds.UserID{id}, s.status, opts)
		switch {
		case errors.Is(err, uds.ErrNotFound): // removed since it was read
			udsError(&res, err)
			res.Outcome, res.Detail = outcomeAlready, "not in the user registry"
		case err != nil:
			udsError(&res, err)
		default:
			res.Outcome, res.Message, res.TransactionID = outcomeDone, up.Message, up.TransactionID
		}
		return res
	}}
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
	res.Message = err.Error()
}

func udsTarget(id uds.UserID) string {
	if id.OrgName == "" {
		return id.UserName
	}
	return id.OrgName + "/" + id.UserName
}
