package udstest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

const (
	transactionNS = "http://ws.arcot.com/UDSTransaction/1.0"
	msgsNS        = "http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs"
	requestLimit  = 1 << 20
)

// Request is one request the fake received, decoded into the generated types.
type Request struct {
	Operation string        // "updateUserStatus", "getUserStatus", or "" when not dispatched
	Action    string        // the action parameter of the Content-Type
	Version   soapx.Version // envelope version received
	AnA       AnAHeader
	// Exactly one of Update, Get and Call is set for a dispatched request.
	Update *udswsdl.UpdateUserStatusRequest
	Get    *udswsdl.GetUserStatusRequest
	// Call is a retrieveUser, deleteUser, listUserAccounts or deleteUserAccount request as
	// the fake read it against its own statement of the contract (contract.go), not through
	// the generated types; Violations are its deviations from that contract.
	Call       *Call
	Violations []Violation
	// TransactionID is the udsTransactionID the fake answered with ("" when it sent none).
	TransactionID string
}

// AnAHeader holds the AnA header blocks of a request, as received.
type AnAHeader struct {
	UserID, OrgName, Credential, AuthToken string
	TargetOrgs                             []string
	TargetAllOrgs, GlobalEntity            string
	// Other lists header blocks the fake did not recognise (e.g. an AnA element in the
	// wrong namespace, which the service would not see either).
	Other []xml.Name
}

// operation describes one dispatchable operation: its action and its request element.
type operation struct {
	name, action string
	element      xml.Name
}

var operations = [...]operation{
	{"updateUserStatus", udswsdl.ActionUpdateUserStatus, xml.Name{Space: msgsNS, Local: "updateUserStatusRequest"}},
	{"getUserStatus", udswsdl.ActionGetUserStatus, xml.Name{Space: msgsNS, Local: "getUserStatusRequest"}},
	{"retrieveUser", "urn:UDS.RetrieveUser", xml.Name{Space: msgsNS, Local: "retrieveUserRequest"}},
	{"deleteUser", "urn:UDS.DeleteUser", xml.Name{Space: msgsNS, Local: "deleteUserRequest"}},
	{"listUserAccounts", "urn:UDS.ListUserAccounts", xml.Name{Space: msgsNS, Local: "listUserAccountRequest"}},
	{"deleteUserAccount", "urn:UDS.DeleteUserAccount", xml.Name{Space: msgsNS, Local: "deleteUserAccountRequest"}},
}

// reply collects what goes back: response header blocks, then a body or a Fault.
type reply struct {
	txID, newToken string
}

func (r *reply) headers() []any {
	h := []any{&udswsdl.UdsTransactionID{Value: r.txID}}
	if r.newToken != "" {
		h = append(h, &udswsdl.AuthToken{Value: r.newToken})
	}
	return h
}

