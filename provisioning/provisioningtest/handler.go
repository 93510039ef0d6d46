package provisioningtest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/provisioning"
)

// asmxFault is an exception thrown by a web method, as ASMX reports it.
func asmxFault(message string) soapsrv.FaultSpec {
	return soapsrv.FaultSpec{Code: "Server", Reason: "Server was unable to process request. ---> " + message}
}

// clientFault is a request the ASMX runtime could not route or read.
func clientFault(reason string) soapsrv.FaultSpec {
	return soapsrv.FaultSpec{Code: "Client", Reason: reason}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// IIS paths are case-insensitive.
	if !strings.EqualFold(r.URL.Path, Path) {
		http.Error(w, "404 - File or directory not found.", http.StatusNotFound)
		return
	}
	sid := ""
	if c, err := r.Cookie(SessionCookie); err == nil {
		sid = c.Value
	}
	rec := Request{ContentType: r.Header.Get("Content-Type"), SessionID: sid}
	refused := func(v Violation, answer func()) {
		rec.Violations = append(rec.Violations, v)
		s.record(rec)
		answer()
	}
	req, err := soapsrv.ReadRequest(r, 0)
	if err != nil {
		refused(Violation{Path: "Envelope", Reason: "the server refuses the request: " + err.Error()},
			func() { soapsrv.WriteRequestError(w, err) })
		return
	}
	v := req.Version
	rec.Action = req.Action
	rec.Version = provisioning.SOAP11
	if v == soapx.SOAP12 {
		rec.Version = provisioning.SOAP12
	}

	// ASMX picks the web method from the SOAPAction (1.1) or the action parameter (1.2); a
	// 1.2 request without one is routed by its body element.
	op, known := strings.CutPrefix(req.Action, ns)
	if req.Action == "" && v == soapx.SOAP12 {
		op, known = req.BodyName.Local, req.BodyName.Space == ns
	}
	if _, ok := contracts[op]; !known || !ok {
		reason := "Server did not recognize the value of HTTP Header SOAPAction: " + req.Action + "."
		refused(Violation{Path: "Envelope/Body", Element: req.BodyName, Reason: "the server refuses the request: " + reason},
			func() { soapsrv.WriteFault(w, v, 0, clientFault(reason)) })
		return
	}
	rec.Operation = op
	if req.BodyName.Local != op || req.BodyName.Space != ns {
		reason := fmt.Sprintf("Server was unable to read request. ---> There is an error in XML document. ---> <%s xmlns='%s'> was not expected.",
			req.BodyName.Local, req.BodyName.Space)
		refused(Violation{Operation: op, Path: "Envelope/Body", Element: req.BodyName, Reason: "the server refuses the request: " + reason},
			func() { soapsrv.WriteFault(w, v, 0, clientFault(reason)) })
		return
	}
	in := readCall(op, req.Body)
	rec.Params = in.values
	if l, ok := in.list("userNames"); ok {
		rec.UserNames = l
	}
	// BSIDCA declares no SOAP header: ASMX skips a header block, unless it must understand it.
	var headers []Violation
	for _, h := range req.Headers {
		if mustUnderstand(h.Attrs, v) {
			reason := fmt.Sprintf("SOAP header %s was not understood.", h.XMLName.Local)
			headers = append(headers, Violation{Operation: op, Path: "Envelope/Header", Element: h.XMLName,
				Reason: "the server refuses the request: " + reason})
			if in.refusal == "" {
				in.refusal = reason
			}
			continue
		}
		headers = append(headers, Violation{Operation: op, Path: "Envelope/Header", Element: h.XMLName,
			Reason: "the service declares no SOAP header: the server ignores it"})
	}
	rec.Violations = append(headers, in.violations...)
	s.record(rec)
	if in.refusal != "" {
		soapsrv.WriteFault(w, v, 0, clientFault(in.refusal))
		return
	}

	if op == "Connect" {
		s.connect(w, v, sid, in)
		return
	}

	s.mu.Lock()
	sess := s.sessions[sid]
	live := sess != nil && sess.authenticated
	if op == "PingConnection" {
		s.mu.Unlock()
		writeResult(w, v, op, element("PingConnectionResult", strconv.FormatBool(live)))
		return
	}
	if !live {
		s.mu.Unlock()
		soapsrv.WriteFault(w, v, 0, soapsrv.FaultSpec{Code: "Server", Reason: NotConnectedReason})
		return
	}
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		s.mu.Unlock()
		if f.Code != "" && (op == "RevokeToken" || op == "RemoveUser") {
			writeResult(w, v, op, element(op+"Result", f.Code))
			return
		}
		msg := f.Message
		if msg == "" {
			msg = "Failure injected by provisioningtest."
		}
		soapsrv.WriteFault(w, v, 0, asmxFault(msg))
		return
	}
	inner, fault := s.handle(in)
	s.mu.Unlock()
	if fault != nil {
		soapsrv.WriteFault(w, v, 0, *fault)
		return
	}
	writeResult(w, v, op, inner)
}

