package castest

import (
	"net/http"
	"slices"

	"github.com/offboard-go/offboard/cas"
)

// status is the wire Status {Code, Message} the fake answers (Args always empty).
type status struct {
	Code    cas.Code
	Message string
}

// run executes one HandleUserTask that got past the protocol checks, the way
// BaseConditionalAccess.HandleUserTask does, and returns the HTTP status and the
// Status to answer.
func (s *Server) run(p params) (int, status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The module maps (sWSUserName, sWSPassword) to a partner first; when that fails it
	// sets HTTP 404 and still answers a normal Status.
	if !s.authenticated(p) {
		return http.StatusNotFound, statusOf(cas.CodeError)
	}
	if f, ok := s.nextFailure(); ok {
		return http.StatusOK, f
	}
	// XmlSerializer leaves a missing enum element at its zero value, which is Delete (the
	// contract reader fills it in).
	id, user := p.int("domainId"), p["userId"]
	if p["actionType"] == "DeleteDomain" {
		// Deletes recordings, series recordings and quota, then answers OK; the server code
		// does not validate the household first, so a missing one is OK too.
		if h, ok := s.households[id]; ok {
			h.Recordings = 0
			s.households[id] = h
		}
		return http.StatusOK, statusOf(cas.CodeOK)
	}
	h, ok := s.households[id]
	switch {
	case !ok:
		return http.StatusOK, statusOf(cas.CodeDomainNotExists)
	// A suspended household passes the server's household check: no 1009 here.
	case len(h.MasterUsers) == 0:
		// The user's recordings have no master user to go to: the server answers its
		// generic Error, not 1036.
		return http.StatusOK, statusOf(cas.CodeError)
	case !slices.Contains(h.Users, user):
		// No membership check on the server: nothing of this user's to move.
		return http.StatusOK, statusOf(s.notMemberCode)
	}
	h.Users = slices.DeleteFunc(h.Users, func(u string) bool { return u == user })
	h.MasterUsers = slices.DeleteFunc(h.MasterUsers, func(u string) bool { return u == user })
	s.households[id] = h
	return http.StatusOK, statusOf(cas.CodeOK)
}

// statusOf builds a Status whose message is the code's eResponseStatus name ("OK", "Error",
// "DomainNotExists"…). The real messages of the domain codes are not documented.
func statusOf(c cas.Code) status { return status{Code: c, Message: c.String()} }

// authenticated: the module maps (sWSUserName, sWSPassword) to a partner; with s.mu held.
func (s *Server) authenticated(p params) bool {
	return p["sWSUserName"] == s.creds.WSUserName && p["sWSPassword"] == s.creds.WSPassword
}

// nextFailure takes the next queued FailNext; with s.mu held.
func (s *Server) nextFailure() (status, bool) {
	if len(s.failures) == 0 {
		return status{}, false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	return status(f), true
}
