// Package provisioningtest is an in-process fake of the SafeNet BSIDCA web service
// (BSIDCA.asmx) for tests and examples, in the manner of net/http/httptest.
//
// The quickest way is Test: it starts a Server, builds a client with the fake's credentials
// (it logs in on its first call), runs the test function, and fails the test if any request
// broke the wire contract:
//
//	func TestOffboard(t *testing.T) {
//		provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
//			id := s.AddTask("Example Org", provisioningtest.Task{TokenOption: "MobilePASS",
//				Users: []provisioningtest.TaskUser{{UserName: "alice"}}})
//			if err := c.RemoveUsersFromTask(ctx, "Example Org", id, []string{"alice"}, false); err != nil {
//				t.Fatal(err)
//			}
//		})
//	}
//
// With NewServer the test keeps the Server's lifetime in its own hands; NewClient builds a
// client for it (closed when the test ends), or pass s.URL and s.Credentials() to
// provisioning.New yourself. Such a test checks the violations itself:
//
//	s := provisioningtest.NewServer(provisioningtest.Options{TLS: true}) // https; NewClient trusts it
//	defer s.Close()
//	c := s.NewClient(t, provisioning.WithSOAPVersion(provisioning.SOAP12))
//	…
//	assert.Empty(t, s.Violations())
//
// The Server holds provisioning tasks (AddTask, Task, Tasks) and tokens and users (AddToken,
// Token, AddUser, User), and answers as the service would (as described below).
// ExpireSessions ends every session as the ASP.NET timeout would. FailNext makes the next
// operation (not a login, not PingConnection) fail: with an ASMX Fault carrying
// Failure.Message, or, for RevokeToken and RemoveUser, with the result Failure.Code:
//
//	s.FailNext(provisioningtest.Failure{Message: "Task store is locked"}) // a *provisioning.ServiceError with that Message
//	s.FailNext(provisioningtest.Failure{Code: "LastAuth"})               // RevokeToken answers LastAuth
//
// Requests lists what the Server received, as it read it (Params by element name); Logins
// counts the Connect requests:
//
//	for _, r := range s.Requests() {
//		if r.Operation == "RevokeToken" {
//			t.Log(r.Params["serial"], r.Params["revokeMode"])
//		}
//	}
//
// The Server reads every request against its own statement of the wire contract (the
// SOAPAction, the envelope and content type, each operation's members in order, their
// namespace and types), never through the client's generated types; every deviation the
// real server would ignore or refuse is a Violation, listed by Violations and in each
// Request. Test fails the test if there is any.
//
// It speaks as an ASMX service would: SOAP 1.1 and 1.2, dispatch on the SOAPAction (or the
// 1.2 action parameter), ASMX-style Faults ("Server was unable to process request. --->
// …"), the session in an ASP.NET_SessionId cookie that Connect sets ("You are not connected."
// without one), and DataTable results written the way .NET writes them (inline xs:schema
// and diffgram, table "Provisioning Tasks", NULL columns omitted, an empty diffgram for no
// rows). The token operations' shapes come from other clients' code: GetTokensByOwner lists
// the owner's serials, GetTokens answers the Named_Tokens_Table DataTable with paging,
// RevokeToken answers Fail for a token the user does not own and LastAuth for an operator's
// last token, RemoveUser revokes the user's tokens, takes it out of every task and answers
// Deleted (Fail for an unknown user: inferred).
package provisioningtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offboard-go/offboard/provisioning"
)

// Defaults of Options.
const (
	// Path is the service path, as on the real hosts.
	Path = "/bsidca/BSIDCA.asmx"
	// TestOperator is the operator e-mail Connect accepts by default.
	TestOperator = "operator@example.com"
	// TestOTP is the fixed OTP Connect accepts by default (besides those from OTPSource).
	TestOTP = "123456"
	// SessionCookie is the name of the ASP.NET session cookie.
	SessionCookie = "ASP.NET_SessionId"
)

// NotConnectedReason is the faultstring of a call made without a live session.
//
// Inferred: the real wording is not documented. ASMX wraps exceptions as "Server was
// unable to process request. ---> <message>", and a "connect first" ASMX service is seen
// answering "you are not connected"; the client matches "not connected" in any case.
const NotConnectedReason = "Server was unable to process request. ---> You are not connected."

