// Package cli holds the conventions the example programs share, so that the same thing has
// the same flag and the same exit status in all five:
//
//   - -endpoint (the per-service programs), -demo, -debug, -timeout, -version;
//   - the built-in fake runs with -demo, or with no flag at all; any other flag of the
//     program means the real service, whose endpoint must then be given and not empty (an
//     unset variable in a cron job is bad usage, not a silent demo);
//   - exit status 0 done (or already done), 1 failed, 2 bad usage: unknown or extra
//     arguments, an empty endpoint, a missing target or secret.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
)

// Exit statuses of every example program.
const (
	ExitOK     = 0 // done, or already done
	ExitFailed = 1 // the service refused, or could not be reached
	ExitUsage  = 2 // bad usage: nothing was sent
)

// UsageError is bad usage. Printed: the flag package already printed it.
type UsageError struct {
	Msg     string
	Printed bool
}

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// Common are the flags every per-service program has.
type Common struct {
	Endpoint string
	Demo     bool
	Debug    bool
	Version  bool
	Timeout  time.Duration
}

// globalFlags are the flags that do not say which service to talk to: they leave the
// program in demo mode.
var globalFlags = map[string]bool{"demo": true, "debug": true, "timeout": true, "version": true}

// NewFlagSet returns a flag set with the common flags; endpointHelp describes -endpoint.
func NewFlagSet(name, doc, endpointHelp string, stderr io.Writer) (*flag.FlagSet, *Common) {
	c := &Common{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, strings.TrimLeft(doc, "\n"))
		fmt.Fprintln(stderr, "\nExit status: 0 done or already done, 1 failed, 2 bad usage (nothing sent).")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.Endpoint, "endpoint", "", endpointHelp+" (required with any flag but -demo, -debug, -timeout)")
	fs.BoolVar(&c.Demo, "demo", false, "run against the built-in fake server (the default with no flag at all)")
	fs.BoolVar(&c.Debug, "debug", false, "log every SOAP exchange to stderr (secrets redacted)")
	fs.DurationVar(&c.Timeout, "timeout", 30*time.Second, "bound on each call")
	fs.BoolVar(&c.Version, "version", false, "print the version and exit")
	return fs, c
}

// Parse parses args and decides between the demo and the real service. It returns
// flag.ErrHelp for -h, a *UsageError for anything wrong.
func (c *Common) Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Msg: err.Error(), Printed: true}
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q (every setting is a flag; see -h)", fs.Arg(0))
	}
	if c.Version {
		return nil
	}
	var real []string
	fs.Visit(func(f *flag.Flag) {
		if !globalFlags[f.Name] {
			real = append(real, "-"+f.Name)
		}
	})
	switch {
	case c.Demo && len(real) > 0:
		return Usagef("-demo runs against the built-in fake: it excludes %s", strings.Join(real, ", "))
	case len(real) == 0:
		c.Demo = true
	case strings.TrimSpace(c.Endpoint) == "":
		return Usagef("-endpoint is empty or missing (an unset variable?): give the service's URL, or no flag at all (or -demo) for the built-in fake")
	}
	return nil
}

// Require is a usage error when value is empty.
func Require(what, value string) error {
	if strings.TrimSpace(value) == "" {
		return Usagef("%s is required with -endpoint", what)
	}
	return nil
}

// Fail reports err on stderr and returns its exit status: ExitUsage for a *UsageError (and
// 0 for -h), ExitFailed otherwise.
func Fail(stderr io.Writer, program string, err error) int {
	var ue *UsageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		if !ue.Printed {
			fmt.Fprintf(stderr, "%s: %v\nRun with -h for help.\n", program, err)
		}
		return ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %v\n", program, err)
	return ExitFailed
}

// Logger is the debug wire logger, or nil.
func Logger(debug bool, w io.Writer) *slog.Logger {
	if !debug {
		return nil
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Version is the module version and VCS revision the binary was built from.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value[:min(12, len(s.Value))]
		}
	}
	return v + " " + bi.GoVersion
}
