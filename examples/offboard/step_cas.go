package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/cas"
)

// casAPI is what the cas step needs of *cas.Client.
type casAPI interface {
	DeleteUser(ctx context.Context, domainID int, userID string) (*cas.Result, error)
	AllDomainEntitlements(ctx context.Context, domainID int, q cas.EntitlementQuery, pageSize int) iter.Seq2[cas.Entitlement, error]
	CancelSubscriptionRenewal(ctx context.Context, domainID int, subscriptionCode string, opts *cas.RenewalCancelOptions) (*cas.Result, error)
	DeleteHouseholdRecordings(ctx context.Context, domainID int) (*cas.Result, error)
}

// casStep reads the household's current subscriptions (GetDomainEntitlements), removes the
// user from the household (HandleUserTask Delete) and, when the whole household leaves
// (-cas-household-leaves), cancels the renewal of each renewing subscription
// (CancelSubscriptionRenewal: the subscription stays valid until its end date, nothing is
// refunded) and then removes the household's recordings, series and quota (HandleUserTask
// DeleteDomain; the household itself is the Domains module's). CancelServiceNow, which ends
// a purchase now and may refund it, is never sent. It then reads the subscriptions again.
//
// The residual access it reports: the user still in the household when its removal was not
// answered OK (cas has no read of a household's members: the answer is the evidence), and,
// when the household leaves, every subscription still renewing. When only the user leaves,
// the household's subscriptions are the household's, not the user's: the verification names
// them without counting them.
//
// Resuming: a renewal cancellation whose intent an interrupted run recorded without its
// outcome is re-read (the subscription no longer renewing: done) before it is sent again. The
// removal from the household and DeleteDomain have no read in cas: such a step is sent again,
// which is safe because both are idempotent on the server (0 OK again and nothing changed:
// Delete checks no membership, per the vendor's published server source; DeleteDomain checks nothing).
type casStep struct {
	c               casAPI
	householdLeaves bool // cancel the renewals and remove the household too
}

// The cas steps: remove-from-household (target "household H user U"), cancel-renewal
// (target "household H subscription C", one per renewing subscription), remove-household
// (target "household H").
const (
	casRemove          = "remove-from-household"
	casCancelRenewal   = "cancel-renewal"
	casRemoveHousehold = "remove-household"
)

func (s *casStep) name() string { return "cas" }

func (s *casStep) authError(err error) bool { return errors.Is(err, cas.ErrAuthentication) }

// casState is what GetDomainEntitlements answered: the household's current subscriptions.
type casState struct {
	renewing, valid []string // subscription codes, renewing or not
}

func (s *casStep) read(ctx context.Context, household int) (casState, error) {
	var st casState
	for e, err := range s.c.AllDomainEntitlements(ctx, household, cas.EntitlementQuery{}, 50) {
		if err != nil {
			return casState{}, err
		}
		if e.Renewing {
			st.renewing = append(st.renewing, e.EntitlementID)
		} else {
			st.valid = append(st.valid, e.EntitlementID)
		}
	}
	return st, nil
}

func (s *casStep) describe(household int, st casState, membership string) string {
	d := fmt.Sprintf("GetDomainEntitlements: household %d has %d current subscription(s), %s", household,
		len(st.renewing)+len(st.valid), plural(len(st.renewing), "renewing", st.renewing))
	if len(st.valid) > 0 && s.householdLeaves {
		d += fmt.Sprintf(" (%s valid until their end dates, not renewing; CancelServiceNow is never sent)", strings.Join(st.valid, ", "))
	}
	if len(st.renewing) > 0 && !s.householdLeaves {
		d += " (the household's, not the user's: -cas-household-leaves cancels them)"
	}
	return d + "; " + membership
}

func plural(n int, what string, ids []string) string {
	if n == 0 {
		return "none " + what
	}
	return fmt.Sprintf("%d %s (%s)", n, what, strings.Join(ids, ", "))
}

