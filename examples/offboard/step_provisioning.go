package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/provisioning"
)

// provisioningAPI is what the provisioning step needs of *provisioning.Client.
type provisioningAPI interface {
	AllTasksForUser(ctx context.Context, organization, user string) iter.Seq2[provisioning.Task, error]
	RemoveUsersFromTask(ctx context.Context, organization string, taskID int, userNames []string, sendNotificationEmail bool) error
	TokensByOwner(ctx context.Context, organization, userName string) ([]string, error)
	RevokeToken(ctx context.Context, organization, serial, userName string, opts *provisioning.RevokeOptions) (provisioning.RevokeResult, error)
	RemoveUser(ctx context.Context, organization, userName string, opts *provisioning.RemoveUserOptions) error
}

// provisioningStep reads the tokens the user owns (GetTokensByOwner) and the provisioning
// tasks it is in, revokes each token (RevokeToken, by default back to inventory, initialized;
// -provisioning-revoke-mode), removes the user from each task, optionally removes the user
// from the organization (RemoveUser, -provisioning-remove-user), and reads the tokens and
// tasks again to verify. A user owning no token and in no task is "already" (unless
// RemoveUser is asked for: BSIDCA has no read of a user, so it is sent). A removal from a
// task the server answers with false (ErrNotChanged: the user is no longer in it) is
// "already". The reads are also what make resuming safe: a revocation or removal whose
// intent an interrupted run recorded without its outcome is sent again only if the token is
// still the user's or the user still in the task.
type provisioningStep struct {
	c          provisioningAPI
	org        string
	notify     bool // e-mail the user about each removal
	mode       provisioning.RevokeMode
	removeUser bool
}

// The provisioning steps: revoke-token (target "<org>/<user> token <serial>"),
// remove-from-task (target "<org>/<user> task <id>", one per task), remove-user (target
// "<org>/<user>").
const (
	provisioningRevoke     = "revoke-token"
	provisioningRemove     = "remove-from-task"
	provisioningRemoveUser = "remove-user"
)

func (s *provisioningStep) name() string { return "provisioning" }

func (s *provisioningStep) authError(err error) bool {
	return errors.Is(err, provisioning.ErrAuthentication)
}

func (s *provisioningStep) target(u user, task int) string {
	return s.org + "/" + u.ProvisioningUser + " task " + strconv.Itoa(task)
}

func (s *provisioningStep) tokenTarget(u user, serial string) string {
	return s.org + "/" + u.ProvisioningUser + " token " + serial
}

// provisioningState is what the reads answered: the tokens the user owns, the tasks it is in.
type provisioningState struct {
	tokens []string
	tasks  []int
}

func (s *provisioningStep) read(ctx context.Context, u user, x *stepper) (provisioningState, error) {
	var st provisioningState
	// Collect first: removing the user while paging would shift the later pages.
	for t, err := range s.c.AllTasksForUser(ctx, s.org, u.ProvisioningUser) {
		if x != nil {
			x.contact(err)
		}
		if err != nil {
			return st, err
		}
		if !slices.Contains(st.tasks, t.TaskID) {
			st.tasks = append(st.tasks, t.TaskID)
		}
	}
	tokens, err := s.c.TokensByOwner(ctx, s.org, u.ProvisioningUser)
	if err != nil {
		return st, err
	}
	st.tokens = tokens
	slices.Sort(st.tasks)
	return st, nil
}

func (st provisioningState) String() string {
	tokens := "no token"
	if len(st.tokens) > 0 {
		tokens = "token(s) " + strings.Join(st.tokens, ", ")
	}
	tasks := "in no task"
	if len(st.tasks) > 0 {
		tasks = "in " + taskList(st.tasks)
	}
	return "GetTokensByOwner: " + tokens + "; GetProvisioningTasksForUser: " + tasks
}

// left is the access the state leaves.
func (st provisioningState) left() *residual {
	r := none()
	for _, t := range st.tokens {
		r.Left = append(r.Left, "token "+t+" owned")
	}
	for _, id := range st.tasks {
		r.Left = append(r.Left, "in task "+strconv.Itoa(id))
	}
	return r
}

