package castest

import (
	"net/http"
	"slices"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/internal/caswsdl"
)

// run executes one HandleUserTask that got past the protocol checks, the way
// BaseConditionalAccess.HandleUserTask does, and returns the HTTP status and the
// Status to answer.
func (s *Server) run(in *caswsdl.HandleUserTask) (int, caswsdl.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The module maps (sWSUserName, sWSPassword) to a partner first; when that fails it
	// sets HTTP 404 and still answers a normal Status.
	if in.SWSUserName != s.creds.WSUserName || in.SWSPassword != s.creds.WSPassword {
		return http.StatusNotFound, status(cas.CodeError)
	}
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		return http.StatusOK, f
	}
	// XmlSerializer leaves a missing enum element at its zero value, which is Delete.
	action := caswsdl.UserTaskTypeDelete
	if in.ActionType != nil {
		action = *in.ActionType
	}
	id := int(in.DomainId)
	if action == caswsdl.UserTaskTypeDeleteDomain {
		// Deletes recordings, series recordings and quota, then answers OK; the server code
		// does not validate the household first, so a missing one is OK too.
		if h, ok := s.households[id]; ok {
			h.Recordings = 0
			s.households[id] = h
		}
		return http.StatusOK, status(cas.CodeOK)
	}
	h, ok := s.households[id]
	switch {
	case !ok:
		return http.StatusOK, status(cas.CodeDomainNotExists)
	// A suspended household passes the server's household check: no 1009 here.
	case len(h.MasterUsers) == 0:
		// The user's recordings have no master user to go to: the server answers its
		// generic Error, not 1036.
		return http.StatusOK, status(cas.CodeError)
	case !slices.Contains(h.Users, in.UserId):
		// No membership check on the server: nothing of this user's to move.
		return http.StatusOK, status(s.notMemberCode)
	}
	h.Users = slices.DeleteFunc(h.Users, func(u string) bool { return u == in.UserId })
	h.MasterUsers = slices.DeleteFunc(h.MasterUsers, func(u string) bool { return u == in.UserId })
	s.households[id] = h
	return http.StatusOK, status(cas.CodeOK)
}

// status builds a Status whose message is the code's eResponseStatus name ("OK", "Error",
// "DomainNotExists"…). The real messages of the domain codes are not documented.
func status(c cas.Code) caswsdl.Status {
	return caswsdl.Status{Code: int32(c), Message: c.String()}
}
