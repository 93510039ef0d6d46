package provisioningtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// A fake BSIDCA service with one task: the client connects on first use, connects again
// when the session expires, and sees the Faults the test injects.
func ExampleNewServer() {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	const org = "Example Org"
	id := s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS",
		Users: []provisioningtest.TaskUser{{UserName: "alice"}, {UserName: "bob"}}})

	c, err := provisioning.New(s.URL, s.Operator(), s.OTPSource())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if err := c.RemoveUsersFromTask(ctx, org, id, []string{"alice"}, false); err != nil {
		fmt.Println(err)
		return
	}
	task, _ := s.Task(org, id)
	fmt.Println("users left:", len(task.Users), task.Users[0].UserName)

	s.ExpireSessions() // as the ASP.NET session timeout would
	n, err := c.TaskCountForUser(ctx, org, "bob")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bob's tasks:", n, "after", s.Connects(), "connects")

	s.FailNext("Task store is locked")
	err = c.RemoveUsersFromTask(ctx, org, id, []string{"bob"}, false)
	var fault *provisioning.Error
	if errors.As(err, &fault) {
		fmt.Println(fault.Op, "failed:", fault.Message)
	}
	// Output:
	// users left: 1 bob
	// bob's tasks: 1 after 2 connects
	// RemoveUsersFromProvisioningTask failed: Task store is locked
}