// ServeHTTP answers like Axis2 hosting ArcotUserRegistrySvc.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != uds.ServicePath {
		http.Error(w, "<html><body><h1>404 Not Found</h1></body></html>", http.StatusNotFound)
		return
	}
	req, err := soapsrv.ReadRequest(r, requestLimit)
	if err != nil {
		// Refused by the SOAP stack before any UDS code runs: a VersionMismatch Fault for a
		// SOAP 1.1 envelope, 405/415/413 as plain HTTP, a Sender Fault for bad XML.
		var re *soapsrv.RequestError
		if errors.As(err, &re) && errors.Is(err, soapsrv.ErrVersionMismatch) {
			s.record(Request{Action: actionOf(r), Version: re.Version})
		}
		soapsrv.WriteRequestError(w, err)
		return
	}
	rec := Request{Action: req.Action, Version: req.Version, AnA: readAnA(req.Headers)}
	if req.Version != soapx.SOAP12 {
		// The service is bound to SOAP 1.2 only: a 1.1 envelope is answered by the SOAP
		// stack itself, before any UDS code runs (no transaction id, no AnA).
		s.record(rec)
		soapsrv.WriteVersionMismatch(w)
		return
	}
	rp := &reply{txID: newID(8)}
	rec.TransactionID = rp.txID
	op, fault := dispatch(req)
	if fault == nil {
		rec.Operation = op.name
		// Every request is held to the fake's own statement of the contract first; the
		// status operations' values are then read into the wire types the tests inspect.
		rec.Call, rec.Violations, err = readCall(op.name, req.Body)
		if err == nil && len(rec.Violations) == 0 {
			switch op.name {
			case "updateUserStatus":
				rec.Call, rec.Update = nil, new(udswsdl.UpdateUserStatusRequest)
				err = req.Decode(rec.Update)
			case "getUserStatus":
				rec.Call, rec.Get = nil, new(udswsdl.GetUserStatusRequest)
				err = req.Decode(rec.Get)
			}
		}
		switch {
		case err != nil:
			fault = &Fault{Code: "Sender", Number: uds.CodeInvalidInput, Message: "Unable to read " + op.element.Local + ": " + err.Error()}
		case len(rec.Violations) > 0:
			// ADB refuses what its strict reader does not expect, before any UDS code runs.
			fault = &Fault{Code: "Sender", Number: uds.CodeInvalidInput,
				Message: "org.apache.axis2.databinding.ADBException: " + rec.Violations[0].String()}
		}
	}
	s.record(rec)
	var body any
	if fault == nil {
		body, fault = s.process(&rec, rp)
	}
	if fault != nil {
		writeFault(w, rp, *fault)
		return
	}
	_ = soapsrv.WriteResponse(w, soapx.SOAP12, http.StatusOK, rp.headers(), body)
}

// actionOf reads the action of a request that soapsrv refused: the action parameter of a
// SOAP 1.2 Content-Type, else the SOAPAction header.
func actionOf(r *http.Request) string {
	if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && params["action"] != "" {
		return params["action"]
	}
	return strings.Trim(r.Header.Get("SOAPAction"), `"`)
}

// dispatch finds the operation from the Content-Type action, and checks that the body
// element is that operation's request, in its namespace.
func dispatch(req *soapsrv.Request) (operation, *Fault) {
	for _, op := range operations {
		if op.action != req.Action {
			continue
		}
		if req.BodyName != op.element {
			return op, &Fault{Code: "Sender", Number: uds.CodeInvalidInput,
				Message: fmt.Sprintf("Unexpected element {%s}%s in the body of %s; expected {%s}%s",
					req.BodyName.Space, req.BodyName.Local, op.action, op.element.Space, op.element.Local)}
		}
		return op, nil
	}
	return operation{}, &Fault{Code: "Sender", Message: fmt.Sprintf(
		"The endpoint reference (EPR) for the Operation not found is %s and the WSA Action = %s", uds.ServicePath, req.Action)}
}

func readAnA(headers []soapx.HeaderElement) AnAHeader {
	var h AnAHeader
	for _, e := range headers {
		if e.XMLName.Space != transactionNS {
			h.Other = append(h.Other, e.XMLName)
			continue
		}
		switch e.XMLName.Local {
		case "userID":
			h.UserID = e.Text
		case "orgName":
			h.OrgName = e.Text
		case "credential":
			h.Credential = e.Text
		case "authToken":
			h.AuthToken = e.Text
		case "targetorg":
			h.TargetOrgs = append(h.TargetOrgs, e.Text)
		case "targetAllOrgs":
			h.TargetAllOrgs = e.Text
		case "globalEntity":
			h.GlobalEntity = e.Text
		default:
			h.Other = append(h.Other, e.XMLName)
		}
	}
	return h
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.violations = append(s.violations, r.Violations...)
}

// process runs AnA and the operation: it returns the response body, or a Fault.
func (s *Server) process(rec *Request, rp *reply) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		return nil, &f
	}
	if s.cfg.AnA {
		if f := s.authenticate(rec.AnA, rp); f != nil {
			return nil, f
		}
		if f := s.authorize(rec); f != nil {
			return nil, f
		}
	}
	if rec.Call != nil {
		return s.perform(rec.Operation, rec.Call)
	}
	if rec.Update != nil {
		return s.updateUserStatus(rec.Update)
	}
	return s.getUserStatus(rec.Get)
}

