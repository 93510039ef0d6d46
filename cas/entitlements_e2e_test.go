package cas_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

var soapForms = []wireForm{soap11, soap12}

// The leaving household: 500 with master 1001 and member 1002, two renewing subscriptions
// ("101" bought by 1001, "202" by 1002) and an expired PPV of 1002; 600 is suspended; 700
// holds a subscription with every obstacle to cancelling it.
func leavingHousehold() castest.Options {
	now := time.Now().UTC().Truncate(time.Second)
	return castest.Options{Households: []castest.Household{
		{ID: 500, Users: []string{"1001", "1002"}, MasterUsers: []string{"1001"}, Recordings: 4,
			Entitlements: []castest.Entitlement{
				{Code: "101", UserID: "1001", Renewing: true, PurchaseDate: now.AddDate(0, -2, 0)},
				{Code: "202", UserID: "1002", Renewing: true, PurchaseDate: now.AddDate(0, -1, 0), InCancelWindow: true},
				{Type: cas.TransactionPPV, MediaFileID: 77, UserID: "1002", PurchaseDate: now.AddDate(0, -3, 0), EndDate: now.AddDate(0, 0, -1)},
			}},
		{ID: 600, Users: []string{"2001"}, MasterUsers: []string{"2001"}, Suspended: true,
			Entitlements: []castest.Entitlement{{Code: "101", UserID: "2001", Renewing: true}}},
		{ID: 700, Users: []string{"3001"}, MasterUsers: []string{"3001"},
			Entitlements: []castest.Entitlement{
				{Code: "303", UserID: "3001", Renewing: true, CancellationBlocked: true},
				{Code: "404", UserID: "3001", Renewing: true, DowngradePending: true},
				{Code: "505", UserID: "3001", Renewing: false},
				{Type: cas.TransactionPPV, MediaFileID: 88, UserID: "3001", Consumed: true, InCancelWindow: true},
				{Type: cas.TransactionPPV, MediaFileID: 99, UserID: "3001"},
			}},
	}, SubscriptionCodes: []string{"909"}}
}

func renewing(t *testing.T, ctx context.Context, c *cas.Client, domain int) []string {
	t.Helper()
	var codes []string
	for e, err := range c.AllDomainEntitlements(ctx, domain, cas.EntitlementQuery{}, 1) {
		require.NoError(t, err)
		if e.Renewing {
			codes = append(codes, e.EntitlementID)
		}
	}
	return codes
}

