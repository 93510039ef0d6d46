package provisioningtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// A fake BSIDCA service with one task: the client logs in on first use, logs in again when
// the session expires, and sees the Faults the test injects.
func ExampleNewServer() {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	const org = "Example Org"
	id := s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS",
		Users: []provisioningtest.TaskUser{{UserName: "alice"}, {UserName: "bob"}}})

	c, err := provisioning.New(s.URL, s.Credentials())
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
	fmt.Println("bob's tasks:", n, "after", s.Logins(), "logins")

	s.FailNext(provisioningtest.Failure{Message: "Task store is locked"})
	err = c.RemoveUsersFromTask(ctx, org, id, []string{"bob"}, false)
	var se *provisioning.ServiceError
	if errors.As(err, &se) {
		fmt.Println(se.Operation, "failed:", se.Message)
	}
	fmt.Println("violations:", len(s.Violations()))
	// Output:
	// users left: 1 bob
	// bob's tasks: 1 after 2 logins
	// RemoveUsersFromProvisioningTask failed: Task store is locked
	// violations: 0
}

// Test starts the fake, hands the test function a client logged in as the fake's operator,
// and fails the test if a request broke the wire contract.
func ExampleTest() {
	testRevoke := func(t *testing.T) { // a test function of a _test.go file
		provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
			s.AddToken("Example Org", provisioningtest.Token{Serial: "MP-0001", Owner: "alice"})
			if _, err := c.RevokeToken(ctx, "Example Org", "MP-0001", "alice", nil); err != nil {
				t.Fatal(err)
			}
			if tok, _ := s.Token("Example Org", "MP-0001"); tok.Owner != "" {
				t.Errorf("MP-0001 still belongs to %s", tok.Owner)
			}
			for _, r := range s.Requests() {
				t.Log(r.Operation, r.Params["serial"]) // the request as the fake read it
			}
		}, provisioning.WithSOAPVersion(provisioning.SOAP12)) // client options come last
	}
	_ = testRevoke
}