// authenticate checks the AnA headers: a token if one is presented, else the credentials.
func (s *Server) authenticate(h AnAHeader, rp *reply) *Fault {
	now := s.cfg.Now()
	if h.AuthToken != "" {
		exp, ok := s.tokens[h.AuthToken]
		switch {
		case !ok:
			return &Fault{Code: "Sender", Number: s.cfg.TokenErrorNumbers[0], Message: "The authentication token is invalid."}
		case !now.Before(exp):
			return &Fault{Code: "Sender", Number: s.cfg.TokenErrorNumbers[1], Message: "The authentication token has expired."}
		}
		return nil
	}
	if h.UserID == "" || h.Credential == "" {
		return &Fault{Code: "Sender", Number: uds.CodeAccessDenied, Message: "Access is denied."}
	}
	a := s.cfg.Admin
	if h.UserID != a.UserID || !strings.EqualFold(h.OrgName, a.OrgName) || h.Credential != a.Credential {
		s.authFails++
		return &Fault{Code: "Sender", Number: s.cfg.BadCredentialNumber, Message: "Authentication failed: invalid user or credential."}
	}
	s.auths++
	rp.newToken = newID(24)
	s.tokens[rp.newToken] = now.Add(s.cfg.TokenTTL)
	return nil
}

// authorize applies targetorg: when the request names target organisations (and not all
// organisations), every user it touches must be in one of them.
func (s *Server) authorize(rec *Request) *Fault {
	h := rec.AnA
	if len(h.TargetOrgs) == 0 || strings.EqualFold(h.TargetAllOrgs, "TRUE") {
		return nil
	}
	var orgs []string
	switch {
	case rec.Update != nil:
		for _, u := range rec.Update.UserId {
			if u != nil {
				orgs = append(orgs, u.OrgName)
			}
		}
	case rec.Get != nil && rec.Get.UserId != nil:
		orgs = append(orgs, rec.Get.UserId.OrgName)
	case rec.Call != nil:
		orgs = append(orgs, rec.Call.OrgName)
	}
	for _, o := range orgs {
		if o == "" {
			o = s.cfg.DefaultOrg
		}
		if !slices.ContainsFunc(h.TargetOrgs, func(t string) bool { return strings.EqualFold(t, o) }) {
			return &Fault{Code: "Sender", Number: uds.CodeNotAuthorized,
				Message: fmt.Sprintf("Organization %s is not among the target organizations of the request.", o)}
		}
	}
	return nil
}

// writeFault answers a SOAP 1.2 Fault carrying the reply's header blocks (udsTransactionID,
// and authToken when this request authenticated with credentials). soapsrv.WriteFault
// writes no header blocks, so the Fault goes out as a literal body through WriteResponse;
// it declares its own prefix, whatever the envelope's is.
func writeFault(w http.ResponseWriter, rp *reply, f Fault) {
	code := f.Code
	if code == "" {
		code = "Receiver"
	}
	status := f.HTTPStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	var b bytes.Buffer
	b.WriteString(`<env:Fault xmlns:env="` + soapx.SOAP12.Namespace() + `">`)
	b.WriteString(`<env:Code><env:Value>env:` + escape(code) + `</env:Value></env:Code>`)
	b.WriteString(`<env:Reason><env:Text xml:lang="en">` + escape(f.Message) + `</env:Text></env:Reason>`)
	if f.Number != "" {
		b.WriteString(`<env:Detail>`)
		_ = xml.NewEncoder(&b).Encode(&udswsdl.UdsRegistryErrorType{
			ErrorContext: f.Context, ErrorMessage: f.Message, ErrorNumber: f.Number,
		})
		b.WriteString(`</env:Detail>`)
	}
	b.WriteString(`</env:Fault>`)
	var headers []any
	if rp != nil {
		headers = rp.headers()
	}
	_ = soapsrv.WriteResponse(w, soapx.SOAP12, status, headers, b.Bytes())
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