// The household-removal case of offboarding: read, stop the renewals, delete the household's
// recordings, the household goes (Domains module), read again: nothing renewing, nothing
// entitled. Then the same household's rerun: every step is "already done".
func TestE2EHouseholdLeaves(t *testing.T) {
	for _, form := range soapForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, leavingHousehold())
			c := serverClient(t, s, form)
			ctx := t.Context()

			// Read.
			page, err := c.DomainEntitlements(ctx, 500, cas.EntitlementQuery{}, 0, 10)
			require.NoError(t, err)
			require.Len(t, page.Entitlements, 2)
			assert.Equal(t, 2, page.TotalItems)
			e := page.Entitlements[0]
			assert.Equal(t, "101", e.EntitlementID)
			assert.Equal(t, cas.TransactionSubscription, e.Type)
			assert.True(t, e.Renewing)
			assert.Equal(t, cas.PaymentMethod("CreditCard"), e.PaymentMethod)
			assert.Equal(t, e.EndDate, e.NextRenewalDate)
			assert.Equal(t, []string{"101", "202"}, renewing(t, ctx, c, 500))

			subs, err := c.DomainPermittedSubscriptions(ctx, 500)
			require.NoError(t, err)
			require.Len(t, subs, 2)
			assert.True(t, subs[0].Renewing)
			mine, err := c.UserPermittedSubscriptions(ctx, "1002")
			require.NoError(t, err)
			require.Len(t, mine, 1)
			assert.Equal(t, "202", mine[0].SubscriptionCode)
			st, err := c.UserCAStatus(ctx, "1002")
			require.NoError(t, err)
			assert.Equal(t, cas.CAStatusCurrentSub, st)
			assert.True(t, st.Current())

			// Stop future charges, one renewing subscription at a time.
			for _, code := range []string{"101", "202"} {
				res, err := c.CancelSubscriptionRenewal(ctx, 500, code, &cas.RenewalCancelOptions{UserID: "1001"})
				require.NoError(t, err, code)
				assert.Equal(t, &cas.Result{Code: cas.CodeOK, Message: "Subscription renewal cancelled", HTTPStatus: http.StatusOK}, res)
			}
			assert.Empty(t, renewing(t, ctx, c, 500), "nothing renews")
			subs, err = c.DomainPermittedSubscriptions(ctx, 500)
			require.NoError(t, err)
			require.Len(t, subs, 2, "still valid until their end dates")
			for _, p := range subs {
				assert.False(t, p.Renewing)
				assert.Equal(t, 9999, p.NextRenewalDate.Year(), "DateTime.MaxValue: no renewal")
			}

			// Household removal: its recordings, then the household itself.
			_, err = c.DeleteHouseholdRecordings(ctx, 500)
			require.NoError(t, err)
			h, _ := s.Household(500)
			assert.Zero(t, h.Recordings)
			require.True(t, s.RemoveHousehold(500))

			// Verify: nothing entitled, nothing renewing.
			page, err = c.DomainEntitlements(ctx, 500, cas.EntitlementQuery{}, 0, 10)
			require.NoError(t, err)
			assert.Empty(t, page.Entitlements)
			assert.Zero(t, page.TotalItems)
			assert.Equal(t, "no permitted items", page.Message)
			subs, err = c.DomainPermittedSubscriptions(ctx, 500)
			require.NoError(t, err)
			assert.Empty(t, subs)
			mine, err = c.UserPermittedSubscriptions(ctx, "1001")
			require.NoError(t, err)
			assert.Empty(t, mine)
			st, err = c.UserCAStatus(ctx, "1002")
			require.NoError(t, err)
			assert.False(t, st.Current())

			// A rerun: "already done" everywhere.
			_, err = c.CancelSubscriptionRenewal(ctx, 500, "101", nil)
			require.ErrorIs(t, err, cas.ErrNotFound)
			assert.Empty(t, s.Violations())
		})
	}
}

// CancelServiceNow is opt-in: it ends the purchase now (and may refund it).
func TestE2ECancelServiceNow(t *testing.T) {
	for _, form := range soapForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, leavingHousehold())
			c := serverClient(t, s, form)
			ctx := t.Context()
			res, err := c.CancelServiceNow(ctx, 500, 202, cas.TransactionSubscription, nil)
			require.NoError(t, err)
			assert.Equal(t, "Service successfully cancelled", res.Message)
			res, err = c.CancelServiceNow(ctx, 500, 101, cas.TransactionSubscription, &cas.CancelServiceOptions{Force: true, UDID: "dev-1"})
			require.NoError(t, err)
			assert.Equal(t, cas.CodeOK, res.Code)

			page, err := c.DomainEntitlements(ctx, 500, cas.EntitlementQuery{}, 0, 10)
			require.NoError(t, err)
			assert.Empty(t, page.Entitlements, "nothing entitled")
			expired, err := c.DomainEntitlements(ctx, 500, cas.EntitlementQuery{Expired: true, OrderBy: cas.PurchaseDateDesc}, 0, 10)
			require.NoError(t, err)
			require.Len(t, expired.Entitlements, 2)
			assert.Equal(t, "202", expired.Entitlements[0].EntitlementID, "newest purchase first")
			st, err := c.UserCAStatus(ctx, "1002")
			require.NoError(t, err)
			assert.Equal(t, cas.CAStatusExSub, st)
			st, err = c.UserCAStatus(ctx, "0")
			require.NoError(t, err)
			assert.Equal(t, cas.CAStatusAnonymous, st)

			// A rerun: no valid purchase any more.
			_, err = c.CancelServiceNow(ctx, 500, 101, cas.TransactionSubscription, nil)
			require.ErrorIs(t, err, cas.ErrNotFound)
			reqs := s.Requests()
			assert.Equal(t, "true", reqs[1].Params["bIsForce"])
			assert.Equal(t, "dev-1", reqs[1].Params["udid"])
			assert.Empty(t, s.Violations())
		})
	}
}

