// Package udstest is an in-process fake of CA AuthMinder's User Data Service port
// ArcotUserRegistrySvc (operations updateUserStatus, getUserStatus, retrieveUser, deleteUser,
// listUserAccounts and deleteUserAccount), for tests and examples. Like the real service it
// speaks SOAP 1.2 only, dispatches on the action in the Content-Type, and, with AnA on,
// authenticates requests by their credential or authToken headers and issues tokens that
// expire. It keeps organisations and users with their statuses, lock windows and accounts, and
// answers the service's Faults.
//
// The fake reads every request against its own statement of the wire contract, written from
// the vendor's WSDL and schema and independent of the client's code: element names and
// namespaces, order, occurrences, value types, the action and the content type. A deviation
// is refused with a Sender Fault, as the server's strict data binding would, and recorded as
// a Violation: a test passes only when the client speaks the service's language.
//
// The shortest test: Test starts a fake, builds a client for it (with the fake's AnA
// credentials when Options.AnA is on), runs the function, and fails the test if any request
// broke the contract.
//
//	func TestDeactivate(t *testing.T) {
//		udstest.Test(t, udstest.Options{AnA: true}, func(ctx context.Context, c *uds.Client, s *udstest.Server) {
//			s.AddUser("ACME", "jdoe", uds.StatusActive)
//			_, err := c.UpdateUserStatus(ctx, []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}, uds.StatusInactive, nil)
//			require.NoError(t, err)
//			u, _ := s.User("ACME", "jdoe")
//			assert.Equal(t, uds.StatusInactive, u.Status)
//		})
//	}
//
// The same with the server in hand (NewServer, then NewClient, which closes the client when
// the test ends); check the violations yourself:
//
//	s := udstest.NewServer(udstest.Options{AnA: true, TLS: true})
//	defer s.Close()
//	c := s.NewClient(t, uds.WithTimeout(5*time.Second)) // s.Credentials(), s.HTTPClient()
//	…
//	assert.Empty(t, s.Violations())
//
// A client built by hand needs the fake's endpoint and credentials, and with TLS its
// HTTP client: uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(s.HTTPClient())).
//
// Failures: FailNext makes the next request answer a Fault of your choosing (a Failure:
// errorNumber, message, context, SOAP code, HTTP status), checked and recorded first, before
// AnA; NotInitialized and FatalRestart are the service's documented ones. ExpireTokens and
// RevokeTokens make the client authenticate again; Options.Now moves the fake's clock.
//
//	s.FailNext(udstest.NotInitialized())
//	_, err := c.GetUserStatus(ctx, jdoe, nil) // errors.Is(err, uds.ErrUnavailable)
//
// What was sent: Requests lists every request in order, with the values as the fake read them
// (Request.Call), the AnA headers (Request.AnA), its violations and the udsTransactionID the
// fake answered with; Logins counts the requests that presented the AnA credentials (UDS has
// no login operation), FailedLogins the ones refused.
//
// What the public material does not say (error numbers, token format, the exact lock
// window semantics) follows the inferences documented in package uds.
package udstest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/offboard-go/offboard/uds"
)

// The administrator a fake with AnA on accepts unless Options.Admin says otherwise. The
// credential is a test value, not a secret of any real system.
const (
	DefaultAdminUserID     = "udsadmin"
	DefaultAdminOrg        = "MASTERADMIN"
	DefaultAdminCredential = "fake-uds-credential"
	// DefaultOrg is the organisation used when a request names none.
	DefaultOrg = "DEFAULTORG"
)

// Options configure a Server. The zero value is a plain-HTTP server with AnA off.
type Options struct {
	// TLS serves https with a self-signed certificate; NewClient and HTTPClient trust it.
	TLS bool
	// AnA requires every request to authenticate with the admin's credentials or a token.
	AnA bool
	// Admin is the account that may authenticate; empty fields take the Default* values.
	Admin uds.Credentials
	// TokenTTL is how long an issued authToken is valid (default 24h, as the product).
	TokenTTL time.Duration
	// TokenErrorNumbers are the errorNumbers answering an unknown and an expired authToken
	// (default uds.CodeTokenInvalid and uds.CodeTokenExpired). The vendor's real numbers are
	// not public: tests set numbers the client has never seen to hold it to that.
	TokenErrorNumbers [2]string
	// BadCredentialNumber is the errorNumber answering refused credentials (default
	// uds.CodeBadCredential).
	BadCredentialNumber string
	// DefaultOrg is the organisation of requests that name none (default DefaultOrg).
	DefaultOrg string
	// Now is the server's clock (default time.Now): tests move it to expire tokens and to
	// cross lock windows without sleeping.
	Now func() time.Time
	// HardDelete makes deleteUser remove the user, so that every later request about it
	// answers "user not found". By default the user is kept with status DELETED and without
	// accounts (inferred: listUsers leaves out "deleted" users and
	// UserStatusType has DELETED), and a second deleteUser answers "user not found".
	HardDelete bool
}