// Options configures a Server. The zero value serves http, accepts TestOperator with TestOTP
// or any OTP from Credentials().OTP, and lets OTPs be used again.
type Options struct {
	// TLS serves https (httptest.NewTLSServer); HTTPClient trusts its certificate.
	TLS bool
	// OperatorEmail is the operator Connect accepts (compared ignoring case) when Authenticate
	// is nil. Empty means TestOperator.
	OperatorEmail string
	// OTP is the fixed OTP Connect accepts when Authenticate is nil. Empty means TestOTP.
	OTP string
	// SingleUseOTPs refuses (AUTH_FAILURE) an OTP that already served in a successful
	// Connect, as a real token does.
	SingleUseOTPs bool
	// Authenticate, when set, decides every Connect: it returns the ConnectResult and the
	// challenge text to answer. SingleUseOTPs still applies first. It is called without the
	// Server's lock held, but must not block.
	Authenticate func(operatorEmail, otp string) (provisioning.ConnectResult, string)
}

// Task is a provisioning task held by the Server.
type Task struct {
	ID          int // set by AddTask when zero
	Operator    string
	StartDate   time.Time
	StopDate    time.Time
	TokenOption string
	// Status is sent in the status column of GetProvisioningTasksForUser rows.
	Status string
	Users  []TaskUser
}

// TaskUser is a user of a Task, as GetProvisioningTaskDetails lists it.
type TaskUser struct {
	UserID       string
	UserName     string
	StartDate    time.Time
	StopDate     time.Time
	Status       string
	SerialNumber string
	Description  string
}

// Request is a request the Server received, as it read it.
type Request struct {
	// Operation is the wire operation it was routed to, e.g. "GetProvisioningTasks" ("" when
	// the Server refused it before routing).
	Operation   string
	Action      string // SOAPAction (1.1) or action parameter (1.2), unquoted
	ContentType string
	Version     provisioning.SOAPVersion // 0 when the envelope could not be read
	// SessionID is the ASP.NET_SessionId cookie the request carried ("" without one).
	SessionID string
	// Params are the operation's members the Server read, by element name, as received
	// (text of the element): for example Params["organization"]. A member left out or sent
	// nil is absent. They hold secrets (the OTP of a Connect) as received: do not log them.
	Params map[string]string
	// UserNames are the <string> items of userNames (RemoveUsersFromProvisioningTask,
	// UpdateProvisioningStopDate), nil when the member was left out.
	UserNames []string
	// Violations are this request's deviations from the wire contract.
	Violations []Violation
}

// Failure is what FailNext makes the next operation answer.
type Failure struct {
	// Code, for RevokeToken and RemoveUser, is the result to answer instead of the real one
	// (for example "Fail" or "LastAuth"); the operation then changes nothing. Ignored for the
	// other operations, and when empty.
	Code string
	// Message is the exception message of the ASMX Fault answered otherwise: "Server was
	// unable to process request. ---> <Message>". Empty means "Failure injected by
	// provisioningtest.".
	Message string
}

type session struct {
	authenticated bool
}

// Server is a running fake BSIDCA service. Its methods are safe for concurrent use.
type Server struct {
	// URL is the service endpoint (path included), to pass to provisioning.New.
	URL string

	ts       *httptest.Server
	operator string
	otp      string
	single   bool
	auth     func(string, string) (provisioning.ConnectResult, string)

	otpMu  sync.Mutex // OTP bookkeeping, held while Authenticate runs
	used   map[string]bool
	minted map[string]bool
	otpSeq int

	mu         sync.Mutex
	sessions   map[string]*session
	logins     int
	orgs       map[string][]*Task // tasks by organization, in ID order
	nextID     int
	requests   []Request
	violations []Violation
	failNext   []Failure
	tok        tokenState // tokens and users (tokens.go)
}

// NewServer starts a Server. Close it when done.
func NewServer(opts Options) *Server {
	s := &Server{
		operator: opts.OperatorEmail,
		otp:      opts.OTP,
		single:   opts.SingleUseOTPs,
		auth:     opts.Authenticate,
		used:     make(map[string]bool),
		minted:   make(map[string]bool),
		sessions: make(map[string]*session),
		orgs:     make(map[string][]*Task),
		nextID:   1,
	}
	if s.operator == "" {
		s.operator = TestOperator
	}
	if s.otp == "" {
		s.otp = TestOTP
	}
	if opts.TLS {
		s.ts = httptest.NewTLSServer(http.HandlerFunc(s.serveHTTP))
	} else {
		s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	}
	s.URL = s.ts.URL + Path
	return s
}

// Close shuts the Server down.
func (s *Server) Close() { s.ts.Close() }

// HTTPClient returns an http.Client for the Server: with Options.TLS, it trusts the Server's
// certificate.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// Credentials returns what a client needs to log in: the accepted operator and an OTP source
// that hands out a new valid OTP on each call, as a token would (each also valid once under
// SingleUseOTPs).
func (s *Server) Credentials() provisioning.Credentials {
	return provisioning.Credentials{OperatorEmail: s.operator, OTP: s.nextOTP}
}