// mustUnderstand reports whether a header block's mustUnderstand attribute (of the envelope's
// namespace) is true.
func mustUnderstand(attrs []xml.Attr, v soapx.Version) bool {
	for _, a := range attrs {
		if a.Name.Local == "mustUnderstand" && a.Name.Space == v.Namespace() {
			return a.Value == "1" || a.Value == "true"
		}
	}
	return false
}

// record keeps a request and its violations.
func (s *Server) record(r Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.violations = append(s.violations, r.Violations...)
	s.mu.Unlock()
}

// writeResult answers <opResponse xmlns=ns>inner</opResponse>, from the fake's own template
// of the answer.
func writeResult(w http.ResponseWriter, v soapx.Version, op, inner string) {
	_ = soapsrv.WriteResponse(w, v, 0, nil, []byte(`<`+op+`Response xmlns="`+ns+`">`+inner+`</`+op+`Response>`))
}

// element is <name>value</name>, value escaped.
func element(name, value string) string {
	var b strings.Builder
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(&b, []byte(value))
	b.WriteString("</" + name + ">")
	return b.String()
}

// connect answers Connect. Like ASP.NET, it starts a session (and sets its cookie) when the
// request has none the server knows, and authenticates that session on success.
func (s *Server) connect(w http.ResponseWriter, v soapx.Version, sid string, in *call) {
	res, challenge := s.authenticate(in.str("OperatorEmail"), in.str("OTP"))
	s.mu.Lock()
	s.logins++
	sess := s.sessions[sid]
	if sess == nil {
		sid = newSessionID()
		sess = &session{}
		s.sessions[sid] = sess
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	sess.authenticated = res == provisioning.ConnectAuthSuccess
	s.mu.Unlock()
	inner := element("ConnectResult", string(res))
	if challenge != "" {
		inner += element("challenge", challenge)
	}
	writeResult(w, v, "Connect", inner)
}

// handle runs an operation of a live session, with s.mu held, and returns the inner XML of
// its response element.
func (s *Server) handle(in *call) (string, *soapsrv.FaultSpec) {
	org := in.str("organization")
	switch in.op {
	case "GetProvisioningTaskCount":
		return element("GetProvisioningTaskCountResult", strconv.Itoa(len(s.orgs[org]))), nil

	case "GetProvisioningTasksForUserCount":
		return element("GetProvisioningTasksForUserCountResult", strconv.Itoa(len(s.tasksOfUser(org, in.str("user"))))), nil

	case "GetProvisioningTasks":
		return tasksTable(in.op, page(s.orgs[org], in.int("startRecord"), in.int("numberOfRecords")), false)

	case "GetProvisioningTasksForUser":
		return tasksTable(in.op, page(s.tasksOfUser(org, in.str("user")), in.int("startRecord"), in.int("numberOfRecords")), true)

	case "GetProvisioningTaskDetails":
		var users []TaskUser
		if t := s.find(org, in.int("taskID")); t != nil {
			users = t.Users
		}
		return detailsTable(in.op, users)

	case "RemoveProvisioningTask":
		// Inferred: the service's answer to an unknown task is not documented; a thrown
		// exception (a Fault) is the usual ASMX outcome.
		t := s.find(org, in.int("taskID"))
		if t == nil {
			f := asmxFault(fmt.Sprintf("Provisioning task %d was not found.", in.int("taskID")))
			return "", &f
		}
		s.orgs[org] = deleteTask(s.orgs[org], t)
		return "", nil

	case "RemoveUsersFromProvisioningTask":
		names, ok := in.list("userNames")
		if !ok {
			f := asmxFault("System.ArgumentNullException: Value cannot be null.\nParameter name: userNames")
			return "", &f
		}
		changed := false
		if t := s.find(org, in.int("taskID")); t != nil {
			n := len(t.Users)
			t.Users = deleteUsers(t.Users, names)
			changed = len(t.Users) < n
		}
		return element("RemoveUsersFromProvisioningTaskResult", strconv.FormatBool(changed)), nil

	case "UpdateProvisioningStopDate":
		names, ok := in.list("userNames")
		if !ok {
			f := asmxFault("System.ArgumentNullException: Value cannot be null.\nParameter name: userNames")
			return "", &f
		}
		changed := false
		if t := s.find(org, in.int("taskID")); t != nil {
			for i := range t.Users {
				if hasName(names, t.Users[i].UserName) {
					t.Users[i].StopDate = in.time("newStopDate")
					changed = true
				}
			}
		}
		return element("UpdateProvisioningStopDateResult", strconv.FormatBool(changed)), nil
	}
	if inner, fault, ok := s.handleToken(in); ok {
		return inner, fault
	}
	f := asmxFault(fmt.Sprintf("operation %s not implemented by provisioningtest", in.op))
	return "", &f
}

func internalError(err error) *soapsrv.FaultSpec {
	f := asmxFault("provisioningtest: " + err.Error())
	return &f
}

// page cuts records [start, start+n) out of tasks; records are counted from 0.
func page(tasks []*Task, start, n int) []*Task {
	if start < 0 || n <= 0 || start >= len(tasks) {
		return nil
	}
	return tasks[start:min(start+n, len(tasks))]
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

func hasName(names []string, user string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, user) })
}

