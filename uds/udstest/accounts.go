package udstest

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/uds"
)

// retrieveUser answers the user's details, with its accounts when the filter asks for them. A
// deep search that finds no user of that name looks for an account with that accountID (of
// the request's accountType when it names one).
func (s *Server) retrieveUser(c *Call) ([]byte, *Failure) {
	u, f := s.find(c.User(), "userIdentifier")
	if f != nil && c.DeepSearch && f.Code == uds.CodeUserNotFound {
		if byAccount := s.byAccountID(c); byAccount != nil {
			u, f = byAccount, nil
		}
	}
	if f != nil {
		return nil, f
	}
	var b xmlw
	b.WriteString(`<ns3:retrieveUserResponse xmlns:ns3="` + msgsNS + `">`)
	b.WriteString(`<ns3:return xmlns:ns1="` + udsNS + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ns1:UserDetailsTypeEx">`)
	b.userID("ns1:userId", u)
	b.date("ns1:dateCreated", u.Created)
	if u.Email != "" {
		b.WriteString(`<ns1:emailId qualifier="work">`)
		b.text(u.Email)
		b.WriteString(`</ns1:emailId>`)
	}
	b.opt("ns1:firstName", u.FirstName)
	b.opt("ns1:lastName", u.LastName)
	b.opt("ns1:status", string(u.Effective(s.cfg.Now())))
	if u.Status == uds.StatusInactive {
		b.date("ns1:startLockTime", u.StartLockTime)
		b.date("ns1:endLockTime", u.EndLockTime)
	}
	if c.IncludeAccounts {
		for _, a := range u.Accounts {
			b.account("ns1:account", a)
		}
	}
	b.WriteString(`</ns3:return></ns3:retrieveUserResponse>`)
	return []byte(b.String()), nil
}

// byAccountID is the user of the request's organisation with an account whose accountID is the
// identifier; s.mu held.
func (s *Server) byAccountID(c *Call) *User {
	id := c.User()
	org := id.OrgName
	if org == "" {
		org = s.cfg.DefaultOrg
	}
	for _, u := range s.users[org] {
		for _, a := range u.Accounts {
			if a.ID == id.UserName && (c.AccountType == "" || a.Type == c.AccountType) {
				return u
			}
		}
	}
	return nil
}

// deleteUser deletes the user and its accounts: status DELETED, or gone with HardDelete. A
// user already DELETED is "not found".
func (s *Server) deleteUser(c *Call) ([]byte, *Failure) {
	u, f := s.find(c.User(), "userId")
	if f == nil && u.Status == uds.StatusDeleted {
		f = userNotFound(u.OrgName, u.UserName)
	}
	if f != nil {
		return nil, f
	}
	if s.cfg.HardDelete {
		delete(s.users[u.OrgName], u.UserName)
	} else {
		u.Previous, u.Status = u.Status, uds.StatusDeleted
		u.StartLockTime, u.EndLockTime = time.Time{}, time.Time{}
		u.Accounts = nil
	}
	return success("deleteUserResponse"), nil
}

func (s *Server) listUserAccounts(c *Call) ([]byte, *Failure) {
	u, f := s.find(c.User(), "userId")
	if f != nil {
		return nil, f
	}
	var b xmlw
	// The items are direct children of the message element, so in the msgs namespace
	// (the Axis stubs' item QName msgs:account); their members are in UserSchema.
	b.WriteString(`<ns3:listUserAccountResponse xmlns:ns3="` + msgsNS + `" xmlns:ns1="` + udsNS + `">`)
	for _, a := range u.Accounts {
		if c.AccountType == "" || a.Type == c.AccountType {
			b.account("ns3:account", a)
		}
	}
	b.WriteString(`</ns3:listUserAccountResponse>`)
	return []byte(b.String()), nil
}

// deleteUserAccount deletes the user's account of the type named: only accountType identifies
// the account (the service ignores the other account members for this operation).
func (s *Server) deleteUserAccount(c *Call) ([]byte, *Failure) {
	u, f := s.find(c.User(), "userId")
	if f != nil {
		return nil, f
	}
	if strings.TrimSpace(c.AccountType) == "" {
		return nil, invalidInput("Invalid input: account/accountType is mandatory.")
	}
	i := slices.IndexFunc(u.Accounts, func(a Account) bool { return a.Type == c.AccountType })
	if i < 0 {
		return nil, &Failure{FaultCode: "Sender", Code: uds.CodeAccountNotFound,
			Message: fmt.Sprintf("Account of type %s not found for user %s in organization %s.", c.AccountType, u.UserName, u.OrgName),
			Context: "accountType=" + c.AccountType}
	}
	u.Accounts = slices.Delete(u.Accounts, i, i+1)
	return success("deleteUserAccountResponse"), nil
}

func userNotFound(org, name string) *Failure {
	return &Failure{FaultCode: "Sender", Code: uds.CodeUserNotFound,
		Message: fmt.Sprintf("User %s not found in organization %s.", name, org),
		Context: "orgName=" + org + ", userName=" + name}
}

// success is a UdsRegistrySuccessType answer in the layout of the vendor's samples.
func success(element string) []byte {
	return []byte(`<ns3:` + element + ` xmlns:ns3="` + msgsNS + `"><ns3:return><ns1:message xmlns:ns1="` + udsNS + `">` +
		successMessage + `</ns1:message></ns3:return></ns3:` + element + `>`)
}

// xmlw writes the fake's answers by hand, in the vendor samples' layout (ns1 = UserSchema),
// independently of the generated types.
type xmlw struct{ strings.Builder }

func (b *xmlw) text(s string) { _ = xml.EscapeText(&b.Builder, []byte(s)) }

func (b *xmlw) elem(name, value string) {
	b.WriteString("<" + name + ">")
	b.text(value)
	b.WriteString("</" + name + ">")
}

// opt writes an optional element, left out when empty.
func (b *xmlw) opt(name, value string) {
	if value != "" {
		b.elem(name, value)
	}
}

// date writes a dateTime the way the vendor's sample does (milliseconds and an offset),
// left out when zero.
func (b *xmlw) date(name string, t time.Time) {
	if !t.IsZero() {
		b.elem(name, t.UTC().Format("2006-01-02T15:04:05.000-07:00"))
	}
}

func (b *xmlw) userID(name string, u *User) {
	b.WriteString("<" + name + ">")
	b.elem("ns1:orgName", u.OrgName)
	b.elem("ns1:userName", u.UserName)
	b.elem("ns1:userRefId", strconv.Itoa(int(u.RefID)))
	b.WriteString("</" + name + ">")
}

func (b *xmlw) account(name string, a Account) {
	b.WriteString("<" + name + ">")
	b.elem("ns1:accountType", a.Type)
	b.opt("ns1:accountID", a.ID)
	b.elem("ns1:accountStatus", strconv.Itoa(int(a.Status)))
	b.date("ns1:dateCreated", a.Created)
	b.date("ns1:dateModified", a.Modified)
	b.WriteString("</" + name + ">")
}
