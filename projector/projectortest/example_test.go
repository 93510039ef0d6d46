package projectortest_test

import (
	"context"
	"fmt"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// A PwsAuthenticate RedirectUrl to a second fake: the client follows it (the second server's
// plain-http URL must be allowed explicitly) and the session continues there.
func ExampleServer_RedirectTo() {
	home := projectortest.NewServer(projectortest.Options{})
	defer home.Close()
	account := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}})
	defer account.Close()
	home.RedirectTo(account.BaseURL())

	ctx := context.Background()
	c, err := projector.New(home.URL, home.Credentials(), projector.WithAllowedRedirectHosts(account.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(ctx)
	res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcome, c.Endpoint() == account.URL)
	fmt.Println("logins:", home.Logins(), account.Logins())
	fmt.Println("violations:", len(home.Violations())+len(account.Violations()))
	// Output:
	// Deleted true
	// logins: 1 1
	// violations: 0
}
