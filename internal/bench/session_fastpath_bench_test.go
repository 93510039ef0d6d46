package bench

import (
	"context"
	"testing"

	engine "github.com/offboard-go/offboard/internal/session"
)

// BenchmarkSessionFastPath is what the session costs a call once the client has logged in:
// the engine's Fresh (a mutex and two comparisons) and, for a call that has to go through
// Get because another caller is renewing, Get returning the current session. Both must
// allocate nothing: the per-call targets of BENCHMARKS.md are measured with a session on.
func BenchmarkSessionFastPath(b *testing.B) {
	e := engine.New[string](engine.Config{})
	login := func(context.Context) (string, error) { return "ticket", nil }
	if _, _, err := e.Get(context.Background(), login); err != nil {
		b.Fatal(err)
	}
	b.Run("Fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if e.Fresh() == nil {
				b.Fatal("no session")
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := e.Get(ctx, login); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSessionFastPathAllocatesNothing holds BenchmarkSessionFastPath's figure as a test.
func TestSessionFastPathAllocatesNothing(t *testing.T) {
	e := engine.New[string](engine.Config{})
	login := func(context.Context) (string, error) { return "ticket", nil }
	if _, _, err := e.Get(context.Background(), login); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() { _ = e.Fresh() }); n != 0 {
		t.Errorf("Fresh allocates %.1f times per call, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _, _ = e.Get(ctx, login) }); n != 0 {
		t.Errorf("Get with a current session allocates %.1f times per call, want 0", n)
	}
	// uds and cas hand GetOwn a closure over the caller's own request: GetOwn must never keep
	// it, or escape analysis puts the closure and everything it captures on the heap for
	// every call, session or not.
	calls := 0
	if n := testing.AllocsPerRun(1000, func() {
		_, _, _ = e.GetOwn(ctx, func(context.Context) (string, error) { calls++; return "own", nil })
	}); n != 0 {
		t.Errorf("GetOwn with a capturing login allocates %.1f times per call, want 0", n)
	}
}
