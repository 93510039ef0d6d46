package udstest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// A fake with AnA on: the client authenticates once, reuses the token, authenticates again
// when the token expires, and sees the Faults the test injects.
func ExampleNewServer() {
	s := udstest.NewServer(udstest.Config{AnA: true})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)

	c, err := s.Client() // uds.New(s.URL, uds.WithCredentials(<the fake's admin>))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	jdoe := uds.UserID{OrgName: "ACME", UserName: "jdoe"}
	if _, err := c.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusInactive, nil); err != nil {
		fmt.Println(err)
		return
	}
	u, _ := s.User("ACME", "jdoe")
	fmt.Println("status:", u.Status)

	s.ExpireTokens() // as after the token's lifetime (one day by default)
	st, err := c.GetUserStatus(ctx, jdoe, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("read back:", st.Status, "after", s.Authentications(), "authentications")

	s.FailNext(udstest.NotInitializedFault())
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	fmt.Println("unavailable:", errors.Is(err, uds.ErrUnavailable))

	for _, r := range s.Requests() {
		fmt.Printf("%s credential=%t token=%t\n", r.Operation, r.AnA.Credential != "", r.AnA.AuthToken != "")
	}
	// Output:
	// status: INACTIVE
	// read back: INACTIVE after 2 authentications
	// unavailable: true
	// updateUserStatus credential=true token=false
	// getUserStatus credential=false token=true
	// getUserStatus credential=true token=false
	// getUserStatus credential=false token=true
}
