package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// Offboarding a user: list the user's provisioning tasks, then remove the user from each.
// The fake server stands in for https://<host>/bsidca/BSIDCA.asmx.
func Example() {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	const org = "Example Org"
	s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserName: "alice"}, {UserName: "bob"}}})
	s.AddTask(org, provisioningtest.Task{TokenOption: "GrIDsure", Users: []provisioningtest.TaskUser{{UserName: "alice"}}})

	// A real program takes OTPs from the operator's token; the fake's Credentials mint valid ones:
	// provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: fromToken}.
	c, err := provisioning.New(s.URL, s.Credentials())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Collect first: removing users while paging would shift the later pages.
	var ids []int
	for task, err := range c.AllTasksForUser(ctx, org, "alice") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("task %d: %s, %d user(s)\n", task.TaskID, task.TokenOption, task.Count)
		ids = append(ids, task.TaskID)
	}
	for _, id := range ids {
		if err := c.RemoveUsersFromTask(ctx, org, id, []string{"alice"}, false); err != nil {
			log.Fatal(err)
		}
	}
	n, err := c.TaskCountForUser(ctx, org, "alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tasks left for alice:", n)
	// Output:
	// task 1: MobilePASS, 2 user(s)
	// task 2: GrIDsure, 1 user(s)
	// tasks left for alice: 0
}

// Login checks the credentials early. A ConnectResult other than AUTH_SUCCESS is a
// *ConnectError that carries the result and the challenge text.
func ExampleClient_Login() {
	s := provisioningtest.NewServer(provisioningtest.Options{
		Authenticate: func(email, otp string) (provisioning.ConnectResult, string) {
			return provisioning.ConnectChallenge, "Respond to challenge 4711"
		},
	})
	defer s.Close()
	c, err := provisioning.New(s.URL, s.Credentials())
	if err != nil {
		log.Fatal(err)
	}

	err = c.Login(context.Background())
	var ce *provisioning.ConnectError
	if errors.As(err, &ce) {
		fmt.Println(ce.Result, "-", ce.Challenge)
	}
	fmt.Println(errors.Is(err, provisioning.ErrAuthentication))
	// Output:
	// CHALLENGE - Respond to challenge 4711
	// true
}

// A change the server answers with false is ErrNotChanged.
func ExampleClient_RemoveUsersFromTask() {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	id := s.AddTask("Example Org", provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserName: "bob"}}})
	c, err := provisioning.New(s.URL, s.Credentials())
	if err != nil {
		log.Fatal(err)
	}

	err = c.RemoveUsersFromTask(context.Background(), "Example Org", id, []string{"alice"}, false)
	fmt.Println(errors.Is(err, provisioning.ErrNotChanged))
	fmt.Println(err)
	// Output:
	// true
	// provisioning: RemoveUsersFromProvisioningTask: the server answered false for task 1 and 1 user(s): nothing was changed
}

// TaskUsers lists the users of a task with their own start and stop dates.
func ExampleClient_TaskUsers() {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	id := s.AddTask("Example Org", provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{
		{UserID: "17", UserName: "alice", Status: "Pending"},
		{UserID: "18", UserName: "bob", Status: "Enrolled", SerialNumber: "1234567890"},
	}})
	c, err := provisioning.New(s.URL, s.Credentials())
	if err != nil {
		log.Fatal(err)
	}

	users, err := c.TaskUsers(context.Background(), "Example Org", id)
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users {
		fmt.Printf("%s %s %q\n", u.UserName, u.Status, u.SerialNumber)
	}
	// Output:
	// alice Pending ""
	// bob Enrolled "1234567890"
}
