package udstest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// A fake with AnA on: the client authenticates once, reuses the token, authenticates again
// when the token expires, and sees the failures the test injects. In a test, udstest.Test
// does the setup and the violation check in one call (see the package documentation).
func ExampleNewServer() {
	s := udstest.NewServer(udstest.Options{AnA: true})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)

	// In a test: c := s.NewClient(t), which also closes the client when the test ends.
	c, err := uds.New(s.URL, s.Credentials())
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
	fmt.Println("read back:", st.Status, "after", s.Logins(), "logins")

	s.FailNext(udstest.NotInitialized())
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	var se *uds.ServiceError
	fmt.Println("unavailable:", errors.Is(err, uds.ErrUnavailable), errors.As(err, &se) && se.Code == uds.CodeNotInitialized)

	for _, r := range s.Requests() {
		fmt.Printf("%s %s credential=%t token=%t\n", r.Operation, r.Call.User().UserName, r.AnA.Credential != "", r.AnA.AuthToken != "")
	}
	fmt.Println("violations:", len(s.Violations()))
	// Output:
	// status: INACTIVE
	// read back: INACTIVE after 2 logins
	// unavailable: true true
	// updateUserStatus jdoe credential=true token=false
	// getUserStatus jdoe credential=false token=true
	// getUserStatus jdoe credential=true token=false
	// getUserStatus jdoe credential=false token=true
	// violations: 0
}

// With Options.TLS the fake serves https with a certificate of its own; HTTPClient trusts it
// (NewClient uses it by itself).
func ExampleServer_HTTPClient() {
	s := udstest.NewServer(udstest.Options{TLS: true})
	defer s.Close()
	s.AddUser("", "jdoe", uds.StatusActive) // in the default organisation

	c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(s.HTTPClient()))
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.GetUserStatus(context.Background(), uds.UserID{UserName: "jdoe"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.URL[:8], st.User.OrgName, st.Status)
	// Output:
	// https:// DEFAULTORG ACTIVE
}
