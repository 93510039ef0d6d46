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
}

// provisioningStep removes the user from every provisioning task it is in: one step per
// task. It reads the user's tasks first; a user in none is "already", and so is a removal
// the server answers with false (ErrNotChanged: the user is no longer in that task). The
// read is also what makes resuming safe: a removal whose intent an interrupted run recorded
// without its outcome is sent again only if the user is still in the task.
type provisioningStep struct {
	c      provisioningAPI
	org    string
	notify bool // e-mail the user about each removal
}

// The provisioning step: remove-from-task, target "<org>/<user> task <id>", one per task.
const provisioningRemove = "remove-from-task"

func (s *provisioningStep) name() string { return "provisioning" }

func (s *provisioningStep) authError(err error) bool {
	return errors.Is(err, provisioning.ErrAuthentication)
}

func (s *provisioningStep) target(u user, task int) string {
	return s.org + "/" + u.ProvisioningUser + " task " + strconv.Itoa(task)
}

func (s *provisioningStep) offboard(ctx context.Context, u user, x *stepper) (result, error) {
	res := result{System: "provisioning", Action: "GetProvisioningTasksForUser", Target: s.org + "/" + u.ProvisioningUser}
	if u.ProvisioningUser == "" {
		res.Action, res.Target, res.Outcome, res.Detail = "-", "", outcomeSkipped, "no provisioning_user for this user"
		return res, nil
	}
	if r, ok := x.recordedResult(); ok {
		return r, nil
	}
	// Collect first: removing the user while paging would shift the later pages.
	current := map[int]bool{}
	var ids []int
	for t, err := range s.c.AllTasksForUser(ctx, s.org, u.ProvisioningUser) {
		x.contact(err)
		if err != nil {
			provisioningError(&res.Code, &res.Message, err)
			res.Outcome = outcomeFailed
			return res, err
		}
		if !current[t.TaskID] {
			current[t.TaskID] = true
			ids = append(ids, t.TaskID)
		}
	}
	// The tasks an earlier run removed the user from (or meant to) are part of the result too.
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
	if len(ids) == 0 {
		res.Outcome, res.Detail = outcomeAlready, "in no provisioning task"
		return res, nil
	}
	res.Action = "RemoveUsersFromProvisioningTask"
	res.Outcome, res.Detail = outcomePlanned, "remove from "+taskList(ids)
	res.Tasks = make([]taskResult, len(ids))
	for i, id := range ids {
		res.Tasks[i] = taskResult{TaskID: id, Outcome: outcomePlanned}
	}
	if x.dryRun() {
		return res, nil
	}
	var done, already, failed, stopped []int
	var firstErr error
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
			if out.Err != nil && firstErr == nil {
				firstErr = out.Err
			}
		}
		switch tr.Outcome {
		case outcomeDone:
			done = append(done, id)
		case outcomeAlready:
			already = append(already, id)
		case outcomeNotStarted:
			stopped = append(stopped, id)
		default:
			failed = append(failed, id)
			if res.Code == "" && res.Message == "" { // the table shows the first failure; the report has them all
				res.Code, res.Message = tr.Code, fmt.Sprintf("task %d: %s", id, tr.Message)
			}
		}
		res.Tasks[i] = tr
	}
	var parts []string
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
	res.Detail = strings.Join(parts, "; ")
	switch {
	case len(failed) > 0:
		res.Outcome = outcomeFailed
	case len(stopped) > 0:
		res.Outcome = outcomeNotStarted
		return res, errStopped
	case len(done) > 0:
		res.Outcome = outcomeDone
	default:
		res.Outcome = outcomeAlready
	}
	return res, firstErr
}

// provisioningError records what the service said: the Fault's code and message, the
// ConnectResult of a refused Connect (never its challenge text), or the error itself.
func provisioningError(code, msg *string, err error) {
	var fault *provisioning.Error
	var ce *provisioning.ConnectError
	switch {
	case errors.As(err, &ce):
		*code, *msg = string(ce.Result), "Connect refused: "+ce.Error()
	case errors.As(err, &fault):
		*code, *msg = fault.Code, fault.Message
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
