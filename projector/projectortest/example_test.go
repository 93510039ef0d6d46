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
	home.RedirectTo(account.URL)

	ctx := context.Background()
	c, err := projector.New(home.Endpoint(), home.Credentials(), projector.WithAllowedRedirectHosts(account.URL))
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
	fmt.Println(res.Outcome, c.Endpoint() == account.Endpoint())
	fmt.Println("tickets issued:", home.Authentications(), account.Authentications())
	fmt.Println("violations:", len(home.Violations())+len(account.Violations()))
	// Output:
	// Deleted true
	// tickets issued: 0 1
	// violations: 0
}
