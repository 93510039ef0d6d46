package projectortest

import (
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/projector"
)

// Messages the fake sends. Texts of documented codes are Projector's; the codes
// for bad credentials and for a user still in use are not documented, so the fake sends
// mnemonics of its own without a number.
var (
	msgInvalidSessionTicket = projector.Message{Type: projector.MessageError, ErrorNumber: projector.CodeInvalidSessionTicket,
		ErrorCode: "InvalidSessionTicket", AdditionalErrorText: "Error 10004: InvalidSessionTicket",
		ErrorText: "The specified session ticket is invalid. Please verify you are issuing this request against the correct instance of Projector."}
	msgInvalidSession = projector.Message{Type: projector.MessageError, ErrorNumber: projector.CodeInvalidSession,
		ErrorCode: "InvalidSession", ErrorText: "The specified session is not valid or is no longer valid. Please re-establish a session."}
	msgEntityNotFound = projector.Message{Type: projector.MessageError, ErrorNumber: projector.CodeEntityNotFound,
		ErrorCode: "EntityNotFound", ErrorText: "Entity PwsUserRef was not found."}
	msgViewPermissionDenied = projector.Message{Type: projector.MessageError, ErrorNumber: projector.CodeViewPermissionDenied,
		ErrorCode: "ViewPermissionDenied", ErrorText: "You do not have permission to view this item."}
	msgRateLimit = projector.Message{ErrorNumber: projector.CodeRequestExceededRateLimit, ErrorCode: "RequestExceededRateLimit",
		ErrorText: "The request exceeded the rate limit. Pause before retrying."}
	msgAuthenticationFailed = projector.Message{Type: projector.MessageError, ErrorCode: "AuthenticationFailed",
		ErrorText: "The account code, user name or password is not valid. (projectortest: Projector's code is undocumented)"}
	msgUserInUse = projector.Message{Type: projector.MessageError, ErrorCode: "UserInUse",
		ErrorText: "The user is referenced elsewhere and cannot be deleted; set EndDateIfInUse to make it inactive. (projectortest: Projector's code is undocumented)"}
)

// failureMessage is the PwsMessage of a Failure: Projector's documented message for its Code,
// with the Failure's own texts when set.
func failureMessage(f Failure) projector.Message {
	m := projector.Message{Type: projector.MessageError, ErrorNumber: f.Code, ErrorCode: "InjectedError",
		ErrorText: "projectortest: injected error"}
	if f.Code != 0 {
		m.ErrorCode, m.ErrorText = "Error"+strconv.Itoa(f.Code), m.ErrorText+" "+strconv.Itoa(f.Code)
	}
	for _, known := range []projector.Message{msgInvalidSessionTicket, msgInvalidSession, msgEntityNotFound, msgViewPermissionDenied, msgRateLimit} {
		if f.Code != 0 && known.ErrorNumber == f.Code {
			m = known
			m.Type = projector.MessageError
		}
	}
	if f.Message != "" {
		m.ErrorText = f.Message
	}
	if f.ErrorCode != "" {
		m.ErrorCode = f.ErrorCode
	}
	return m
}

// answerFailure answers op with f.
func answerFailure(op string, requestID int32, f Failure, warnings []projector.Message) (int, []byte) {
	m := failureMessage(f)
	if f.Fault {
		return http.StatusInternalServerError, pwsFault(m.ErrorText, append(warnings, m))
	}
	return fail(op, requestID, append(warnings, m)...)
}

