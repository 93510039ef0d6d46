package udstest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// Ending a user's access with the fake: read the user with its accounts, delete each account,
// delete the user, read again; a rerun's deletes answer ErrNotFound (already done).
func ExampleServer_AddAccount() {
	s := udstest.NewServer(udstest.Options{AnA: true})
	defer s.Close()
	s.AddUser("ACME", "leaver", uds.StatusActive)
	s.AddAccount("ACME", "leaver", udstest.Account{Type: "RADIUS_ID", ID: "leaver-radius", Status: 10})
	s.AddAccount("ACME", "leaver", udstest.Account{Type: "ALT_LOGIN", ID: "l@acme.example", Status: 10})

	c, err := uds.New(s.URL, s.Credentials())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	id := uds.UserID{OrgName: "ACME", UserName: "leaver"}
	u, err := c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", *u.Status)
	for _, a := range u.Accounts {
		fmt.Println("account:", a.Type, a.Status.State())
		if _, err := c.DeleteUserAccount(ctx, id, a.Type, nil); err != nil {
			fmt.Println(err)
			return
		}
	}
	if _, err := c.DeleteUser(ctx, id, nil); err != nil {
		fmt.Println(err)
		return
	}
	u, err = c.RetrieveUser(ctx, id, &uds.RetrieveOptions{IncludeAccounts: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("after:", *u.Status, len(u.Accounts), "accounts")
	_, err = c.DeleteUser(ctx, id, nil)
	fmt.Println("rerun already done:", errors.Is(err, uds.ErrNotFound))
	fmt.Println("violations:", len(s.Violations()))
	// Output:
	// status: ACTIVE
	// account: RADIUS_ID ACTIVE
	// account: ALT_LOGIN ACTIVE
	// after: DELETED 0 accounts
	// rerun already done: true
	// violations: 0
}
