package provisioningtest

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/provisioning"
)

// Token is a token the Server holds. The shapes of the token operations come from other
// clients' code, not the vendor's documentation, and so does this fake's behaviour where it says
// inferred.
type Token struct {
	Serial string
	Type   provisioning.TokenType
	// State is the token's state: "Active" when assigned, "Inventory" after a revocation back
	// to inventory, "Faulty" or "Lost" (inferred: the real values are not documented).
	State        string
	StateSetDate time.Time
	// Owner is the user name of the owner; empty for a token in inventory.
	Owner     string
	Container string
	// Initialized is false after ReturntoInventory_NotInitialized.
	Initialized bool
}

// User is a user the Server holds.
type User struct {
	UserName string
	// Operator: an operator or account manager, whose last token RevokeToken refuses with
	// LastAuth.
	Operator bool
}

// tokenState is the token side of the Server, guarded by Server.mu.
type tokenState struct {
	tokens map[string][]*Token         // by organization, in insertion order
	users  map[string]map[string]*User // by organization, then lower-cased user name
}

func (s *Server) tokensOf(org string) []*Token { return s.tok.tokens[org] }

// AddUser stores a user in the organization (replacing one with the same name).
func (s *Server) AddUser(organization string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.users == nil {
		s.tok.users = map[string]map[string]*User{}
	}
	if s.tok.users[organization] == nil {
		s.tok.users[organization] = map[string]*User{}
	}
	cp := u
	s.tok.users[organization][strings.ToLower(u.UserName)] = &cp
}

// User returns a copy of a user of the organization.
func (s *Server) User(organization, userName string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.tok.users[organization][strings.ToLower(userName)]
	if u == nil {
		return User{}, false
	}
	return *u, true
}

