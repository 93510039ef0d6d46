package bench

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// One read operation per service of issue 19, measured like the main operations (they are
// newOpTargets): uds retrieveUser with the user's accounts, projector PwsGetUserList for one
// user (FindUser).

// TestReadTargetsClientsSendTheSameBody: the SDK, gowsdl's client and the hand-written
// minimum send the same SOAP Body for the uds and projector reads, so the benchmarks compare
// the same work (TestClientsAgree's check, for these targets).
func TestReadTargetsClientsSendTheSameBody(t *testing.T) {
	for _, tg := range []*target{udsRetrieveTarget, projectorListTarget} {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			a := tg.answers(t)
			var bodies []string
			for _, impl := range []string{implSDK, implMin, implGowsdl} {
				rec := &lastBody{h: tg.handlerFor(impl, a)}
				srv := startServer(t, rec, false)
				call := tg.build(t, impl, srv, a)
				require.NoError(t, call(ctx)) // the SDK's first call logs in where there is a session
				require.NoError(t, call(ctx))
				body, err := xmltest.Body(rec.last())
				require.NoError(t, err)
				bodies = append(bodies, body)
			}
			require.Equal(t, bodies[0], bodies[1], "the minimum sends another body than the SDK")
			require.Equal(t, bodies[0], bodies[2], "gowsdl sends another body than the SDK")
		})
	}
}

// ---- uds: retrieveUser with accounts -----------------------------------------------------

const udsRetrieveAction = "urn:UDS.RetrieveUser"

