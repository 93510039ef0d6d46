package projectortest

import (
	"context"
	"testing"
	"time"

	"github.com/offboard-go/offboard/projector"
)

// NewClient returns a client for s with s's credentials, s's HTTP client (so Options.TLS
// works) and a 10 ms rate-limit wait instead of Projector's 5 s; opts come after these and
// override them. The client is closed when the test ends.
func (s *Server) NewClient(t testing.TB, opts ...projector.Option) *projector.Client {
	t.Helper()
	all := append([]projector.Option{
		projector.WithHTTPClient(s.Client()),
		projector.WithRateLimitWait(10 * time.Millisecond),
	}, opts...)
	c, err := projector.New(s.Endpoint(), s.Credentials(), all...)
	if err != nil {
		t.Fatalf("projectortest: projector.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Test starts a fake server with opts, hands f a ready client for it (see Server.NewClient)
// and the test's context, and shuts both down when f returns:
//
//	projectortest.Test(t, projectortest.Options{Users: users}, func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
//		res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
//		…
//	})
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *projector.Client, s *Server), clientOpts ...projector.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	c := s.NewClient(t, clientOpts...)
	f(t.Context(), c, s)
	// Every request of the test must have met the wire contract as this fake states it:
	// anything the real server would ignore or refuse fails the test.
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("projectortest: requests the real server would ignore or refuse: %v", v)
	}
}
