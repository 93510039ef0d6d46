package projectortest

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/offboard-go/offboard/projector"
)

// Defaults of a fake server. The credentials are test values, not secrets.
const (
	DefaultPath        = "/OpsProjectorWcfSvc/PwsProjectorServices.svc"
	DefaultAccountCode = "offboard-demo"
	DefaultUserName    = "admin@offboard.example"
	DefaultPassword    = "fake-projector-password"
)

// Options configure a Server. Zero values take the defaults above.
type Options struct {
	AccountCode, UserName, Password string // the only credentials PwsAuthenticate accepts
	Path                            string // service path (DefaultPath)
	TLS                             bool   // serve https (NewClient trusts it; HTTPClient for other clients)
	// SessionFaults answers an invalid or expired ticket with a PwsFault (HTTP 500) instead of
	// a response with Status Fail. Projector documents both shapes.
	SessionFaults bool
	Users         []User // users to start with (see AddUser)
	// InactiveFlagInSummary writes PwsGetUserList's InactiveFlag inside UserSummary (where a
	// third-party client reads it) instead of on PwsUserSummaryElement.
	InactiveFlagInSummary bool
	// Now is the server's clock (default time.Now): "inactive as of today" is judged by it.
	Now func() time.Time
}

// UserState is where a fake user stands.
type UserState string

const (
	Active   UserState = "Active"
	Inactive UserState = "Inactive" // made inactive by PwsDeleteUser with EndDateIfInUse
	Removed  UserState = "Deleted"
)

// User is a Projector user of the fake.
type User struct {
	ReferenceSystemID string
	UserID            int32 // Projector's Int32 user id; 0: none (sent as i:nil)
	UID               int64 // assigned by AddUser when zero
	DisplayName       string
	// InUse marks a user referenced elsewhere: PwsDeleteUser then makes it inactive as of
	// EndDateIfInUse, or fails without it.
	InUse bool

	State     UserState // Active when added
	EndDate   time.Time // the user's end date: inactive from that day on (EndDateIfInUse sets it)
	Timestamp string    // Base64 row version, changed by every update
	// EmailAddress, FirstName and LastName are PwsGetUserList's summary members.
	EmailAddress, FirstName, LastName string
	// PasswordTicket is PwsGetUserList's PasswordTicketFlag.
	PasswordTicket bool
	// Updated is when the user last changed (AddUser: now when zero; PwsDeleteUser sets it),
	// for LastUpdatedSinceTimestamp.
	Updated time.Time
}

// InactiveOn reports whether the user is inactive on the day of t (UTC), as Projector's
// InactiveFlag says "as of today": a user with an end date is inactive from that day on; one
// made Inactive without an end date is inactive; a deleted user is not listed at all.
func (u User) InactiveOn(t time.Time) bool {
	if !u.EndDate.IsZero() {
		y, m, d := t.UTC().Date()
		return !u.EndDate.UTC().After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	return u.State == Inactive
}

// RateLimitMode is how the fake answers a request over the rate limit.
type RateLimitMode int

const (
	// RateLimitWarning carries the request out and adds a 10016 warning (Projector's
	// "warning" mode).
	RateLimitWarning RateLimitMode = iota + 1
	// RateLimitFault refuses the request before doing anything, with a PwsFault holding a
	// 10016 Error message (Projector's "error" mode).
	RateLimitFault
)

// Request is one request the fake received, as the fake read it against its own statement of
// the wire contract: only the members WCF would have read (see Violations), parsed by their
// contract types. Secrets are kept as received: this is a test tool; do not log it.
type Request struct {
	Operation   string // "PwsAuthenticate", "PwsUnauthenticate", "PwsDeleteUser", "PwsGetUserList"; "" if unknown
	Action      string // SOAPAction as sent (unquoted)
	ContentType string
	Host        string // the Host the request was sent to

	// The PwsServiceRequest base members: zero when absent (PwsAuthenticate carries none).
	RequestID     int32
	SessionTicket string

	// The operation's own members: the one of Operation is set (none for PwsUnauthenticate,
	// which has no members of its own).
	Authenticate *AuthenticateRequest
	DeleteUser   *DeleteUserRequest
	GetUserList  *GetUserListRequest

	Body       []byte      // the Body's operation element as received
	Violations []Violation // what WCF would have ignored or refused in this request
}

// Failure is what FailNext makes the next PwsDeleteUser or PwsGetUserList answer: Status Fail
// with one PwsMessage of Type Error (or a PwsFault carrying it, with Fault).
type Failure struct {
	// Code is the message's ErrorNumber, e.g. projector.CodeViewPermissionDenied; 0 sends a
	// message without a number.
	Code int
	// Message is the ErrorText; "" sends Projector's documented text for Code (or
	// "projectortest: injected error <Code>").
	Message string
	// ErrorCode is the mnemonic; "" sends the documented one for Code (or "Error<Code>",
	// "InjectedError" without a Code).
	ErrorCode string
	// Fault answers with a FaultException<PwsFault> (HTTP 500) instead of Status Fail.
	Fault bool
}

// Server is an in-process, WCF-strict fake of PwsProjectorServices.svc. It is safe for
// concurrent use.
type Server struct {
	// URL is the service endpoint, path included: what projector.New takes. A RedirectUrl
	// names the base URL instead (BaseURL).
	URL string

	srv  *httptest.Server
	opts Options

	mu          sync.Mutex
	users       []*User
	tickets     map[string]bool // issued tickets: true while valid
	seq         uint64          // tickets, UIDs and row versions
	logins      int
	requests    []Request
	violations  []Violation
	redirect    string
	rateMode    RateLimitMode
	rateLeft    int
	failNext    []Failure
	inFlight    int
	maxInFlight int
	hold        chan struct{}
}

// NewServer starts a fake server. Close it when done.
func NewServer(opts Options) *Server {
	if opts.AccountCode == "" {
		opts.AccountCode = DefaultAccountCode
	}
	if opts.UserName == "" {
		opts.UserName = DefaultUserName
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.Path == "" {
		opts.Path = DefaultPath
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, tickets: map[string]bool{}}
	for _, u := range opts.Users {
		s.AddUser(u)
	}
	if opts.TLS {
		s.srv = httptest.NewTLSServer(s)
	} else {
		s.srv = httptest.NewServer(s)
	}
	s.URL = s.srv.URL + opts.Path
	return s
}

// Close shuts the server down, releasing held requests first.
func (s *Server) Close() {
	s.release()
	s.srv.Close()
}

// BaseURL is the server's scheme, host and port without the service path: what a RedirectUrl
// names (see RedirectTo).
func (s *Server) BaseURL() string { return s.srv.URL }

// Host is the server's host:port, for WithAllowedRedirectHosts.
func (s *Server) Host() string {
	return strings.TrimPrefix(strings.TrimPrefix(s.srv.URL, "https://"), "http://")
}

// HTTPClient is an *http.Client that trusts the server's certificate (needed with
// Options.TLS; NewClient uses it).
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Credentials are the only credentials PwsAuthenticate accepts (Options, or the defaults).
func (s *Server) Credentials() projector.Credentials {
	return projector.Credentials{AccountCode: s.opts.AccountCode, UserName: s.opts.UserName, Password: s.opts.Password}
}

// AddUser adds a user (State Active, a UID and Timestamp assigned when empty) and returns it.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UID == 0 {
		u.UID = 1152921504606846976 + int64(s.next())
	}
	if u.State == "" {
		u.State = Active
	}
	if u.Timestamp == "" {
		u.Timestamp = s.rowVersion()
	}
	if u.Updated.IsZero() {
		u.Updated = s.opts.Now()
	}
	s.users = append(s.users, &u)
	return u
}

