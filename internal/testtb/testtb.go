// Package testtb has a testing.TB that records what a test helper reports instead of failing
// the test, for the tests of such helpers (each fake's Test fails the test on a contract
// violation; its own test checks that it does, and only then).
package testtb

import (
	"fmt"
	"sync"
	"testing"
)

// Recorder is a testing.TB that keeps Errorf calls and cleanups instead of acting on them;
// everything else goes to the real TB it wraps. End runs the cleanups, as the end of the test
// would, so that what a helper reports when the test ends can be checked before it does.
type Recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

// New returns a Recorder wrapping t.
func New(t testing.TB) *Recorder { return &Recorder{TB: t} }

// Helper does nothing: the recorded calls are not the test's failures.
func (r *Recorder) Helper() {}

// Errorf records the message instead of failing the test.
func (r *Recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// Cleanup keeps f for End.
func (r *Recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// End runs the kept cleanups, last in first out, and forgets them.
func (r *Recorder) End() {
	r.mu.Lock()
	fs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// Errors returns the recorded messages, in order.
func (r *Recorder) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}