func deleteUsers(users []TaskUser, names []string) []TaskUser {
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

func tasksTable(op string, tasks []*Task, withStatus bool) (string, *soapsrv.FaultSpec) {
	cols := taskColumns
	if withStatus {
		cols = userTaskColumns
	}
	rows := make([][]*string, len(tasks))
	for i, t := range tasks {
		row := []*string{num(t.ID), cell(t.Operator), date(t.StartDate), num(len(t.Users)), cell(t.TokenOption), date(t.StopDate)}
		if withStatus {
			row = append(row, cell(t.Status))
		}
		rows[i] = row
	}
	return table(op, tasksTableName, cols, rows)
}

func detailsTable(op string, users []TaskUser) (string, *soapsrv.FaultSpec) {
	rows := make([][]*string, len(users))
	for i, u := range users {
		rows[i] = []*string{cell(u.UserID), cell(u.UserName), date(u.StartDate), date(u.StopDate),
			cell(u.Status), cell(u.SerialNumber), cell(u.Description)}
	}
	return table(op, detailsTableName, detailColumns, rows)
}

// table is the <opResult> element holding a DataTable as .NET writes it.
func table(op, name string, cols []dataset.Column, rows [][]*string) (string, *soapsrv.FaultSpec) {
	var buf bytes.Buffer
	buf.WriteString("<" + op + "Result>")
	if err := dataset.Write(&buf, name, cols, rows); err != nil {
		return "", internalError(err)
	}
	buf.WriteString("</" + op + "Result>")
	return buf.String(), nil
}

// cell, num and date give a column value; empty strings and zero times are NULL (omitted).
func cell(s string) *string {
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