// Every failure path of every new operation is a typed error with the server's code and
// message kept.
func TestE2EEntitlementFailures(t *testing.T) {
	renewal := func(domain int, code string, user string) func(context.Context, *cas.Client) error {
		return func(ctx context.Context, c *cas.Client) error {
			_, err := c.CancelSubscriptionRenewal(ctx, domain, code, &cas.RenewalCancelOptions{UserID: user})
			return err
		}
	}
	now := func(domain, asset int, tt cas.TransactionType, force bool) func(context.Context, *cas.Client) error {
		return func(ctx context.Context, c *cas.Client) error {
			_, err := c.CancelServiceNow(ctx, domain, asset, tt, &cas.CancelServiceOptions{Force: force})
			return err
		}
	}
	entitlements := func(ctx context.Context, c *cas.Client) error {
		_, err := c.DomainEntitlements(ctx, 500, cas.EntitlementQuery{}, 0, 10)
		return err
	}
	tests := []struct {
		name    string
		fail    cas.Code // injected with FailNext when not 0
		call    func(context.Context, *cas.Client) error
		code    cas.Code
		message string
		is      error // nil: no category
	}{
		{"renewal: unknown household", 0, renewal(999, "101", "1"), cas.CodeDomainNotExists, "Domain doesn't exist", cas.ErrNotFound},
		{"renewal: suspended household", 0, renewal(600, "101", "2001"), cas.CodeDomainSuspended, "Domain suspended", cas.ErrPermissionDenied},
		{"renewal: suspended household without userId", 0, renewal(600, "101", ""), cas.CodeError, "Unexpected error occurred", cas.ErrTaskFailed},
		{"renewal: unknown subscription", 0, renewal(500, "nope", "1001"), cas.CodeSubscriptionDoesNotExist, "Subscription Does Not Exist", cas.ErrNotFound},
		{"renewal: blocked", 0, renewal(700, "303", "3001"), cas.CodeSubscriptionCancellationBlocked, "Cancellation is blocked for this subscription", cas.ErrCancellationRefused},
		{"renewal: not bought by the household", 0, renewal(500, "909", "1001"), cas.CodeInvalidPurchase, "Subscription is not permitted for this domain", cas.ErrNotFound},
		{"renewal: already not renewing", 0, renewal(700, "505", "3001"), cas.CodeSubscriptionNotRenewable, "Subscription already does not renew", cas.ErrNotRenewing},
		{"renewal: downgrade pending", 0, renewal(700, "404", "3001"), cas.CodeCannotCancelRenewalWhileDowngrade, "Can not cancel subscription renewal while downgrade is pending", cas.ErrCancellationRefused},
		{"renewal: unknown code 3999", 3999, renewal(500, "101", "1001"), 3999, "injected", nil},
		{"now: unknown household", 0, now(999, 101, cas.TransactionSubscription, false), cas.CodeDomainNotExists, "Domain doesn't exist", cas.ErrNotFound},
		{"now: suspended household", 0, now(600, 101, cas.TransactionSubscription, false), cas.CodeDomainSuspended, "Domain suspended", cas.ErrPermissionDenied},
		{"now: unknown subscription", 0, now(500, 4242, cas.TransactionSubscription, false), cas.CodeSubscriptionCancellationBlocked, "Cancellation is blocked for this subscription", cas.ErrCancellationRefused},
		{"now: blocked", 0, now(700, 303, cas.TransactionSubscription, false), cas.CodeSubscriptionCancellationBlocked, "Cancellation is blocked for this subscription", cas.ErrCancellationRefused},
		{"now: no valid purchase", 0, now(500, 909, cas.TransactionSubscription, false), cas.CodeInvalidPurchase, "There is not a valid purchase for this user and asset ID", cas.ErrNotFound},
		{"now: consumed", 0, now(700, 88, cas.TransactionPPV, false), cas.CodeContentAlreadyConsumed, "Service could not be cancelled because content was already consumed", cas.ErrCancellationRefused},
		{"now: downgrade pending", 0, now(700, 404, cas.TransactionSubscription, true), cas.CodeCannotCancelWhileDowngrade, "Can not cancel subscription while downgrade is pending", cas.ErrCancellationRefused},
		{"now: outside the window", 0, now(700, 99, cas.TransactionPPV, false), cas.CodeCancelationWindowPeriodExpired, "PPV could not be cancelled because it is not in cancellation window", cas.ErrCancellationRefused},
		{"now: generic error", cas.CodeError, now(500, 101, cas.TransactionSubscription, true), cas.CodeError, "injected", cas.ErrTaskFailed},
		{"entitlements: error status", cas.CodeError, entitlements, cas.CodeError, "injected", cas.ErrTaskFailed},
		{"entitlements: unknown code", 4321, entitlements, 4321, "injected", nil},
	}
	for _, form := range soapForms {
		for _, tt := range tests {
			t.Run(form.String()+"/"+tt.name, func(t *testing.T) {
				s := startServer(t, leavingHousehold())
				c := serverClient(t, s, form)
				if tt.fail != 0 {
					s.FailNext(castest.Failure{Code: tt.fail, Message: "injected"})
				}
				err := tt.call(t.Context(), c)
				var se *cas.ServiceError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.code, se.Code)
				assert.Equal(t, tt.message, se.Message)
				assert.Equal(t, http.StatusOK, se.HTTPStatus)
				assert.NotErrorIs(t, err, cas.ErrAuthentication)
				if tt.is != nil {
					assert.ErrorIs(t, err, tt.is)
				}
				for _, other := range []error{cas.ErrNotFound, cas.ErrPermissionDenied, cas.ErrNotRenewing, cas.ErrCancellationRefused, cas.ErrTaskFailed} {
					if other != tt.is {
						assert.NotErrorIs(t, err, other)
					}
				}
				assert.Contains(t, err.Error(), tt.message)
				assert.Empty(t, s.Violations())
			})
		}
	}
}

