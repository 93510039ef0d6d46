package castest

import (
	"context"
	"fmt"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/offboard-go/offboard/cas"
)

// Path is where the module lives on a real host; the HTTP POST form appends
// "/HandleUserTask".
const Path = "/ws_cas_module.asmx"

// The web-service credentials a Server accepts unless Options.Credentials says otherwise.
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

// Options configure a Server. The zero value works: a server accepting DefaultWSUserName and
// DefaultWSPassword, with no households.
type Options struct {
	// TLS serves https with a self-signed certificate; HTTPClient (and so NewClient and Test)
	// trusts it.
	TLS bool
	// Credentials are the web-service credentials the server accepts; the zero value means
	// DefaultWSUserName and DefaultWSPassword.
	Credentials cas.Credentials
	// Households seed the server (a later one with the same ID wins); see AddHousehold.
	Households []Household
	// SubscriptionCodes are subscription codes the catalogue has besides those the seeded
	// households bought: a code no household holds answers 3000 InvalidPurchase rather than
	// 3081 SubscriptionDoesNotExist.
	SubscriptionCodes []string
	// UserNotInHouseholdCode is the code Delete answers for a user who is not a member of an
	// existing household. The default, 0 OK, is what the real server does: Delete only
	// validates the household and then moves the user's recordings, which for a non-member
	// moves nothing. Set cas.CodeUserNotExistsInDomain (1020) to simulate a server that checks
	// membership.
	UserNotInHouseholdCode cas.Code
}

// Failure is what FailNext makes the server answer: a Status with Code (not 0) and Message
// (empty: the code's name).
type Failure struct {
	Code    cas.Code
	Message string
}

// Server is an in-process fake of ws_cas_module.asmx. It is safe for concurrent use.
type Server struct {
	// URL is the module's endpoint, what cas.New wants:
	// http://127.0.0.1:port/ws_cas_module.asmx (https with Options.TLS). The HTTP POST form
	// is served at URL+"/HandleUserTask".
	URL string

	ts            *httptest.Server
	mu            sync.Mutex
	creds         cas.Credentials
	notMemberCode cas.Code
	households    map[int]Household
	failures      []Failure
	requests      []Request
	violations    []Violation
	logins        int
	users         map[string]bool // every user id ever seeded: the users module's users
	catalogue     map[string]bool // subscription codes that exist besides the purchased ones
	nextPurchase  int
}

// NewServer starts a fake configured by opts. Close it when done.
func NewServer(opts Options) *Server {
	s := &Server{
		creds:         opts.Credentials,
		notMemberCode: opts.UserNotInHouseholdCode,
		households:    make(map[int]Household),
		users:         make(map[string]bool),
		catalogue:     make(map[string]bool),
	}
	if s.creds == (cas.Credentials{}) {
		s.creds = cas.Credentials{WSUserName: DefaultWSUserName, WSPassword: DefaultWSPassword}
	}
	for _, h := range opts.Households {
		h = h.clone()
		s.seedEntitlements(&h)
		s.households[h.ID] = h
	}
	for _, c := range opts.SubscriptionCodes {
		s.catalogue[c] = true
	}
	if opts.TLS {
		s.ts = httptest.NewTLSServer(http.HandlerFunc(s.serveHTTP))
	} else {
		s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	}
	s.URL = s.ts.URL + Path
	return s
}

// Close shuts the server down and waits for the requests in flight.
func (s *Server) Close() { s.ts.Close() }

// Credentials returns the web-service credentials the server accepts: what a client needs.
func (s *Server) Credentials() cas.Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds
}

// HTTPClient returns an *http.Client that reaches the server and, with Options.TLS, trusts
// its certificate (pass it with cas.WithHTTPClient).
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// NewClient returns a cas.Client for this server with its credentials and HTTPClient; opts
// come after the server's own, so they can override them (cas.WithSOAPVersion,
// cas.WithHTTPPost, cas.WithHTTPClient…). It fails t if cas.New refuses the options, and closes
// the client when the test ends.
func (s *Server) NewClient(t testing.TB, opts ...cas.Option) *cas.Client {
	t.Helper()
	all := append([]cas.Option{cas.WithHTTPClient(s.HTTPClient())}, opts...)
	c, err := cas.New(s.URL, s.Credentials(), all...)
	if err != nil {
		t.Fatalf("castest: new client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
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
// Status{f.Code, f.Message} (HTTP 200) without touching any household (the permitted-
// subscription reads answer no result, as the server does after an exception; GetUserCAStatus
// is not affected). Calls queue up: each queued failure is used once, in order. An empty
// Message becomes the code's name.
func (s *Server) FailNext(f Failure) {
	if f.Message == "" {
		f.Message = f.Code.String()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// Requests returns every request received so far, in arrival order, refused ones included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Logins returns how many requests presented web-service credentials (sWSUserName or
// sWSPassword), accepted or refused. cas has no login operation: every request logs in.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Violations returns every deviation from the wire contract seen so far, in order: what the
// real server would silently read otherwise than the client meant (element order, namespaces,
// unknown, repeated or missing members) or refuse (SOAPAction, content type, malformed XML,
// an unknown path…).
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Format keeps the accepted password out of test output.
func (s *Server) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "castest.Server{URL:%q}", s.URL)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.violations = append(s.violations, r.Violations...)
	if r.Params["sWSUserName"] != "" || r.Params["sWSPassword"] != "" {
		s.logins++
	}
}

// Test starts a Server with opts and calls f with a client made by NewClient(t, clientOpts...)
// and a context that ends with the test. When the test ends the client and the Server are
// closed, and the test fails, listing them, if any request (the client's closing ones
// included) broke the wire contract (see Violations).
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *cas.Client, s *Server), clientOpts ...cas.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	soapsrv.ReportViolations(t, "castest", s.Violations)
	f(t.Context(), s.NewClient(t, clientOpts...), s)
}
