// Command provisioning lists a user's SafeNet BSIDCA provisioning tasks and removes the user
// from each of them.
//
//	go run ./examples/provisioning                      # against an in-process fake server
//	PROVISIONING_OTP=… go run ./examples/provisioning -endpoint https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx \
//	    -operator operator@example.com -org "Example Org" -user alice
//
// The OTP (or static password) comes from the environment variable PROVISIONING_OTP, never from
// a flag. An OTP is single-use: if the session expires mid-run the client needs a second one,
// which a static password provides and a token OTP does not.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

func main() {
	log.SetFlags(0)
	endpoint := flag.String("endpoint", "", "BSIDCA endpoint, https://<host>/bsidca/BSIDCA.asmx (default: an in-process fake)")
	operator := flag.String("operator", "", "operator e-mail (default with the fake: "+provisioningtest.TestOperator+")")
	org := flag.String("org", "Example Org", "organization (account) name")
	user := flag.String("user", "alice", "user to remove from their provisioning tasks")
	notify := flag.Bool("notify", false, "e-mail the user about the removal")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	var otp provisioning.OTPSource
	if *endpoint == "" {
		s := provisioningtest.NewServer(provisioningtest.Options{})
		defer s.Close()
		seed(s, *org, *user)
		*endpoint, otp = s.URL, s.OTPSource()
		if *operator == "" {
			*operator = s.Operator()
		}
		fmt.Printf("No -endpoint given: running against an in-process fake BSIDCA server (provisioningtest) at %s\n\n", s.URL)
	} else {
		if os.Getenv("PROVISIONING_OTP") == "" {
			log.Fatal("set PROVISIONING_OTP to the operator's OTP or static password")
		}
		otp = func(context.Context) (string, error) { return os.Getenv("PROVISIONING_OTP"), nil }
	}

	if err := run(ctx, *endpoint, *operator, otp, *org, *user, *notify); err != nil {
		var ce *provisioning.ConnectError
		if errors.As(err, &ce) {
			log.Fatalf("connect refused: %s", ce.Result)
		}
		log.Fatal(err)
	}
}

func run(ctx context.Context, endpoint, operator string, otp provisioning.OTPSource, org, user string, notify bool) error {
	c, err := provisioning.New(endpoint, operator, otp)
	if err != nil {
		return err
	}

	// Collect first: removing the user while paging would shift the later pages.
	var tasks []provisioning.Task
	for task, err := range c.AllTasksForUser(ctx, org, user) {
		if err != nil {
			return err
		}
		tasks = append(tasks, task)
	}
	fmt.Printf("%d provisioning task(s) for %q in %q:\n", len(tasks), user, org)
	for _, t := range tasks {
		fmt.Printf("  task %d  %-10s  %d user(s)  by %s\n", t.TaskID, t.TokenOption, t.Count, t.Operator)
	}

	failed := 0
	for _, t := range tasks {
		err := c.RemoveUsersFromTask(ctx, org, t.TaskID, []string{user}, notify)
		switch {
		case err == nil:
			fmt.Printf("removed %q from task %d\n", user, t.TaskID)
		case errors.Is(err, provisioning.ErrNotChanged):
			fmt.Printf("task %d: nothing to remove\n", t.TaskID)
		default:
			failed++
			fmt.Printf("task %d: %v\n", t.TaskID, err)
		}
	}

	left, err := c.TaskCountForUser(ctx, org, user)
	if err != nil {
		return err
	}
	fmt.Printf("%q is now in %d provisioning task(s)\n", user, left)
	if failed > 0 {
		return fmt.Errorf("%d removal(s) failed", failed)
	}
	return nil
}

// seed gives the fake server a few tasks, two of them with the user.
func seed(s *provisioningtest.Server, org, user string) {
	start := time.Now().UTC().Truncate(time.Second)
	s.AddTask(org, provisioningtest.Task{Operator: s.Operator(), TokenOption: "MobilePASS", Status: "Active",
		StartDate: start, StopDate: start.AddDate(0, 0, 14),
		Users: []provisioningtest.TaskUser{{UserID: "17", UserName: user, Status: "Pending"}, {UserID: "18", UserName: "bob", Status: "Pending"}}})
	s.AddTask(org, provisioningtest.Task{Operator: s.Operator(), TokenOption: "GrIDsure", Status: "Active",
		StartDate: start, StopDate: start.AddDate(0, 1, 0),
		Users: []provisioningtest.TaskUser{{UserID: "17", UserName: user, Status: "Pending"}}})
	s.AddTask(org, provisioningtest.Task{Operator: s.Operator(), TokenOption: "MobilePASS", Status: "Active",
		StartDate: start, Users: []provisioningtest.TaskUser{{UserID: "19", UserName: "carol", Status: "Pending"}}})
}
