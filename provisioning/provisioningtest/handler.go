package provisioningtest

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

const ns = "http://www.cryptocard.com/blackshield/"

// newRequest returns a new value of the generated request type of each operation.
var newRequest = map[string]func() any{
	"Connect":                          func() any { return new(provisioningwsdl.Connect) },
	"PingConnection":                   func() any { return new(provisioningwsdl.PingConnection) },
	"GetProvisioningTaskCount":         func() any { return new(provisioningwsdl.GetProvisioningTaskCount) },
	"GetProvisioningTaskDetails":       func() any { return new(provisioningwsdl.GetProvisioningTaskDetails) },
	"GetProvisioningTasks":             func() any { return new(provisioningwsdl.GetProvisioningTasks) },
	"GetProvisioningTasksForUser":      func() any { return new(provisioningwsdl.GetProvisioningTasksForUser) },
	"GetProvisioningTasksForUserCount": func() any { return new(provisioningwsdl.GetProvisioningTasksForUserCount) },
	"RemoveProvisioningTask":           func() any { return new(provisioningwsdl.RemoveProvisioningTask) },
	"RemoveUsersFromProvisioningTask":  func() any { return new(provisioningwsdl.RemoveUsersFromProvisioningTask) },
	"UpdateProvisioningStopDate":       func() any { return new(provisioningwsdl.UpdateProvisioningStopDate) },
	"GetTokensByOwner":                 func() any { return new(provisioningwsdl.GetTokensByOwner) },
	"GetTokens":                        func() any { return new(provisioningwsdl.GetTokens) },
	"RevokeToken":                      func() any { return new(provisioningwsdl.RevokeToken) },
	"RemoveUser":                       func() any { return new(provisioningwsdl.RemoveUser) },
}

// asmxFault is an exception thrown by a web method, as ASMX reports it.
func asmxFault(message string) soapsrv.FaultSpec {
	return soapsrv.FaultSpec{Code: "Server", Reason: "Server was unable to process request. ---> " + message}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// IIS paths are case-insensitive.
	if !strings.EqualFold(r.URL.Path, Path) {
		http.Error(w, "404 - File or directory not found.", http.StatusNotFound)
		return
	}
	req, err := soapsrv.ReadRequest(r, 0)
	if err != nil {
		soapsrv.WriteRequestError(w, err)
		return
	}
	v := req.Version

	// ASMX picks the web method from the SOAPAction (1.1) or the action parameter (1.2); a
	// 1.2 request without one is routed by its body element.
	op, known := strings.CutPrefix(req.Action, ns)
	if req.Action == "" && v == soapx.SOAP12 {
		op, known = req.BodyName.Local, req.BodyName.Space == ns
	}
	newReq := newRequest[op]
	if !known || newReq == nil {
		soapsrv.WriteFault(w, v, 0, soapsrv.FaultSpec{Code: "Client",
			Reason: "Server did not recognize the value of HTTP Header SOAPAction: " + req.Action + "."})
		return
	}
	if req.BodyName.Local != op || req.BodyName.Space != ns {
		soapsrv.WriteFault(w, v, 0, soapsrv.FaultSpec{Code: "Client",
			Reason: fmt.Sprintf("Server was unable to read request. ---> There is an error in XML document. ---> <%s xmlns='%s'> was not expected.",
				req.BodyName.Local, req.BodyName.Space)})
		return
	}
	body := newReq()
	if err := req.Decode(body); err != nil {
		soapsrv.WriteFault(w, v, 0, soapsrv.FaultSpec{Code: "Client",
			Reason: "Server was unable to read request. ---> There is an error in XML document. ---> " + err.Error()})
		return
	}

	sid := ""
	if c, err := r.Cookie(SessionCookie); err == nil {
		sid = c.Value
	}
	version := provisioning.SOAP11
	if v == soapx.SOAP12 {
		version = provisioning.SOAP12
	}
	violations := checkContract(op, req.Body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Op: op, Action: req.Action, Version: version, SessionID: sid, Body: body})
	s.tok.violations = append(s.tok.violations, violations...)
	s.mu.Unlock()

	if in, ok := body.(*provisioningwsdl.Connect); ok {
		s.connect(w, v, sid, in)
		return
	}

	s.mu.Lock()
	sess := s.sessions[sid]
	live := sess != nil && sess.authenticated
	if _, ping := body.(*provisioningwsdl.PingConnection); ping {
		s.mu.Unlock()
		soapsrv.WriteResponse(w, v, 0, nil, &provisioningwsdl.PingConnectionResponse{PingConnectionResult: live})
		return
	}
	if !live {
		s.mu.Unlock()
		soapsrv.WriteFault(w, v, 0, soapsrv.FaultSpec{Code: "Server", Reason: NotConnectedReason})
		return
	}
	if len(s.failNext) > 0 {
		msg := s.failNext[0]
		s.failNext = s.failNext[1:]
		s.mu.Unlock()
		soapsrv.WriteFault(w, v, 0, asmxFault(msg))
		return
	}
	resp, fault := s.handle(body)
	s.mu.Unlock()
	if fault != nil {
		soapsrv.WriteFault(w, v, 0, *fault)
		return
	}
	soapsrv.WriteResponse(w, v, 0, nil, resp)
}

