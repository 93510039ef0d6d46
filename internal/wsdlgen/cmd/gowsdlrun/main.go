// Command gowsdlrun runs gowsdl's generator on one WSDL and writes its raw output as JSON on
// standard output. internal/wsdlgen runs it as a child process, because gowsdl's Start writes
// one map from two goroutines without synchronisation and reports template errors only through
// the standard logger: both are process-wide matters a library call must not touch, and a
// process of its own may (it runs on one P and captures the log).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/hooklift/gowsdl"
)

const gowsdlModule = "github.com/hooklift/gowsdl"

// Result is what the child writes; internal/wsdlgen decodes the same shape.
type Result struct {
	Version    string   // gowsdl module version, from the build info
	Header     []byte   // gowsdl's parts, as Start returned them
	Types      []byte   //
	Operations []byte   //
	Warnings   []string // gowsdl's [WARN] log lines
}

func main() {
	wsdl := flag.String("wsdl", "", "WSDL file")
	pkg := flag.String("pkg", "", "Go package name")
	flag.Parse()
	if *wsdl == "" || *pkg == "" {
		flag.Usage()
		os.Exit(2)
	}
	res, err := run(*wsdl, *pkg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gowsdl:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "gowsdlrun:", err)
		os.Exit(1)
	}
}

func run(wsdl, pkg string) (*Result, error) {
	res := &Result{Version: moduleVersion()}
	if res.Version == "" {
		return nil, fmt.Errorf("no %s in the build info", gowsdlModule)
	}
	var logged bytes.Buffer
	log.SetOutput(&logged)
	log.SetFlags(0)
	// One P: Start's two goroutines then cannot write their shared map at the same instant.
	runtime.GOMAXPROCS(1)

	g, err := gowsdl.NewGoWSDL(wsdl, pkg, false, true)
	if err != nil {
		return nil, err
	}
	parts, err := g.Start()
	if err != nil {
		return nil, err
	}
	warnings, err := classify(logged.String())
	if err != nil {
		return nil, err
	}
	res.Warnings = warnings
	res.Header, res.Types, res.Operations = parts["header"], parts["types"], parts["operations"]
	return res, nil
}

// classify sorts gowsdl's log: Start logs template and lookup errors and returns nil, so every
// line that is not a file being read or a warning is an error.
func classify(logged string) (warnings []string, err error) {
	var errs []string
	for _, line := range strings.Split(strings.TrimSpace(logged), "\n") {
		switch {
		case line == "", strings.HasPrefix(line, "Reading file "):
		case strings.HasPrefix(line, "[WARN] "):
			warnings = append(warnings, strings.TrimPrefix(line, "[WARN] "))
		default:
			errs = append(errs, line)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return warnings, nil
}

func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == gowsdlModule {
			if d.Replace != nil {
				d = d.Replace
			}
			return d.Version
		}
	}
	return ""
}
