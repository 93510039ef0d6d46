package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// result is one benchmark line: its name without the -GOMAXPROCS suffix, and its metrics by
// unit ("ns/op", "B/op", "allocs/op", "MB/s", "logins", ...).
type result struct {
	name    string
	metrics map[string]float64
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output and returns its benchmark lines in order. A FAIL line
// or a panic makes it fail: a report must not be made from a broken run.
func parse(r io.Reader) ([]result, error) {
	var out []result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "--- FAIL"), strings.HasPrefix(line, "FAIL"), strings.HasPrefix(line, "panic:"):
			return nil, fmt.Errorf("the benchmark run failed: %s", line)
		case !strings.HasPrefix(line, "Benchmark"):
			continue
		}
		f := strings.Fields(line)
		// Name, iterations, then value-unit pairs. A name alone on its line (a benchmark
		// that logged something) is followed later by its figures on another line.
		if len(f) < 4 || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		res := result{name: procsSuffix.ReplaceAllString(f[0], ""), metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad value %q in %q", f[i], line)
			}
			res.metrics[f[i+1]] = v
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// samples holds every round's value of every metric of every benchmark.
type samples map[string]map[string][]float64 // name → unit → values, one per round

func (s samples) add(rs []result) {
	for _, r := range rs {
		m := s[r.name]
		if m == nil {
			m = map[string][]float64{}
			s[r.name] = m
		}
		for unit, v := range r.metrics {
			m[unit] = append(m[unit], v)
		}
	}
}

// median of a benchmark's metric; ok is false when the benchmark or metric is missing.
func (s samples) median(name, unit string) (float64, bool) {
	return median(s[name][unit])
}

// ratio is the median over rounds of a.unitA / b.unitB, each round's figures taken
// together: the two benchmarks of a round ran seconds apart, so a burst of load on the
// machine affects both.
func (s samples) ratio(a, unitA, b, unitB string) (float64, bool) {
	x, y := s[a][unitA], s[b][unitB]
	n := min(len(x), len(y))
	if n == 0 {
		return 0, false
	}
	rs := make([]float64, 0, n)
	for i := range n {
		if y[i] == 0 {
			return 0, false
		}
		rs = append(rs, x[i]/y[i])
	}
	return median(rs)
}

// all returns every round's value of a metric.
func (s samples) all(name, unit string) []float64 { return s[name][unit] }

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2], true
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2, true
}
