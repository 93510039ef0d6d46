package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/projector"
)

// projectorAPI is what the projector step needs of *projector.Client.
type projectorAPI interface {
	Login(ctx context.Context) error
	DeleteUser(ctx context.Context, user projector.UserRef, opts *projector.DeleteUserOptions) (*projector.DeleteUserResult, error)
	FindUser(ctx context.Context, user projector.UserRef) (*projector.UserSummary, error)
}

// projectorStep reads the user (FindUser: PwsGetUserList with the user's identity, inactive
// users included), deletes it with PwsDeleteUser and reads it again to verify. With endDate
// set (the default is today) a user Projector still references is made inactive as of that
// date instead of the request failing. The user's part first opens the session (which checks
// the credentials, also in a dry run). A user gone, or inactive as of today, is "already";
// the read is also what makes resuming safe: a delete whose intent an interrupted run
// recorded without its outcome is sent again only if the user is still active.
type projectorStep struct {
	c       projectorAPI
	endDate time.Time // EndDateIfInUse; zero: not sent
}

// The projector step: delete-user, target the UserReferenceSystemId.
const projectorDelete = "delete-user"

func (s *projectorStep) name() string { return "projector" }

func (s *projectorStep) authError(err error) bool { return errors.Is(err, projector.ErrAuthentication) }

// projectorState is what FindUser answered.
type projectorState struct {
	found, active bool
}

func (s *projectorStep) read(ctx context.Context, ref string) (projectorState, error) {
	u, err := s.c.FindUser(ctx, projector.UserRef{UserReferenceSystemID: ref})
	switch {
	case errors.Is(err, projector.ErrNotFound):
		return projectorState{}, nil
	case err != nil:
		return projectorState{}, err
	}
	return projectorState{found: true, active: u.Active()}, nil
}

func (st projectorState) String() string {
	switch {
	case !st.found:
		return "PwsGetUserList: no such user"
	case st.active:
		return "PwsGetUserList: user active"
	}
	return "PwsGetUserList: user inactive as of today"
}

func (s *projectorStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	res := result{System: "projector", Action: "PwsGetUserList", Target: u.ProjectorRef}
	if u.ProjectorRef == "" {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no projector_ref for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	err := s.c.Login(ctx)
	x.contact(err)
	if err != nil {
		res.Action = "PwsAuthenticate"
		projectorError(&res, err)
		return res, err
	}
	st, err := s.read(ctx, u.ProjectorRef)
	if err != nil {
		projectorError(&res, err)
		return res, err
	}
	if !st.active {
		res.Outcome, res.Verification, res.Residual = outcomeAlready, st.String(), none()
		res.Detail = "already: " + strings.TrimPrefix(st.String(), "PwsGetUserList: ")
		switch {
		case x.pending(projectorDelete, res.Target):
			res.Action, res.Outcome, res.Detail = "PwsDeleteUser", outcomeDone, detailConfirmed+" ("+strings.TrimPrefix(st.String(), "PwsGetUserList: ")+")"
			x.confirm(projectorDelete, res.Target, res.Detail)
		case x.doneBefore():
			res.Action, res.Outcome, res.Detail = "PwsDeleteUser", outcomeDone, joinDetail(detailRecorded, res.Detail)
		}
		return res, nil
	}
	res.Action = "PwsDeleteUser"
	if rec, ok := x.recorded(projectorDelete, res.Target); ok {
		// Recorded as done, yet active: verified below as residual access, not sent again.
		res.Outcome, res.Code, res.Message, res.Detail = rec.Outcome, rec.Code, rec.Message, detailRecorded
		res.Verification, res.Residual = st.String(), &residual{Left: []string{"user active"}}
		return res, nil
	}
	res.Outcome, res.Detail = outcomePlanned, "delete the user"
	if !s.endDate.IsZero() {
		res.Detail += ", or deactivate it as of " + s.endDate.Format(time.DateOnly) + " if still referenced"
	}
	if x.dryRun() {
		return res, nil
	}
	pending := x.pending(projectorDelete, res.Target)
	out := x.do(ctx, projectorDelete, res.Target, res.Detail, func(ctx context.Context) stepOutcome {
		r := res
		pr, err := s.c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: u.ProjectorRef},
			&projector.DeleteUserOptions{EndDateIfInUse: s.endDate})
		switch {
		case errors.Is(err, projector.ErrNotFound):
			projectorError(&r, err)
			r.Outcome, r.Detail = outcomeAlready, "no such user"
			if pending {
				r.Outcome, r.Detail = outcomeDone, detailRepeated(serverSaid(r.Code, r.Message))
			}
			err = nil
		case err != nil:
			projectorError(&r, err)
		default:
			r.Outcome, r.Code, r.Message = outcomeDone, string(pr.Status), messages(pr.Messages)
			r.TransactionID = responseID(pr.ResponseID)
			if pr.Outcome == projector.Deactivated {
				r.Detail = fmt.Sprintf("still referenced: made inactive as of %s", s.endDate.Format(time.DateOnly))
			} else {
				r.Detail = "deleted"
			}
		}
		res = r
		return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
	})
	if out.Err != nil && res.Outcome == outcomePlanned { // not sent: stopped, or the journal failed
		res.Outcome, res.Message = out.Outcome, out.Message
	}
	if errors.Is(out.Err, errStopped) || !x.changed {
		return res, out.Err
	}
	// Verify: read the user again (after a failure too: the report says what is left).
	if st, err = s.read(ctx, u.ProjectorRef); err != nil {
		r := res
		projectorError(&r, err)
		res.Outcome, res.Message = outcomeFailed, joinDetail(res.Message, "verification: "+serverSaid(r.Code, r.Message))
		return res, cmpErr(out.Err, err)
	}
	res.Verification, res.Residual = st.String(), none()
	if st.active {
		res.Residual.Left = []string{"user active"}
		if !s.endDate.IsZero() {
			res.Residual.Left[0] += " (end date " + s.endDate.Format(time.DateOnly) + ")"
		}
	}
	return res, out.Err
}

// projectorError records every PwsMessage of a *ServiceError, or the error itself.
func projectorError(res *result, err error) {
	res.Outcome = outcomeFailed
	var se *projector.ServiceError
	if !errors.As(err, &se) {
		res.Message = errText(err)
		return
	}
	var codes []string
	for _, m := range se.Messages {
		codes = append(codes, codeName(m.ErrorNumber, m.ErrorCode))
	}
	res.Code, res.Message = strings.Join(codes, ", "), messages(se.Messages)
	if se.TransactionID != "" {
		res.TransactionID = "ResponseId " + se.TransactionID
	}
	if len(se.Messages) == 0 {
		res.Code, res.Message = "", ""
		if se.Fault != nil {
			res.Code, res.Message = se.Fault.Code, se.Fault.Reason
		}
		if res.Code == "" {
			res.Code, res.Message = string(se.Status), errText(err)
		}
	}
}

// messages joins the texts of PwsMessages (warnings of a successful answer included).
func messages(ms []projector.Message) string {
	var texts []string
	for _, m := range ms {
		t := m.ErrorText
		if m.AdditionalErrorText != "" {
			t += " " + m.AdditionalErrorText
		}
		if m.Type != projector.MessageError {
			t = string(m.Type) + ": " + t
		}
		texts = append(texts, t)
	}
	return strings.Join(texts, "; ")
}

func responseID(id int) string {
	if id == 0 {
		return ""
	}
	return "ResponseId " + strconv.Itoa(id)
}
