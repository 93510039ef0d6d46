package projectortest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/offboard-go/offboard/projector"
)

// NewClient returns a client for s.URL with s.Credentials(), s.HTTPClient() (so Options.TLS
// works) and a 10 ms rate-limit wait instead of Projector's 5 s; opts come after these and
// override them. It fails t if projector.New refuses the options. The client is closed when
// the test ends.
func (s *Server) NewClient(t testing.TB, opts ...projector.Option) *projector.Client {
	t.Helper()
	all := append([]projector.Option{
		projector.WithHTTPClient(s.HTTPClient()),
		projector.WithRateLimitWait(10 * time.Millisecond),
	}, opts...)
	c, err := projector.New(s.URL, s.Credentials(), all...)
	if err != nil {
		t.Fatalf("projectortest: projector.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Test starts a fake server with opts, hands f a client for it (see Server.NewClient, with
// clientOpts) and the test's context, and shuts both down when the test ends. It then fails
// the test, listing them, if any request deviated from the wire contract (Violations):
//
//	projectortest.Test(t, projectortest.Options{Users: users}, func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
//		res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
//		…
//	})
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *projector.Client, s *Server), clientOpts ...projector.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	// Every request of the test, the client's closing PwsUnauthenticate included (cleanups run
	// last in, first out), must have met the wire contract as this fake states it: anything the
	// real server would ignore or refuse fails the test.
	t.Cleanup(func() {
		if v := s.Violations(); len(v) > 0 {
			var b strings.Builder
			for _, x := range v {
				b.WriteString("\n\t" + x.String())
			}
			t.Errorf("projectortest: %d deviations from the wire contract the real server would ignore or refuse:%s", len(v), b.String())
		}
	})
	c := s.NewClient(t, clientOpts...)
	f(t.Context(), c, s)
}
