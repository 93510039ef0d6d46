package udstest

import (
	"context"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
	"testing"

	"github.com/offboard-go/offboard/uds"
)

// NewClient returns a client for the fake: its endpoint and Credentials (AnA on: the admin's;
// off: none), with Options.TLS its HTTPClient (which trusts the fake's certificate), then
// opts. It fails t if the client
// cannot be built, and closes the client when the test ends.
func (s *Server) NewClient(t testing.TB, opts ...uds.Option) *uds.Client {
	t.Helper()
	if s.cfg.TLS {
		opts = append([]uds.Option{uds.WithHTTPClient(s.HTTPClient())}, opts...)
	}
	c, err := uds.New(s.URL, s.Credentials(), opts...)
	if err != nil {
		t.Fatalf("udstest: client: %v", err)
		return nil
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Test starts a Server with opts and calls f with a client made by NewClient(t, clientOpts...)
// and a context that ends with the test. When the test ends the client and the Server are
// closed, and the test fails, listing them, if any request (the client's closing ones
// included) broke the wire contract (see Violations).
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *uds.Client, s *Server), clientOpts ...uds.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	soapsrv.ReportViolations(t, "udstest", s.Violations)
	f(t.Context(), s.NewClient(t, clientOpts...), s)
}
