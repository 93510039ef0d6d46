// Command benchreport runs the benchmark suite of internal/bench several times, takes the
// medians and the ratios the targets are about, and rewrites internal/bench/BENCHMARKS.md
// (up to its keep marker: the hand-written sections after it are kept, see keep.go)
// and the Benchmarks section of the README.
//
// From the module root:
//
//	go run ./internal/bench/cmd/benchreport               # 5 rounds, -benchtime 500ms
//	go run ./internal/bench/cmd/benchreport -rounds 3 -benchtime 300ms
//	go run ./internal/bench/cmd/benchreport -in raw.txt   # report from saved output only
//
// A round is one `go test -run '^$' -bench . -benchmem -count 1` run of the whole suite
// (the test binary is built once). Rounds rather than a single -count N run, because
// -count N repeats each benchmark N times in a row: a burst of load on a shared machine
// would then hit all samples of one client and none of the other it is compared with.
// Within a round the clients compared run seconds apart, so each ratio is taken per round,
// and the report shows the median over rounds; each round also rotates the order in which
// the clients of a BenchmarkCall group run (the suite's -rotate flag). It refuses to write a report from a run in
// which any benchmark failed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 5, "how many times to run the whole suite")
	benchtime := flag.String("benchtime", "500ms", "-benchtime of each run")
	bench := flag.String("bench", ".", "-bench pattern (the report expects the whole suite)")
	out := flag.String("out", "", "report to write (default internal/bench/BENCHMARKS.md under the module root)")
	in := flag.String("in", "", "comma-separated files of saved `go test -bench` output to report on instead of running")
	raw := flag.String("raw", "", "also save the raw output of the runs to this file")
	readme := flag.String("readme", "default", "README whose Benchmarks section to rewrite (default README.md under the module root; empty: none)")
	flag.Parse()
	if err := run(*rounds, *benchtime, *bench, *out, *in, *raw, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(rounds int, benchtime, bench, out, in, raw, readme string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "internal", "bench", "BENCHMARKS.md")
	}
	if readme == "default" {
		readme = filepath.Join(root, "README.md")
	}
	cfg := runConfig{rounds: rounds, benchtime: benchtime, bench: bench}
	s := samples{}
	var rawOut bytes.Buffer
	mach := describeMachine()
	if in != "" {
		cfg.fromFiles = in
		for _, name := range strings.Split(in, ",") {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			if err := addRounds(s, b); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	} else {
		if rounds < 1 {
			return fmt.Errorf("-rounds must be at least 1")
		}
		start := time.Now()
		bin, cleanup, err := buildTests(root)
		if err != nil {
			return err
		}
		defer cleanup()
		for i := 1; i <= rounds; i++ {
			fmt.Fprintf(os.Stderr, "benchreport: round %d of %d\n", i, rounds)
			b, err := runRound(bin, filepath.Join(root, "internal", "bench"), bench, benchtime, i-1)
			rawOut.Write(b)
			if err != nil {
				saveRaw(raw, rawOut.Bytes())
				return fmt.Errorf("round %d: %w", i, err)
			}
			rs, err := parse(bytes.NewReader(b))
			if err != nil {
				saveRaw(raw, rawOut.Bytes())
				return fmt.Errorf("round %d: %w", i, err)
			}
			s.add(rs)
			mach.roundLoads = append(mach.roundLoads, strings.Fields(loadAverage())[0])
		}
		mach.duration = time.Since(start).Round(time.Second)
		mach.loadAfter = loadAverage()
		saveRaw(raw, rawOut.Bytes())
	}
	var doc bytes.Buffer
	met := render(&doc, s, mach, cfg)
	doc.Write(keptTail(out)) // the hand-written sections after keepMarker survive the rewrite
	if err := os.WriteFile(out, doc.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchreport: wrote %s (%d of %d targets met)\n", out, met.met, met.total)
	if readme != "" {
		var section bytes.Buffer
		renderSummary(&section, s, mach, cfg)
		if err := spliceReadme(readme, section.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "benchreport: rewrote the Benchmarks section of %s\n", readme)
	}
	return nil
}

// addRounds parses saved output; a file made with -count N holds N rounds, interleaved by
// benchmark, which samples.add keeps in order.
func addRounds(s samples, b []byte) error {
	rs, err := parse(bytes.NewReader(b))
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fmt.Errorf("no benchmark results")
	}
	s.add(rs)
	return nil
}

func saveRaw(path string, b []byte) {
	if path == "" {
		return
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport: saving raw output:", err)
	}
}

func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run from the offboard module")
	}
	return filepath.Dir(mod), nil
}

// buildTests compiles the suite once, so every round runs the same binary.
func buildTests(root string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "benchreport")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "bench.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, "./internal/bench/")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("building the suite: %w", err)
	}
	return bin, cleanup, nil
}

// runRound runs the whole suite once, echoing its output to stderr as it goes. rotate
// changes which of the clients compared runs first in each BenchmarkCall group, so that
// over the rounds none of them always gets the same position.
func runRound(bin, dir, bench, benchtime string, rotate int) ([]byte, error) {
	var buf bytes.Buffer
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", bench, "-test.benchmem",
		"-test.count", "1", "-test.benchtime", benchtime, "-test.timeout", "30m", "-rotate", strconv.Itoa(rotate))
	cmd.Dir = dir
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = io.MultiWriter(&buf, os.Stderr)
	err := cmd.Run()
	return buf.Bytes(), err
}

type runConfig struct {
	rounds    int
	benchtime string
	bench     string
	fromFiles string
}

// command is the go test command one round is equivalent to.
func (c runConfig) command() string {
	return fmt.Sprintf("go test -run '^$' -bench '%s' -benchmem -count 1 -benchtime %s ./internal/bench/ -args -rotate <round-1>", c.bench, c.benchtime)
}

type machine struct {
	goVersion  string
	goos       string
	goarch     string
	cpu        string
	cores      int
	gomaxprocs int
	date       string
	loadBefore string
	loadAfter  string
	roundLoads []string // 1-minute load average at the end of each round
	duration   time.Duration
}

func describeMachine() machine {
	m := machine{
		goos:       runtime.GOOS,
		goarch:     runtime.GOARCH,
		cores:      runtime.NumCPU(),
		gomaxprocs: runtime.GOMAXPROCS(0),
		cpu:        cpuModel(),
		date:       time.Now().UTC().Format("2006-01-02 15:04 MST"),
		loadBefore: loadAverage(),
	}
	if b, err := exec.Command("go", "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(b))
	} else {
		m.goVersion = runtime.Version()
	}
	return m
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown (no /proc/cpuinfo)"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage is the 1, 5 and 15 minute load averages: the suite shares the machine with
// whatever else runs, and the report says so.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
