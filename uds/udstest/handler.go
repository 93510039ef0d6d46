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
)

const (
	transactionNS = "http://ws.arcot.com/UDSTransaction/1.0"
	msgsNS        = "http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs"
	requestLimit  = 1 << 20
)

// Request is one request the fake received.
type Request struct {
	// Operation is the wire operation the action named ("updateUserStatus", "deleteUser"…);
	// "" when the request was not dispatched (unknown action, not SOAP 1.2).
	Operation   string
	Action      string // the action parameter of the Content-Type (else the SOAPAction header)
	ContentType string // the Content-Type header as sent
	// Violations are the request's deviations from the fake's statement of the contract
	// (also in Server.Violations). A deviation in the body or the envelope is refused with a
	// Sender Fault, as the server's strict data binding would.
	Violations []Violation
	// SOAPVersion is the version of the envelope received: "1.2", or "1.1" (refused with a
	// VersionMismatch Fault); "" when it was not read.
	SOAPVersion string
	// AnA holds the AnA header blocks, as received.
	AnA AnAHeader
	// Call holds the values of a dispatched request as the fake read them from the XML
	// against its own statement of the contract; nil when not dispatched.
	Call *Call
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

// The SOAP actions of the binding (soap12:operation soapAction), from the vendor's WSDL.
var operations = [...]operation{
	{"updateUserStatus", "urn:UDS.UpdateUserStatus", xml.Name{Space: msgsNS, Local: "updateUserStatusRequest"}},
	{"getUserStatus", "urn:UDS.GetUserStatus", xml.Name{Space: msgsNS, Local: "getUserStatusRequest"}},
	{"retrieveUser", "urn:UDS.RetrieveUser", xml.Name{Space: msgsNS, Local: "retrieveUserRequest"}},
	{"deleteUser", "urn:UDS.DeleteUser", xml.Name{Space: msgsNS, Local: "deleteUserRequest"}},
	{"listUserAccounts", "urn:UDS.ListUserAccounts", xml.Name{Space: msgsNS, Local: "listUserAccountRequest"}},
	{"deleteUserAccount", "urn:UDS.DeleteUserAccount", xml.Name{Space: msgsNS, Local: "deleteUserAccountRequest"}},
}

// reply collects what goes back: response header blocks, then a body or a Fault.
type reply struct {
	txID, newToken string
}

// headers are the response header blocks, in the layout of the vendor's samples: direct
// children of Header in the UDSTransaction namespace.
func (r *reply) headers() []any {
	var b xmlw
	b.WriteString(`<udsTransactionID xmlns="` + transactionNS + `">`)
	b.text(r.txID)
	b.WriteString(`</udsTransactionID>`)
	if r.newToken != "" {
		b.WriteString(`<authToken xmlns="` + transactionNS + `">`)
		b.text(r.newToken)
		b.WriteString(`</authToken>`)
	}
	return []any{[]byte(b.String())}
}

// soap11Envelope is the element a SOAP 1.1 request starts with.
var soap11Envelope = xml.Name{Space: soapx.SOAP11.Namespace(), Local: "Envelope"}

// ServeHTTP answers like Axis2 hosting ArcotUserRegistrySvc. What the server would refuse
// before any UDS code runs (another path, not a SOAP 1.2 POST, an unknown action) is a
// Violation too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != uds.ServicePath {
		s.violate(Violation{Path: "URL", Reason: fmt.Sprintf("no service at %s (the endpoint is %s)", r.URL.Path, uds.ServicePath)})
		http.Error(w, "<html><body><h1>404 Not Found</h1></body></html>", http.StatusNotFound)
		return
	}
	req, err := soapsrv.ReadRequest(r, requestLimit)
	if err != nil {
		// Refused by the SOAP stack before any UDS code runs: a VersionMismatch Fault for a
		// SOAP 1.1 envelope, 405/415/413 as plain HTTP, a Sender Fault for bad XML.
		var re *soapsrv.RequestError
		if errors.As(err, &re) && errors.Is(err, soapsrv.ErrVersionMismatch) {
			s.record(Request{Action: actionOf(r), ContentType: r.Header.Get("Content-Type"), SOAPVersion: versionName(re.Version),
				Violations: []Violation{{Path: "Envelope", Element: soap11Envelope, Reason: "a SOAP 1.1 envelope: the service is bound to SOAP 1.2 only"}}})
		} else {
			s.violate(Violation{Path: "HTTP", Reason: "refused by the SOAP stack: " + err.Error()})
		}
		soapsrv.WriteRequestError(w, err)
		return
	}
	rec := Request{Action: req.Action, ContentType: req.ContentType, SOAPVersion: versionName(req.Version), AnA: readAnA(req.Headers)}
	if req.Version != soapx.SOAP12 {
		// The service is bound to SOAP 1.2 only: a 1.1 envelope is answered by the SOAP
		// stack itself, before any UDS code runs (no transaction id, no AnA).
		rec.Violations = []Violation{{Path: "Envelope", Element: soap11Envelope, Reason: "a SOAP 1.1 envelope: the service is bound to SOAP 1.2 only"}}
		s.record(rec)
		soapsrv.WriteVersionMismatch(w)
		return
	}
	rp := &reply{txID: newID(8)}
	rec.TransactionID = rp.txID
	if _, params, err := mime.ParseMediaType(req.ContentType); err != nil || params["action"] == "" {
		// SOAP 1.2 carries the soapAction as the action parameter of the Content-Type (a
		// SOAPAction header is SOAP 1.1's and not what the binding states).
		rec.Violations = append(rec.Violations, Violation{Path: "Content-Type",
			Reason: fmt.Sprintf("no action parameter in %q (SOAP 1.2 carries the soapAction there)", req.ContentType)})
	}
	op, fault, v := dispatch(req)
	if v != nil {
		rec.Violations = append(rec.Violations, *v)
	}
	if fault == nil {
		rec.Operation = op.name
		// Every request is read against the fake's own statement of the contract, and its
		// values from the XML itself.
		var vs []Violation
		rec.Call, vs, err = readCall(op.name, req.Body)
		rec.Violations = append(rec.Violations, vs...)
		switch {
		case err != nil:
			fault = &Failure{FaultCode: "Sender", Code: uds.CodeInvalidInput, Message: "Unable to read " + op.element.Local + ": " + err.Error()}
		case len(vs) > 0:
			// ADB refuses what its strict reader does not expect, before any UDS code runs.
			fault = &Failure{FaultCode: "Sender", Code: uds.CodeInvalidInput,
				Message: "org.apache.axis2.databinding.ADBException: " + vs[0].String()}
		}
	}
	s.record(rec)
	var body []byte
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