// User returns the user with that reference system id, UserID, or UID (as a decimal string),
// deleted users included, so tests can check what happened.
func (s *Server) User(key string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.ReferenceSystemID == key || (u.UserID != 0 && strconv.Itoa(int(u.UserID)) == key) || formatUID(u.UID) == key {
			return *u, true
		}
	}
	return User{}, false
}

// ExpireTickets invalidates every ticket issued so far: the next call with one gets -101
// InvalidSession, as after Projector's session timeout.
func (s *Server) ExpireTickets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tickets {
		s.tickets[t] = false
	}
}

// Logins is how many PwsAuthenticate requests the server read: accepted, refused and
// redirected alike.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// RedirectTo makes PwsAuthenticate answer with RedirectUrl baseURL (e.g. another fake's
// BaseURL) instead of a ticket; "" turns it off.
func (s *Server) RedirectTo(baseURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirect = baseURL
}

// RateLimit makes the next n requests (of any operation) exceed the rate limit, answered as
// mode says.
func (s *Server) RateLimit(mode RateLimitMode, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateMode, s.rateLeft = mode, n
}

// FailNext makes the next PwsDeleteUser or PwsGetUserList request fail with f (PwsAuthenticate
// and PwsUnauthenticate are not affected), after the session ticket was accepted and before
// any other check. Each call queues one failure, used by one request, in order.
func (s *Server) FailNext(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, f)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Violations returns every deviation from the wire contract, across all requests, in order:
// the elements WCF would have silently ignored (wrong namespace, out of DataContract order,
// repeated, unknown, a required one missing) and the requests it would have refused. A correct
// client causes none.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// InFlight is the number of requests being handled right now; MaxInFlight the most there
// ever were at once.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// MaxInFlight is the high-water mark of concurrent requests.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// HoldDeleteUser makes PwsDeleteUser requests wait (counted as in flight) until the returned
// function is called, so a test can see how many a client runs at once.
func (s *Server) HoldDeleteUser() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
	return s.release
}

func (s *Server) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// next returns the next sequence number; s.mu must be held.
func (s *Server) next() uint64 {
	s.seq++
	return s.seq
}

// rowVersion returns a new Base64 timestamp like Projector's ("AAAAABCI7Dk="); s.mu held.
func (s *Server) rowVersion() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], 0x10000000+s.next())
	return base64.StdEncoding.EncodeToString(b[:])
}

// newTicket returns a session ticket of the documented shape (24 Base64 characters); s.mu held.
func (s *Server) newTicket() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixNano()))
	binary.BigEndian.PutUint64(b[8:], s.next())
	t := base64.StdEncoding.EncodeToString(b[:])
	s.tickets[t] = true
	return t
}
