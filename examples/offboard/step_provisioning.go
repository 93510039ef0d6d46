package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/provisioning"
)

// provisioningAPI is what the provisioning step needs of *provisioning.Client.
type provisioningAPI interface {
	AllTasksForUser(ctx context.Context, organization, user string) iter.Seq2[provisioning.Task, error]
	RemoveUsersFromTask(ctx context.Context, organization string, taskID int, userNames []string, sendNotificationEmail bool) error
}

// provisioningStep removes the user from every provisioning task it is in. The plan lists
// the user's tasks; a user in none is "already", and so is a removal the server answers
// with false (ErrNotChanged: the user is no longer in that task).
type provisioningStep struct {
	c      provisioningAPI
	org    string
	notify bool // e-mail the user about each removal
}

func (s *provisioningStep) system() string { return "provisioning" }

func (s *provisioningStep) plan(ctx context.Context, u user) plan {
	res := result{System: "provisioning", Action: "GetProvisioningTasksForUser", Target: s.org + "/" + u.ProvisioningUser}
	if u.ProvisioningUser == "" {
		res.Action, res.Target, res.Outcome, res.Detail = "-", "", outcomeSkipped, "no provisioning_user for this user"
		return plan{result: res}
	}
	// Collect first: removing the user while paging would shift the later pages.
	var ids []int
	for t, err := range s.c.AllTasksForUser(ctx, s.org, u.ProvisioningUser) {
		if err != nil {
			provisioningError(&res.Code, &res.Message, err)
			res.Outcome = outcomeFailed
			return plan{result: res}
		}
		ids = append(ids, t.TaskID)
	}
	if len(ids) == 0 {
		res.Outcome, res.Detail = outcomeAlready, "in no provisioning task"
		return plan{result: res}
	}
	res.Action = "RemoveUsersFromProvisioningTask"
	res.Outcome, res.Detail = outcomePlanned, "remove from "+taskList(ids)
	for _, id := range ids {
		res.Tasks = append(res.Tasks, taskResult{TaskID: id, Outcome: outcomePlanned})
	}
	return plan{result: res, apply: func(ctx context.Context) result {
		res := res
		res.Tasks = make([]taskResult, len(ids))
		var done, already, failed []int
		for i, id := range ids {
			tr := taskResult{TaskID: id, Outcome: outcomeDone}
			err := s.c.RemoveUsersFromTask(ctx, s.org, id, []string{u.ProvisioningUser}, s.notify)
			switch {
			case err == nil:
				done = append(done, id)
			case errors.Is(err, provisioning.ErrNotChanged), errors.Is(err, provisioning.ErrNotFound):
				tr.Outcome, tr.Message = outcomeAlready, "the server changed nothing: the user is no longer in the task"
				already = append(already, id)
			default:
				tr.Outcome = outcomeFailed
				provisioningError(&tr.Code, &tr.Message, err)
				failed = append(failed, id)
				if res.Code == "" { // the table shows the first failure; the report has them all
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
		res.Detail = strings.Join(parts, "; ")
		switch {
		case len(failed) > 0:
			res.Outcome = outcomeFailed
		case len(done) > 0:
			res.Outcome = outcomeDone
		default:
			res.Outcome = outcomeAlready
		}
		return res
	}}
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
		*msg = err.Error()
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