func (s *Server) nextOTP(context.Context) (string, error) {
	s.otpMu.Lock()
	defer s.otpMu.Unlock()
	s.otpSeq++
	otp := fmt.Sprintf("%06d", 100000+s.otpSeq)
	s.minted[otp] = true
	return otp, nil
}

// NewClient returns a client of the Server with Credentials() (and, with Options.TLS,
// HTTPClient()); opts come after those and may replace them. It fails t if the client cannot
// be built, and closes the client when the test ends.
func (s *Server) NewClient(t testing.TB, opts ...provisioning.Option) *provisioning.Client {
	t.Helper()
	all := make([]provisioning.Option, 0, len(opts)+1)
	if s.ts.TLS != nil {
		all = append(all, provisioning.WithHTTPClient(s.HTTPClient()))
	}
	c, err := provisioning.New(s.URL, s.Credentials(), append(all, opts...)...)
	if err != nil {
		t.Fatalf("provisioningtest: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Test starts a Server with opts and calls f with a client made by NewClient(t, clientOpts...)
// and a context that ends with the test. When the test ends the client and the Server are
// closed, and the test fails, listing them, if any request (the client's closing ones
// included) broke the wire contract (see Violations).
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *provisioning.Client, s *Server), clientOpts ...provisioning.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	soapsrv.ReportViolations(t, "provisioningtest", s.Violations)
	f(t.Context(), s.NewClient(t, clientOpts...), s)
}

// ExpireSessions ends every session, as the ASP.NET session timeout would: the next call
// with an old cookie gets the "not connected" Fault.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	clear(s.sessions)
	s.mu.Unlock()
}

// Logins returns the number of login attempts (Connect requests) received.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// FailNext makes the next request of an operation other than Connect and PingConnection fail
// with f, within a live session (without one the request gets the "not connected" Fault and
// f stays queued). Calls queue up.
func (s *Server) FailNext(f Failure) {
	s.mu.Lock()
	s.failNext = append(s.failNext, f)
	s.mu.Unlock()
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Violations returns every deviation from the wire contract seen so far, in order.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// AddTask stores a task in the organization and returns its ID (t.ID, or the next free ID
// when t.ID is zero).
func (s *Server) AddTask(organization string, t Task) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := t
	cp.Users = slices.Clone(t.Users)
	if cp.ID == 0 {
		cp.ID = s.nextID
	}
	s.nextID = max(s.nextID, cp.ID+1)
	tasks := slices.DeleteFunc(s.orgs[organization], func(x *Task) bool { return x.ID == cp.ID })
	i, _ := slices.BinarySearchFunc(tasks, cp.ID, func(x *Task, id int) int { return x.ID - id })
	s.orgs[organization] = slices.Insert(tasks, i, &cp)
	return cp.ID
}

// Task returns a copy of a task of the organization.
func (s *Server) Task(organization string, id int) (Task, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.find(organization, id)
	if t == nil {
		return Task{}, false
	}
	return copyTask(t), true
}

// Tasks returns copies of the organization's tasks, in ID order.
func (s *Server) Tasks(organization string) []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Task, 0, len(s.orgs[organization]))
	for _, t := range s.orgs[organization] {
		out = append(out, copyTask(t))
	}
	return out
}

func copyTask(t *Task) Task {
	cp := *t
	cp.Users = slices.Clone(t.Users)
	return cp
}

func (s *Server) find(org string, id int) *Task {
	for _, t := range s.orgs[org] {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// newSessionID returns an ID shaped like ASP.NET's: 24 characters of a-z and 0-5.
func newSessionID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz012345"
	var b [24]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[b[i]%32]
	}
	return string(b[:])
}

// authenticate decides a Connect.
func (s *Server) authenticate(email, otp string) (provisioning.ConnectResult, string) {
	s.otpMu.Lock()
	defer s.otpMu.Unlock()
	if s.single && s.used[otp] {
		return provisioning.ConnectAuthFailure, ""
	}
	var res provisioning.ConnectResult
	var challenge string
	switch {
	case s.auth != nil:
		res, challenge = s.auth(email, otp)
	case strings.EqualFold(email, s.operator) && otp != "" && (otp == s.otp || s.minted[otp]):
		res = provisioning.ConnectAuthSuccess
	default:
		res = provisioning.ConnectAuthFailure
	}
	if res == provisioning.ConnectAuthSuccess && s.single {
		s.used[otp] = true
	}
	return res, challenge
}

// usersOf returns the tasks of org that hold the user, in ID order.
func (s *Server) tasksOfUser(org, user string) []*Task {
	var out []*Task
	for _, t := range s.orgs[org] {
		if slices.ContainsFunc(t.Users, func(u TaskUser) bool { return strings.EqualFold(u.UserName, user) }) {
			out = append(out, t)
		}
	}
	return out
}
