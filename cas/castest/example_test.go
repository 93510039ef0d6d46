package castest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

func ExampleNewServer() {
	s := castest.NewServer(castest.WithHouseholds(
		castest.Household{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}},
	))
	defer s.Close()

	c, err := s.NewClient(cas.WithWireForm(cas.HTTPPost))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := c.DeleteUser(ctx, 42, "bob"); err != nil {
		fmt.Println(err)
		return
	}
	// Make the next call fail as a suspended user would.
	s.FailNext(cas.CodeUserSuspended, "")
	_, err = c.DeleteUser(ctx, 42, "alice")
	fmt.Println(errors.Is(err, cas.ErrPermissionDenied))

	for _, r := range s.Requests() {
		fmt.Println(r.WireForm, r.Path, r.Body.UserId, r.Code)
	}
	// Output:
	// true
	// HTTP POST /ws_cas_module.asmx/HandleUserTask bob OK
	// HTTP POST /ws_cas_module.asmx/HandleUserTask alice UserSuspended
}
