// Command projector deletes (or, when Projector still references the user, deactivates) one
// Projector PSA user with PwsDeleteUser.
//
//	go run ./examples/projector                       # against a built-in fake server
//	PROJECTOR_PASSWORD=… go run ./examples/projector \
//	    -endpoint https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc \
//	    -account revcorp -user ops@revcorp.com -ref jdoe
//
// The password is read from the environment only, never from a flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

func main() {
	endpoint := flag.String("endpoint", "", "PwsProjectorServices.svc URL (empty: run against a built-in fake server)")
	account := flag.String("account", "", "account code")
	user := flag.String("user", "", "user name to authenticate with (password: $PROJECTOR_PASSWORD)")
	ref := flag.String("ref", "", "UserReferenceSystemId of the user to delete")
	endDate := flag.String("end-date", time.Now().Format(time.DateOnly), "EndDateIfInUse: the user is made inactive as of this date if still referenced")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *endpoint, *account, *user, *ref, *endDate); err != nil {
		fmt.Fprintln(os.Stderr, "projector:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint, account, user, ref, endDate string) error {
	end, err := time.Parse(time.DateOnly, endDate)
	if err != nil {
		return fmt.Errorf("-end-date: %w", err)
	}
	creds := projector.Credentials{AccountCode: account, UserName: user, Password: os.Getenv("PROJECTOR_PASSWORD")}
	if endpoint == "" {
		fmt.Println("No -endpoint given: running against a built-in fake Projector (projectortest), not a real server.")
		fake := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
			{ReferenceSystemID: "jdoe", DisplayName: "Jane Doe", InUse: true},
		}})
		defer fake.Close()
		endpoint, creds = fake.Endpoint(), fake.Credentials()
		if ref == "" {
			ref = "jdoe"
		}
	}
	if ref == "" {
		return errors.New("-ref is required with -endpoint")
	}

	c, err := projector.New(endpoint, creds)
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Close(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "projector: closing the session:", err)
		}
	}()

	res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: ref}, &projector.DeleteUserOptions{EndDateIfInUse: end})
	var se *projector.ServiceError
	switch {
	case errors.Is(err, projector.ErrNotFound):
		fmt.Printf("%s: not found in Projector (already removed?)\n", ref)
		return nil
	case errors.As(err, &se):
		for _, m := range se.Messages {
			fmt.Fprintf(os.Stderr, "  %s\n", m)
		}
		return err
	case err != nil:
		return err
	}
	switch res.Outcome {
	case projector.Deactivated:
		fmt.Printf("%s (%s): still referenced, made inactive as of %s\n", ref, res.User.UserDisplayName, end.Format(time.DateOnly))
	default:
		fmt.Printf("%s (%s): deleted\n", ref, res.User.UserDisplayName)
	}
	for _, m := range res.Messages {
		fmt.Printf("  %s\n", m)
	}
	return nil
}
