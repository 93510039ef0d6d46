package cas_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// fake starts the in-process fake with household 42: alice (master user) and bob.
func fake() *castest.Server {
	return castest.NewServer(castest.Options{Households: []castest.Household{{
		ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}, Recordings: 7,
	}}})
}

func ExampleClient_DeleteUser() {
	s := fake()
	defer s.Close()

	// In production: cas.New("https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx",
	// cas.Credentials{WSUserName: …, WSPassword: …}) with the CAS module's credentials.
	c, err := cas.New(s.URL, s.Credentials())
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.DeleteUser(context.Background(), 42, "bob")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("code %d (%s): %s\n", res.Code, res.Code, res.Message)
	h, _ := s.Household(42)
	fmt.Println("household 42:", h.Users)
	// Output:
	// code 0 (OK): OK
	// household 42: [alice]
}

func ExampleClient_DeleteHouseholdRecordings() {
	s := fake()
	defer s.Close()
	c, err := cas.New(s.URL, s.Credentials(), cas.WithSOAPVersion(cas.SOAP12))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.DeleteHouseholdRecordings(context.Background(), 42); err != nil {
		fmt.Println(err)
		return
	}
	h, _ := s.Household(42)
	fmt.Println("recordings left:", h.Recordings)
	// Output: recordings left: 0
}

// Errors carry what the server said and answer errors.Is with the shared categories.
func ExampleServiceError() {
	s := fake()
	defer s.Close()
	c, err := cas.New(s.URL, s.Credentials(), cas.WithHTTPPost())
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.DeleteUser(context.Background(), 7, "bob")
	var se *cas.ServiceError
	switch {
	case errors.Is(err, cas.ErrNotFound) && errors.As(err, &se):
		fmt.Printf("nothing to delete: code %d %s\n", se.Code, se.Code)
	case err != nil:
		fmt.Println("failed:", err)
	}
	// Output: nothing to delete: code 1006 DomainNotExists
}

// The service answers wrong web-service credentials with HTTP 404 and a Status.
func ExampleServiceError_credentials() {
	s := fake()
	defer s.Close()
	c, err := cas.New(s.URL, cas.Credentials{WSUserName: "someone", WSPassword: "wrong"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.DeleteUser(context.Background(), 42, "bob")
	fmt.Println(errors.Is(err, cas.ErrAuthentication))
	fmt.Println(err)
	// Output:
	// true
	// cas: HandleUserTask: web-service credentials (sWSUserName/sWSPassword) rejected: code 1 Error: "Error" (HTTP 404)
}
