// Command provisioning lists a user's SafeNet BSIDCA provisioning tasks and removes the user
// from each of them.
//
//	go run ./examples/provisioning                      # the built-in fake, a demo user
//	PROVISIONING_OTP=… go run ./examples/provisioning -endpoint https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx \
//	    -operator operator@example.com -org "Example Org" -user alice
//
// Against a real service, -endpoint, -operator, -org and -user are required (there is no
// default user). The OTP (or static password) comes from the environment variable
// PROVISIONING_OTP, never from a flag. An OTP is single-use: if the session expires mid-run
// the client needs a second one, which a static password provides and a token OTP does not.
//
// Exit status: 0 removed from every task (or in none), 1 failed, 2 bad usage.
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
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs, common := cli.NewFlagSet("provisioning", `provisioning removes a user from every SafeNet BSIDCA provisioning task they are in.

  provisioning                                             # the built-in fake, a demo user
  PROVISIONING_OTP=… provisioning -endpoint URL -operator operator@example.com -org "Example Org" -user alice
`, "BSIDCA.asmx `URL`", stderr)
	operator := fs.String("operator", "", "operator e-mail (OTP or static password from $PROVISIONING_OTP)")
	org := fs.String("org", "", "organization (account) name")
	user := fs.String("user", "", "`name` of the user to remove from their provisioning tasks")
	notify := fs.Bool("notify", false, "e-mail the user about the removal")
	if err := common.Parse(fs, args); err != nil {
		return cli.Fail(stderr, "provisioning", err)
	}
	if common.Version {
		fmt.Fprintln(stdout, "provisioning", cli.Version())
		return cli.ExitOK
	}

	endpoint := common.Endpoint
	secret := env("PROVISIONING_OTP")
	creds := provisioning.Credentials{OperatorEmail: *operator,
		OTP: func(context.Context) (string, error) { return secret, nil }}
	if common.Demo {
		s := provisioningtest.NewServer(provisioningtest.Options{})
		defer s.Close()
		*org, *user = "Example Org", "alice"
		seed(s, *org, *user)
		endpoint, creds = s.URL, s.Credentials()
		fmt.Fprintf(stdout, "DEMO: running against the built-in fake BSIDCA server (provisioningtest) at %s, not a real service.\n\n", s.URL)
	} else if err := errors.Join(cli.Require("-operator", *operator), cli.Require("-org", *org), cli.Require("-user", *user),
		cli.Require("$PROVISIONING_OTP (the operator's OTP or static password)", secret)); err != nil {
		return cli.Fail(stderr, "provisioning", &cli.UsageError{Msg: err.Error()})
	}

	opts := []provisioning.Option{provisioning.WithTimeout(common.Timeout)}
	if l := cli.Logger(common.Debug, stderr); l != nil {
		opts = append(opts, provisioning.WithLogger(l))
	}
	c, err := provisioning.New(endpoint, creds, opts...)
	if err != nil {
		return cli.Fail(stderr, "provisioning", &cli.UsageError{Msg: err.Error()})
	}
	defer c.Close(context.WithoutCancel(ctx))
	if err := remove(ctx, c, *org, *user, *notify, stdout); err != nil {
		var ce *provisioning.ConnectError
		if errors.As(err, &ce) {
			err = fmt.Errorf("connect refused: %s", ce.Result)
		}
		return cli.Fail(stderr, "provisioning", err)
	}
	return cli.ExitOK
}

func remove(ctx context.Context, c *provisioning.Client, org, user string, notify bool, stdout io.Writer) error {
	// Collect first: removing the user while paging would shift the later pages.
	var tasks []provisioning.Task
	for task, err := range c.AllTasksForUser(ctx, org, user) {
		if err != nil {
			return err
		}
		tasks = append(tasks, task)
	}
	fmt.Fprintf(stdout, "%d provisioning task(s) for %q in %q:\n", len(tasks), user, org)
	for _, t := range tasks {
		fmt.Fprintf(stdout, "  task %d  %-10s  %d user(s)  by %s\n", t.TaskID, t.TokenOption, t.Count, t.Operator)
	}

	failed := 0
	for _, t := range tasks {
		err := c.RemoveUsersFromTask(ctx, org, t.TaskID, []string{user}, notify)
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "removed %q from task %d\n", user, t.TaskID)
		case errors.Is(err, provisioning.ErrNotChanged):
			fmt.Fprintf(stdout, "task %d: already done (nothing to remove)\n", t.TaskID)
		default:
			failed++
			fmt.Fprintf(stdout, "task %d: %v\n", t.TaskID, err)
		}
	}

	left, err := c.TaskCountForUser(ctx, org, user)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%q is now in %d provisioning task(s)\n", user, left)
	if failed > 0 {
		return fmt.Errorf("%d removal(s) failed", failed)
	}
	return nil
}

// seed gives the fake server a few tasks, two of them with the user.
func seed(s *provisioningtest.Server, org, user string) {
	start := time.Now().UTC().Truncate(time.Second)
	op := s.Credentials().OperatorEmail
	s.AddTask(org, provisioningtest.Task{Operator: op, TokenOption: "MobilePASS", Status: "Active",
		StartDate: start, StopDate: start.AddDate(0, 0, 14),
		Users: []provisioningtest.TaskUser{{UserID: "17", UserName: user, Status: "Pending"}, {UserID: "18", UserName: "bob", Status: "Pending"}}})
	s.AddTask(org, provisioningtest.Task{Operator: op, TokenOption: "GrIDsure", Status: "Active",
		StartDate: start, StopDate: start.AddDate(0, 1, 0),
		Users: []provisioningtest.TaskUser{{UserID: "17", UserName: user, Status: "Pending"}}})
	s.AddTask(org, provisioningtest.Task{Operator: op, TokenOption: "MobilePASS", Status: "Active",
		StartDate: start, Users: []provisioningtest.TaskUser{{UserID: "19", UserName: "carol", Status: "Pending"}}})
}