// AddToken stores a token in the organization (replacing one with the same serial). A token
// with an owner and no state is "Active"; without an owner "Inventory". The owner need not
// have been added with AddUser: it is added then.
func (s *Server) AddToken(organization string, t Token) {
	cp := t
	if cp.State == "" {
		cp.State = "Inventory"
		if cp.Owner != "" {
			cp.State = "Active"
		}
	}
	if cp.StateSetDate.IsZero() {
		cp.StateSetDate = time.Now().UTC().Truncate(time.Millisecond)
	}
	if cp.Owner != "" {
		if _, ok := s.User(organization, cp.Owner); !ok {
			s.AddUser(organization, User{UserName: cp.Owner})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.tokens == nil {
		s.tok.tokens = map[string][]*Token{}
	}
	list := slices.DeleteFunc(s.tok.tokens[organization], func(x *Token) bool { return strings.EqualFold(x.Serial, t.Serial) })
	s.tok.tokens[organization] = append(list, &cp)
}

// Token returns a copy of a token of the organization.
func (s *Server) Token(organization, serial string) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokensOf(organization) {
		if strings.EqualFold(t.Serial, serial) {
			return *t, true
		}
	}
	return Token{}, false
}

// revokedState is the state a revocation leaves (inferred: the values are not documented).
func revokedState(mode string) (string, bool) {
	switch mode {
	case "Faulty":
		return "Faulty", false
	case "Lost":
		return "Lost", false
	case "ReturntoInventory_NotInitialized":
		return "Inventory", false
	}
	return "Inventory", true
}

func (s *Server) revoke(t *Token, mode string) {
	t.Owner = ""
	t.State, t.Initialized = revokedState(mode)
	t.StateSetDate = time.Now().UTC().Truncate(time.Millisecond)
}

// revokeMode is the RevokeSelection a request named (member name), ReturntoInventory_Initialized
// when left out (the zero value of the enum, as the server reads it).
func revokeMode(in *call, name string) string {
	if m := in.str(name); m != "" {
		return m
	}
	return revokeSelections[0]
}

// handleToken runs a token operation of a live session, with s.mu held, and returns the inner
// XML of its response element; ok is false for an operation that is not one.
func (s *Server) handleToken(in *call) (inner string, fault *soapsrv.FaultSpec, ok bool) {
	org := in.str("organization")
	switch in.op {
	case "GetTokensByOwner":
		var b strings.Builder
		b.WriteString("<GetTokensByOwnerResult>")
		for _, t := range s.tokensOf(org) {
			if t.Owner != "" && strings.EqualFold(t.Owner, in.str("userName")) {
				b.WriteString(element("string", t.Serial))
			}
		}
		b.WriteString("</GetTokensByOwnerResult>")
		return b.String(), nil, true

	case "GetTokens":
		var match []*Token
		for _, t := range s.tokensOf(org) {
			if (in.str("state") == "" || strings.EqualFold(in.str("state"), t.State)) &&
				(!in.has("type") || in.str("type") == string(t.Type)) &&
				(in.str("serial") == "" || strings.EqualFold(in.str("serial"), t.Serial)) &&
				(in.str("container") == "" || in.str("container") == t.Container) {
				match = append(match, t)
			}
		}
		start, n := in.int("startRecord"), in.int("pageSize")
		if start < 0 || n <= 0 || start >= len(match) {
			match = nil
		} else {
			match = match[start:min(start+n, len(match))]
		}
		inner, fault := tokensTable(org, match)
		return inner, fault, true

	case "RevokeToken":
		return element("RevokeTokenResult", s.revokeToken(in)), nil, true

	case "RemoveUser":
		res := "Fail" // Inferred, not documented: an unknown user
		user := in.str("userName")
		key := strings.ToLower(user)
		if s.tok.users[org][key] != nil {
			mode := revokeMode(in, "tokenOption")
			for _, t := range s.tokensOf(org) {
				if strings.EqualFold(t.Owner, user) {
					s.revoke(t, mode)
				}
			}
			delete(s.tok.users[org], key)
			for _, task := range s.orgs[org] {
				task.Users = deleteUsers(task.Users, []string{user})
			}
			res = string(provisioning.UserDeleted)
		}
		return element("RemoveUserResult", res), nil, true
	}
	return "", nil, false
}

// revokeToken: the token must be the user's (else Fail, inferred); an operator's last token is
// LastAuth; serial "0" is the static password.
func (s *Server) revokeToken(in *call) string {
	org, userName, serial := in.str("organization"), in.str("userName"), in.str("serial")
	user := s.tok.users[org][strings.ToLower(userName)]
	if user == nil {
		return string(provisioning.RevokeFail)
	}
	if serial == "0" {
		return string(provisioning.RevokeSuccess)
	}
	var mine []*Token
	var tok *Token
	for _, t := range s.tokensOf(org) {
		if strings.EqualFold(t.Owner, userName) {
			mine = append(mine, t)
			if strings.EqualFold(t.Serial, serial) {
				tok = t
			}
		}
	}
	switch {
	case tok == nil:
		return string(provisioning.RevokeFail)
	case user.Operator && len(mine) == 1:
		return string(provisioning.RevokeLastAuth)
	}
	s.revoke(tok, revokeMode(in, "revokeMode"))
	if in.bool("revokeStaticPassword") {
		return string(provisioning.RevokeBothSuccess)
	}
	return string(provisioning.RevokeSuccess)
}

// tokensTableName: rows are elements named Named_Tokens_Table (third-party parsers read that
// name, with literal underscores).
const tokensTableName = "Named_Tokens_Table"

var tokenColumns = []dataset.Column{
	{Name: "serialnumber", Type: "string"}, {Name: "state", Type: "string"}, {Name: "stateSetDate", Type: "dateTime"},
	{Name: "userid", Type: "string"}, {Name: "orgName", Type: "string"}, {Name: "type", Type: "string"},
	{Name: "container", Type: "string"}, {Name: "rented", Type: "string"}, {Name: "hardwareInit", Type: "boolean"},
	{Name: "assignable", Type: "boolean"}, {Name: "ice", Type: "string"}, {Name: "stateInt", Type: "int"},
	{Name: "tokenAllowed", Type: "int"},
}

func tokensTable(org string, tokens []*Token) (string, *soapsrv.FaultSpec) {
	rows := make([][]*string, len(tokens))
	for i, t := range tokens {
		stateInt := 0
		if t.Owner != "" {
			stateInt = 1
		}
		assignable := strconv.FormatBool(t.Owner == "" && t.State == "Inventory")
		rows[i] = []*string{cell(t.Serial), cell(t.State), date(t.StateSetDate), cell(t.Owner), cell(org), cell(string(t.Type)),
			cell(t.Container), nil, cell(strconv.FormatBool(t.Initialized)), &assignable, nil, num(stateInt), num(1)}
	}
	return table("GetTokens", tokensTableName, tokenColumns, rows)
}
