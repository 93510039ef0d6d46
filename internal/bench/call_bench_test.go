package bench

import (
	"context"
	"flag"
	"net/http"
	"runtime"
	"testing"
)

// Implementations compared.
const (
	implSDK    = "sdk"    // this module's service client
	implGowsdl = "gowsdl" // (a) gowsdl's soap.Client used the default way
	implMin    = "min"    // (b) the hand-written minimum
)

// rotate shifts the order in which BenchmarkCall runs the three clients of a group
// (sdk, gowsdl, min for 0). Position in a group measurably matters on a small machine, so
// cmd/benchreport runs each round with another rotation:
//
//	go test -run '^$' -bench Call ./internal/bench/ -args -rotate 1
var rotate = flag.Int("rotate", 0, "rotate the order of sdk, gowsdl and min within each BenchmarkCall group")

func callImpls() []string {
	impls := []string{implSDK, implGowsdl, implMin}
	k := ((*rotate % len(impls)) + len(impls)) % len(impls)
	return append(impls[k:], impls[:k]...)
}

// build returns the call of impl for tg against srv. answers are the canned answers srv
// replays (gowsdl's server replays their SOAP 1.1 copy for a SOAP 1.2 service).
func (tg *target) build(tb testing.TB, impl string, srv *server, answers cannedSet) caller {
	url := srv.URL + tg.path
	switch impl {
	case implSDK:
		var hc *http.Client // plain HTTP: the client's own transport, as a user gets it
		if srv.TLS != nil {
			hc = keepAliveClient(tb, srv.roots())
		}
		return tg.sdk(tb, url, hc)
	case implGowsdl:
		return tg.gowsdl(tb, url, srv.tlsConfig(), answers)
	default:
		return tg.min(tb, url, keepAliveClient(tb, srv.roots()), answers)
	}
}

// handlerFor is the canned server's handler for impl: gowsdl speaks SOAP 1.1 only, so for a
// SOAP 1.2 service (uds) it talks to a server that replays the same answers in SOAP 1.1
// envelopes; the server's work is the same.
func (tg *target) handlerFor(impl string, answers cannedSet) http.Handler {
	if impl == implGowsdl && tg.soap12 {
		return answers.soap11().handler()
	}
	return answers.handler()
}

// BenchmarkCall is one call of each service's main operation over loopback (a real
// httptest server on 127.0.0.1, real TCP), plain HTTP and TLS, sequential and parallel, for
// the SDK, gowsdl's client (a) and the hand-written minimum (b). The server replays the
// service fake's recorded answer, so its cost is the same for all three. The first call
// (which logs in, where the service has a session) is made before the timer starts.
//
// The new read operations of issue 19 (newops_bench_test.go) run here too, as
// BenchmarkCall/<service op>/…; cmd/benchreport's tables keep to the main operations.
//
// Names: BenchmarkCall/<service>/<http|tls>/<seq|par>/<sdk|gowsdl|min>.
func BenchmarkCall(b *testing.B) {
	for _, tg := range append(targets[:len(targets):len(targets)], newOpTargets...) {
		answers := tg.answers(b)
		for _, useTLS := range []bool{false, true} {
			transport := "http"
			if useTLS {
				transport = "tls"
			}
			for _, parallel := range []bool{false, true} {
				mode := "seq"
				if parallel {
					mode = "par"
				}
				for _, impl := range callImpls() {
					b.Run(tg.name+"/"+transport+"/"+mode+"/"+impl, func(b *testing.B) {
						srv := startServer(b, tg.handlerFor(impl, answers), useTLS)
						call := tg.build(b, impl, srv, answers)
						ctx := context.Background()
						must(b, call(ctx))
						// Start every client from the same heap: the previous benchmark's
						// garbage would otherwise be collected on this one's time.
						runtime.GC()
						b.ReportAllocs()
						if !parallel {
							for b.Loop() {
								if err := call(ctx); err != nil {
									b.Fatal(err)
								}
							}
							return
						}
						b.ResetTimer()
						b.RunParallel(func(pb *testing.PB) {
							for pb.Next() {
								if err := call(ctx); err != nil {
									b.Error(err)
									return
								}
							}
						})
					})
				}
			}
		}
	}
}

// callsPerConnsOp is the number of sequential calls one iteration of BenchmarkConns makes.
const callsPerConnsOp = 1000

// BenchmarkConns counts the TCP connections the server accepted for 1000 sequential calls
// of a new client (its first call, and login, included), over plain HTTP: metric
// conns/1000calls. The SDK keeps one connection alive; gowsdl's client sends
// "Connection: close" on a new transport for every call.
//
// Names: BenchmarkConns/<service>/<sdk|gowsdl>.
func BenchmarkConns(b *testing.B) {
	for _, tg := range targets {
		answers := tg.answers(b)
		for _, impl := range []string{implSDK, implGowsdl} {
			b.Run(tg.name+"/"+impl, func(b *testing.B) {
				srv := startServer(b, tg.handlerFor(impl, answers), false)
				ctx := context.Background()
				var conns int64
				for b.Loop() {
					call := tg.build(b, impl, srv, answers)
					before := srv.conns.Load()
					for range callsPerConnsOp {
						if err := call(ctx); err != nil {
							b.Fatal(err)
						}
					}
					conns += srv.conns.Load() - before
				}
				b.ReportMetric(float64(conns)/float64(b.N), "conns/1000calls")
			})
		}
	}
}
