package udstest

import (
	"fmt"
	"strings"

	"github.com/offboard-go/offboard/uds"
)

const successMessage = "The operation was successful!"

func invalidInput(format string, args ...any) *Failure {
	return &Failure{FaultCode: "Sender", Code: uds.CodeInvalidInput, Message: fmt.Sprintf(format, args...)}
}

// perform runs a request's operation; s.mu is held.
func (s *Server) perform(op string, c *Call) ([]byte, *Failure) {
	switch op {
	case "updateUserStatus":
		return s.updateUserStatus(c)
	case "getUserStatus":
		return s.getUserStatus(c)
	case "retrieveUser":
		return s.retrieveUser(c)
	case "deleteUser":
		return s.deleteUser(c)
	case "listUserAccounts":
		return s.listUserAccounts(c)
	}
	return s.deleteUserAccount(c)
}

// find resolves one user a request names, or says which failure it gets.
func (s *Server) find(id uds.UserID, field string) (*User, *Failure) {
	if strings.TrimSpace(id.UserName) == "" {
		return nil, invalidInput("Invalid input: %s/userName is mandatory.", field)
	}
	org := id.OrgName
	if org == "" {
		org = s.cfg.DefaultOrg
	}
	if s.users[org] == nil {
		return nil, &Failure{FaultCode: "Sender", Code: uds.CodeOrgNotFound,
			Message: fmt.Sprintf("Organization %s not found.", org), Context: "orgName=" + org}
	}
	u := s.users[org][id.UserName]
	if u == nil {
		return nil, userNotFound(org, id.UserName)
	}
	return u, nil
}

// updateUserStatus is all or nothing: every user is checked before any is changed.
func (s *Server) updateUserStatus(c *Call) ([]byte, *Failure) {
	if len(c.Users) == 0 {
		return nil, invalidInput("Invalid input: userId is mandatory.")
	}
	if !c.Status.Valid() {
		return nil, invalidInput("Invalid input: status %q is not a valid user status.", string(c.Status))
	}
	start, end := c.StartLockTime, c.EndLockTime
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return nil, invalidInput("Invalid input: endLockTime must be later than startLockTime.")
	}
	users := make([]*User, len(c.Users))
	for i, id := range c.Users {
		u, f := s.find(id, fmt.Sprintf("userId[%d]", i+1))
		if f != nil {
			return nil, f
		}
		users[i] = u
	}
	now := s.cfg.Now()
	for _, u := range users {
		u.Previous = u.Effective(now)
		u.Status = c.Status
		u.StartLockTime, u.EndLockTime = start, end
	}
	return success("updateUserStatusResponse"), nil
}

// getUserStatus answers the user (with its reference id) and its effective status: the
// members of getUserStatusResponse are in msgs, those of userId in UserSchema.
func (s *Server) getUserStatus(c *Call) ([]byte, *Failure) {
	u, f := s.find(c.User(), "userId")
	if f != nil {
		return nil, f
	}
	var b xmlw
	b.WriteString(`<ns3:getUserStatusResponse xmlns:ns3="` + msgsNS + `" xmlns:ns1="` + udsNS + `">`)
	b.userID("ns3:userId", u)
	b.elem("ns3:status", string(u.Effective(s.cfg.Now())))
	b.WriteString(`</ns3:getUserStatusResponse>`)
	return []byte(b.String()), nil
}
