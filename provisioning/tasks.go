package provisioning

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

// TaskCount returns the number of provisioning tasks in the organization (wire operation
// GetProvisioningTaskCount, SOAPAction "http://www.cryptocard.com/blackshield/GetProvisioningTaskCount").
func (c *Client) TaskCount(ctx context.Context, organization string) (int, error) {
	if err := checkOrganization(organization); err != nil {
		return 0, err
	}
	req := &provisioningwsdl.GetProvisioningTaskCount{Organization: organization}
	var n int32
	err := c.run(ctx, "GetProvisioningTaskCount", func(ctx context.Context) error {
		resp, err := c.stub.GetProvisioningTaskCount(ctx, req)
		if err == nil {
			n = resp.GetProvisioningTaskCountResult
		}
		return err
	})
	return int(n), err
}

// TaskCountForUser returns the number of provisioning tasks of a user (wire operation
// GetProvisioningTasksForUserCount, SOAPAction
// "http://www.cryptocard.com/blackshield/GetProvisioningTasksForUserCount").
func (c *Client) TaskCountForUser(ctx context.Context, organization, user string) (int, error) {
	if err := checkOrganization(organization); err != nil {
		return 0, err
	}
	if err := checkUser(user); err != nil {
		return 0, err
	}
	req := &provisioningwsdl.GetProvisioningTasksForUserCount{User: user, Organization: organization}
	var n int32
	err := c.run(ctx, "GetProvisioningTasksForUserCount", func(ctx context.Context) error {
		resp, err := c.stub.GetProvisioningTasksForUserCount(ctx, req)
		if err == nil {
			n = resp.GetProvisioningTasksForUserCountResult
		}
		return err
	})
	return int(n), err
}

// Tasks returns one page of the organization's provisioning tasks: numberOfRecords records
// from startRecord on (wire operation GetProvisioningTasks, SOAPAction
// "http://www.cryptocard.com/blackshield/GetProvisioningTasks"). The rows are decoded as they
// arrive. AllTasks walks every page.
func (c *Client) Tasks(ctx context.Context, organization string, startRecord, numberOfRecords int) ([]Task, error) {
	if err := checkOrganization(organization); err != nil {
		return nil, err
	}
	if err := checkPage(startRecord, numberOfRecords); err != nil {
		return nil, err
	}
	req := &provisioningwsdl.GetProvisioningTasks{
		Organization:    organization,
		StartRecord:     int32(startRecord),
		NumberOfRecords: int32(numberOfRecords),
	}
	return callTable[Task](ctx, c, "GetProvisioningTasks", provisioningwsdl.ActionGetProvisioningTasks, req)
}

// TasksForUser returns one page of a user's provisioning tasks (wire operation
// GetProvisioningTasksForUser, SOAPAction
// "http://www.cryptocard.com/blackshield/GetProvisioningTasksForUser"). AllTasksForUser walks
// every page.
func (c *Client) TasksForUser(ctx context.Context, organization, user string, startRecord, numberOfRecords int) ([]Task, error) {
	if err := checkOrganization(organization); err != nil {
		return nil, err
	}
	if err := checkUser(user); err != nil {
		return nil, err
	}
	if err := checkPage(startRecord, numberOfRecords); err != nil {
		return nil, err
	}
	req := &provisioningwsdl.GetProvisioningTasksForUser{
		User:            user,
		Organization:    organization,
		StartRecord:     int32(startRecord),
		NumberOfRecords: int32(numberOfRecords),
	}
	return callTable[Task](ctx, c, "GetProvisioningTasksForUser", provisioningwsdl.ActionGetProvisioningTasksForUser, req)
}

// TaskUsers returns the users of a provisioning task, with their real start and stop dates
// (wire operation GetProvisioningTaskDetails, SOAPAction
// "http://www.cryptocard.com/blackshield/GetProvisioningTaskDetails").
func (c *Client) TaskUsers(ctx context.Context, organization string, taskID int) ([]TaskUser, error) {
	if err := checkOrganization(organization); err != nil {
		return nil, err
	}
	if err := checkTaskID(taskID); err != nil {
		return nil, err
	}
	req := &provisioningwsdl.GetProvisioningTaskDetails{TaskID: int32(taskID), Organization: organization}
	return callTable[TaskUser](ctx, c, "GetProvisioningTaskDetails", provisioningwsdl.ActionGetProvisioningTaskDetails, req)
}