// User is a snapshot of a user the fake keeps.
type User struct {
	OrgName  string
	UserName string
	RefID    int32
	// Status is the status last set. Effective applies the lock window at a time.
	Status uds.Status
	// StartLockTime and EndLockTime are the lock window of the last update (zero: none).
	StartLockTime time.Time
	EndLockTime   time.Time
	// Previous is the status before the last update, which a lock window that has not
	// started yet leaves in force.
	Previous uds.Status
	// FirstName, LastName and Email are retrieveUser's firstName, lastName and emailId.
	FirstName, LastName, Email string
	// Created is dateCreated (AddUser: the server's now).
	Created time.Time
	// Accounts are the user's accounts, one per type (AddAccount).
	Accounts []Account
}

// Account is a user account (UserAccountType) the fake keeps.
type Account struct {
	Type   string // accountType: what identifies the account to deleteUserAccount
	ID     string // accountID
	Status int32  // accountStatus: 0-9 INITIAL, 10-19 ACTIVE, 20-29 DISABLED, 30-39 DELETED
	// Created and Modified are dateCreated and dateModified (AddAccount: now when zero).
	Created, Modified time.Time
}

// Effective is the status getUserStatus reports at now. An INACTIVE status set with a lock
// window applies from StartLockTime and ends at EndLockTime, when the user is ACTIVE again
// (inferred from the product documentation: startLockTime is "when the user has to be
// deactivated", endLockTime "when the deactivated user has to be activated").
func (u User) Effective(now time.Time) uds.Status {
	if u.Status != uds.StatusInactive {
		return u.Status
	}
	if !u.StartLockTime.IsZero() && now.Before(u.StartLockTime) {
		return u.Previous
	}
	if !u.EndLockTime.IsZero() && !now.Before(u.EndLockTime) {
		return uds.StatusActive
	}
	return u.Status
}

// Failure is a failure the fake answers with: a SOAP 1.2 Fault, with a userRegistryError
// detail when Code is set. The client sees it as a *uds.ServiceError with the same Code,
// Message and Context.
type Failure struct {
	Code      string // errorNumber, e.g. uds.CodeNotInitialized; "" sends a Fault without userRegistryError
	Message   string // errorMessage, and the Fault's reason
	Context   string // errorContext (optional)
	FaultCode string // SOAP 1.2 fault code local name: "Sender" or "Receiver" (default)
	// HTTPStatus is the status of the answer: default 500, as Axis2 answers every Fault.
	HTTPStatus int
}

// NotInitialized is the service's 31002 "UDS is not initialized." failure, for FailNext.
func NotInitialized() Failure {
	return Failure{FaultCode: "Receiver", Code: uds.CodeNotInitialized, Message: "UDS is not initialized."}
}

// FatalRestart is the service's 31003 "Fatal error, restart UDS." failure, for FailNext.
func FatalRestart() Failure {
	return Failure{FaultCode: "Receiver", Code: uds.CodeFatalRestart, Message: "Fatal error, restart UDS."}
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the service endpoint: the test server's base URL + uds.ServicePath.
	URL string

	cfg Options
	ts  *httptest.Server

	mu         sync.Mutex
	users      map[string]map[string]*User // orgName → userName → user
	tokens     map[string]time.Time        // authToken → expiry
	logins     int
	authFails  int
	nextRefID  int32
	failNext   []Failure
	requests   []Request
	violations []Violation
}

