package provisioningtest

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
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
	tokens     map[string][]*Token         // by organization, in insertion order
	users      map[string]map[string]*User // by organization, then lower-cased user name
	violations []string
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

// Violations returns every deviation from the token operations' wire contract seen so far
// (member order, namespace, unknown, repeated or missing members), one line each: what an
// ASMX server would silently read otherwise than the client meant.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tok.violations)
}

// revokedState is the state a revocation leaves (inferred: the values are not documented).
func revokedState(mode provisioningwsdl.RevokeSelection) (string, bool) {
	switch mode {
	case provisioningwsdl.RevokeSelectionFaulty:
		return "Faulty", false
	case provisioningwsdl.RevokeSelectionLost:
		return "Lost", false
	case provisioningwsdl.RevokeSelectionReturntoInventory_NotInitialized:
		return "Inventory", false
	}
	return "Inventory", true
}

func (s *Server) revoke(t *Token, mode provisioningwsdl.RevokeSelection) {
	t.Owner = ""
	t.State, t.Initialized = revokedState(mode)
	t.StateSetDate = time.Now().UTC().Truncate(time.Millisecond)
}

// handleToken runs a token operation of a live session, with s.mu held; ok is false for an
// operation that is not one.
func (s *Server) handleToken(body any) (resp any, fault *soapsrv.FaultSpec, ok bool) {
	switch in := body.(type) {
	case *provisioningwsdl.GetTokensByOwner:
		out := &provisioningwsdl.ArrayOfString{}
		for _, t := range s.tokensOf(in.Organization) {
			if t.Owner != "" && strings.EqualFold(t.Owner, in.UserName) {
				out.Astring = append(out.Astring, str(t.Serial))
			}
		}
		return &provisioningwsdl.GetTokensByOwnerResponse{GetTokensByOwnerResult: out}, nil, true

	case *provisioningwsdl.GetTokens:
		var match []*Token
		for _, t := range s.tokensOf(in.Organization) {
			if (in.State == "" || strings.EqualFold(in.State, t.State)) &&
				(in.Type_ == nil || string(*in.Type_) == string(t.Type)) &&
				(in.Serial == "" || strings.EqualFold(in.Serial, t.Serial)) &&
				(in.Container == "" || in.Container == t.Container) {
				match = append(match, t)
			}
		}
		start, n := int(in.StartRecord), int(in.PageSize)
		if start < 0 || n <= 0 || start >= len(match) {
			match = nil
		} else {
			match = match[start:min(start+n, len(match))]
		}
		tbl, err := tokensTable(in.Organization, match)
		if err != nil {
			return nil, internalError(err), true
		}
		return &provisioningwsdl.GetTokensResponse{GetTokensResult: tbl}, nil, true

	case *provisioningwsdl.RevokeToken:
		res := s.revokeToken(in)
		return &provisioningwsdl.RevokeTokenResponse{RevokeTokenResult: &res}, nil, true

	case *provisioningwsdl.RemoveUser:
		var res provisioningwsdl.UserDeleteResult = "Fail" // Inferred, not documented: an unknown user
		key := strings.ToLower(in.UserName)
		if s.tok.users[in.Organization][key] != nil {
			mode := provisioningwsdl.RevokeSelectionReturntoInventory_Initialized
			if in.TokenOption != nil {
				mode = *in.TokenOption
			}
			for _, t := range s.tokensOf(in.Organization) {
				if strings.EqualFold(t.Owner, in.UserName) {
					s.revoke(t, mode)
				}
			}
			delete(s.tok.users[in.Organization], key)
			var names = []*string{&in.UserName}
			for _, task := range s.orgs[in.Organization] {
				task.Users = deleteUsers(task.Users, names)
			}
			res = provisioningwsdl.UserDeleteResult(provisioning.UserDeleted)
		}
		return &provisioningwsdl.RemoveUserResponse{RemoveUserResult: &res}, nil, true
	}
	return nil, nil, false
}

// revokeToken: the token must be the user's (else Fail, inferred); an operator's last token is
// LastAuth; serial "0" is the static password.
func (s *Server) revokeToken(in *provisioningwsdl.RevokeToken) provisioningwsdl.RevokeResult {
	user := s.tok.users[in.Organization][strings.ToLower(in.UserName)]
	if user == nil {
		return provisioningwsdl.RevokeResultFail
	}
	if in.Serial == "0" {
		return provisioningwsdl.RevokeResultSuccess
	}
	var mine []*Token
	var tok *Token
	for _, t := range s.tokensOf(in.Organization) {
		if strings.EqualFold(t.Owner, in.UserName) {
			mine = append(mine, t)
			if strings.EqualFold(t.Serial, in.Serial) {
				tok = t
			}
		}
	}
	switch {
	case tok == nil:
		return provisioningwsdl.RevokeResultFail
	case user.Operator && len(mine) == 1:
		return provisioningwsdl.RevokeResultLastAuth
	}
	mode := provisioningwsdl.RevokeSelectionReturntoInventory_Initialized
	if in.RevokeMode != nil {
		mode = *in.RevokeMode
	}
	s.revoke(tok, mode)
	if in.RevokeStaticPassword {
		return provisioningwsdl.RevokeResultBothSuccess
	}
	return provisioningwsdl.RevokeResultSuccess
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

func tokensTable(org string, tokens []*Token) (*provisioningwsdl.DataTable, error) {
	rows := make([][]*string, len(tokens))
	for i, t := range tokens {
		stateInt := 0
		if t.Owner != "" {
			stateInt = 1
		}
		assignable := strconv.FormatBool(t.Owner == "" && t.State == "Inventory")
		rows[i] = []*string{str(t.Serial), str(t.State), date(t.StateSetDate), str(t.Owner), str(org), str(string(t.Type)),
			str(t.Container), nil, str(strconv.FormatBool(t.Initialized)), &assignable, nil, num(stateInt), num(1)}
	}
	return table(tokensTableName, tokenColumns, rows)
}
