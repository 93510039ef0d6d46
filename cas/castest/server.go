package castest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/internal/caswsdl"
)

// Path is where the module lives on a real host; the HTTP POST form appends
// "/HandleUserTask".
const Path = "/ws_cas_module.asmx"

// The web-service credentials a Server accepts unless WithCredentials says otherwise.
const (
	DefaultWSUserName = "castest-ws-user"
	DefaultWSPassword = "castest-ws-password"
)

// Household is a household (Kaltura "domain") as the fake keeps it.
type Household struct {
	ID          int
	Users       []string // member user ids, master users included
	MasterUsers []string // the members that are master users; Delete needs at least one
	// Suspended: the cancellations answer 1009 DomainSuspended. Delete does not check it
	// (the server's household check passes a suspended household).
	Suspended  bool
	Recordings int // recordings held; DeleteDomain sets it to 0
	// Entitlements are the household's purchases (entitlement reads and cancellations).
	Entitlements []Entitlement
}

func (h Household) clone() Household {
	h.Users = slices.Clone(h.Users)
	h.MasterUsers = slices.Clone(h.MasterUsers)
	h.Entitlements = slices.Clone(h.Entitlements)
	return h
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the web-service credentials the server accepts.
func WithCredentials(c cas.Credentials) Option { return func(s *Server) { s.creds = c } }

// WithHouseholds seeds the server with households (a later one with the same ID wins).
func WithHouseholds(hs ...Household) Option {
	return func(s *Server) {
		for _, h := range hs {
			h = h.clone()
			s.seedEntitlements(&h)
			s.households[h.ID] = h
		}
	}
}

// WithUserNotInHouseholdCode sets the code Delete answers for a user who is not a member
// of an existing household. The default is 0 OK, as the real server does: Delete
// only validates the household and then moves the user's recordings, which for a non-member
// moves nothing. Pass cas.CodeUserNotExistsInDomain (1020) to simulate a server that checks
// membership.
func WithUserNotInHouseholdCode(code cas.Code) Option {
	return func(s *Server) { s.notMemberCode = code }
}

// Server is an in-process fake of ws_cas_module.asmx. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server (http://127.0.0.1:port); the module is at
	// Endpoint().
	URL string

	ts            *httptest.Server
	mu            sync.Mutex
	creds         cas.Credentials
	notMemberCode cas.Code
	households    map[int]Household
	failures      []caswsdl.Status
	requests      []Request
	violations    []string
	users         map[string]bool // every user id ever seeded: the users module's users
	catalogue     map[string]bool // subscription codes that exist besides the purchased ones
	nextPurchase  int
}

// NewServer starts a fake. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		creds:         cas.Credentials{WSUserName: DefaultWSUserName, WSPassword: DefaultWSPassword},
		notMemberCode: cas.CodeOK,
		households:    make(map[int]Household),
		users:         make(map[string]bool),
		catalogue:     make(map[string]bool),
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down and waits for the requests in flight.
func (s *Server) Close() { s.ts.Close() }

// Endpoint returns the module's URL, what cas.New wants.
func (s *Server) Endpoint() string { return s.URL + Path }

// Credentials returns the web-service credentials the server accepts.
func (s *Server) Credentials() cas.Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds
}

// HTTPClient returns an *http.Client that reaches the server (pass it with
// cas.WithHTTPClient; any other client works too, the server listens on loopback).
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// NewClient returns a cas.Client for this server with its credentials; opts come after
// the server's own, so they can override the wire form, the credentials' HTTP client…
func (s *Server) NewClient(opts ...cas.Option) (*cas.Client, error) {
	all := append([]cas.Option{cas.WithHTTPClient(s.HTTPClient())}, opts...)
	return cas.New(s.Endpoint(), s.Credentials(), all...)
}

// AddHousehold adds h, replacing any household with the same ID.
func (s *Server) AddHousehold(h Household) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h = h.clone()
	s.seedEntitlements(&h)
	s.households[h.ID] = h
}

// Household returns a copy of household id as it is now.
func (s *Server) Household(id int) (Household, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.households[id]
	return h.clone(), ok
}

// FailNext makes the next request that passes the protocol and credential checks answer
// Status{code, message} (HTTP 200) without touching any household. Calls queue up: each
// queued failure is used once, in order. An empty message becomes the code's name.
func (s *Server) FailNext(code cas.Code, message string) {
	if message == "" {
		message = code.String()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, caswsdl.Status{Code: int32(code), Message: message})
}

// Requests returns every request received so far, in arrival order, refused ones included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Format keeps the accepted password out of test output.
func (s *Server) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "castest.Server{URL:%q}", s.URL)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// Test starts a Server with opts, hands f a ready client for it (SOAP 1.1, the server's
// credentials) and closes the server when the test ends.
func Test(t testing.TB, f func(ctx context.Context, c *cas.Client, s *Server), opts ...Option) {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	c, err := s.NewClient()
	if err != nil {
		t.Fatalf("castest: new client: %v", err)
	}
	f(t.Context(), c, s)
	// Every request of the test must have met the wire contract as this fake states it:
	// anything the real server would ignore or refuse fails the test.
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("castest: requests the real server would ignore or refuse: %v", v)
	}
}
