package bench

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// newOpTargets are one new read operation per service (issue 19), measured by BenchmarkCall
// like the main operations (same canned server, same three clients, same rotation): cas
// GetDomainEntitlements (a page of 3 entitlements) and provisioning GetTokensByOwner (3
// serials), uds retrieveUser (a user with 2 accounts) and projector PwsGetUserList (one user;
// services_read_test.go). Their groups are named "cas_GetDomainEntitlements",
// "provisioning_GetTokensByOwner", "uds_retrieveUser" and "projector_PwsGetUserList".
// The three clients of each new operation give the same answer (the benchmark's premise).
func TestNewOpClientsAgree(t *testing.T) {
	for _, tg := range newOpTargets {
		answers := tg.answers(t)
		for _, impl := range []string{implSDK, implGowsdl, implMin} {
			t.Run(tg.name+"/"+impl, func(t *testing.T) {
				srv := startServer(t, tg.handlerFor(impl, answers), false)
				call := tg.build(t, impl, srv, answers)
				for range 3 {
					must(t, call(context.Background()))
				}
			})
		}
	}
}

var newOpTargets = []*target{casEntitlementsTarget, provTokensTarget, udsRetrieveTarget, projectorListTarget}

// ---- cas: GetDomainEntitlements ----------------------------------------------------------

const casEntitlementsAction = "http://ca.tvinci.com/GetDomainEntitlements"