// ServeHTTP answers like WCF's basicHttpBinding would. Every request it refuses is recorded
// with a Violation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.enter()
	defer s.leave()
	if r.URL.Path != s.opts.Path {
		http.Error(w, "projectortest: no service at "+r.URL.Path, http.StatusNotFound)
		return
	}
	rec := Request{Action: soapAction(r.Header.Get("SOAPAction")), ContentType: r.Header.Get("Content-Type"), Host: r.Host}
	if op, ok := operations[rec.Action]; ok {
		rec.Operation = op.name
	}
	refuse := func(reason string) {
		rec.Violations = append(rec.Violations, Violation{Operation: rec.Operation, Path: rec.Operation, Reason: refused + reason})
		s.record(rec)
	}
	// basicHttpBinding speaks SOAP 1.1 only: any other media type (SOAP 1.2's
	// application/soap+xml included) is refused with 415 before the envelope is read.
	mt, params, err := mime.ParseMediaType(rec.ContentType)
	if r.Method == http.MethodPost && (err != nil || mt != "text/xml" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"))) {
		refuse(fmt.Sprintf("content type %q, not text/xml; charset=utf-8 (HTTP 415)", rec.ContentType))
		http.Error(w, fmt.Sprintf("Cannot process the message because the content type %q was not the expected type 'text/xml; charset=utf-8'.", rec.ContentType),
			http.StatusUnsupportedMediaType)
		return
	}
	req, err := soapsrv.ReadRequest(r, 1<<20)
	if err != nil {
		refuse("not a SOAP 1.1 request: " + err.Error())
		soapsrv.WriteRequestError(w, err)
		return
	}
	rec.Action, rec.ContentType, rec.Body = req.Action, req.ContentType, req.Body
	op, ok := operations[req.Action]
	if !ok {
		refuse(fmt.Sprintf("SOAPAction %q names no operation of the contract (ActionNotSupported)", req.Action))
		writeXML(w, http.StatusInternalServerError, wcfFault(nsAddressingNone, "ActionNotSupported",
			fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.", req.Action)))
		return
	}
	rec.Operation = op.name
	tree, err := parseTree(req.Body)
	if err == nil && tree.Name != (xml.Name{Space: nsPWS, Local: op.name}) {
		err = fmt.Errorf("expected element %q from namespace %q, found {%s}%s", op.name, nsPWS, tree.Name.Space, tree.Name.Local)
	}
	if err != nil {
		refuse("body does not deserialize (DeserializationFailed): " + err.Error())
		writeXML(w, http.StatusInternalServerError, wcfFault(nsWCFDispatcher, "DeserializationFailed",
			"OperationFormatter encountered an invalid Message body: "+err.Error()))
		return
	}
	wrapper := []member{contract(xml.Name{Space: nsPWS, Local: "serviceRequest"}, op.members...)}
	filter(op.name, op.name, tree, wrapper, func(v Violation) { rec.Violations = append(rec.Violations, v) })
	if err := checkValues(op.name, tree); err != nil {
		refuse("value does not deserialize (DeserializationFailed): " + err.Error())
		writeXML(w, http.StatusInternalServerError, wcfFault(nsWCFDispatcher, "DeserializationFailed",
			"The formatter threw an exception while trying to deserialize the message: "+err.Error()))
		return
	}
	read(&rec, tree)
	s.record(rec)
	status, body := s.dispatch(r, &rec)
	writeXML(w, status, body)
}

// soapAction is a SOAPAction header without its quotes.
func soapAction(h string) string {
	h = strings.TrimSpace(h)
	if len(h) >= 2 && h[0] == '"' && h[len(h)-1] == '"' {
		return h[1 : len(h)-1]
	}
	return h
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	s.violations = append(s.violations, rec.Violations...)
	if rec.Operation == "PwsAuthenticate" {
		s.logins++
	}
}

func (s *Server) enter() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
}

func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
}

// dispatch runs the operation and returns the HTTP status and envelope to answer.
func (s *Server) dispatch(r *http.Request, rec *Request) (int, []byte) {
	// Rate limiting comes first: in error mode the service fails "before it is even
	// internally invoked".
	var warnings []projector.Message
	s.mu.Lock()
	if s.rateLeft > 0 {
		s.rateLeft--
		m := msgRateLimit
		if s.rateMode == RateLimitFault {
			s.mu.Unlock()
			m.Type = projector.MessageError
			return http.StatusInternalServerError, pwsFault("RequestExceededRateLimit", []projector.Message{m})
		}
		m.Type = projector.MessageWarning
		warnings = append(warnings, m)
	}
	s.mu.Unlock()

	switch rec.Operation {
	case "PwsAuthenticate":
		return s.authenticate(rec.Authenticate, rec.RequestID, warnings)
	case "PwsUnauthenticate":
		if status, body, ok := s.checkTicket(rec); !ok {
			return status, body
		}
		s.mu.Lock()
		delete(s.tickets, rec.SessionTicket)
		s.mu.Unlock()
		return http.StatusOK, result(rec.Operation, func(b *xw) {
			b.base(warnings, rec.RequestID, statusOf(warnings), time.Now())
		})
	case "PwsGetUserList":
		if status, body, ok := s.checkTicket(rec); !ok {
			return status, body
		}
		return s.getUserList(rec.GetUserList, rec.RequestID, warnings)
	default:
		if status, body, ok := s.checkTicket(rec); !ok {
			return status, body
		}
		return s.deleteUser(r, rec.DeleteUser, rec.RequestID, warnings)
	}
}

func statusOf(msgs []projector.Message) projector.Status {
	for _, m := range msgs {
		if m.Type == projector.MessageWarning {
			return projector.StatusOkWithWarnings
		}
	}
	return projector.StatusOk
}

