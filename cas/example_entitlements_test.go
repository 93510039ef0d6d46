package cas_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// A household leaves: stop the renewals of its subscriptions, then read again.
func ExampleClient_CancelSubscriptionRenewal() {
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"1001"}, MasterUsers: []string{"1001"},
		Entitlements: []castest.Entitlement{{Code: "101", UserID: "1001", Renewing: true}, {Code: "202", UserID: "1001", Renewing: true}}}}})
	defer s.Close()
	c, err := cas.New(s.URL, s.Credentials(), cas.WithHTTPClient(s.HTTPClient()))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	var renewing []string
	for e, err := range c.AllDomainEntitlements(ctx, 42, cas.EntitlementQuery{}, 50) {
		if err != nil {
			panic(err)
		}
		if e.Renewing {
			renewing = append(renewing, e.EntitlementID)
		}
	}
	for _, code := range renewing {
		_, err := c.CancelSubscriptionRenewal(ctx, 42, code, &cas.RenewalCancelOptions{UserID: "1001"})
		switch {
		case errors.Is(err, cas.ErrNotRenewing), errors.Is(err, cas.ErrNotFound):
			fmt.Println(code, "already done")
		case err != nil:
			panic(err)
		default:
			fmt.Println(code, "renewal cancelled")
		}
	}
	subs, err := c.DomainPermittedSubscriptions(ctx, 42)
	if err != nil {
		panic(err)
	}
	for _, p := range subs {
		fmt.Println(p.SubscriptionCode, "renewing:", p.Renewing)
	}
	// Output:
	// 101 renewal cancelled
	// 202 renewal cancelled
	// 101 renewing: false
	// 202 renewing: false
}