var casEntitlementsTarget = &target{
	name: "cas GetDomainEntitlements",
	path: castest.Path,
	record: func(tb testing.TB, hc *http.Client) {
		buy := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"1"}, MasterUsers: []string{"1"},
			Entitlements: []castest.Entitlement{
				{Code: "101", UserID: "1", Renewing: true, PurchaseDate: buy, EndDate: buy.AddDate(5, 0, 0)},
				{Code: "202", UserID: "1", Renewing: true, PurchaseDate: buy.AddDate(0, 1, 0), EndDate: buy.AddDate(5, 0, 0)},
				{Code: "303", UserID: "1", PurchaseDate: buy.AddDate(0, 2, 0), EndDate: buy.AddDate(5, 0, 0)},
			}}}})
		defer s.Close()
		c, err := cas.New(s.URL, casCreds, cas.WithHTTPClient(hc))
		must(tb, err)
		_, err = c.DomainEntitlements(context.Background(), 42, cas.EntitlementQuery{}, 0, 10)
		must(tb, err)
	},
	sdk: func(tb testing.TB, endpoint string, hc *http.Client) caller {
		var opts []cas.Option
		if hc != nil {
			opts = append(opts, cas.WithHTTPClient(hc))
		}
		c, err := cas.New(endpoint, casCreds, opts...)
		must(tb, err)
		return func(ctx context.Context) error {
			page, err := c.DomainEntitlements(ctx, 42, cas.EntitlementQuery{}, 0, 10)
			if err != nil {
				return err
			}
			if len(page.Entitlements) != 3 || !page.Entitlements[0].Renewing || page.Entitlements[2].EndDate.IsZero() {
				return fmt.Errorf("cas: got %+v", page)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, _ cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, nil)
		return gowsdlCaller(c, casEntitlementsAction, casEntitlementsRequest, casEntitlementsCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, _ cannedSet) caller {
		m := newMinimal(hc, endpoint, false, casEntitlementsAction)
		return minCaller(m, casEntitlementsRequest, casEntitlementsCheck)
	},
}

type casEntitlementsReq struct {
	XMLName     xml.Name `xml:"http://ca.tvinci.com/ GetDomainEntitlements"`
	SWSUserName string   `xml:"http://ca.tvinci.com/ sWSUserName,omitempty"`
	SWSPassword string   `xml:"http://ca.tvinci.com/ sWSPassword,omitempty"`
	DomainID    int32    `xml:"http://ca.tvinci.com/ domainId"`
	Type        string   `xml:"http://ca.tvinci.com/ type"`
	IsExpired   bool     `xml:"http://ca.tvinci.com/ isExpired"`
	PageSize    int32    `xml:"http://ca.tvinci.com/ pageSize"`
	PageIndex   int32    `xml:"http://ca.tvinci.com/ pageIndex"`
	OrderBy     string   `xml:"http://ca.tvinci.com/ orderBy"`
}

// casEntitlementsResponse is what a hand-written client decodes to give the same typed result
// as the SDK: every member of Entitlement, dates as time.Time (the fake writes them with a
// zone; a real server's zone-less dates would need more).
type casEntitlementsResponse struct {
	XMLName xml.Name `xml:"http://ca.tvinci.com/ GetDomainEntitlementsResponse"`
	Result  *struct {
		Status *struct {
			Code    int32  `xml:"http://ca.tvinci.com/ Code"`
			Message string `xml:"http://ca.tvinci.com/ Message"`
		} `xml:"http://ca.tvinci.com/ status"`
		Entitlements []struct {
			MediaFileID             int32     `xml:"http://ca.tvinci.com/ mediaFileID"`
			Type                    string    `xml:"http://ca.tvinci.com/ type"`
			EntitlementID           string    `xml:"http://ca.tvinci.com/ entitlementId"`
			CurrentUses             int32     `xml:"http://ca.tvinci.com/ currentUses"`
			EndDate                 time.Time `xml:"http://ca.tvinci.com/ endDate"`
			CurrentDate             time.Time `xml:"http://ca.tvinci.com/ currentDate"`
			LastViewDate            time.Time `xml:"http://ca.tvinci.com/ lastViewDate"`
			PurchaseDate            time.Time `xml:"http://ca.tvinci.com/ purchaseDate"`
			PurchaseID              int32     `xml:"http://ca.tvinci.com/ purchaseID"`
			PaymentMethod           string    `xml:"http://ca.tvinci.com/ paymentMethod"`
			DeviceUDID              string    `xml:"http://ca.tvinci.com/ deviceUDID"`
			DeviceName              string    `xml:"http://ca.tvinci.com/ deviceName"`
			CancelWindow            bool      `xml:"http://ca.tvinci.com/ cancelWindow"`
			MaxUses                 int32     `xml:"http://ca.tvinci.com/ maxUses"`
			NextRenewalDate         time.Time `xml:"http://ca.tvinci.com/ nextRenewalDate"`
			RecurringStatus         bool      `xml:"http://ca.tvinci.com/ recurringStatus"`
			IsRenewable             bool      `xml:"http://ca.tvinci.com/ isRenewable"`
			PaymentGatewayID        int32     `xml:"http://ca.tvinci.com/ paymentGatewayId"`
			PaymentMethodID         int32     `xml:"http://ca.tvinci.com/ paymentMethodId"`
			IsInGracePeriod         bool      `xml:"http://ca.tvinci.com/ IsInGracePeriod"`
			ScheduledSubscriptionID *int64    `xml:"http://ca.tvinci.com/ ScheduledSubscriptionId"`
			IsSuspended             bool      `xml:"http://ca.tvinci.com/ IsSuspended"`
			MediaID                 int32     `xml:"http://ca.tvinci.com/ mediaID"`
			UnifiedPaymentID        int64     `xml:"http://ca.tvinci.com/ UnifiedPaymentId"`
		} `xml:"http://ca.tvinci.com/ entitelments>Entitlement"`
		TotalItems int32 `xml:"http://ca.tvinci.com/ totalItems"`
	} `xml:"http://ca.tvinci.com/ GetDomainEntitlementsResult"`
}

func casEntitlementsRequest() *casEntitlementsReq {
	return &casEntitlementsReq{SWSUserName: casCreds.WSUserName, SWSPassword: casCreds.WSPassword, DomainID: 42,
		Type: "Subscription", PageSize: 10, OrderBy: "PurchaseDateAsc"}
}

func casEntitlementsCheck(r *casEntitlementsResponse) error {
	if r.Result == nil || r.Result.Status == nil || r.Result.Status.Code != 0 || len(r.Result.Entitlements) != 3 ||
		!r.Result.Entitlements[0].RecurringStatus || r.Result.Entitlements[2].EndDate.IsZero() {
		return fmt.Errorf("cas: unexpected answer %+v", r.Result)
	}
	return nil
}

// ---- provisioning: GetTokensByOwner -------------------------------------------------------

const provTokensAction = "http://www.cryptocard.com/blackshield/GetTokensByOwner"

var provTokensTarget = &target{
	name: "provisioning GetTokensByOwner",
	path: provisioningtest.Path,
	record: func(tb testing.TB, hc *http.Client) {
		s := provisioningtest.NewServer(provisioningtest.Options{})
		defer s.Close()
		for _, serial := range []string{"MP-0001", "MP-0002", "KT-0003"} {
			s.AddToken(provOrg, provisioningtest.Token{Serial: serial, Type: provisioning.TokenMobilePASS, Owner: provUser})
		}
		c, err := provisioning.New(s.URL, provCreds, provisioning.WithHTTPClient(hc))
		must(tb, err)
		serials, err := c.TokensByOwner(context.Background(), provOrg, provUser)
		must(tb, err)
		if len(serials) != 3 {
			tb.Fatalf("provisioning: recorded %d serials, want 3", len(serials))
		}
	},
	sdk: func(tb testing.TB, endpoint string, hc *http.Client) caller {
		var opts []provisioning.Option
		if hc != nil {
			opts = append(opts, provisioning.WithHTTPClient(hc))
		}
		c, err := provisioning.New(endpoint, provCreds, opts...)
		must(tb, err)
		return func(ctx context.Context) error {
			serials, err := c.TokensByOwner(ctx, provOrg, provUser)
			if err != nil {
				return err
			}
			if len(serials) != 3 || serials[0] != "MP-0001" {
				return fmt.Errorf("provisioning: got %q", serials)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, a cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, map[string]string{"Cookie": provCookie(tb, a)})
		return func(ctx context.Context) error {
			var resp provTokensByOwnerResponse
			if err := c.CallContext(ctx, provTokensAction, &provTokensByOwner{UserName: provUser, Organization: provOrg}, &resp); err != nil {
				return err
			}
			return provTokensCheck(&resp)
		}
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, a cannedSet) caller {
		m := newMinimal(hc, endpoint, false, provTokensAction)
		m.header.Set("Cookie", provCookie(tb, a))
		return minCaller(m, func() *provTokensByOwner { return &provTokensByOwner{UserName: provUser, Organization: provOrg} }, provTokensCheck)
	},
}

type provTokensByOwner struct {
	XMLName      xml.Name `xml:"http://www.cryptocard.com/blackshield/ GetTokensByOwner"`
	UserName     string   `xml:"http://www.cryptocard.com/blackshield/ userName,omitempty"`
	Organization string   `xml:"http://www.cryptocard.com/blackshield/ organization,omitempty"`
}

type provTokensByOwnerResponse struct {
	XMLName xml.Name `xml:"http://www.cryptocard.com/blackshield/ GetTokensByOwnerResponse"`
	Serials []string `xml:"http://www.cryptocard.com/blackshield/ GetTokensByOwnerResult>string"`
}

func provTokensCheck(r *provTokensByOwnerResponse) error {
	if len(r.Serials) != 3 || r.Serials[0] != "MP-0001" {
		return fmt.Errorf("provisioning: unexpected answer %q", r.Serials)
	}
	return nil
}