// RemoveTask removes a provisioning task, e-mailing the users it affects when
// sendNotificationEmail is true (wire operation RemoveProvisioningTask, SOAPAction
// "http://www.cryptocard.com/blackshield/RemoveProvisioningTask"). The operation answers
// nothing: a missing task is whatever the server makes of it (typically a Fault, an *Error).
func (c *Client) RemoveTask(ctx context.Context, organization string, taskID int, sendNotificationEmail bool) error {
	if err := checkOrganization(organization); err != nil {
		return err
	}
	if err := checkTaskID(taskID); err != nil {
		return err
	}
	req := &provisioningwsdl.RemoveProvisioningTask{
		TaskID:                int32(taskID),
		SendNotificationEmail: sendNotificationEmail,
		Organization:          organization,
	}
	return c.run(ctx, "RemoveProvisioningTask", func(ctx context.Context) error {
		_, err := c.stub.RemoveProvisioningTask(ctx, req)
		return err
	})
}

// RemoveUsersFromTask removes users from a provisioning task, e-mailing them when
// sendNotificationEmail is true (wire operation RemoveUsersFromProvisioningTask, SOAPAction
// "http://www.cryptocard.com/blackshield/RemoveUsersFromProvisioningTask"). A false answer
// is a *NotChangedError (errors.Is(err, ErrNotChanged)).
func (c *Client) RemoveUsersFromTask(ctx context.Context, organization string, taskID int, userNames []string, sendNotificationEmail bool) error {
	if err := checkOrganization(organization); err != nil {
		return err
	}
	if err := checkTaskID(taskID); err != nil {
		return err
	}
	if err := checkUserNames(userNames); err != nil {
		return err
	}
	const op = "RemoveUsersFromProvisioningTask"
	req := &provisioningwsdl.RemoveUsersFromProvisioningTask{
		TaskID:                int32(taskID),
		UserNames:             arrayOfString(userNames),
		SendNotificationEmail: sendNotificationEmail,
		Organization:          organization,
	}
	err := c.run(ctx, op, func(ctx context.Context) error {
		resp, err := c.stub.RemoveUsersFromProvisioningTask(ctx, req)
		if err == nil && !resp.RemoveUsersFromProvisioningTaskResult {
			return errAnsweredFalse
		}
		return err
	})
	return notChanged(err, op, taskID, userNames)
}

// UpdateStopDate sets a new expiry date on a provisioning task for some of its users, for
// example to give them more time to enroll (wire operation UpdateProvisioningStopDate,
// SOAPAction "http://www.cryptocard.com/blackshield/UpdateProvisioningStopDate"). The date is
// sent as an instant in UTC. A false answer is a *NotChangedError.
func (c *Client) UpdateStopDate(ctx context.Context, organization string, taskID int, userNames []string, newStopDate time.Time) error {
	if err := checkOrganization(organization); err != nil {
		return err
	}
	if err := checkTaskID(taskID); err != nil {
		return err
	}
	if err := checkUserNames(userNames); err != nil {
		return err
	}
	if newStopDate.IsZero() {
		return &soapx.InputError{Field: "newStopDate", Reason: "is the zero time"}
	}
	if err := soapx.CheckDateTime("newStopDate", newStopDate); err != nil {
		return err
	}
	const op = "UpdateProvisioningStopDate"
	req := &provisioningwsdl.UpdateProvisioningStopDate{
		TaskID:       int32(taskID),
		UserNames:    arrayOfString(userNames),
		NewStopDate:  soapx.DateTime{Time: newStopDate},
		Organization: organization,
	}
	err := c.run(ctx, op, func(ctx context.Context) error {
		resp, err := c.stub.UpdateProvisioningStopDate(ctx, req)
		if err == nil && !resp.UpdateProvisioningStopDateResult {
			return errAnsweredFalse
		}
		return err
	})
	return notChanged(err, op, taskID, userNames)
}

// AllTasks iterates over all the organization's provisioning tasks, calling
// GetProvisioningTasks for one page of WithPageSize records at a time as the loop goes on,
// until a page comes back empty. An error is yielded once, with a zero Task, and ends the
// iteration.
//
// Removing tasks while iterating shifts the records of the later pages: collect first, then
// change.
func (c *Client) AllTasks(ctx context.Context, organization string) iter.Seq2[Task, error] {
	return pages(ctx, "GetProvisioningTasks", c.pageSize, firstTask, func(ctx context.Context, start, n int) ([]Task, error) {
		return c.Tasks(ctx, organization, start, n)
	})
}

