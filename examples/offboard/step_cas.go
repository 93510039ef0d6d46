package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/cas"
)

// casAPI is what the cas step needs of *cas.Client.
type casAPI interface {
	DeleteUser(ctx context.Context, domainID int, userID string) (*cas.Result, error)
}

// casStep removes the user from their Kaltura household with HandleUserTask Delete. The
// service has no read operation, so the step is always sent; a household or user the
// service does not know (1005, 1006, 1020, 2000: ErrNotFound) is "already". A step whose
// intent an interrupted run recorded without its outcome is sent again (there is nothing to
// read first): the delete is idempotent on the server, which answers 0 OK again for a user
// no longer in the household (the real Delete checks no membership, FACTS §1) or not found.
type casStep struct{ c casAPI }

// The cas step: remove-from-household, target "household H user U".
const casRemove = "remove-from-household"

func (s *casStep) name() string { return "cas" }

func (s *casStep) authError(err error) bool { return errors.Is(err, cas.ErrAuthentication) }

func (s *casStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	res := result{System: "cas", Action: "HandleUserTask Delete"}
	if u.CASHousehold == 0 {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no cas_household/cas_user for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	res.Target = fmt.Sprintf("household %d user %s", u.CASHousehold, u.CASUser)
	if rec, ok := x.recorded(casRemove, res.Target); ok {
		res.Outcome, res.Code, res.Message, res.Detail = rec.Outcome, rec.Code, rec.Message, detailRecorded
		return res, nil
	}
	res.Outcome, res.Detail = outcomePlanned, "remove the user from the household"
	if x.dryRun() {
		return res, nil
	}
	pending := x.pending(casRemove, res.Target)
	out := x.do(ctx, casRemove, res.Target, res.Detail, func(ctx context.Context) stepOutcome {
		r := res
		cr, err := s.c.DeleteUser(ctx, u.CASHousehold, u.CASUser)
		switch {
		case errors.Is(err, cas.ErrNotFound):
			casError(&r, err)
			r.Outcome, r.Detail = outcomeAlready, "not in the household"
			if pending {
				r.Outcome, r.Detail = outcomeDone, detailRepeated(serverSaid(r.Code, r.Message))
			}
			err = nil
		case err != nil:
			casError(&r, err)
		default:
			r.Outcome, r.Detail = outcomeDone, "removed from the household"
			r.Code, r.Message = codeName(int(cr.Code), cr.Code.String()), cr.Message
		}
		res = r
		return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
	})
	if out.Err != nil && res.Outcome == outcomePlanned {
		res.Outcome, res.Message = out.Outcome, out.Message
	}
	return res, out.Err
}

// casError records the Status the server answered, or the error itself.
func casError(res *result, err error) {
	res.Outcome = outcomeFailed
	var se *cas.StatusError
	if errors.As(err, &se) {
		res.Code, res.Message = codeName(int(se.Code), se.Code.String()), se.Message
		if se.HTTPStatus != 0 && se.HTTPStatus != 200 {
			res.Message += fmt.Sprintf(" (HTTP %d)", se.HTTPStatus)
		}
		if errors.Is(err, cas.ErrAuthentication) {
			res.Message += ": web-service credentials rejected"
		}
		return
	}
	res.Message = errText(err)
}

// codeName renders a numeric code with the name the service gives it, "1020
// UserNotExistsInDomain", or the number alone for a code without a name.
func codeName(code int, name string) string {
	n := strconv.Itoa(code)
	if name == "" || strings.Contains(name, n) { // cas.Code(n).String() is "Code(n)" for unnamed codes
		return n
	}
	return n + " " + name
}
