package projector_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// Delete a user, or make it inactive when Projector still references it.
func ExampleClient_DeleteUser() {
	s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
		{ReferenceSystemID: "jdoe", DisplayName: "Jane Doe"},
		{ReferenceSystemID: "rroe", DisplayName: "Richard Roe", InUse: true},
	}})
	defer s.Close()
	ctx := context.Background()

	c, err := projector.New(s.URL, s.Credentials())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(ctx)

	opts := &projector.DeleteUserOptions{EndDateIfInUse: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}
	for _, id := range []string{"jdoe", "rroe"} {
		res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: id}, opts)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s (%s): %s, status %s\n", res.User.UserReferenceSystemID, res.User.UserDisplayName, res.Outcome, res.Status)
	}
	fmt.Println("violations:", len(s.Violations()))
	// Output:
	// jdoe (Jane Doe): Deleted, status Ok
	// rroe (Richard Roe): Deactivated, status Ok
	// violations: 0
}

// Errors carry every PwsMessage; errors.Is maps them to the shared categories.
func ExampleServiceError() {
	s := projectortest.NewServer(projectortest.Options{})
	defer s.Close()
	ctx := context.Background()
	c, err := projector.New(s.URL, s.Credentials())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(ctx)

	_, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "nobody"}, nil)
	fmt.Println("not found:", errors.Is(err, projector.ErrNotFound))
	var se *projector.ServiceError
	if errors.As(err, &se) {
		fmt.Printf("%s: code %d: %s (ResponseId %s)\n", se.Operation, se.Code, se.Message, se.TransactionID)
		for _, m := range se.Messages {
			fmt.Printf("%s %s: %d %s: %s\n", se.Operation, se.Status, m.ErrorNumber, m.ErrorCode, m.ErrorText)
		}
	}
	fmt.Println("violations:", len(s.Violations()))
	// Output:
	// not found: true
	// PwsDeleteUser: code 50024: Entity PwsUserRef was not found. (ResponseId 1)
	// PwsDeleteUser Fail: 50024 EntityNotFound: Entity PwsUserRef was not found.
	// violations: 0
}

// Login checks the credentials before the first real call.
func ExampleClient_Login() {
	s := projectortest.NewServer(projectortest.Options{})
	defer s.Close()
	c, err := projector.New(s.URL, s.Credentials(), projector.WithMaxInFlight(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	fmt.Println(c.Login(ctx), s.Logins())
	fmt.Println(c.Close(ctx), len(s.Violations()))
	// Output:
	// <nil> 1
	// <nil> 0
}