// versionName names a SOAP version as Request.SOAPVersion does.
func versionName(v soapx.Version) string {
	switch v {
	case soapx.SOAP11:
		return "1.1"
	case soapx.SOAP12:
		return "1.2"
	}
	return ""
}

// dispatch finds the operation from the Content-Type action, and checks that the body
// element is that operation's request, in its namespace; a failure comes with its Violation.
func dispatch(req *soapsrv.Request) (operation, *Failure, *Violation) {
	for _, op := range operations {
		if op.action != req.Action {
			continue
		}
		if req.BodyName != op.element {
			return op, &Failure{FaultCode: "Sender", Code: uds.CodeInvalidInput,
					Message: fmt.Sprintf("Unexpected element {%s}%s in the body of %s; expected {%s}%s",
						req.BodyName.Space, req.BodyName.Local, op.action, op.element.Space, op.element.Local)},
				&Violation{Operation: op.name, Path: "Body", Element: req.BodyName,
					Reason: fmt.Sprintf("expected {%s}%s for action %s", op.element.Space, op.element.Local, op.action)}
		}
		return op, nil, nil
	}
	return operation{}, &Failure{FaultCode: "Sender", Message: fmt.Sprintf(
			"The endpoint reference (EPR) for the Operation not found is %s and the WSA Action = %s", uds.ServicePath, req.Action)},
		&Violation{Path: "Content-Type", Element: req.BodyName, Reason: fmt.Sprintf("unknown action %q", req.Action)}
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

// violate records a violation of a request that is not recorded (refused before it was read).
func (s *Server) violate(v Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, v)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.violations = append(s.violations, r.Violations...)
}