func (s *casStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	res := result{System: "cas", Action: "GetDomainEntitlements"}
	if u.CASHousehold == 0 {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no cas_household/cas_user for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	res.Target = fmt.Sprintf("household %d user %s", u.CASHousehold, u.CASUser)
	household := fmt.Sprintf("household %d", u.CASHousehold)
	subTarget := func(code string) string { return household + " subscription " + code }
	st, err := s.read(ctx, u.CASHousehold)
	x.contact(err)
	if err != nil {
		casError(&res, err)
		return res, err
	}
	var t stepTally
	var renewing []string
	if s.householdLeaves {
		renewing = st.renewing
		// Cancellations an interrupted run sent without recording their outcome, that the
		// read shows done.
		for _, target := range x.confirmGone(casCancelRenewal, func(target string) bool {
			return slices.ContainsFunc(renewing, func(c string) bool { return subTarget(c) == target })
		}) {
			res.Items = append(res.Items, itemResult{Kind: "subscription", ID: strings.TrimPrefix(target, household+" subscription "), Outcome: outcomeDone, Message: detailConfirmed})
			t.done++
		}
	}

	actions := []string{"HandleUserTask Delete"}
	plan := []string{"remove the user from the household"}
	base := len(res.Items)
	if s.householdLeaves {
		if len(renewing) > 0 {
			actions = append(actions, fmt.Sprintf("CancelSubscriptionRenewal ×%d", len(renewing)))
			plan = append(plan, "cancel the renewal of subscription(s) "+strings.Join(renewing, ", "))
			for _, c := range renewing {
				res.Items = append(res.Items, itemResult{Kind: "subscription", ID: c, Outcome: outcomePlanned})
			}
		}
		actions = append(actions, "HandleUserTask DeleteDomain")
		plan = append(plan, "remove the household (its recordings, series and quota)")
		res.Items = append(res.Items, itemResult{Kind: "household", ID: strconv.Itoa(u.CASHousehold), Outcome: outcomePlanned})
	}
	res.Action, res.Outcome, res.Detail = strings.Join(actions, ", "), outcomePlanned, strings.Join(plan, "; ")
	if x.dryRun() {
		res.Detail += "; now: " + strings.TrimPrefix(s.describe(u.CASHousehold, st, "membership not readable (no read of a household's members)"), "GetDomainEntitlements: ")
		return res, nil
	}

	// The user leaves the household.
	membership := ""
	pending := x.pending(casRemove, res.Target)
	o := x.send(ctx, casRemove, res.Target, "remove the user from the household", func(ctx context.Context) stepOutcome {
		var r result
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
			if pending {
				r.Detail = detailRepeated(serverSaid(codeName(int(cr.Code), cr.Code.String()), cr.Message))
			}
			r.Code, r.Message = codeName(int(cr.Code), cr.Code.String()), cr.Message
		}
		return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
	})
	t.add("remove from the household", o)
	res.Code, res.Message = o.Code, o.Message
	switch {
	case o.Outcome.success():
		membership = "out of the household: HandleUserTask Delete answered " + orDash(serverSaid(o.Code, o.Message)) + " (cas has no read of a household's members)"
	default:
		membership = "still in the household: its removal was not answered OK"
	}

	if s.householdLeaves {
		opts := &cas.RenewalCancelOptions{}
		if _, err := strconv.ParseInt(u.CASUser, 10, 64); err == nil {
			opts.UserID = u.CASUser // a site GUID: the server checks a suspended household with it
		}
		for i, code := range renewing {
			target := subTarget(code)
			o := x.send(ctx, casCancelRenewal, target, "cancel the renewal of subscription "+code, func(ctx context.Context) stepOutcome {
				var r result
				cr, err := s.c.CancelSubscriptionRenewal(ctx, u.CASHousehold, code, opts)
				switch {
				case errors.Is(err, cas.ErrNotRenewing), errors.Is(err, cas.ErrNotFound):
					casError(&r, err)
					r.Outcome, r.Detail, err = outcomeAlready, "no longer renewing", nil
				case err != nil:
					casError(&r, err)
				default:
					r.Outcome, r.Code, r.Message = outcomeDone, codeName(int(cr.Code), cr.Code.String()), cr.Message
				}
				return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
			})
			res.Items[base+i] = item("subscription", code, o)
			t.add("subscription "+code, o)
		}
		o := x.send(ctx, casRemoveHousehold, household, "remove the household (HandleUserTask DeleteDomain)", func(ctx context.Context) stepOutcome {
			var r result
			cr, err := s.c.DeleteHouseholdRecordings(ctx, u.CASHousehold)
			switch {
			case errors.Is(err, cas.ErrNotFound):
				casError(&r, err)
				r.Outcome, r.Detail, err = outcomeAlready, "no such household", nil
			case err != nil:
				casError(&r, err)
			default:
				r.Outcome, r.Code, r.Message = outcomeDone, codeName(int(cr.Code), cr.Code.String()), cr.Message
			}
			return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
		})
		res.Items[len(res.Items)-1] = item("household", strconv.Itoa(u.CASHousehold), o)
		t.add("remove the household", o)
	}
	err = t.finish(&res)
	if errors.Is(err, errStopped) {
		return res, err
	}
	res.Detail = s.summary(res.Items, o)
	// Verify: read the subscriptions again.
	if x.changed {
		var rerr error
		if st, rerr = s.read(ctx, u.CASHousehold); rerr != nil {
			var r result
			casError(&r, rerr)
			res.Outcome, res.Message = outcomeFailed, joinDetail(res.Message, "verification: "+serverSaid(r.Code, r.Message))
			return res, cmpErr(err, rerr)
		}
	}
	res.Verification = s.describe(u.CASHousehold, st, membership)
	res.Residual = none()
	if !o.Outcome.success() {
		res.Residual.Left = append(res.Residual.Left, "member of household "+strconv.Itoa(u.CASHousehold)+" (removal not answered OK)")
	}
	if s.householdLeaves {
		for _, c := range st.renewing {
			res.Residual.Left = append(res.Residual.Left, "subscription "+c+" renews")
		}
	}
	return res, err
}

// summary is the row's detail: what the user's removal did, and the household's steps.
func (s *casStep) summary(items []itemResult, remove stepOutcome) string {
	d := remove.Detail
	if remove.Outcome == outcomeFailed {
		d = "removal from the household failed"
	}
	if s.householdLeaves {
		parts := itemsByOutcome(items, "subscription", "no longer renewing", "already not renewing")
		parts = append(parts, itemsByOutcome(items, "household", "removed (DeleteDomain)", "already gone")...)
		d = strings.Join(append([]string{d}, parts...), "; ")
	}
	return d
}

// cmpErr returns the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// casError records the Status the server answered, or the error itself.
func casError(res *result, err error) {
	res.Outcome = outcomeFailed
	var se *cas.ServiceError
	if errors.As(err, &se) && se.Fault == nil { // a SOAP Fault: the error itself, below
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