func (s *provisioningStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	res := result{System: "provisioning", Action: "GetTokensByOwner, GetProvisioningTasksForUser", Target: s.org + "/" + u.ProvisioningUser}
	if u.ProvisioningUser == "" {
		res.Action, res.Target, res.Outcome, res.Detail = "-", "", outcomeSkipped, "no provisioning_user for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	st, err := s.read(ctx, u, x)
	if err != nil {
		provisioningError(&res.Code, &res.Message, err)
		res.Outcome = outcomeFailed
		return res, err
	}
	var t stepTally
	// Revocations an interrupted run sent without recording their outcome, that the read shows
	// done.
	for _, target := range x.confirmGone(provisioningRevoke, func(target string) bool {
		return slices.ContainsFunc(st.tokens, func(serial string) bool { return s.tokenTarget(u, serial) == target })
	}) {
		res.Items = append(res.Items, itemResult{Kind: "token", ID: target[strings.LastIndex(target, " ")+1:], Outcome: outcomeDone, Message: detailConfirmed})
		t.done++
	}
	// The tasks an earlier run removed the user from (or meant to) are part of the result too.
	current := map[int]bool{}
	ids := slices.Clone(st.tasks)
	for _, id := range ids {
		current[id] = true
	}
	prefix := s.target(u, 0)
	prefix = prefix[:len(prefix)-1]
	for _, id := range x.e.prior.stepsOf(x.user, x.system) {
		task, err := strconv.Atoi(strings.TrimPrefix(id.Target, prefix))
		if err != nil || id.Step != provisioningRemove || !strings.HasPrefix(id.Target, prefix) {
			continue
		}
		if !current[task] {
			ids = append(ids, task)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 && len(st.tokens) == 0 && !s.removeUser {
		res.Outcome, res.Verification, res.Residual = outcomeAlready, st.String(), none()
		res.Detail = "already: no token, in no provisioning task"
		x.nothingLeft(&res, t.done)
		return res, nil
	}
	var actions, plan []string
	base := len(res.Items)
	if len(st.tokens) > 0 {
		actions = append(actions, fmt.Sprintf("RevokeToken ×%d", len(st.tokens)))
		plan = append(plan, "revoke token(s) "+strings.Join(st.tokens, ", ")+" ("+string(s.mode)+")")
		for _, serial := range st.tokens {
			res.Items = append(res.Items, itemResult{Kind: "token", ID: serial, Outcome: outcomePlanned})
		}
	}
	if len(ids) > 0 {
		actions = append(actions, "RemoveUsersFromProvisioningTask")
		plan = append(plan, "remove from "+taskList(ids))
		res.Tasks = make([]taskResult, len(ids))
		for i, id := range ids {
			res.Tasks[i] = taskResult{TaskID: id, Outcome: outcomePlanned}
		}
	}
	if s.removeUser {
		actions = append(actions, "RemoveUser")
		plan = append(plan, "remove the user from the organization")
		res.Items = append(res.Items, itemResult{Kind: "user", ID: res.Target, Outcome: outcomePlanned})
	}
	res.Action, res.Outcome, res.Detail = strings.Join(actions, ", "), outcomePlanned, strings.Join(plan, "; ")
	if x.dryRun() {
		return res, nil
	}

	for i, serial := range st.tokens {
		o := x.send(ctx, provisioningRevoke, s.tokenTarget(u, serial), "revoke token "+serial, func(ctx context.Context) stepOutcome {
			r, err := s.c.RevokeToken(ctx, s.org, serial, u.ProvisioningUser, &provisioning.RevokeOptions{Mode: s.mode})
			o := stepOutcome{Outcome: outcomeDone, Code: string(r)}
			if err != nil {
				o = stepOutcome{Outcome: outcomeFailed, Err: err}
				provisioningError(&o.Code, &o.Message, err)
			}
			return o
		})
		res.Items[base+i] = item("token", serial, o)
		t.add("token "+serial, o)
	}

	var done, already, failed, stopped []int
	for i, id := range ids {
		target := s.target(u, id)
		tr := taskResult{TaskID: id}
		switch rec, recorded := x.recorded(provisioningRemove, target); {
		case recorded:
			tr.Outcome, tr.Code, tr.Message = rec.Outcome, rec.Code, joinDetail(rec.Message, detailRecorded)
		case !current[id] && x.pending(provisioningRemove, target):
			tr.Outcome, tr.Message = outcomeDone, detailConfirmed
			x.confirm(provisioningRemove, target, detailConfirmed)
		case !current[id]: // recorded as failed by an earlier run, and no longer in the task
			tr.Outcome, tr.Message = outcomeAlready, "no longer in the task"
		default:
			out := x.do(ctx, provisioningRemove, target, "remove from task "+strconv.Itoa(id), func(ctx context.Context) stepOutcome {
				err := s.c.RemoveUsersFromTask(ctx, s.org, id, []string{u.ProvisioningUser}, s.notify)
				o := stepOutcome{Outcome: outcomeDone}
				switch {
				case err == nil:
				case errors.Is(err, provisioning.ErrNotChanged), errors.Is(err, provisioning.ErrNotFound):
					o.Outcome, o.Message = outcomeAlready, "the server changed nothing: the user is no longer in the task"
				default:
					o.Outcome, o.Err = outcomeFailed, err
					provisioningError(&o.Code, &o.Message, err)
				}
				return o
			})
			tr.Outcome, tr.Code, tr.Message = out.Outcome, out.Code, out.Message
		}
		t.add("task "+strconv.Itoa(id), stepOutcome{Outcome: tr.Outcome, Code: tr.Code, Message: tr.Message})
		switch tr.Outcome {
		case outcomeDone:
			done = append(done, id)
		case outcomeAlready:
			already = append(already, id)
		case outcomeNotStarted:
			stopped = append(stopped, id)
		default:
			failed = append(failed, id)
		}
		res.Tasks[i] = tr
	}

	removed := true // the user is out of the organization, or was not to be removed
	if s.removeUser {
		pending := x.pending(provisioningRemoveUser, res.Target)
		o := x.send(ctx, provisioningRemoveUser, res.Target, "remove the user from the organization", func(ctx context.Context) stepOutcome {
			err := s.c.RemoveUser(ctx, s.org, u.ProvisioningUser, &provisioning.RemoveUserOptions{TokenMode: s.mode})
			o := stepOutcome{Outcome: outcomeDone, Code: string(provisioning.UserDeleted)}
			var re *provisioning.ServiceError
			switch {
			case err == nil:
			case errors.As(err, &re) && re.Code == string(provisioning.RevokeFail):
				// Inferred, not documented (README, "What is inferred"): Fail is the answer for
				// a user the organization does not have; this run read no token and no task
				// left for it.
				o.Outcome, o.Code, o.Message = outcomeAlready, re.Code, "no such user (the server answers Fail for a user it does not have: inferred, not documented)"
				if pending {
					o.Outcome, o.Message = outcomeDone, detailRepeated(re.Code+" (no such user: inferred, not documented)")
				}
			default:
				o.Outcome, o.Err = outcomeFailed, err
				provisioningError(&o.Code, &o.Message, err)
			}
			return o
		})
		res.Items[len(res.Items)-1] = item("user", res.Target, o)
		t.add("RemoveUser", o)
		removed = o.Outcome.success()
	}

	parts := itemsByOutcome(res.Items, "token", "revoked", "already revoked")
	if len(done) > 0 {
		parts = append(parts, "removed from "+taskList(done))
	}
	if len(already) > 0 {
		parts = append(parts, "already out of "+taskList(already))
	}
	if len(failed) > 0 {
		parts = append(parts, "failed for "+taskList(failed))
	}
	if len(stopped) > 0 {
		parts = append(parts, "not started for "+taskList(stopped))
	}
	if s.removeUser && removed {
		parts = append(parts, "removed from the organization")
	}
	res.Detail = strings.Join(parts, "; ")
	err = t.finish(&res)
	if errors.Is(err, errStopped) {
		return res, err
	}
	// Verified after a failure too: the report says what is left.
	res, verr := s.verify(ctx, u, x, st, res, removed)
	return res, cmpErr(err, verr)
}

// verify reads the tokens and tasks again (when this run sent something; otherwise the first
// read is the verification) and records what access is left.
func (s *provisioningStep) verify(ctx context.Context, u user, x *stepper, st provisioningState, res result, removed bool) (result, error) {
	if x.changed {
		var err error
		if st, err = s.read(ctx, u, nil); err != nil {
			var code, msg string
			provisioningError(&code, &msg, err)
			res.Outcome, res.Message = outcomeFailed, joinDetail(res.Message, "verification: "+serverSaid(code, msg))
			return res, err
		}
	}
	res.Verification, res.Residual = st.String(), st.left()
	if s.removeUser {
		if removed {
			res.Verification += "; RemoveUser answered Deleted (BSIDCA has no read of a user)"
		} else {
			res.Residual.Left = append(res.Residual.Left, "user in the organization (RemoveUser not answered Deleted)")
		}
	}
	return res, nil
}

// provisioningError records what the service said: the Fault's code and message, the
// ConnectResult of a refused Connect (never its challenge text), or the error itself.
func provisioningError(code, msg *string, err error) {
	var fault *provisioning.ServiceError
	var ce *provisioning.ConnectError
	switch {
	case errors.As(err, &fault) && fault.Fault == nil: // a result code (RevokeToken, RemoveUser)
		*code, *msg = fault.Code, fault.Operation+" answered "+fault.Code
	case errors.As(err, &ce):
		*code, *msg = string(ce.Result), "Connect refused: "+ce.Error()
	case errors.As(err, &fault):
		*code, *msg = fault.Fault.Code, fault.Message
		if fault.HTTPStatus != 0 && fault.HTTPStatus != 200 {
			*msg += fmt.Sprintf(" (HTTP %d)", fault.HTTPStatus)
		}
	default:
		*msg = errText(err)
	}
}

// taskList renders "task 3" or "tasks 1, 2".
func taskList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	if len(ids) == 1 {
		return "task " + s[0]
	}
	return "tasks " + strings.Join(s, ", ")
}
