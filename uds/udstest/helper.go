package udstest

import (
	"context"
	"testing"

	"github.com/offboard-go/offboard/uds"
)

// Client returns a client for the fake, with the admin's credentials when AnA is on, and
// opts after them (so a test may override the credentials).
func (s *Server) Client(opts ...uds.Option) (*uds.Client, error) {
	var all []uds.Option
	if s.cfg.AnA {
		a := s.cfg.Admin
		all = append(all, uds.WithCredentials(a.UserID, a.OrgName, a.Credential))
	}
	return uds.New(s.URL, append(all, opts...)...)
}

// Test starts a fake configured by cfg, builds a client for it (see Server.Client) and
// runs f with a context that ends with the test. The fake is closed when the test ends.
func Test(t testing.TB, cfg Config, f func(ctx context.Context, c *uds.Client, s *Server), opts ...uds.Option) {
	t.Helper()
	s := New(t, cfg)
	c, err := s.Client(opts...)
	if err != nil {
		t.Fatalf("udstest: client: %v", err)
	}
	f(t.Context(), c, s)
	// Every request of the test must have met the wire contract as this fake states it:
	// anything the real server would ignore or refuse fails the test.
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("udstest: requests the real server would ignore or refuse: %v", v)
	}
}
