package projectortest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// Ending a user's access with the fake: find the user, end-date it (it is still referenced
// elsewhere), find it inactive as of today; a user that is not referenced is deleted and then
// not found.
func ExampleServer_AddUser_userList() {
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
		{ReferenceSystemID: "busy", UserID: 7, InUse: true},
		{ReferenceSystemID: "temp", UserID: 8},
	}})
	defer s.Close()
	c, err := projector.New(s.URL, s.Credentials(), projector.WithHTTPClient(s.HTTPClient()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, ref := range []string{"busy", "temp"} {
		user := projector.UserRef{UserReferenceSystemID: ref}
		u, err := c.FindUser(ctx, user)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ref, "active:", u.Active())
		res, err := c.DeleteUser(ctx, user, &projector.DeleteUserOptions{EndDateIfInUse: time.Now()})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ref, res.Outcome)
		u, err = c.FindUser(ctx, user)
		switch {
		case errors.Is(err, projector.ErrNotFound):
			fmt.Println(ref, "gone")
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(ref, "inactive as of today:", *u.Inactive)
		}
	}
	fmt.Println("violations:", len(s.Violations()))
	// Output:
	// busy active: true
	// busy Deactivated
	// busy inactive as of today: true
	// temp active: true
	// temp Deleted
	// temp gone
	// violations: 0
}