// The reads' own failure paths: refused credentials (HTTP 404 and each operation's body),
// the server's null results, and an ASMX Fault.
func TestE2EReadFailures(t *testing.T) {
	wrong := cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: "wrong"}
	calls := map[string]func(context.Context, *cas.Client) error{
		"GetDomainEntitlements": func(ctx context.Context, c *cas.Client) error {
			_, err := c.DomainEntitlements(ctx, 500, cas.EntitlementQuery{}, 0, 10)
			return err
		},
		"GetDomainPermittedSubscriptions": func(ctx context.Context, c *cas.Client) error {
			_, err := c.DomainPermittedSubscriptions(ctx, 500)
			return err
		},
		"GetUserPermittedSubscriptions": func(ctx context.Context, c *cas.Client) error {
			_, err := c.UserPermittedSubscriptions(ctx, "1001")
			return err
		},
		"GetUserCAStatus": func(ctx context.Context, c *cas.Client) error {
			_, err := c.UserCAStatus(ctx, "1001")
			return err
		},
		"CancelSubscriptionRenewal": func(ctx context.Context, c *cas.Client) error {
			_, err := c.CancelSubscriptionRenewal(ctx, 500, "101", nil)
			return err
		},
		"CancelServiceNow": func(ctx context.Context, c *cas.Client) error {
			_, err := c.CancelServiceNow(ctx, 500, 101, cas.TransactionSubscription, nil)
			return err
		},
	}
	wantMessage := map[string]string{"GetDomainEntitlements": "Error", "CancelSubscriptionRenewal": "Invalid request", "CancelServiceNow": "Invalid request"}
	for _, form := range soapForms {
		for op, call := range calls {
			t.Run(form.String()+"/refused credentials/"+op, func(t *testing.T) {
				s := startServer(t, leavingHousehold())
				c, err := cas.New(s.URL, wrong, cas.WithHTTPClient(s.HTTPClient()), form.option())
				require.NoError(t, err)
				err = call(t.Context(), c)
				var se *cas.ServiceError
				require.ErrorAs(t, err, &se)
				assert.ErrorIs(t, err, cas.ErrAuthentication)
				assert.Equal(t, http.StatusNotFound, se.HTTPStatus)
				assert.Equal(t, op, se.Operation)
				assert.Equal(t, cas.CodeError, se.Code)
				assert.Equal(t, wantMessage[op], se.Message)
				// Remembered: the next call sends nothing.
				err = call(t.Context(), c)
				var re *cas.RefusedError
				require.ErrorAs(t, err, &re)
				assert.Len(t, s.Requests(), 1)
			})
		}
	}
	t.Run("user id that is no user", func(t *testing.T) {
		s := startServer(t, leavingHousehold())
		c := serverClient(t, s, soap11)
		for _, id := range []string{"not-a-number", "123456"} {
			_, err := c.UserPermittedSubscriptions(t.Context(), id)
			var ne *cas.NullResultError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, "GetUserPermittedSubscriptions", ne.Operation)
			assert.ErrorIs(t, err, cas.ErrNotFound)
		}
	})
	t.Run("null domain result", func(t *testing.T) {
		s := startServer(t, leavingHousehold())
		c := serverClient(t, s, soap12)
		s.FailNext(castest.Failure{Code: cas.CodeError})
		_, err := c.DomainPermittedSubscriptions(t.Context(), 500)
		var ne *cas.NullResultError
		require.ErrorAs(t, err, &ne)
		assert.NotErrorIs(t, err, cas.ErrNotFound, "a failure on the server's side is not 'nothing left'")
	})
}

