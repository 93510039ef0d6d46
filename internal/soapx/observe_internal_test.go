package soapx

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/scrub"
)

type noopObserver struct{}

func (noopObserver) Start(ctx context.Context, _ observe.CallInfo) (context.Context, observe.Call) {
	return ctx, noopCall{}
}

type noopCall struct{}

func (noopCall) Event(observe.Event) {}
func (noopCall) End(observe.Result)  {}

// BenchmarkHookOverhead is the observation's own work for a call of one exchange, without
// the exchange: what a façade does (Hook.Start, Call.End) and what the runtime adds to the
// exchange (the clock, the attempt event), with no Observer ("none") and with one that does
// nothing ("noop"). internal/bench's BenchmarkObserve measures the same on real calls.
func BenchmarkHookOverhead(b *testing.B) {
	ex := &exchange{action: "urn:test/Echo", version: SOAP11}
	for _, mode := range []string{"none", "noop"} {
		var o observe.Observer
		if mode == "noop" {
			o = noopObserver{}
		}
		h := NewHook(o, "svc", SOAP11, "http://soap.test/svc.asmx", scrub.New("a-secret-value"))
		c := &Client{observed: o != nil, url: &url.URL{Host: "soap.test"}}
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				cctx, call := h.Start(ctx, "Echo", "urn:test/Echo")
				if c.observed {
					c.observeAttempt(cctx, ex, nil, nil, 300, time.Now(), nil)
				}
				call.End(nil, "")
			}
		})
	}
}

func TestNoObserverAllocatesNothing(t *testing.T) {
	var h *Hook
	c := &Client{}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		cctx, call := h.Start(ctx, "Echo", "urn:test/Echo")
		if c.observed {
			c.observeAttempt(cctx, &exchange{}, nil, nil, 0, time.Now(), nil)
		}
		call.End(nil, "")
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per call without an Observer, want 0", allocs)
	}
}