// connect answers Connect. Like ASP.NET, it starts a session (and sets its cookie) when the
// request has none the server knows, and authenticates that session on success.
func (s *Server) connect(w http.ResponseWriter, v soapx.Version, sid string, in *provisioningwsdl.Connect) {
	res, challenge := s.authenticate(in.OperatorEmail, in.OTP)
	s.mu.Lock()
	s.connects++
	sess := s.sessions[sid]
	if sess == nil {
		sid = newSessionID()
		sess = &session{}
		s.sessions[sid] = sess
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	sess.authenticated = res == provisioning.ConnectAuthSuccess
	s.mu.Unlock()
	result := provisioningwsdl.ConnectionResult(res)
	soapsrv.WriteResponse(w, v, 0, nil, &provisioningwsdl.ConnectResponse{ConnectResult: &result, Challenge: challenge})
}

// handle runs an operation of a live session, with s.mu held.
func (s *Server) handle(body any) (any, *soapsrv.FaultSpec) {
	switch in := body.(type) {
	case *provisioningwsdl.GetProvisioningTaskCount:
		return &provisioningwsdl.GetProvisioningTaskCountResponse{
			GetProvisioningTaskCountResult: int32(len(s.orgs[in.Organization])),
		}, nil

	case *provisioningwsdl.GetProvisioningTasksForUserCount:
		return &provisioningwsdl.GetProvisioningTasksForUserCountResponse{
			GetProvisioningTasksForUserCountResult: int32(len(s.tasksOfUser(in.Organization, in.User))),
		}, nil

	case *provisioningwsdl.GetProvisioningTasks:
		table, err := tasksTable(page(s.orgs[in.Organization], in.StartRecord, in.NumberOfRecords), false)
		if err != nil {
			return nil, internalError(err)
		}
		return &provisioningwsdl.GetProvisioningTasksResponse{GetProvisioningTasksResult: table}, nil

	case *provisioningwsdl.GetProvisioningTasksForUser:
		table, err := tasksTable(page(s.tasksOfUser(in.Organization, in.User), in.StartRecord, in.NumberOfRecords), true)
		if err != nil {
			return nil, internalError(err)
		}
		return &provisioningwsdl.GetProvisioningTasksForUserResponse{GetProvisioningTasksForUserResult: table}, nil

	case *provisioningwsdl.GetProvisioningTaskDetails:
		var users []TaskUser
		if t := s.find(in.Organization, int(in.TaskID)); t != nil {
			users = t.Users
		}
		table, err := detailsTable(users)
		if err != nil {
			return nil, internalError(err)
		}
		return &provisioningwsdl.GetProvisioningTaskDetailsResponse{GetProvisioningTaskDetailsResult: table}, nil

	case *provisioningwsdl.RemoveProvisioningTask:
		// Inferred: the service's answer to an unknown task is not documented; a thrown
		// exception (a Fault) is the usual ASMX outcome.
		t := s.find(in.Organization, int(in.TaskID))
		if t == nil {
			f := asmxFault(fmt.Sprintf("Provisioning task %d was not found.", in.TaskID))
			return nil, &f
		}
		s.orgs[in.Organization] = deleteTask(s.orgs[in.Organization], t)
		return &provisioningwsdl.RemoveProvisioningTaskResponse{}, nil

	case *provisioningwsdl.RemoveUsersFromProvisioningTask:
		if in.UserNames == nil {
			f := asmxFault("System.ArgumentNullException: Value cannot be null.\nParameter name: userNames")
			return nil, &f
		}
		changed := false
		if t := s.find(in.Organization, int(in.TaskID)); t != nil {
			n := len(t.Users)
			t.Users = deleteUsers(t.Users, in.UserNames.Astring)
			changed = len(t.Users) < n
		}
		return &provisioningwsdl.RemoveUsersFromProvisioningTaskResponse{RemoveUsersFromProvisioningTaskResult: changed}, nil

	case *provisioningwsdl.UpdateProvisioningStopDate:
		if in.UserNames == nil {
			f := asmxFault("System.ArgumentNullException: Value cannot be null.\nParameter name: userNames")
			return nil, &f
		}
		changed := false
		if t := s.find(in.Organization, int(in.TaskID)); t != nil {
			for i := range t.Users {
				if hasName(in.UserNames.Astring, t.Users[i].UserName) {
					t.Users[i].StopDate = in.NewStopDate.Time
					changed = true
				}
			}
		}
		return &provisioningwsdl.UpdateProvisioningStopDateResponse{UpdateProvisioningStopDateResult: changed}, nil
	}
	if resp, fault, ok := s.handleToken(body); ok {
		return resp, fault
	}
	f := asmxFault(fmt.Sprintf("operation %T not implemented by provisioningtest", body))
	return nil, &f
}

func internalError(err error) *soapsrv.FaultSpec {
	f := asmxFault("provisioningtest: " + err.Error())
	return &f
}

// page cuts records [start, start+n) out of tasks; records are counted from 0.
func page(tasks []*Task, start, n int32) []*Task {
	if start < 0 || n <= 0 || int(start) >= len(tasks) {
		return nil
	}
	end := min(int(start)+int(n), len(tasks))
	return tasks[start:end]
}

func deleteTask(tasks []*Task, t *Task) []*Task {
	out := tasks[:0]
	for _, x := range tasks {
		if x != t {
			out = append(out, x)
		}
	}
	return out
}

func hasName(names []*string, user string) bool {
	for _, n := range names {
		if n != nil && strings.EqualFold(*n, user) {
			return true
		}
	}
	return false
}

func deleteUsers(users []TaskUser, names []*string) []TaskUser {
	out := users[:0]
	for _, u := range users {
		if !hasName(names, u.UserName) {
			out = append(out, u)
		}
	}
	return out
}

// Table names and columns as the service writes them. Inferred for the details table's name
// (the only one documented is "Provisioning Tasks"); the client does not depend on it.
const (
	tasksTableName   = "Provisioning Tasks"
	detailsTableName = "Provisioning Task Details"
)

var (
	taskColumns = []dataset.Column{
		{Name: "taskid", Type: "int"}, {Name: "operator", Type: "string"}, {Name: "startdate", Type: "dateTime"},
		{Name: "count", Type: "int"}, {Name: "tokenoption", Type: "string"}, {Name: "stopdate", Type: "dateTime"},
	}
	// Rows of GetProvisioningTasksForUser also carry a status (seen in public client code).
	userTaskColumns = append(taskColumns[:len(taskColumns):len(taskColumns)], dataset.Column{Name: "status", Type: "string"})
	detailColumns   = []dataset.Column{
		{Name: "userid", Type: "string"}, {Name: "username", Type: "string"}, {Name: "startdate", Type: "dateTime"},
		{Name: "stopdate", Type: "dateTime"}, {Name: "status", Type: "string"}, {Name: "serialnumber", Type: "string"},
		{Name: "description", Type: "string"},
	}
)

func tasksTable(tasks []*Task, withStatus bool) (*provisioningwsdl.DataTable, error) {
	cols := taskColumns
	if withStatus {
		cols = userTaskColumns
	}
	rows := make([][]*string, len(tasks))
	for i, t := range tasks {
		row := []*string{num(t.ID), str(t.Operator), date(t.StartDate), num(len(t.Users)), str(t.TokenOption), date(t.StopDate)}
		if withStatus {
			row = append(row, str(t.Status))
		}
		rows[i] = row
	}
	return table(tasksTableName, cols, rows)
}

func detailsTable(users []TaskUser) (*provisioningwsdl.DataTable, error) {
	rows := make([][]*string, len(users))
	for i, u := range users {
		rows[i] = []*string{str(u.UserID), str(u.UserName), date(u.StartDate), date(u.StopDate),
			str(u.Status), str(u.SerialNumber), str(u.Description)}
	}
	return table(detailsTableName, detailColumns, rows)
}

func table(name string, cols []dataset.Column, rows [][]*string) (*provisioningwsdl.DataTable, error) {
	var buf bytes.Buffer
	if err := dataset.Write(&buf, name, cols, rows); err != nil {
		return nil, err
	}
	return &provisioningwsdl.DataTable{InnerXML: buf.Bytes()}, nil
}

// str, num and date give a column value; empty strings and zero times are NULL (omitted).
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func num(n int) *string {
	s := strconv.Itoa(n)
	return &s
}

func date(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := dataset.FormatTime(t)
	return &s
}