// AllTasksForUser iterates over all of a user's provisioning tasks, calling
// GetProvisioningTasksForUser for one page at a time, like AllTasks.
func (c *Client) AllTasksForUser(ctx context.Context, organization, user string) iter.Seq2[Task, error] {
	return pages(ctx, "GetProvisioningTasksForUser", c.pageSize, firstTask, func(ctx context.Context, start, n int) ([]Task, error) {
		return c.TasksForUser(ctx, organization, user, start, n)
	})
}

// firstRecord is the startRecord of the first page.
//
// Inferred: the vendor documents startRecord as "First record" without saying where
// counting starts; the one public caller seen asks for (0, 10), so records are counted from 0.
const firstRecord = 0

// pages yields the rows of page after page, size rows at a time, until an empty page. first
// names a page's first row ("task 12"): a page that starts with the same row as the one
// before means a server that ignores startRecord, which would send its first page for ever.
func pages[T any](ctx context.Context, op string, size int, first func(T) string, page func(ctx context.Context, start, n int) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		start := firstRecord
		prevFirst := ""
		for {
			rows, err := page(ctx, start, size)
			if err != nil {
				yield(zero, err)
				return
			}
			// Only an empty page ends the walk: a server may cap numberOfRecords below the
			// page size, so a short page does not prove there is no more.
			if len(rows) == 0 {
				return
			}
			if start != firstRecord && first(rows[0]) == prevFirst {
				yield(zero, fmt.Errorf("provisioning: %s: %w", op, &soapx.ProtocolError{
					Reason: fmt.Sprintf("the page at startRecord %d starts with the same %s as the previous page: the server seems to ignore startRecord", start, prevFirst),
				}))
				return
			}
			for _, t := range rows {
				if !yield(t, nil) {
					return
				}
			}
			if start+len(rows) > maxInt32 {
				return
			}
			prevFirst = first(rows[0])
			start += len(rows)
		}
	}
}

func firstTask(t Task) string { return "task " + strconv.Itoa(t.TaskID) }

// callTable calls an operation that answers a DataTable, decoding its rows into T as the
// response streams in.
func callTable[T any](ctx context.Context, c *Client, op, action string, req any) ([]T, error) {
	resp := &tableResponse[T]{op: op}
	err := c.run(ctx, op, func(ctx context.Context) error {
		return c.soap.Call(ctx, action, req, resp)
	})
	if err != nil {
		return nil, err
	}
	return resp.rows, nil
}

func notChanged(err error, op string, taskID int, userNames []string) error {
	if errors.Is(err, errAnsweredFalse) {
		return &NotChangedError{Operation: op, TaskID: taskID, UserNames: append([]string(nil), userNames...)}
	}
	return err
}

func arrayOfString(names []string) *provisioningwsdl.ArrayOfString {
	names = append([]string(nil), names...) // the request must not change with the caller's slice
	a := &provisioningwsdl.ArrayOfString{Astring: make([]*string, len(names))}
	for i := range names {
		a.Astring[i] = &names[i]
	}
	return a
}

func checkOrganization(org string) error {
	if strings.TrimSpace(org) == "" {
		return &soapx.InputError{Field: "organization", Reason: "is empty"}
	}
	return soapx.CheckText("organization", org)
}

func checkUser(user string) error {
	if strings.TrimSpace(user) == "" {
		return &soapx.InputError{Field: "user", Reason: "is empty"}
	}
	return soapx.CheckText("user", user)
}

func checkTaskID(id int) error {
	if id <= 0 || id > maxInt32 {
		return &soapx.InputError{Field: "taskID", Reason: fmt.Sprintf("must be between 1 and %d, got %d", maxInt32, id)}
	}
	return nil
}

func checkPage(start, n int) error {
	if start < 0 || start > maxInt32 {
		return &soapx.InputError{Field: "startRecord", Reason: fmt.Sprintf("must be between 0 and %d, got %d", maxInt32, start)}
	}
	if n <= 0 || n > maxInt32 {
		return &soapx.InputError{Field: "numberOfRecords", Reason: fmt.Sprintf("must be between 1 and %d, got %d", maxInt32, n)}
	}
	return nil
}

func checkUserNames(names []string) error {
	if len(names) == 0 {
		return &soapx.InputError{Field: "userNames", Reason: "is empty"}
	}
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			return &soapx.InputError{Field: fmt.Sprintf("userNames[%d]", i), Reason: "is empty"}
		}
		if p := soapx.TextProblem(n); p != "" {
			return &soapx.InputError{Field: fmt.Sprintf("userNames[%d]", i), Reason: p}
		}
	}
	return nil
}