var udsRetrieveTarget = &target{
	name:   "uds retrieveUser",
	path:   uds.ServicePath,
	soap12: true,
	record: func(tb testing.TB, hc *http.Client) {
		s := udstest.NewServer(udstest.Options{})
		defer s.Close()
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		s.AddAccount("ACME", "jdoe", udstest.Account{Type: "RADIUS_ID", ID: "jdoe-radius", Status: 10})
		s.AddAccount("ACME", "jdoe", udstest.Account{Type: "ALT_LOGIN", ID: "j.doe@acme.example", Status: 12})
		c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(hc))
		must(tb, err)
		_, err = c.RetrieveUser(context.Background(), udsRetrieveUser, udsRetrieveOpts)
		must(tb, err)
	},
	sdk: func(tb testing.TB, endpoint string, hc *http.Client) caller {
		var opts []uds.Option
		if hc != nil {
			opts = append(opts, uds.WithHTTPClient(hc))
		}
		c, err := uds.New(endpoint, uds.Credentials{}, opts...)
		must(tb, err)
		return func(ctx context.Context) error {
			u, err := c.RetrieveUser(ctx, udsRetrieveUser, udsRetrieveOpts)
			if err != nil {
				return err
			}
			if u.ID.UserName != "jdoe" || len(u.Accounts) != 2 || u.Accounts[0].ID != "jdoe-radius" || u.Status == nil {
				return fmt.Errorf("uds: got %+v", u)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, _ cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, nil)
		return gowsdlCaller(c, udsRetrieveAction, udsRetrieveRequest, udsRetrieveCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, _ cannedSet) caller {
		m := newMinimal(hc, endpoint, true, udsRetrieveAction)
		return minCaller(m, udsRetrieveRequest, udsRetrieveCheck)
	},
}

var (
	udsRetrieveUser = uds.UserID{OrgName: "ACME", UserName: "jdoe"}
	udsRetrieveOpts = &uds.RetrieveOptions{IncludeAccounts: true}
)

func udsRetrieveRequest() *udsRetrieveUserRequest {
	r := &udsRetrieveUserRequest{UserIdentifier: "jdoe", OrgName: "ACME"}
	r.Filter.IncludeAccounts = true
	return r
}

func udsRetrieveCheck(r *udsRetrieveUserResponse) error {
	if r.Return == nil || r.Return.UserID == nil || r.Return.UserID.UserName != "jdoe" || len(r.Return.Account) != 2 ||
		r.Return.Account[0].AccountID != "jdoe-radius" || r.Return.Status == "" {
		return fmt.Errorf("uds: unexpected answer %+v", r.Return)
	}
	return nil
}

type udsRetrieveUserRequest struct {
	XMLName        xml.Name `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs retrieveUserRequest"`
	UserIdentifier string   `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs userIdentifier"`
	OrgName        string   `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs orgName,omitempty"`
	Filter         struct {
		IncludeAccounts bool `xml:"http://ws.arcot.com/UserSchema/1.0 includeAccounts"`
	} `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs filter"`
}

type udsAccount struct {
	AccountType   string `xml:"http://ws.arcot.com/UserSchema/1.0 accountType"`
	AccountID     string `xml:"http://ws.arcot.com/UserSchema/1.0 accountID"`
	AccountStatus int32  `xml:"http://ws.arcot.com/UserSchema/1.0 accountStatus"`
	DateCreated   string `xml:"http://ws.arcot.com/UserSchema/1.0 dateCreated"`
	DateModified  string `xml:"http://ws.arcot.com/UserSchema/1.0 dateModified"`
}

type udsRetrieveUserResponse struct {
	XMLName xml.Name `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs retrieveUserResponse"`
	Return  *struct {
		UserID *struct {
			OrgName   string `xml:"http://ws.arcot.com/UserSchema/1.0 orgName"`
			UserName  string `xml:"http://ws.arcot.com/UserSchema/1.0 userName"`
			UserRefID int32  `xml:"http://ws.arcot.com/UserSchema/1.0 userRefId"`
		} `xml:"http://ws.arcot.com/UserSchema/1.0 userId"`
		DateCreated string        `xml:"http://ws.arcot.com/UserSchema/1.0 dateCreated"`
		Status      string        `xml:"http://ws.arcot.com/UserSchema/1.0 status"`
		Account     []*udsAccount `xml:"http://ws.arcot.com/UserSchema/1.0 account"`
	} `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs return"`
}

// ---- projector: PwsGetUserList for one user ----------------------------------------------

const pwsListAction = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsGetUserList"

var pwsListUser = projector.UserRef{UserReferenceSystemID: "jdoe"}

var projectorListTarget = &target{
	name: "projector PwsGetUserList",
	path: projectortest.DefaultPath,
	record: func(tb testing.TB, hc *http.Client) {
		s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
			{ReferenceSystemID: "jdoe", UserID: 1, DisplayName: "J. Doe", EmailAddress: "jdoe@example.com", FirstName: "J.", LastName: "Doe", InUse: true}}})
		defer s.Close()
		c, err := projector.New(s.URL, s.Credentials(), projector.WithHTTPClient(hc))
		must(tb, err)
		_, err = c.FindUser(context.Background(), pwsListUser)
		must(tb, err)
	},
	sdk: func(tb testing.TB, endpoint string, hc *http.Client) caller {
		var opts []projector.Option
		if hc != nil {
			opts = append(opts, projector.WithHTTPClient(hc))
		}
		c, err := projector.New(endpoint, pwsCreds, opts...)
		must(tb, err)
		return func(ctx context.Context) error {
			u, err := c.FindUser(ctx, pwsListUser)
			if err != nil {
				return err
			}
			if !u.Active() || u.User.UserReferenceSystemID != "jdoe" || u.User.UserID != 1 {
				return fmt.Errorf("projector: got %+v", u)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, a cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, nil)
		ticket := pwsTicket(tb, a)
		return gowsdlCaller(c, pwsListAction, func() *pwsGetUserList { return pwsListRequest(ticket) }, pwsListCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, a cannedSet) caller {
		m := newMinimal(hc, endpoint, false, pwsListAction)
		ticket := pwsTicket(tb, a)
		return minCaller(m, func() *pwsGetUserList { return pwsListRequest(ticket) }, pwsListCheck)
	},
}

func pwsListRequest(ticket string) *pwsGetUserList {
	var r pwsGetUserList
	r.ServiceRequest.RequestID = 2
	r.ServiceRequest.SessionTicket = ticket
	r.ServiceRequest.IncludeInactiveFlag = true
	r.ServiceRequest.UserIdentity = &pwsUserRef{UserReferenceSystemID: "jdoe"}
	return &r
}

func pwsListCheck(r *pwsGetUserListResponse) error {
	if r.Result == nil || r.Result.Status != "Ok" || r.Result.Users == nil || len(r.Result.Users.Rows) != 1 {
		return fmt.Errorf("projector: unexpected answer %+v", r.Result)
	}
	row := r.Result.Users.Rows[0]
	if row.InactiveFlag == nil || *row.InactiveFlag || row.UserSummary == nil || row.UserSummary.UserReferenceSystemID != "jdoe" {
		return fmt.Errorf("projector: unexpected row %+v", row)
	}
	return nil
}

type pwsGetUserList struct {
	XMLName        xml.Name `xml:"http://projectorpsa.com/PwsProjectorServices/ PwsGetUserList"`
	ServiceRequest struct {
		RequestID           int32       `xml:"http://projectorpsa.com/DataContracts/Requests/ RequestId,omitempty"`
		SessionTicket       string      `xml:"http://projectorpsa.com/DataContracts/Requests/ SessionTicket,omitempty"`
		IncludeInactiveFlag bool        `xml:"http://projectorpsa.com/DataContracts/Requests/ IncludeInactiveFlag"`
		UserIdentity        *pwsUserRef `xml:"http://projectorpsa.com/DataContracts/Requests/ UserIdentity,omitempty"`
	} `xml:"http://projectorpsa.com/PwsProjectorServices/ serviceRequest"`
}

type pwsUserSummaryRow struct {
	InactiveFlag       *bool `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ InactiveFlag"`
	PasswordTicketFlag *bool `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ PasswordTicketFlag"`
	UserSummary        *struct {
		UserDisplayName       string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserDisplayName"`
		UserID                *int32 `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserId"`
		UserReferenceSystemID string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserReferenceSystemId"`
		UserUID               *int64 `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserUid"`
		EmailAddress          string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ EmailAddress"`
		FirstName             string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ FirstName"`
		LastName              string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ LastName"`
		MiddleName            string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ MiddleName"`
	} `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserSummary"`
}

type pwsGetUserListResponse struct {
	XMLName xml.Name `xml:"http://projectorpsa.com/PwsProjectorServices/ PwsGetUserListResponse"`
	Result  *struct {
		Messages *struct {
			PwsMessage []*pwsMessage `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ PwsMessage,omitempty"`
		} `xml:"http://projectorpsa.com/CommonServices/ Messages,omitempty"`
		ResponseID         int32  `xml:"http://projectorpsa.com/CommonServices/ ResponseId,omitempty"`
		Status             string `xml:"http://projectorpsa.com/CommonServices/ Status,omitempty"`
		ServerTimestampUtc string `xml:"http://projectorpsa.com/CommonServices/ ServerTimestampUtc,omitempty"`
		Users              *struct {
			Rows []*pwsUserSummaryRow `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ PwsUserSummaryElement"`
		} `xml:"http://projectorpsa.com/DataContracts/Responses/ Users"`
	} `xml:"http://projectorpsa.com/PwsProjectorServices/ PwsGetUserListResult,omitempty"`
}

// BenchmarkReadsPaired times the uds and projector reads' three clients call by call, in
// alternation (the order rotating every iteration), over plain HTTP and TLS, and reports the
// median call of each: on a loaded machine a spike hits all three alike, where BenchmarkCall's
// separate runs can land on different loads. Metrics: sdk-µs, min-µs, gowsdl-µs, sdk/min
// (the time target: ≤ 1) and gowsdl/sdk (the throughput target: ≥ 1.9).
func BenchmarkReadsPaired(b *testing.B) {
	for _, tg := range []*target{udsRetrieveTarget, projectorListTarget} {
		answers := tg.answers(b)
		for _, transport := range []string{"http", "tls"} {
			b.Run(tg.name+"/"+transport, func(b *testing.B) {
				impls := []string{implSDK, implMin, implGowsdl}
				calls := make([]caller, len(impls))
				ctx := context.Background()
				for i, impl := range impls {
					srv := startServer(b, tg.handlerFor(impl, answers), transport == "tls")
					calls[i] = tg.build(b, impl, srv, answers)
					must(b, calls[i](ctx))
				}
				runtime.GC()
				times := make([][]time.Duration, len(impls))
				n := 0
				for b.Loop() {
					for k := range impls {
						i := (n + k) % len(impls)
						start := time.Now()
						if err := calls[i](ctx); err != nil {
							b.Fatal(err)
						}
						times[i] = append(times[i], time.Since(start))
					}
					n++
				}
				sdk, minimum, gw := medianDuration(times[0]), medianDuration(times[1]), medianDuration(times[2])
				b.ReportMetric(float64(sdk.Nanoseconds())/1000, "sdk-µs")
				b.ReportMetric(float64(minimum.Nanoseconds())/1000, "min-µs")
				b.ReportMetric(float64(gw.Nanoseconds())/1000, "gowsdl-µs")
				b.ReportMetric(float64(sdk)/float64(minimum), "sdk/min")
				b.ReportMetric(float64(gw)/float64(sdk), "gowsdl/sdk")
			})
		}
	}
}
