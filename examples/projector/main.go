// Command projector deletes (or, when Projector still references the user, deactivates) one
// Projector PSA user with PwsDeleteUser.
//
//	go run ./examples/projector                       # the built-in fake, a demo user
//	PROJECTOR_PASSWORD=… go run ./examples/projector \
//	    -endpoint https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc \
//	    -account revcorp -login ops@revcorp.com -ref jdoe
//
// Against a real service, -endpoint, -account, -login and -ref are required (there is no
// default user). The password is read from the environment only, never from a flag.
//
// Exit status: 0 deleted, deactivated or already gone, 1 failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs, common := cli.NewFlagSet("projector", `projector deletes a Projector PSA user (PwsDeleteUser), or deactivates it when still referenced.

  projector                                                # the built-in fake, a demo user
  PROJECTOR_PASSWORD=… projector -endpoint URL -account revcorp -login ops@revcorp.com -ref jdoe
`, "PwsProjectorServices.svc `URL`", stderr)
	account := fs.String("account", "", "account code")
	login := fs.String("login", "", "user `name` to authenticate with (password from $PROJECTOR_PASSWORD)")
	ref := fs.String("ref", "", "UserReferenceSystemId of the user to delete")
	endDate := fs.String("end-date", "today", "EndDateIfInUse, YYYY-MM-DD: the user is made inactive as of this date if still referenced")
	if err := common.Parse(fs, args); err != nil {
		return cli.Fail(stderr, "projector", err)
	}
	if common.Version {
		fmt.Fprintln(stdout, "projector", cli.Version())
		return cli.ExitOK
	}
	end := time.Now()
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.Local)
	if *endDate != "today" {
		var err error
		if end, err = time.ParseInLocation(time.DateOnly, *endDate, time.Local); err != nil {
			return cli.Fail(stderr, "projector", cli.Usagef("-end-date %q: want YYYY-MM-DD or today", *endDate))
		}
	}

	endpoint := common.Endpoint
	creds := projector.Credentials{AccountCode: *account, UserName: *login, Password: env("PROJECTOR_PASSWORD")}
	if common.Demo {
		fake := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
			{ReferenceSystemID: "jdoe", DisplayName: "Jane Doe", InUse: true},
		}})
		defer fake.Close()
		endpoint, creds, *ref = fake.URL, fake.Credentials(), "jdoe"
		fmt.Fprintf(stdout, "DEMO: running against the built-in fake Projector (projectortest) at %s, not a real service.\n", endpoint)
	} else if err := errors.Join(cli.Require("-account", *account), cli.Require("-login", *login),
		cli.Require("$PROJECTOR_PASSWORD", creds.Password), cli.Require("-ref", *ref)); err != nil {
		return cli.Fail(stderr, "projector", &cli.UsageError{Msg: err.Error()})
	}

	opts := []projector.Option{projector.WithTimeout(common.Timeout)}
	if l := cli.Logger(common.Debug, stderr); l != nil {
		opts = append(opts, projector.WithLogger(l))
	}
	c, err := projector.New(endpoint, creds, opts...)
	if err != nil {
		return cli.Fail(stderr, "projector", &cli.UsageError{Msg: err.Error()})
	}
	defer func() {
		// The run's context may be cancelled (Ctrl-C): still end the session, briefly.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			fmt.Fprintln(stderr, "projector: closing the session:", err)
		}
	}()

	res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: *ref}, &projector.DeleteUserOptions{EndDateIfInUse: end})
	var se *projector.ServiceError
	switch {
	case errors.Is(err, projector.ErrNotFound):
		fmt.Fprintf(stdout, "already done: %s is not in Projector\n", *ref)
		return cli.ExitOK
	case errors.As(err, &se):
		for _, m := range se.Messages {
			fmt.Fprintf(stderr, "  %s\n", m)
		}
		return cli.Fail(stderr, "projector", err)
	case err != nil:
		return cli.Fail(stderr, "projector", err)
	}
	switch res.Outcome {
	case projector.Deactivated:
		fmt.Fprintf(stdout, "%s (%s): still referenced, made inactive as of %s\n", *ref, res.User.UserDisplayName, end.Format(time.DateOnly))
	default:
		fmt.Fprintf(stdout, "%s (%s): deleted\n", *ref, res.User.UserDisplayName)
	}
	for _, m := range res.Messages {
		fmt.Fprintf(stdout, "  %s\n", m)
	}
	return cli.ExitOK
}