// NewServer starts a fake configured by opts (https when opts.TLS); Close it when done.
func NewServer(opts Options) *Server {
	cfg := opts
	if cfg.Admin.UserID == "" {
		cfg.Admin.UserID = DefaultAdminUserID
	}
	if cfg.Admin.OrgName == "" {
		cfg.Admin.OrgName = DefaultAdminOrg
	}
	if cfg.Admin.Credential == "" {
		cfg.Admin.Credential = DefaultAdminCredential
	}
	if cfg.TokenErrorNumbers[0] == "" {
		cfg.TokenErrorNumbers[0] = uds.CodeTokenInvalid
	}
	if cfg.TokenErrorNumbers[1] == "" {
		cfg.TokenErrorNumbers[1] = uds.CodeTokenExpired
	}
	if cfg.BadCredentialNumber == "" {
		cfg.BadCredentialNumber = uds.CodeBadCredential
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.DefaultOrg == "" {
		cfg.DefaultOrg = DefaultOrg
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:       cfg,
		users:     map[string]map[string]*User{cfg.DefaultOrg: {}},
		tokens:    map[string]time.Time{},
		nextRefID: 1000,
	}
	if cfg.TLS {
		s.ts = httptest.NewTLSServer(s)
	} else {
		s.ts = httptest.NewServer(s)
	}
	s.URL = s.ts.URL + uds.ServicePath
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Credentials returns what a client needs to authenticate to this fake: the admin's
// credentials with AnA on, the zero Credentials (no AnA header) with AnA off.
func (s *Server) Credentials() uds.Credentials {
	if !s.cfg.AnA {
		return uds.Credentials{}
	}
	return s.cfg.Admin
}

// HTTPClient returns an HTTP client for the fake: with Options.TLS, one that trusts its
// certificate.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// AddOrg creates an organisation (idempotent).
func (s *Server) AddOrg(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[name] == nil {
		s.users[name] = map[string]*User{}
	}
}

// AddUser creates (or replaces) a user in org ("" is the default organisation), creating
// the organisation when needed, and returns it with its reference id.
func (s *Server) AddUser(org, userName string, status uds.Status) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org == "" {
		org = s.cfg.DefaultOrg
	}
	if s.users[org] == nil {
		s.users[org] = map[string]*User{}
	}
	s.nextRefID++
	u := &User{OrgName: org, UserName: userName, RefID: s.nextRefID, Status: status, Created: s.cfg.Now().UTC()}
	s.users[org][userName] = u
	return *u
}

// AddAccount gives the user userName of org ("" is the default organisation) the account a,
// replacing its account of the same type; false when there is no such user.
func (s *Server) AddAccount(org, userName string, a Account) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lookup(org, userName)
	if u == nil {
		return Account{}, false
	}
	if a.Created.IsZero() {
		a.Created = s.cfg.Now().UTC()
	}
	if a.Modified.IsZero() {
		a.Modified = a.Created
	}
	u.Accounts = slices.DeleteFunc(u.Accounts, func(o Account) bool { return o.Type == a.Type })
	u.Accounts = append(u.Accounts, a)
	return a, true
}

// Violations returns every deviation from the fake's statement of the contract, across all
// requests (each was also refused with a Fault, as ADB would). A correct client causes none.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// User returns the user userName of org ("" is the default organisation).
func (s *Server) User(org, userName string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lookup(org, userName)
	if u == nil {
		return User{}, false
	}
	c := *u
	c.Accounts = slices.Clone(u.Accounts)
	return c, true
}

func (s *Server) lookup(org, userName string) *User {
	if org == "" {
		org = s.cfg.DefaultOrg
	}
	return s.users[org][userName]
}

// ExpireTokens makes every token issued so far expired: the next request that presents one
// gets the token-expired Fault.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.cfg.Now().Add(-time.Second)
	for tok := range s.tokens {
		s.tokens[tok] = past
	}
}

// RevokeTokens forgets every token issued so far, as a restarted server would: the next
// request that presents one gets the invalid-token Fault.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Logins counts the login attempts: the requests that presented AnA credentials (userID and
// credential, no authToken) for the fake to check, accepted (answered with a new token) or
// refused (FailedLogins). UDS has no login operation: the first request of a client carries
// the credentials, and its answer the token.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// FailedLogins counts the requests whose credentials were refused.
func (s *Server) FailedLogins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFails
}

// FailNext makes the next request answer with f instead of being processed. Called again
// before that request, it queues: each request takes the oldest failure. The request is
// read, checked and recorded first; the failure comes before AnA, so a request carrying the
// credentials gets no token (UDS has no separate login request).
func (s *Server) FailNext(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, f)
}

// Requests returns the requests received so far, oldest first. They hold the AnA header
// values as received, credential and token included: it is a test tool; never log them.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// newID returns a random opaque identifier (tokens, transaction ids).
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToUpper(hex.EncodeToString(b))
}
