package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/offboard-go/offboard/uds"
)

// udsAPI is what the uds step needs of *uds.Client.
type udsAPI interface {
	RetrieveUser(ctx context.Context, user uds.UserID, opts *uds.RetrieveOptions) (*uds.User, error)
	UpdateUserStatus(ctx context.Context, users []uds.UserID, status uds.Status, opts *uds.UpdateOptions) (*uds.UpdateResult, error)
	DeleteUser(ctx context.Context, user uds.UserID, opts *uds.DeleteOptions) (*uds.DeleteResult, error)
	DeleteUserAccount(ctx context.Context, user uds.UserID, accountType string, opts *uds.DeleteOptions) (*uds.DeleteResult, error)
}

// udsStep reads the user with its accounts (retrieveUser), deactivates it (status INACTIVE,
// optionally with a lock window) or deletes it (deleteUser, with -uds-delete), deletes each
// of its accounts (deleteUserAccount), and reads it again to verify. A user already INACTIVE
// (or DELETED) without accounts, or unknown to the service, is "already". The read is also
// what makes resuming safe: a step whose intent an interrupted run recorded without its
// outcome is sent again only if the read shows it not done.
type udsStep struct {
	c      udsAPI
	delete bool // deleteUser instead of the status INACTIVE
	// lockFrom and lockUntil are the optional lock window (INACTIVE only); zero: not sent.
	lockFrom, lockUntil time.Time
}

func (s *udsStep) name() string { return "uds" }

func (s *udsStep) authError(err error) bool { return errors.Is(err, uds.ErrAuthentication) }

// The uds steps: set-status or delete-user (target the user, org/name), delete-account
// (target "<user> account <type>", one per account).
const (
	udsSetStatus     = "set-status"
	udsDeleteUser    = "delete-user"
	udsDeleteAccount = "delete-account"
)

// udsState is what retrieveUser answered about the user.
type udsState struct {
	found    bool
	status   uds.Status // "" when the server sent none
	accounts []uds.Account
	txID     string
}

// read reads the user with its accounts; a user the service does not know is not found.
func (s *udsStep) read(ctx context.Context, id uds.UserID) (udsState, error) {
	u, err := s.c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true})
	if errors.Is(err, uds.ErrNotFound) {
		return udsState{}, nil
	}
	if err != nil {
		return udsState{}, err
	}
	st := udsState{found: true, txID: u.TransactionID}
	if u.Status != nil {
		st.status = *u.Status
	}
	for _, a := range u.Accounts {
		if a.Status.State() != uds.AccountDeleted {
			st.accounts = append(st.accounts, a)
		}
	}
	return st, nil
}

// userDone reports whether the user has no access of its own left: unknown, DELETED, or
// (deactivating) INACTIVE.
func (s *udsStep) userDone(st udsState) bool {
	if !st.found || st.status == uds.StatusDeleted {
		return true
	}
	return !s.delete && st.status == uds.StatusInactive
}

func (s *udsStep) hasAccount(st udsState, target, user string) bool {
	for _, a := range st.accounts {
		if udsAccountTarget(user, a.Type) == target {
			return true
		}
	}
	return false
}

// left is the access the state leaves.
func (s *udsStep) left(st udsState) *residual {
	r := none()
	if !s.userDone(st) {
		want := uds.StatusInactive
		if s.delete {
			want = uds.StatusDeleted
		}
		r.Left = append(r.Left, fmt.Sprintf("user status %s (not %s)", cmp.Or(string(st.status), "unknown"), want))
	}
	for _, a := range st.accounts {
		r.Left = append(r.Left, "account "+accountName(a))
	}
	return r
}

// describe says what a read found.
func (s *udsStep) describe(st udsState) string {
	if !st.found {
		return "retrieveUser: no such user"
	}
	acc := "no account"
	if len(st.accounts) > 0 {
		names := make([]string, len(st.accounts))
		for i, a := range st.accounts {
			names[i] = accountName(a)
		}
		acc = fmt.Sprintf("%d account(s): %s", len(names), strings.Join(names, ", "))
	}
	return "retrieveUser: status " + cmp.Or(string(st.status), "unknown") + ", " + acc
}