// process runs AnA and the operation: it returns the response body, or a failure.
func (s *Server) process(rec *Request, rp *reply) ([]byte, *Failure) {
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
	return s.perform(rec.Operation, rec.Call)
}

// authenticate checks the AnA headers: a token if one is presented, else the credentials.
func (s *Server) authenticate(h AnAHeader, rp *reply) *Failure {
	now := s.cfg.Now()
	if h.AuthToken != "" {
		exp, ok := s.tokens[h.AuthToken]
		switch {
		case !ok:
			return &Failure{FaultCode: "Sender", Code: s.cfg.TokenErrorNumbers[0], Message: "The authentication token is invalid."}
		case !now.Before(exp):
			return &Failure{FaultCode: "Sender", Code: s.cfg.TokenErrorNumbers[1], Message: "The authentication token has expired."}
		}
		return nil
	}
	if h.UserID == "" || h.Credential == "" {
		return &Failure{FaultCode: "Sender", Code: uds.CodeAccessDenied, Message: "Access is denied."}
	}
	s.logins++
	a := s.cfg.Admin
	if h.UserID != a.UserID || !strings.EqualFold(h.OrgName, a.OrgName) || h.Credential != a.Credential {
		s.authFails++
		return &Failure{FaultCode: "Sender", Code: s.cfg.BadCredentialNumber, Message: "Authentication failed: invalid user or credential."}
	}
	rp.newToken = newID(24)
	s.tokens[rp.newToken] = now.Add(s.cfg.TokenTTL)
	return nil
}

// authorize applies targetorg: when the request names target organisations (and not all
// organisations), every user it touches must be in one of them.
func (s *Server) authorize(rec *Request) *Failure {
	h := rec.AnA
	if len(h.TargetOrgs) == 0 || strings.EqualFold(h.TargetAllOrgs, "TRUE") {
		return nil
	}
	for _, u := range rec.Call.Users {
		o := u.OrgName
		if o == "" {
			o = s.cfg.DefaultOrg
		}
		if !slices.ContainsFunc(h.TargetOrgs, func(t string) bool { return strings.EqualFold(t, o) }) {
			return &Failure{FaultCode: "Sender", Code: uds.CodeNotAuthorized,
				Message: fmt.Sprintf("Organization %s is not among the target organizations of the request.", o)}
		}
	}
	return nil
}

// writeFault answers a SOAP 1.2 Fault carrying the reply's header blocks (udsTransactionID,
// and authToken when this request authenticated with credentials). soapsrv.WriteFault
// writes no header blocks, so the Fault goes out as a literal body through WriteResponse;
// it declares its own prefix, whatever the envelope's is. The detail is msgs:userRegistryError
// (UdsRegistryErrorType: errorContext?, errorMessage, errorNumber, in UserSchema).
func writeFault(w http.ResponseWriter, rp *reply, f Failure) {
	code := f.FaultCode
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
	if f.Code != "" {
		b.WriteString(`<env:Detail><ns3:userRegistryError xmlns:ns3="` + msgsNS + `" xmlns:ns1="` + udsNS + `">`)
		if f.Context != "" {
			b.WriteString(`<ns1:errorContext>` + escape(f.Context) + `</ns1:errorContext>`)
		}
		b.WriteString(`<ns1:errorMessage>` + escape(f.Message) + `</ns1:errorMessage>`)
		b.WriteString(`<ns1:errorNumber>` + escape(f.Code) + `</ns1:errorNumber>`)
		b.WriteString(`</ns3:userRegistryError></env:Detail>`)
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