// Bad input is refused before anything is sent, naming the field.
func TestEntitlementInput(t *testing.T) {
	s := startServer(t, leavingHousehold())
	c := serverClient(t, s, soap11)
	post := serverClient(t, s, httpPost)
	ctx := t.Context()
	tests := []struct {
		field string
		call  func() error
	}{
		{"domainID", func() error { _, err := c.DomainEntitlements(ctx, 0, cas.EntitlementQuery{}, 0, 1); return err }},
		{"EntitlementQuery.Type", func() error {
			_, err := c.DomainEntitlements(ctx, 1, cas.EntitlementQuery{Type: "Gift"}, 0, 1)
			return err
		}},
		{"EntitlementQuery.OrderBy", func() error {
			_, err := c.DomainEntitlements(ctx, 1, cas.EntitlementQuery{OrderBy: "Name"}, 0, 1)
			return err
		}},
		{"pageIndex", func() error { _, err := c.DomainEntitlements(ctx, 1, cas.EntitlementQuery{}, -1, 1); return err }},
		{"pageSize", func() error { _, err := c.DomainEntitlements(ctx, 1, cas.EntitlementQuery{}, 0, 0); return err }},
		{"domainID", func() error { _, err := c.DomainPermittedSubscriptions(ctx, -3); return err }},
		{"userID", func() error { _, err := c.UserPermittedSubscriptions(ctx, " "); return err }},
		{"userID", func() error { _, err := c.UserCAStatus(ctx, "a\x00b"); return err }},
		{"subscriptionCode", func() error { _, err := c.CancelSubscriptionRenewal(ctx, 1, "", nil); return err }},
		{"RenewalCancelOptions.UserIP", func() error {
			_, err := c.CancelSubscriptionRenewal(ctx, 1, "101", &cas.RenewalCancelOptions{UserIP: "\x01"})
			return err
		}},
		{"domainID", func() error { _, err := c.CancelSubscriptionRenewal(ctx, 1<<40, "101", nil); return err }},
		{"assetID", func() error { _, err := c.CancelServiceNow(ctx, 1, 0, cas.TransactionPPV, nil); return err }},
		{"transactionType", func() error { _, err := c.CancelServiceNow(ctx, 1, 1, "Refund", nil); return err }},
		{"WithHTTPPost", func() error { _, err := post.UserCAStatus(ctx, "1"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			err := tt.call()
			var ie *cas.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, cas.ErrInvalidInput)
		})
	}
	assert.Empty(t, s.Requests(), "nothing was sent")
}

// The refused-credential rule holds for the new operations: 32 concurrent first reads with a
// wrong password send exactly one request; with the right one, all succeed.
func TestEntitlementReadsConcurrentFirstCalls(t *testing.T) {
	for _, tt := range []struct {
		name     string
		password string
		requests int
	}{{"refused", "wrong", 1}, {"accepted", castest.DefaultWSPassword, 32}} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, leavingHousehold())
			c, err := cas.New(s.URL, cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: tt.password},
				cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)
			errs := make(chan error, 32)
			for range 32 {
				go func() {
					_, err := c.UserCAStatus(t.Context(), "1001")
					errs <- err
				}()
			}
			for range 32 {
				err := <-errs
				if tt.requests == 1 {
					assert.ErrorIs(t, err, cas.ErrAuthentication)
				} else {
					assert.NoError(t, err)
				}
			}
			assert.Len(t, s.Requests(), tt.requests)
		})
	}
}