// fail answers op with Status Fail and msgs.
func fail(op string, requestID int32, msgs ...projector.Message) (int, []byte) {
	return http.StatusOK, result(op, func(b *xw) { b.base(msgs, requestID, projector.StatusFail, time.Now()) })
}

// checkTicket refuses an unknown ticket (10004) or an expired one (-101).
func (s *Server) checkTicket(rec *Request) (int, []byte, bool) {
	s.mu.Lock()
	valid, issued := s.tickets[rec.SessionTicket]
	s.mu.Unlock()
	if valid {
		return 0, nil, true
	}
	m := msgInvalidSessionTicket
	if issued {
		m = msgInvalidSession
	}
	if s.opts.SessionFaults {
		return http.StatusInternalServerError, pwsFault(m.ErrorText, []projector.Message{m}), false
	}
	status, body := fail(rec.Operation, rec.RequestID, m)
	return status, body, false
}

func (s *Server) authenticate(rq *AuthenticateRequest, requestID int32, warnings []projector.Message) (int, []byte) {
	const op = "PwsAuthenticate"
	if rq == nil || rq.AccountCode != s.opts.AccountCode || rq.UserName != s.opts.UserName || rq.Password != s.opts.Password {
		return fail(op, requestID, append(warnings, msgAuthenticationFailed)...)
	}
	s.mu.Lock()
	redirect := s.redirect
	var ticket string
	if redirect == "" {
		ticket = s.newTicket()
	}
	s.mu.Unlock()
	return http.StatusOK, result(op, func(b *xw) {
		b.base(warnings, requestID, statusOf(warnings), time.Now())
		if redirect != "" {
			b.WriteString(`<a:AccountIdentity i:nil="true" xmlns:b="` + nsCom + `"/>`)
		} else {
			b.WriteString(`<a:AccountIdentity xmlns:b="` + nsCom + `">`)
			b.str("b:AccountCode", s.opts.AccountCode)
			b.elem("b:AccountId", "1", false)
			b.elem("b:AccountUid", "1152921504606846977", false)
			b.WriteString(`</a:AccountIdentity>`)
		}
		b.str("a:DocumentServerUrl", "")
		b.str("a:RedirectUrl", redirect)
		b.str("a:SessionTicket", ticket)
		b.elem("a:SuperUserFlag", "false", false)
		if redirect != "" {
			b.userRef("a:UserIdentity", nil)
		} else {
			b.userRef("a:UserIdentity", &User{DisplayName: "Offboard Admin", ReferenceSystemID: s.opts.UserName})
		}
	})
}

func (s *Server) deleteUser(r *http.Request, rq *DeleteUserRequest, requestID int32, warnings []projector.Message) (int, []byte) {
	const op = "PwsDeleteUser"
	s.mu.Lock()
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		return answerFailure(op, requestID, f, warnings)
	}
	u := s.lookup(rq.UserIdentity)
	if u == nil {
		return fail(op, requestID, append(warnings, msgEntityNotFound)...)
	}
	if u.InUse {
		if rq.EndDateIfInUse.IsZero() {
			ts := u.Timestamp
			return http.StatusOK, result(op, func(b *xw) {
				b.base(append(warnings, msgUserInUse), requestID, projector.StatusFail, time.Now())
				b.str("a:Timestamp", ts)
				b.userRef("a:UserIdentity", u)
			})
		}
		u.State, u.EndDate, u.Timestamp = Inactive, rq.EndDateIfInUse.UTC(), s.rowVersion()
	} else {
		u.State = Removed
	}
	u.Updated = s.opts.Now()
	out := *u
	return http.StatusOK, result(op, func(b *xw) {
		b.base(warnings, requestID, statusOf(warnings), time.Now())
		if out.State == Inactive {
			b.str("a:Timestamp", out.Timestamp)
		} else {
			b.str("a:Timestamp", "")
		}
		b.userRef("a:UserIdentity", &out)
	})
}

// lookup finds the live user matching every key given in ref; s.mu held.
func (s *Server) lookup(ref *UserRef) *User {
	if ref == nil || (ref.UserReferenceSystemID == "" && ref.UserID == 0 && ref.UserUID == 0) {
		return nil
	}
	for _, u := range s.users {
		if u.State == Removed {
			continue
		}
		if (ref.UserReferenceSystemID == "" || ref.UserReferenceSystemID == u.ReferenceSystemID) &&
			(ref.UserID == 0 || ref.UserID == u.UserID) && (ref.UserUID == 0 || ref.UserUID == u.UID) {
			return u
		}
	}
	return nil
}

func formatUID(uid int64) string { return strconv.FormatInt(uid, 10) }