func (s *udsStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	id := uds.UserID{OrgName: u.UDSOrg, UserName: u.UDSUser}
	res := result{System: "uds", Action: "retrieveUser", Target: udsTarget(id)}
	if u.UDSUser == "" {
		res.Action, res.Outcome, res.Detail = "-", outcomeSkipped, "no uds_user for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	st, err := s.read(ctx, id)
	x.contact(err)
	if err != nil {
		udsError(&res, err)
		return res, err
	}
	res.TransactionID = st.txID

	userStep, action := udsSetStatus, "updateUserStatus "+string(uds.StatusInactive)
	if s.delete {
		userStep, action = udsDeleteUser, "deleteUser"
	}
	var t stepTally
	// Steps an interrupted run sent without recording their outcome, that the read shows done.
	if s.userDone(st) && x.pending(userStep, res.Target) {
		x.confirm(userStep, res.Target, detailConfirmed)
		t.done++
	}
	for _, target := range x.confirmGone(udsDeleteAccount, func(target string) bool { return s.hasAccount(st, target, res.Target) }) {
		res.Items = append(res.Items, itemResult{Kind: "account", ID: strings.TrimPrefix(target, res.Target+" account "), Outcome: outcomeDone, Message: detailConfirmed})
		t.done++
	}

	var plan, actions []string
	if !s.userDone(st) {
		actions = append(actions, action)
		if s.delete {
			plan = append(plan, fmt.Sprintf("delete the user (now %s)", cmp.Or(string(st.status), "no status")))
		} else {
			plan = append(plan, fmt.Sprintf("%s → %s%s", cmp.Or(string(st.status), "no status"), uds.StatusInactive, s.window()))
		}
	}
	base := len(res.Items) // the accounts confirmed above come first
	if len(st.accounts) > 0 {
		actions = append(actions, fmt.Sprintf("deleteUserAccount ×%d", len(st.accounts)))
		names := make([]string, len(st.accounts))
		for i, a := range st.accounts {
			names[i] = accountName(a)
			res.Items = append(res.Items, itemResult{Kind: "account", ID: a.Type, Outcome: outcomePlanned})
		}
		plan = append(plan, "delete account(s) "+strings.Join(names, ", "))
	}
	if len(plan) == 0 {
		res.Outcome, res.Verification, res.Residual = outcomeAlready, s.describe(st), none()
		res.Detail = "already: " + strings.TrimPrefix(s.describe(st), "retrieveUser: ")
		x.nothingLeft(&res, t.done)
		return res, nil
	}
	res.Action, res.Outcome, res.Detail = strings.Join(actions, ", "), outcomePlanned, strings.Join(plan, "; ")
	if x.dryRun() {
		return res, nil
	}
	res.TransactionID = ""

	if !s.userDone(st) {
		change := plan[0]
		o := x.send(ctx, userStep, res.Target, change, func(ctx context.Context) stepOutcome {
			var msg, tx string
			var err error
			if s.delete {
				var dr *uds.DeleteResult
				if dr, err = s.c.DeleteUser(ctx, id, nil); err == nil {
					msg, tx = dr.Message, dr.TransactionID
				}
			} else {
				opts := &uds.UpdateOptions{StartLockTime: s.lockFrom, EndLockTime: s.lockUntil}
				var up *uds.UpdateResult
				if up, err = s.c.UpdateUserStatus(ctx, []uds.UserID{id}, uds.StatusInactive, opts); err == nil {
					msg, tx = up.Message, up.TransactionID
				}
			}
			r := result{}
			switch {
			case errors.Is(err, uds.ErrNotFound): // removed since it was read
				udsError(&r, err)
				r.Outcome, r.Detail, err = outcomeAlready, "not in the user registry", nil
			case err != nil:
				udsError(&r, err)
			default:
				r.Outcome, r.Message, r.TransactionID = outcomeDone, msg, tx
			}
			res.Code, res.Message, res.TransactionID = r.Code, r.Message, r.TransactionID
			return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
		})
		if o.Detail == detailRecorded {
			res.Code, res.Message = o.Code, joinDetail(o.Message, detailRecorded)
		}
		t.add(userStep, o)
	}
	for i, a := range st.accounts {
		target := udsAccountTarget(res.Target, a.Type)
		o := x.send(ctx, udsDeleteAccount, target, "delete account "+accountName(a), func(ctx context.Context) stepOutcome {
			dr, err := s.c.DeleteUserAccount(ctx, id, a.Type, nil)
			r := result{}
			switch {
			case errors.Is(err, uds.ErrNotFound):
				udsError(&r, err)
				r.Outcome, r.Detail, err = outcomeAlready, "no such account", nil
			case err != nil:
				udsError(&r, err)
			default:
				r.Outcome, r.Message = outcomeDone, dr.Message
			}
			return stepOutcome{Outcome: r.Outcome, Code: r.Code, Message: r.Message, Detail: r.Detail, Err: err}
		})
		res.Items[base+i] = item("account", a.Type, o)
		t.add("account "+a.Type, o)
	}
	res.Detail = s.summary(plan, st, res.Items[base:])
	err = t.finish(&res)
	if errors.Is(err, errStopped) {
		return res, err
	}
	// Verified after a failure too: the report says what is left.
	res, verr := s.verify(ctx, id, x, st, res)
	return res, cmpErr(err, verr)
}

// verify reads the user again (when this run sent something; otherwise the first read is
// the verification) and records what access is left.
func (s *udsStep) verify(ctx context.Context, id uds.UserID, x *stepper, st udsState, res result) (result, error) {
	if x.changed {
		var err error
		if st, err = s.read(ctx, id); err != nil {
			r := res
			udsError(&r, err)
			res.Outcome, res.Code, res.Message = outcomeFailed, r.Code, "verification: "+r.Message
			return res, err
		}
	}
	res.Verification, res.Residual = s.describe(st), s.left(st)
	return res, nil
}

// summary is the row's detail after the steps: the user's change, and the accounts by outcome.
func (s *udsStep) summary(plan []string, st udsState, accounts []itemResult) string {
	var parts []string
	if !s.userDone(st) {
		parts = append(parts, plan[0])
	}
	return strings.Join(append(parts, itemsByOutcome(accounts, "account", "deleted", "already gone")...), "; ")
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
	var se *uds.ServiceError
	if errors.As(err, &se) {
		res.Code, res.Message, res.TransactionID = se.Code, se.Message, se.TransactionID
		if se.Code == "" && se.Fault != nil { // a Fault without userRegistryError detail: Message is its reason
			res.Code = se.Fault.Code
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

func udsAccountTarget(user, accountType string) string { return user + " account " + accountType }

// accountName names an account by its type, and its id when it has one.
func accountName(a uds.Account) string {
	if a.ID == "" {
		return a.Type
	}
	return a.Type + " (" + a.ID + ")"
}
