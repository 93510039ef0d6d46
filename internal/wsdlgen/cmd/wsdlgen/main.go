// Command wsdlgen regenerates one service's wire types and call stubs from its WSDL.
// It is run by `go generate ./...` (see generate.go at the module root).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/offboard-go/offboard/internal/wsdlgen"
)

func main() {
	wsdl := flag.String("wsdl", "", "WSDL file, relative to the module root")
	pkg := flag.String("pkg", "", "Go package name of the output")
	out := flag.String("out", "", "output .go file")
	flag.Parse()
	if *wsdl == "" || *pkg == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	src, err := wsdlgen.Generate(wsdlgen.Config{WSDL: filepath.ToSlash(*wsdl), Package: *pkg})
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsdlgen:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "wsdlgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "wsdlgen:", err)
		os.Exit(1)
	}
}
