// Command cas removes one user from a Kaltura OTT household with HandleUserTask (Delete).
//
// With no flag at all (or -demo) it starts the in-process fake (package castest) with a
// demo household and runs against it:
//
//	go run ./examples/cas
//
// Against a real service, -endpoint, -household and -user are required (there is no
// default user), and the CAS module's web-service credentials come from the environment,
// never from flags:
//
//	CAS_WS_USERNAME=… CAS_WS_PASSWORD=… go run ./examples/cas \
//		-endpoint https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx -household 123 -user 456
//
// Exit status: 0 removed or already not in the household, 1 failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/examples/internal/cli"
)

const (
	demoHousehold = 1001
	demoUser      = "demo-user"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs, common := cli.NewFlagSet("cas", `cas removes a user from a Kaltura OTT household (HandleUserTask Delete).

  cas                                                     # the built-in fake, a demo household
  CAS_WS_USERNAME=… CAS_WS_PASSWORD=… cas -endpoint URL -household 123 -user 456
`, "ws_cas_module.asmx `URL`", stderr)
	household := fs.Int("household", 0, "household (domain) `id` of the user")
	user := fs.String("user", "", "`id` of the user to remove from the household")
	wsUser := fs.String("ws-user", "", "web-service user `name` (default $CAS_WS_USERNAME; password from $CAS_WS_PASSWORD)")
	wire := fs.String("wire", "soap11", "wire form: soap11, soap12 or post")
	if err := common.Parse(fs, args); err != nil {
		return cli.Fail(stderr, "cas", err)
	}
	if common.Version {
		fmt.Fprintln(stdout, "cas", cli.Version())
		return cli.ExitOK
	}
	forms := map[string]cas.Option{"soap11": cas.WithSOAPVersion(cas.SOAP11), "soap12": cas.WithSOAPVersion(cas.SOAP12), "post": cas.WithHTTPPost()}
	form, ok := forms[*wire]
	if !ok {
		return cli.Fail(stderr, "cas", cli.Usagef("unknown -wire %q (soap11, soap12 or post)", *wire))
	}
	creds := cas.Credentials{WSUserName: *wsUser, WSPassword: env("CAS_WS_PASSWORD")}
	if creds.WSUserName == "" {
		creds.WSUserName = env("CAS_WS_USERNAME")
	}

	endpoint := common.Endpoint
	if common.Demo {
		s := castest.NewServer(castest.Options{Households: []castest.Household{{
			ID: demoHousehold, Users: []string{"demo-master", demoUser}, MasterUsers: []string{"demo-master"},
		}}})
		defer s.Close()
		endpoint, creds, *household, *user = s.URL, s.Credentials(), demoHousehold, demoUser
		fmt.Fprintf(stdout, "DEMO: running against the built-in fake CAS server (castest) at %s, not a real service.\n", endpoint)
	} else {
		err := errors.Join(cli.Require("-user", *user), cli.Require("-ws-user (or $CAS_WS_USERNAME)", creds.WSUserName),
			cli.Require("$CAS_WS_PASSWORD", creds.WSPassword))
		if *household <= 0 {
			err = errors.Join(err, cli.Usagef("-household is required with -endpoint (a positive id)"))
		}
		if err != nil {
			return cli.Fail(stderr, "cas", &cli.UsageError{Msg: err.Error()})
		}
	}

	opts := []cas.Option{form, cas.WithTimeout(common.Timeout)}
	if l := cli.Logger(common.Debug, stderr); l != nil {
		opts = append(opts, cas.WithLogger(l))
	}
	c, err := cas.New(endpoint, creds, opts...)
	if err != nil {
		return cli.Fail(stderr, "cas", &cli.UsageError{Msg: err.Error()})
	}
	defer c.Close(context.WithoutCancel(ctx))

	res, err := c.DeleteUser(ctx, *household, *user)
	var se *cas.ServiceError
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "removed user %s from household %d (%s): code %d %q\n", *user, *household, *wire, res.Code, res.Message)
		return cli.ExitOK
	case errors.Is(err, cas.ErrNotFound) && errors.As(err, &se):
		fmt.Fprintf(stdout, "already done: household %d / user %s not found (code %d %s)\n", *household, *user, se.Code, se.Code)
		return cli.ExitOK
	case errors.Is(err, cas.ErrAuthentication):
		return cli.Fail(stderr, "cas", fmt.Errorf("the CAS web-service credentials were refused: %w", err))
	}
	return cli.Fail(stderr, "cas", err)
}
