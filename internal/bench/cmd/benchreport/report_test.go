package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const round1 = `goos: linux
BenchmarkCall/cas/http/seq/sdk-2         	   10000	     50000 ns/op	   18000 B/op	     197 allocs/op
BenchmarkCall/cas/http/seq/gowsdl-2      	    5000	    110000 ns/op	   37000 B/op	     283 allocs/op
BenchmarkCall/cas/http/seq/min-2         	   10000	     48000 ns/op	   21000 B/op	     194 allocs/op
BenchmarkConns/cas/sdk-2    	      21	  57857612 ns/op	         1.000 conns/1000calls	19426291 B/op	  208313 allocs/op
BenchmarkSessionRenewal/uds-2          	      91	  12764819 ns/op	         1.000 logins	        12.67 ms-to-all-64	 6303470 B/op	   62670 allocs/op
BenchmarkDataSet/100k/sdk-2       	       2	 649105727 ns/op	  48.70 MB/s	        53.67 allocs/row	         3.898 peak-heap-MiB	181106528 B/op	 5366923 allocs/op
PASS
`

const round2 = `BenchmarkCall/cas/http/seq/sdk-2         	   10000	     70000 ns/op	   18000 B/op	     197 allocs/op
BenchmarkCall/cas/http/seq/gowsdl-2      	    5000	    150000 ns/op	   37000 B/op	     283 allocs/op
BenchmarkCall/cas/http/seq/min-2         	   10000	     69000 ns/op	   21000 B/op	     194 allocs/op
BenchmarkSessionRenewal/uds-2          	      91	  12764819 ns/op	         2.000 logins	        12.67 ms-to-all-64	 6303470 B/op	   62670 allocs/op
`

func TestParse(t *testing.T) {
	rs, err := parse(strings.NewReader(round1))
	require.NoError(t, err)
	require.Len(t, rs, 6)
	require.Equal(t, "BenchmarkCall/cas/http/seq/sdk", rs[0].name)
	require.Equal(t, map[string]float64{"ns/op": 50000, "B/op": 18000, "allocs/op": 197}, rs[0].metrics)
	require.Equal(t, 3.898, rs[5].metrics["peak-heap-MiB"])

	_, err = parse(strings.NewReader("BenchmarkX-2 1 1 ns/op\n--- FAIL: BenchmarkY\n"))
	require.ErrorContains(t, err, "failed")
}

func TestRatiosArePerRound(t *testing.T) {
	s := samples{}
	for _, r := range []string{round1, round2} {
		rs, err := parse(strings.NewReader(r))
		require.NoError(t, err)
		s.add(rs)
	}
	m, ok := s.median("BenchmarkCall/cas/http/seq/sdk", "ns/op")
	require.True(t, ok)
	require.Equal(t, 60000.0, m)
	// Per round: 50000/48000 and 70000/69000; the median of two is their mean.
	got, ok := s.ratio("BenchmarkCall/cas/http/seq/sdk", "ns/op", "BenchmarkCall/cas/http/seq/min", "ns/op")
	require.True(t, ok)
	require.InDelta(t, (50000.0/48000+70000.0/69000)/2, got, 1e-9)
	_, ok = s.ratio("BenchmarkCall/missing", "ns/op", "BenchmarkCall/cas/http/seq/min", "ns/op")
	require.False(t, ok)
}

func TestRender(t *testing.T) {
	s := samples{}
	for _, r := range []string{round1, round2} {
		rs, err := parse(strings.NewReader(r))
		require.NoError(t, err)
		s.add(rs)
	}
	var buf bytes.Buffer
	got := render(&buf, s, machine{goVersion: "go version test"}, runConfig{rounds: 2, benchtime: "1s", bench: "."})
	doc := buf.String()
	require.Contains(t, doc, "| cas HandleUserTask | http | seq | 60,000 | 130,000 | 58,500 | 1.03× | 2.17× | 2.23× |")
	require.Contains(t, doc, "| cas: 1 TCP connection per 1000 sequential calls | 1 (worst round 1); (a) n/a | yes |")
	// One round had 2 logins: not met, whatever the median says.
	require.Contains(t, doc, "| uds: exactly 1 login per expiry for 64 callers | 1.50; worst round 2 | **no** |")
	// Benchmarks missing from the run are not counted as met.
	require.Contains(t, doc, "| projector http seq: SDK time ≤ 1.10× (b) | n/a | **no** |")
	require.Less(t, got.met, got.total)
}

func TestReadmeSection(t *testing.T) {
	s := samples{}
	for _, r := range []string{round1, round2} {
		rs, err := parse(strings.NewReader(r))
		require.NoError(t, err)
		s.add(rs)
	}
	var section bytes.Buffer
	renderSummary(&section, s, machine{goVersion: "go version test", cpu: "test CPU", cores: 2, date: "today"},
		runConfig{rounds: 2, benchtime: "1s", bench: "."})
	got := section.String()
	require.Contains(t, got, "| cas HandleUserTask | http | seq | 60 | 130 | 58.5 | 1.03× | 2.17× | 1.02× |")
	require.Contains(t, got, "Missed:")
	require.Contains(t, got, "- uds: exactly 1 login per expiry for 64 callers: 1.50; worst round 2")
	require.Contains(t, got, "uds 2 (all 64 done in 12.7 ms)")

	dir := t.TempDir()
	path := dir + "/README.md"
	before := "# Title\n\n## Benchmarks\n\n" + readmeBegin + "\nold figures\n" + readmeEnd + "\n\n## Next\n"
	require.NoError(t, os.WriteFile(path, []byte(before), 0o644))
	require.NoError(t, spliceReadme(path, section.Bytes()))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotContains(t, string(after), "old figures")
	require.True(t, strings.HasPrefix(string(after), "# Title\n\n## Benchmarks\n\n"+readmeBegin+"\n"+got))
	require.True(t, strings.HasSuffix(string(after), readmeEnd+"\n\n## Next\n"))

	require.NoError(t, os.WriteFile(path, []byte("# No markers\n"), 0o644))
	require.ErrorContains(t, spliceReadme(path, section.Bytes()), "no ")
}
