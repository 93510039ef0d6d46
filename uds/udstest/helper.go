package udstest

import (
	"context"
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

// Test starts a fake configured by opts (closed when the test ends), builds a client for it
// with NewClient(t, clientOpts...), and runs f with a context that ends with the test. Then
// it fails the test, listing them, if any request broke the fake's statement of the wire
// contract (Violations).
func Test(t testing.TB, opts Options, f func(ctx context.Context, c *uds.Client, s *Server), clientOpts ...uds.Option) {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	c := s.NewClient(t, clientOpts...)
	f(t.Context(), c, s)
	// Every request of the test must have met the wire contract as this fake states it:
	// anything the real server would ignore or refuse fails the test.
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("udstest: %d request element(s) the real server would ignore or refuse:", len(v))
		for _, x := range v {
			t.Errorf("  %s", x)
		}
	}
}
