package provisioning_test

import (
	"context"
	"fmt"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// A leaver's tokens go back to inventory; then nothing is owned any more.
func ExampleClient_RevokeToken() {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	s.AddToken("Example Org", provisioningtest.Token{Serial: "MP-0001", Type: provisioning.TokenMobilePASS, Owner: "jdoe"})
	s.AddToken("Example Org", provisioningtest.Token{Serial: "KT-0002", Type: provisioning.TokenKT, Owner: "jdoe"})
	c, err := provisioning.New(s.URL, s.Credentials())
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	serials, err := c.TokensByOwner(ctx, "Example Org", "jdoe")
	if err != nil {
		panic(err)
	}
	for _, serial := range serials {
		res, err := c.RevokeToken(ctx, "Example Org", serial, "jdoe", nil) // back to inventory
		if err != nil {
			panic(err)
		}
		fmt.Println(serial, res)
	}
	serials, err = c.TokensByOwner(ctx, "Example Org", "jdoe")
	if err != nil {
		panic(err)
	}
	fmt.Println("still owned:", len(serials))
	// Output:
	// MP-0001 Success
	// KT-0002 Success
	// still owned: 0
}
