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
	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
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

func knownMessage(number int) projector.Message {
	for _, m := range []projector.Message{msgInvalidSessionTicket, msgInvalidSession, msgEntityNotFound, msgViewPermissionDenied} {
		if m.ErrorNumber == number {
			return m
		}
	}
	if number == projector.CodeRequestExceededRateLimit {
		m := msgRateLimit
		m.Type = projector.MessageError
		return m
	}
	return projector.Message{Type: projector.MessageError, ErrorNumber: number, ErrorCode: "Error" + strconv.Itoa(number),
		ErrorText: "projectortest: injected error " + strconv.Itoa(number)}
}

// ServeHTTP answers like WCF's basicHttpBinding would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.enter()
	defer s.leave()
	if r.URL.Path != s.opts.Path {
		http.Error(w, "projectortest: no service at "+r.URL.Path, http.StatusNotFound)
		return
	}
	// basicHttpBinding speaks SOAP 1.1 only: any other media type (SOAP 1.2's
	// application/soap+xml included) is refused with 415 before the envelope is read.
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if r.Method == http.MethodPost && (err != nil || mt != "text/xml" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"))) {
		http.Error(w, fmt.Sprintf("Cannot process the message because the content type %q was not the expected type 'text/xml; charset=utf-8'.", ct),
			http.StatusUnsupportedMediaType)
		return
	}
	req, err := soapsrv.ReadRequest(r, 1<<20)
	if err != nil {
		soapsrv.WriteRequestError(w, err)
		return
	}
	rec := Request{Action: req.Action, ContentType: req.ContentType, Host: r.Host, Body: req.Body}
	op, ok := operations[req.Action]
	if !ok {
		s.record(rec)
		writeXML(w, http.StatusInternalServerError, wcfFault(nsAddressingNone, "ActionNotSupported",
			fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.", req.Action)))
		return
	}
	rec.Operation = op.name
	tree, err := parseTree(req.Body)
	if err == nil && tree.name != (xml.Name{Space: nsPWS, Local: op.name}) {
		err = fmt.Errorf("expected element %q from namespace %q, found {%s}%s", op.name, nsPWS, tree.name.Space, tree.name.Local)
	}
	if err != nil {
		s.record(rec)
		writeXML(w, http.StatusInternalServerError, wcfFault(nsWCFDispatcher, "DeserializationFailed",
			"OperationFormatter encountered an invalid Message body: "+err.Error()))
		return
	}
	wrapper := []member{{name: xml.Name{Space: nsPWS, Local: "serviceRequest"}, members: op.members}}
	filter(op.name, op.name, tree, wrapper, func(v Violation) { rec.Violations = append(rec.Violations, v) })
	kept, err := tree.bytes()
	if err == nil {
		err = s.decode(&rec, kept)
	}
	if err != nil {
		s.record(rec)
		writeXML(w, http.StatusInternalServerError, wcfFault(nsWCFDispatcher, "DeserializationFailed",
			"The formatter threw an exception while trying to deserialize the message: "+err.Error()))
		return
	}
	s.record(rec)
	status, body := s.dispatch(r, &rec)
	writeXML(w, status, body)
}

// decode fills the request's generated value from the elements WCF would have read.
func (s *Server) decode(rec *Request, kept []byte) error {
	switch rec.Operation {
	case "PwsAuthenticate":
		rec.Authenticate = new(projectorwsdl.PwsAuthenticate)
		return xml.Unmarshal(kept, rec.Authenticate)
	case "PwsUnauthenticate":
		rec.Unauthenticate = new(projectorwsdl.PwsUnauthenticate)
		return xml.Unmarshal(kept, rec.Unauthenticate)
	case "PwsGetUserList":
		rec.GetUserList = new(projectorwsdl.PwsGetUserList)
		return xml.Unmarshal(kept, rec.GetUserList)
	default:
		rec.DeleteUser = new(projectorwsdl.PwsDeleteUser)
		return xml.Unmarshal(kept, rec.DeleteUser)
	}
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	s.violations = append(s.violations, rec.Violations...)
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
	var base projectorwsdl.PwsServiceRequest
	switch {
	case rec.Authenticate != nil && rec.Authenticate.ServiceRequest != nil && rec.Authenticate.ServiceRequest.PwsServiceRequest != nil:
		base = *rec.Authenticate.ServiceRequest.PwsServiceRequest
	case rec.Unauthenticate != nil && rec.Unauthenticate.ServiceRequest != nil && rec.Unauthenticate.ServiceRequest.PwsServiceRequest != nil:
		base = *rec.Unauthenticate.ServiceRequest.PwsServiceRequest
	case rec.DeleteUser != nil && rec.DeleteUser.ServiceRequest != nil && rec.DeleteUser.ServiceRequest.PwsServiceRequest != nil:
		base = *rec.DeleteUser.ServiceRequest.PwsServiceRequest
	case rec.GetUserList != nil && rec.GetUserList.ServiceRequest != nil && rec.GetUserList.ServiceRequest.PwsServiceRequest != nil:
		base = *rec.GetUserList.ServiceRequest.PwsServiceRequest
	}

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
		return s.authenticate(rec.Authenticate.ServiceRequest, base.RequestId, warnings)
	case "PwsUnauthenticate":
		if status, body, ok := s.checkTicket(rec.Operation, base); !ok {
			return status, body
		}
		s.mu.Lock()
		delete(s.tickets, base.SessionTicket)
		s.mu.Unlock()
		return http.StatusOK, result(rec.Operation, func(b *xw) {
			b.base(warnings, base.RequestId, statusOf(warnings), time.Now())
		})
	case "PwsGetUserList":
		if status, body, ok := s.checkTicket(rec.Operation, base); !ok {
			return status, body
		}
		return s.getUserList(rec.GetUserList.ServiceRequest, base.RequestId, warnings)
	default:
		if status, body, ok := s.checkTicket(rec.Operation, base); !ok {
			return status, body
		}
		return s.deleteUser(r, rec.DeleteUser.ServiceRequest, base.RequestId, warnings)
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
func (s *Server) checkTicket(op string, base projectorwsdl.PwsServiceRequest) (int, []byte, bool) {
	s.mu.Lock()
	valid, issued := s.tickets[base.SessionTicket]
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
	status, body := fail(op, base.RequestId, m)
	return status, body, false
}

func (s *Server) authenticate(rq *projectorwsdl.PwsAuthenticateRq, requestID int32, warnings []projector.Message) (int, []byte) {
	const op = "PwsAuthenticate"
	if rq == nil || rq.AccountCode != s.opts.AccountCode || rq.UserName != s.opts.UserName || rq.Password != s.opts.Password {
		return fail(op, requestID, append(warnings, msgAuthenticationFailed)...)
	}
	s.mu.Lock()
	redirect := s.redirect
	var ticket string
	if redirect == "" {
		ticket = s.newTicket()
		s.auths++
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

func (s *Server) deleteUser(r *http.Request, rq *projectorwsdl.PwsDeleteUserRq, requestID int32, warnings []projector.Message) (int, []byte) {
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
		n := s.failNext[0]
		s.failNext = s.failNext[1:]
		return fail(op, requestID, append(warnings, knownMessage(n))...)
	}
	u := s.lookup(rq.UserIdentity)
	if u == nil {
		return fail(op, requestID, append(warnings, msgEntityNotFound)...)
	}
	if u.InUse {
		if rq.EndDateIfInUse == nil || rq.EndDateIfInUse.IsZero() {
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
func (s *Server) lookup(ref *projectorwsdl.PwsUserRef) *User {
	if ref == nil {
		return nil
	}
	var id int32
	if ref.UserId != nil {
		id = *ref.UserId
	}
	var uid int64
	if ref.UserUid != nil {
		uid = *ref.UserUid
	}
	if ref.UserReferenceSystemId == "" && id == 0 && uid == 0 {
		return nil
	}
	for _, u := range s.users {
		if u.State == Removed {
			continue
		}
		if (ref.UserReferenceSystemId == "" || ref.UserReferenceSystemId == u.ReferenceSystemID) &&
			(id == 0 || id == u.UserID) && (uid == 0 || uid == u.UID) {
			return u
		}
	}
	return nil
}

func formatUID(uid int64) string { return strconv.FormatInt(uid, 10) }
