// Package bench is the benchmark suite of the offboard module: the cost of one call of each
// service's main operation over loopback (plain and TLS, sequential and parallel) next to
// gowsdl's soap.Client used the default way and a hand-written minimum client; TCP
// connections per 1000 calls; session renewal under 64 concurrent callers; and DataSet
// decoding next to encoding/xml's tokenizer and xml.Unmarshal.
//
// Everything is in _test.go files and runs only with -bench:
//
//	go test -run '^$' -bench . -benchmem ./internal/bench/
//
// The tests of the package (go test ./internal/bench/) only check, quickly, that the three
// clients compared send equivalent requests and decode the same answers, so the benchmarks
// compare like with like. cmd/benchreport runs the suite several times and rewrites
// BENCHMARKS.md with the medians, the ratios and whether the targets are met.
package bench
