package uds_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// The examples run against the in-process fake; with a real service, pass its URL and
// read the credential from the environment.

func ExampleClient_UpdateUserStatus() {
	s := udstest.NewServer(udstest.Options{AnA: true})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)

	// With a real service: uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN",
	// Credential: os.Getenv("UDS_CREDENTIAL")}.
	c, err := uds.New(s.URL, s.Credentials())
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.UpdateUserStatus(context.Background(),
		[]uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}, uds.StatusInactive,
		&uds.UpdateOptions{ClientTxID: "offboarding-2025-001"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message)
	fmt.Println("udsTransactionID returned:", res.TransactionID != "")
	fmt.Println("authenticated, token kept:", res.NewAuthToken)
	// Output:
	// The operation was successful!
	// udsTransactionID returned: true
	// authenticated, token kept: true
}

func ExampleClient_UpdateUserStatus_lockWindow() {
	s := udstest.NewServer(udstest.Options{})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)

	c, err := uds.New(s.URL, uds.Credentials{}) // AnA off: no credentials, no AnA header
	if err != nil {
		fmt.Println(err)
		return
	}
	// Deactivate jdoe from now for two weeks; AuthMinder reactivates the account after.
	now := time.Now()
	_, err = c.UpdateUserStatus(context.Background(), []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}},
		uds.StatusInactive, &uds.UpdateOptions{StartLockTime: now.Add(-time.Minute), EndLockTime: now.Add(14 * 24 * time.Hour)})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.GetUserStatus(context.Background(), uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Status)
	// Output:
	// INACTIVE
}

func ExampleClient_GetUserStatus() {
	s := udstest.NewServer(udstest.Options{AnA: true})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusInactive)

	c, err := uds.New(s.URL, s.Credentials()) // a client with the fake's admin credentials
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.GetUserStatus(context.Background(), uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s/%s: %s\n", st.User.OrgName, st.User.UserName, st.Status)
	// Output:
	// ACME/jdoe: INACTIVE
}

func ExampleServiceError() {
	s := udstest.NewServer(udstest.Options{})
	defer s.Close()
	s.AddOrg("ACME")
	c, err := uds.New(s.URL, uds.Credentials{}) // AnA off
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = c.GetUserStatus(context.Background(), uds.UserID{OrgName: "ACME", UserName: "ghost"}, nil)
	var se *uds.ServiceError
	if errors.As(err, &se) {
		fmt.Println("not found:", errors.Is(err, uds.ErrNotFound))
		fmt.Println("error number:", se.Code)
		fmt.Println("message:", se.Message)
		fmt.Println("SOAP fault code:", se.Fault.Code)
		fmt.Println("quote to CA support:", se.TransactionID != "")
	}
	// Output:
	// not found: true
	// error number: 31301
	// message: User ghost not found in organization ACME.
	// SOAP fault code: Sender
	// quote to CA support: true
}
