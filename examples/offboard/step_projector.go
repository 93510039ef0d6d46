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
	Authenticate(ctx context.Context) error
	DeleteUser(ctx context.Context, user projector.UserRef, opts *projector.DeleteUserOptions) (*projector.DeleteUserResult, error)
}

// projectorStep deletes the user with PwsDeleteUser. With endDate set (the default is
// today) a user Projector still references is made inactive as of that date instead of the
// request failing. PWS has no read for users, so the plan only opens the session (which
// checks the credentials, also in a dry run); 50024 EntityNotFound is "already".
type projectorStep struct {
	c       projectorAPI
	endDate time.Time // EndDateIfInUse; zero: not sent
}

func (s *projectorStep) system() string { return "projector" }

func (s *projectorStep) plan(ctx context.Context, u user) plan {
	res := result{System: "projector", Action: "PwsDeleteUser", Target: u.ProjectorRef}
	if u.ProjectorRef == "" {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no projector_ref for this user"
		return plan{result: res}
	}
	if err := s.c.Authenticate(ctx); err != nil {
		res.Action = "PwsAuthenticate"
		projectorError(&res, err)
		return plan{result: res}
	}
	res.Outcome, res.Detail = outcomePlanned, "delete the user"
	if !s.endDate.IsZero() {
		res.Detail += ", or deactivate it as of " + s.endDate.Format(time.DateOnly) + " if still referenced"
	}
	return plan{result: res, apply: func(ctx context.Context) result {
		res := res
		r, err := s.c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: u.ProjectorRef},
			&projector.DeleteUserOptions{EndDateIfInUse: s.endDate})
		if err != nil {
			projectorError(&res, err)
			if errors.Is(err, projector.ErrNotFound) {
				res.Outcome, res.Detail = outcomeAlready, "no such user"
			}
			return res
		}
		res.Outcome, res.Code, res.Message = outcomeDone, string(r.Status), messages(r.Messages)
		res.TransactionID = responseID(r.ResponseID)
		if r.Outcome == projector.Deactivated {
			res.Detail = fmt.Sprintf("still referenced: made inactive as of %s", s.endDate.Format(time.DateOnly))
		} else {
			res.Detail = "deleted"
		}
		return res
	}}
}

// projectorError records every PwsMessage of a *ServiceError, or the error itself.
func projectorError(res *result, err error) {
	res.Outcome = outcomeFailed
	var se *projector.ServiceError
	if !errors.As(err, &se) {
		res.Message = err.Error()
		return
	}
	var codes []string
	for _, m := range se.Messages {
		codes = append(codes, codeName(m.ErrorNumber, m.ErrorCode))
	}
	res.Code, res.Message, res.TransactionID = strings.Join(codes, ", "), messages(se.Messages), responseID(se.ResponseID)
	if len(se.Messages) == 0 {
		res.Code, res.Message = se.FaultCode, se.FaultReason
		if res.Code == "" {
			res.Code, res.Message = string(se.Status), err.Error()
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
