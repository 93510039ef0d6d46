// Package provisioningtest is an in-process fake of the SafeNet BSIDCA web service
// (BSIDCA.asmx) for tests and examples, in the manner of net/http/httptest.
//
// It speaks the wire protocol the provisioning package speaks, as an ASMX service would: SOAP
// 1.1 and 1.2, dispatch on the SOAPAction (or the 1.2 action parameter), requests decoded into
// the same generated types the client sends, ASMX-style Faults, the session in an
// ASP.NET_SessionId cookie that Connect sets, and DataTable results written the way .NET
// writes them (inline xs:schema and diffgram, table "Provisioning Tasks", NULL columns
// omitted, an empty diffgram for no rows).
//
//	s := provisioningtest.NewServer(provisioningtest.Options{})
//	defer s.Close()
//	id := s.AddTask("Example Org", provisioningtest.Task{TokenOption: "MobilePASS", Users: users})
//	c := s.NewClient(t)
//
// Test does the same in one call and hands a ready client to the test function.
//
// It also holds tokens and users (AddToken, AddUser) for the token operations, whose shapes
// come from other clients' code: GetTokensByOwner lists the owner's serials,
// GetTokens answers the Named_Tokens_Table DataTable with paging, RevokeToken answers Fail for
// a token the user does not own and LastAuth for an operator's last token, RemoveUser revokes
// the user's tokens, takes it out of every task and answers Deleted (Fail for an unknown
// user: inferred). Those requests are also read against the fake's own statement of their
// contract (contract.go); Violations lists each deviation.
package provisioningtest

import (
	"context"
	"crypto/rand"
	"fmt"
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

// Options configures a Server. The zero value accepts TestOperator with TestOTP or any OTP
// from OTPSource, and lets OTPs be used again.
type Options struct {
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

// Request is a request the Server received and understood.
type Request struct {
	Op      string // operation, for example "GetProvisioningTasks"
	Action  string // SOAPAction (1.1) or action parameter (1.2), unquoted
	Version provisioning.SOAPVersion
	// SessionID is the ASP.NET_SessionId cookie the request carried ("" without one).
	SessionID string
	// Body is the decoded request: a pointer to the generated type of the operation
	// (provisioningwsdl.GetProvisioningTasks and so on). It holds secrets (the OTP of a
	// Connect) as received: do not log it.
	Body any
}

type session struct {
	authenticated bool
}

// Server is a running fake BSIDCA service. Its methods are safe for concurrent use.
type Server struct {
	// URL is the service endpoint, to pass to provisioning.New.
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

	mu       sync.Mutex
	sessions map[string]*session
	connects int
	orgs     map[string][]*Task // tasks by organization, in ID order
	nextID   int
	requests []Request
	failNext []string
	tok      tokenState // tokens and users (tokens.go)
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
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL + Path
	return s
}

// Close shuts the Server down.
func (s *Server) Close() { s.ts.Close() }

// Operator returns the operator e-mail Connect accepts (when Options.Authenticate is nil).
func (s *Server) Operator() string { return s.operator }

// OTPSource returns an OTP source for provisioning.New that hands out a new valid OTP on each
// call, as a token would; each is also valid once under SingleUseOTPs.
func (s *Server) OTPSource() provisioning.OTPSource {
	return func(context.Context) (string, error) {
		s.otpMu.Lock()
		defer s.otpMu.Unlock()
		s.otpSeq++
		otp := fmt.Sprintf("%06d", 100000+s.otpSeq)
		s.minted[otp] = true
		return otp, nil
	}
}

// NewClient returns a client of the Server for the accepted operator, with OTPs from
// OTPSource. It fails t if the client cannot be built.
func (s *Server) NewClient(t testing.TB, opts ...provisioning.Option) *provisioning.Client {
	t.Helper()
	c, err := provisioning.New(s.URL, s.operator, s.OTPSource(), opts...)
	if err != nil {
		t.Fatalf("provisioningtest: %v", err)
	}
	return c
}

// Test starts a Server with default Options, builds a client for it and calls f, closing the
// Server when the test ends.
func Test(t testing.TB, f func(ctx context.Context, c *provisioning.Client, s *Server), opts ...provisioning.Option) {
	t.Helper()
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	f(t.Context(), s.NewClient(t, opts...), s)
	// Every request of the test must have met the wire contract as this fake states it:
	// anything the real server would ignore or refuse fails the test.
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("provisioningtest: requests the real server would ignore or refuse: %v", v)
	}
}

// ExpireSessions ends every session, as the ASP.NET session timeout would: the next call
// with an old cookie gets the "not connected" Fault.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	clear(s.sessions)
	s.mu.Unlock()
}

// Connects returns the number of Connect requests received.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// FailNext makes the next call of an operation other than Connect and PingConnection answer
// an ASMX Fault "Server was unable to process request. ---> message". Calls queue up.
func (s *Server) FailNext(message string) {
	s.mu.Lock()
	s.failNext = append(s.failNext, message)
	s.mu.Unlock()
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
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
