package projectortest

import (
	"context"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
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

// Test starts a Server with opts and calls f with a client made by NewClient(t, clientOpts...)
// and a context that ends with the test. When the test ends the client and the Server are
// closed, and the test fails, listing them, if any request (the client's closing ones
// included) broke the wire contract (see Violations).
//
//	projectortest.Test(t, projectortest.Options{Users: users}, func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
//		res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
//		…
//	})
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *projector.Client, s *Server), clientOpts ...projector.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	soapsrv.ReportViolations(t, "projectortest", s.Violations)
	f(t.Context(), s.NewClient(t, clientOpts...), s)
}
