package udstest

import (
	"fmt"
	"strings"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

const successMessage = "The operation was successful!"

func invalidInput(format string, args ...any) *Fault {
	return &Fault{Code: "Sender", Number: uds.CodeInvalidInput, Message: fmt.Sprintf(format, args...)}
}

// find resolves one userId element of a request, or says which Fault it gets.
func (s *Server) find(id *udswsdl.UserIdentifierType, field string) (*User, *Fault) {
	if id == nil || strings.TrimSpace(id.UserName) == "" {
		return nil, invalidInput("Invalid input: %s/userName is mandatory.", field)
	}
	org := id.OrgName
	if org == "" {
		org = s.cfg.DefaultOrg
	}
	if s.users[org] == nil {
		return nil, &Fault{Code: "Sender", Number: uds.CodeOrgNotFound,
			Message: fmt.Sprintf("Organization %s not found.", org), Context: "orgName=" + org}
	}
	u := s.users[org][id.UserName]
	if u == nil {
		return nil, &Fault{Code: "Sender", Number: uds.CodeUserNotFound,
			Message: fmt.Sprintf("User %s not found in organization %s.", id.UserName, org),
			Context: "orgName=" + org + ", userName=" + id.UserName}
	}
	return u, nil
}

// updateUserStatus is all or nothing: every user is checked before any is changed.
func (s *Server) updateUserStatus(req *udswsdl.UpdateUserStatusRequest) (any, *Fault) {
	if len(req.UserId) == 0 {
		return nil, invalidInput("Invalid input: userId is mandatory.")
	}
	if req.Status == nil || !uds.Status(*req.Status).Valid() {
		got := ""
		if req.Status != nil {
			got = string(*req.Status)
		}
		return nil, invalidInput("Invalid input: status %q is not a valid user status.", got)
	}
	start, end := req.StartLockTime.Time, req.EndLockTime.Time
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return nil, invalidInput("Invalid input: endLockTime must be later than startLockTime.")
	}
	users := make([]*User, len(req.UserId))
	for i, id := range req.UserId {
		u, f := s.find(id, fmt.Sprintf("userId[%d]", i+1))
		if f != nil {
			return nil, f
		}
		users[i] = u
	}
	now := s.cfg.Now()
	for _, u := range users {
		u.Previous = u.Effective(now)
		u.Status = uds.Status(*req.Status)
		u.StartLockTime, u.EndLockTime = start, end
	}
	return &udswsdl.UpdateUserStatusResponse{Return_: &udswsdl.UdsRegistrySuccessType{Message: successMessage}}, nil
}

func (s *Server) getUserStatus(req *udswsdl.GetUserStatusRequest) (any, *Fault) {
	u, f := s.find(req.UserId, "userId")
	if f != nil {
		return nil, f
	}
	st := udswsdl.UserStatusType(u.Effective(s.cfg.Now()))
	return &udswsdl.GetUserStatusResponse{
		UserId: &udswsdl.UserIdentifierType{OrgName: u.OrgName, UserName: u.UserName, UserRefId: u.RefID},
		Status: &st,
	}, nil
}
