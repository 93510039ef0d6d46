// Command uds deactivates a user in CA AuthMinder's User Data Service and reads its status
// back.
//
//	go run ./examples/uds                                  # against the in-process fake
//	UDS_CREDENTIAL=… go run ./examples/uds -endpoint https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc \
//		-admin udsadmin -admin-org MASTERADMIN -org ACME -user jdoe
//
// The AnA credential is read from the environment variable UDS_CREDENTIAL, never from a
// flag (flags end up in shell history and process listings). Without -admin the client
// sends no AnA header, for services where AnA is off.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "uds:", err)
		var re *uds.RegistryError
		if errors.As(err, &re) && re.TransactionID != "" {
			fmt.Fprintln(os.Stderr, "udsTransactionID (quote it to CA support):", re.TransactionID)
		}
		os.Exit(1)
	}
}

func run() error {
	endpoint := flag.String("endpoint", "", "ArcotUserRegistrySvc URL; empty: run against the in-process fake")
	admin := flag.String("admin", "", "AnA userID (credential from $UDS_CREDENTIAL); empty: AnA off")
	adminOrg := flag.String("admin-org", "", "AnA orgName of the admin")
	org := flag.String("org", "ACME", "organisation of the user (empty: the server's default)")
	user := flag.String("user", "jdoe", "user to deactivate")
	debug := flag.Bool("debug", false, "log the SOAP exchanges (secrets redacted)")
	flag.Parse()

	credential := os.Getenv("UDS_CREDENTIAL")
	if *endpoint == "" {
		fake := udstest.NewServer(udstest.Config{AnA: true})
		defer fake.Close()
		fake.AddUser(*org, *user, uds.StatusActive)
		a := fake.Admin()
		*endpoint, *admin, *adminOrg, credential = fake.URL, a.UserID, a.OrgName, a.Credential
		fmt.Printf("No -endpoint given: running against the in-process fake UDS (udstest) at %s\n", fake.URL)
		fmt.Printf("with AnA on and user %s/%s in status ACTIVE.\n\n", *org, *user)
	}

	opts := []uds.Option{uds.WithTimeout(30 * time.Second)}
	if *admin != "" {
		if credential == "" {
			return errors.New("-admin needs the credential in the environment variable UDS_CREDENTIAL")
		}
		opts = append(opts, uds.WithCredentials(*admin, *adminOrg, credential))
	}
	if *debug {
		opts = append(opts, uds.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := uds.New(*endpoint, opts...)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := uds.UserID{OrgName: *org, UserName: *user}

	res, err := c.UpdateUserStatus(ctx, []uds.UserID{id}, uds.StatusInactive, &uds.UpdateOptions{ClientTxID: "offboard-example"})
	if err != nil {
		return fmt.Errorf("deactivate %s: %w", *user, err)
	}
	fmt.Printf("updateUserStatus: %s (udsTransactionID %s)\n", res.Message, res.TransactionID)

	st, err := c.GetUserStatus(ctx, id, nil)
	if err != nil {
		return fmt.Errorf("read status of %s: %w", *user, err)
	}
	fmt.Printf("getUserStatus:    %s/%s (ref %d) is %s (udsTransactionID %s)\n",
		st.User.OrgName, st.User.UserName, st.User.UserRefID, st.Status, st.TransactionID)
	if st.Status != uds.StatusInactive {
		return fmt.Errorf("user %s is %s, not INACTIVE", *user, st.Status)
	}
	return nil
}
