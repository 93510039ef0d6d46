// Command cas removes one user from a Kaltura OTT household with HandleUserTask (Delete).
//
// With no -endpoint it starts the in-process fake (package castest) with a demo household
// and runs against it:
//
//	go run ./examples/cas
//
// Against a real service, the CAS module's web-service credentials come from the
// environment, never from flags:
//
//	CAS_WS_USERNAME=… CAS_WS_PASSWORD=… go run ./examples/cas \
//		-endpoint https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx -household 123 -user 456
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

const (
	demoHousehold = 1001
	demoUser      = "demo-user"
)

func main() {
	os.Exit(run())
}

func run() int {
	endpoint := flag.String("endpoint", "", "ws_cas_module.asmx URL; empty: run against the built-in fake")
	household := flag.Int("household", 0, "household (domain) id")
	user := flag.String("user", "", "id of the user to remove from the household")
	wire := flag.String("wire", "soap11", "wire form: soap11, soap12 or post")
	verbose := flag.Bool("v", false, "log every exchange (passwords redacted)")
	flag.Parse()

	forms := map[string]cas.WireForm{"soap11": cas.SOAP11, "soap12": cas.SOAP12, "post": cas.HTTPPost}
	form, ok := forms[*wire]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown -wire %q (soap11, soap12 or post)\n", *wire)
		return 2
	}
	creds := cas.Credentials{WSUserName: os.Getenv("CAS_WS_USERNAME"), WSPassword: os.Getenv("CAS_WS_PASSWORD")}

	if *endpoint == "" {
		fakeOpts := []castest.Option{castest.WithHouseholds(castest.Household{
			ID: demoHousehold, Users: []string{"demo-master", demoUser}, MasterUsers: []string{"demo-master"},
		})}
		if creds.WSUserName != "" && creds.WSPassword != "" {
			fakeOpts = append(fakeOpts, castest.WithCredentials(creds))
		}
		s := castest.NewServer(fakeOpts...)
		defer s.Close()
		*endpoint, creds = s.Endpoint(), s.Credentials()
		if *household == 0 {
			*household = demoHousehold
		}
		if *user == "" {
			*user = demoUser
		}
		fmt.Printf("No -endpoint given: running against the built-in fake CAS server (castest) at %s\n", *endpoint)
	}
	if *household <= 0 || *user == "" {
		fmt.Fprintln(os.Stderr, "-household and -user are required with -endpoint")
		return 2
	}
	if creds.WSUserName == "" || creds.WSPassword == "" {
		fmt.Fprintln(os.Stderr, "set CAS_WS_USERNAME and CAS_WS_PASSWORD (the CAS module's web-service credentials)")
		return 2
	}

	opts := []cas.Option{cas.WithWireForm(form), cas.WithTimeout(30 * time.Second)}
	if *verbose {
		opts = append(opts, cas.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := cas.New(*endpoint, creds, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := c.DeleteUser(ctx, *household, *user)
	var se *cas.StatusError
	switch {
	case err == nil:
		fmt.Printf("removed user %s from household %d (%s): code %d %q\n", *user, *household, form, res.Code, res.Message)
		return 0
	case errors.Is(err, cas.ErrNotFound) && errors.As(err, &se):
		fmt.Printf("nothing to remove: household %d / user %s not found (code %d %s)\n", *household, *user, se.Code, se.Code)
		return 0
	case errors.Is(err, cas.ErrAuthentication):
		fmt.Fprintln(os.Stderr, "the CAS web-service credentials were rejected:", err)
	default:
		fmt.Fprintln(os.Stderr, "failed:", err)
	}
	return 1
}
