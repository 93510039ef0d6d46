package castest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// Test runs a function against a fresh server and a client for it, and fails the test if a
// request deviated from the wire contract.
func ExampleTest() {
	// func TestDeleteUser(t *testing.T) {
	testDeleteUser := func(t *testing.T) {
		castest.Test(t, castest.Options{Households: []castest.Household{
			{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}},
		}}, func(ctx context.Context, c *cas.Client, s *castest.Server) {
			if _, err := c.DeleteUser(ctx, 42, "bob"); err != nil {
				t.Fatal(err)
			}
			if h, _ := s.Household(42); len(h.Users) != 1 {
				t.Errorf("users left: %v", h.Users)
			}
		}, cas.WithSOAPVersion(cas.SOAP12))
	}
	_ = testDeleteUser
}

func ExampleNewServer() {
	s := castest.NewServer(castest.Options{Households: []castest.Household{
		{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}},
	}})
	defer s.Close()

	// s.NewClient(t, cas.WithHTTPPost()) in a test; outside one, cas.New as a program would.
	c, err := cas.New(s.URL, s.Credentials(), cas.WithHTTPClient(s.HTTPClient()), cas.WithHTTPPost())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(context.Background())
	ctx := context.Background()
	if _, err := c.DeleteUser(ctx, 42, "bob"); err != nil {
		fmt.Println(err)
		return
	}
	// Make the next call fail as a suspended user would.
	s.FailNext(castest.Failure{Code: cas.CodeUserSuspended})
	_, err = c.DeleteUser(ctx, 42, "alice")
	fmt.Println(errors.Is(err, cas.ErrPermissionDenied))

	for _, r := range s.Requests() {
		fmt.Println(r.Operation, r.HTTPPost, r.Params["userId"], r.Code)
	}
	fmt.Println(s.Logins(), "logins,", len(s.Violations()), "violations")
	// Output:
	// true
	// HandleUserTask true bob OK
	// HandleUserTask true alice UserSuspended
	// 2 logins, 0 violations
}
