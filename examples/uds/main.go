// Command uds deactivates a user in CA AuthMinder's User Data Service and reads its status
// back.
//
//	go run ./examples/uds                                  # the in-process fake, a demo user
//	UDS_CREDENTIAL=… go run ./examples/uds -endpoint https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc \
//		-admin udsadmin -admin-org MASTERADMIN -org ACME -user jdoe
//
// Against a real service, -endpoint and -user are required (there is no default user). The
// AnA credential is read from the environment variable UDS_CREDENTIAL, never from a flag
// (flags end up in shell history and process listings). Without -admin the client sends no
// AnA header, for services where AnA is off; with it, -admin-org is required too. Without
// -org the user is looked up in the server's default organisation.
//
// Exit status: 0 inactive (now or already), 1 failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs, common := cli.NewFlagSet("uds", `uds sets a user INACTIVE in CA AuthMinder's User Data Service and reads the status back.

  uds                                                      # the built-in fake, a demo user
  UDS_CREDENTIAL=… uds -endpoint URL -admin udsadmin -admin-org MASTERADMIN -org ACME -user jdoe
`, "ArcotUserRegistrySvc `URL`", stderr)
	admin := fs.String("admin", "", "AnA userID (credential from $UDS_CREDENTIAL); empty: AnA off")
	adminOrg := fs.String("admin-org", "", "AnA orgName of -admin (required with -admin)")
	org := fs.String("org", "", "organisation of the user; empty: the server's default organisation (the demo's user is in ACME)")
	user := fs.String("user", "", "`name` of the user to deactivate")
	if err := common.Parse(fs, args); err != nil {
		return cli.Fail(stderr, "uds", err)
	}
	if common.Version {
		fmt.Fprintln(stdout, "uds", cli.Version())
		return cli.ExitOK
	}

	endpoint, credential := common.Endpoint, env("UDS_CREDENTIAL")
	if common.Demo {
		fake := udstest.NewServer(udstest.Options{AnA: true})
		defer fake.Close()
		*org, *user = "ACME", "jdoe" // -demo excludes -org and -user
		fake.AddUser(*org, *user, uds.StatusActive)
		a := fake.Credentials()
		endpoint, *admin, *adminOrg, credential = fake.URL, a.UserID, a.OrgName, a.Credential
		fmt.Fprintf(stdout, "DEMO: running against the built-in fake UDS (udstest) at %s, not a real service,\n", fake.URL)
		fmt.Fprintf(stdout, "with AnA on and user %s/%s in status ACTIVE.\n\n", *org, *user)
	} else {
		err := cli.Require("-user", *user)
		if *admin != "" {
			err = errors.Join(err, cli.Require("-admin-org (the AnA orgName of -admin)", *adminOrg),
				cli.Require("$UDS_CREDENTIAL (the AnA credential of -admin)", credential))
		}
		if err != nil {
			return cli.Fail(stderr, "uds", &cli.UsageError{Msg: err.Error()})
		}
	}

	opts := []uds.Option{uds.WithTimeout(common.Timeout)}
	var creds uds.Credentials // zero: AnA off, no AnA header
	if *admin != "" {
		creds = uds.Credentials{UserID: *admin, OrgName: *adminOrg, Credential: credential}
	}
	if l := cli.Logger(common.Debug, stderr); l != nil {
		opts = append(opts, uds.WithLogger(l))
	}
	c, err := uds.New(endpoint, creds, opts...)
	if err != nil {
		return cli.Fail(stderr, "uds", &cli.UsageError{Msg: err.Error()})
	}
	if err := deactivate(ctx, c, uds.UserID{OrgName: *org, UserName: *user}, stdout); err != nil {
		var se *uds.ServiceError
		if errors.As(err, &se) && se.TransactionID != "" {
			fmt.Fprintln(stderr, "udsTransactionID (quote it to CA support):", se.TransactionID)
		}
		return cli.Fail(stderr, "uds", err)
	}
	return cli.ExitOK
}

func deactivate(ctx context.Context, c *uds.Client, id uds.UserID, stdout io.Writer) error {
	st, err := c.GetUserStatus(ctx, id, nil)
	if err != nil {
		return fmt.Errorf("read the status of %s: %w", id.UserName, err)
	}
	if st.Status == uds.StatusInactive || st.Status == uds.StatusDeleted {
		fmt.Fprintf(stdout, "already done: %s/%s is %s (udsTransactionID %s)\n", st.User.OrgName, st.User.UserName, st.Status, st.TransactionID)
		return nil
	}
	res, err := c.UpdateUserStatus(ctx, []uds.UserID{id}, uds.StatusInactive, &uds.UpdateOptions{ClientTxID: "offboard-example"})
	if err != nil {
		return fmt.Errorf("deactivate %s: %w", id.UserName, err)
	}
	fmt.Fprintf(stdout, "updateUserStatus: %s (udsTransactionID %s)\n", res.Message, res.TransactionID)

	st, err = c.GetUserStatus(ctx, id, nil)
	if err != nil {
		return fmt.Errorf("read the status of %s: %w", id.UserName, err)
	}
	fmt.Fprintf(stdout, "getUserStatus:    %s/%s (ref %d) is %s (udsTransactionID %s)\n",
		st.User.OrgName, st.User.UserName, st.User.UserRefID, st.Status, st.TransactionID)
	if st.Status != uds.StatusInactive {
		return fmt.Errorf("user %s is %s, not INACTIVE", id.UserName, st.Status)
	}
	return nil
}
