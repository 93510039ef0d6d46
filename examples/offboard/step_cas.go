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
// service has no read operation, so the plan is always the call; a household or user the
// service does not know (1005, 1006, 1020, 2000: ErrNotFound) is "already".
type casStep struct{ c casAPI }

func (s *casStep) system() string { return "cas" }

func (s *casStep) plan(_ context.Context, u user) plan {
	res := result{System: "cas", Action: "HandleUserTask Delete"}
	if u.CASHousehold == 0 {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no cas_household/cas_user for this user"
		return plan{result: res}
	}
	res.Target = fmt.Sprintf("household %d user %s", u.CASHousehold, u.CASUser)
	res.Outcome, res.Detail = outcomePlanned, "remove the user from the household"
	return plan{result: res, apply: func(ctx context.Context) result {
		res := res
		r, err := s.c.DeleteUser(ctx, u.CASHousehold, u.CASUser)
		if err != nil {
			casError(&res, err)
			if errors.Is(err, cas.ErrNotFound) {
				res.Outcome, res.Detail = outcomeAlready, "not in the household"
			}
			return res
		}
		res.Outcome, res.Detail = outcomeDone, "removed from the household"
		res.Code, res.Message = codeName(int(r.Code), r.Code.String()), r.Message
		return res
	}}
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
	res.Message = err.Error()
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
