package faultnet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps its errors instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestGoroutinesCatchesALeak(t *testing.T) {
	rec := &recorder{TB: t}
	check := Goroutines(rec)
	stop := make(chan struct{})
	go func() { <-stop }()
	start := time.Now()
	check()
	close(stop)
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "goroutine leak") {
		t.Fatalf("leak not reported: %q", rec.errs)
	}
	if time.Since(start) < 4*time.Second {
		t.Errorf("reported before the settle period ended")
	}

	rec = &recorder{TB: t}
	check = Goroutines(rec)
	done := make(chan struct{})
	go func() { time.Sleep(50 * time.Millisecond); close(done) }()
	check() // the goroutine ends within the settle period
	<-done
	if len(rec.errs) != 0 {
		t.Fatalf("a goroutine that ends was reported: %q", rec.errs)
	}
}

func TestGateHoldsLaterRequests(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	defer srv.Close()
	g := NewGate(nil, 2)
	hc := &http.Client{Transport: g}
	get := func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	}
	for range 2 {
		if err := get(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	<-g.Reached()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := get(ctx); err == nil {
		t.Fatal("the third request went through a closed gate")
	}
	g.Open()
	if err := get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if served.Load() != 3 || g.Requests() != 4 {
		t.Fatalf("served %d, gate saw %d", served.Load(), g.Requests())
	}
}

func TestParallelStartsTogether(t *testing.T) {
	var running, peak atomic.Int32
	errs := Parallel(context.Background(), 16, func(ctx context.Context, i int) error {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		running.Add(-1)
		if i == 3 {
			return fmt.Errorf("three")
		}
		return nil
	})
	if peak.Load() < 2 || errs[3] == nil || errs[0] != nil {
		t.Fatalf("peak %d, errs %v", peak.Load(), errs)
	}
}
