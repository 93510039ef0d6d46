package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// target is one service's main operation, made three ways against the same canned server:
// the SDK, gowsdl's soap.Client (a), and the hand-written minimum (b), the floor.
type target struct {
	name   string
	path   string // the service path on the server
	soap12 bool   // the SDK and the minimum speak SOAP 1.2; gowsdl gets a SOAP 1.1 copy
	// record runs the SDK's main call, and its login, against the service's own fake
	// through hc, so that the fake's real answers can be replayed.
	record func(tb testing.TB, hc *http.Client)
	// sdk builds the service client; hc nil means the client's own transport.
	sdk func(tb testing.TB, endpoint string, hc *http.Client) caller
	// gowsdl builds gowsdl's client; tlsCfg is nil for plain HTTP. answers are the
	// canned answers (for the session ticket or cookie the call must carry).
	gowsdl func(tb testing.TB, endpoint string, tlsCfg *tls.Config, answers cannedSet) caller
	min    func(tb testing.TB, endpoint string, hc *http.Client, answers cannedSet) caller
}

var targets = []*target{casTarget, udsTarget, projectorTarget, provisioningTarget}

var (
	answersMu sync.Mutex
	answers   = map[string]cannedSet{}
)

// answers records the target's fake once per process and returns its answers by action.
func (t *target) answers(tb testing.TB) cannedSet {
	answersMu.Lock()
	defer answersMu.Unlock()
	if a, ok := answers[t.name]; ok {
		return a
	}
	rec := newRecorder()
	t.record(tb, rec.client())
	answers[t.name] = rec.got
	return rec.got
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// ---- cas: HandleUserTask ---------------------------------------------------------------

const casAction = "http://ca.tvinci.com/HandleUserTask"

var casCreds = cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: castest.DefaultWSPassword}

var casTarget = &target{
	name: "cas",
	path: castest.Path,
	record: func(tb testing.TB, hc *http.Client) {
		s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"user-1", "master"}, MasterUsers: []string{"master"}}}})
		defer s.Close()
		c, err := cas.New(s.URL, casCreds, cas.WithHTTPClient(hc))
		must(tb, err)
		_, err = c.HandleUserTask(context.Background(), 42, "user-1", cas.ActionDelete)
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
			res, err := c.HandleUserTask(ctx, 42, "user-1", cas.ActionDelete)
			if err != nil {
				return err
			}
			if res.Code != cas.CodeOK || res.Message != "OK" {
				return fmt.Errorf("cas: got %+v", res)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, _ cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, nil)
		return gowsdlCaller(c, casAction, casRequest, casCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, _ cannedSet) caller {
		m := newMinimal(hc, endpoint, false, casAction)
		return minCaller(m, casRequest, casCheck)
	},
}

func casRequest() *casHandleUserTask {
	return &casHandleUserTask{SWSUserName: casCreds.WSUserName, SWSPassword: casCreds.WSPassword,
		DomainID: 42, UserID: "user-1", ActionType: "Delete"}
}

func casCheck(r *casHandleUserTaskResponse) error {
	if r.Result == nil || r.Result.Code != 0 || r.Result.Message != "OK" {
		return fmt.Errorf("cas: unexpected answer %+v", r.Result)
	}
	return nil
}

// ---- uds: updateUserStatus -------------------------------------------------------------

const udsAction = "urn:UDS.UpdateUserStatus"

// AnA stays off in the per-call comparison: it is optional on the server, and with it each
// request would also carry an authToken header block, which gowsdl can only send as
// client-wide mutable state. Session renewal with AnA on is BenchmarkSessionRenewal.
var udsTarget = &target{
	name:   "uds",
	path:   uds.ServicePath,
	soap12: true,
	record: func(tb testing.TB, hc *http.Client) {
		s := udstest.NewServer(udstest.Options{})
		defer s.Close()
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		c, err := uds.New(s.URL, s.Credentials(), uds.WithHTTPClient(hc))
		must(tb, err)
		_, err = c.UpdateUserStatus(context.Background(), udsUsers, uds.StatusInactive, nil)
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
			res, err := c.UpdateUserStatus(ctx, udsUsers, uds.StatusInactive, nil)
			if err != nil {
				return err
			}
			if res.Message == "" || res.TransactionID == "" {
				return fmt.Errorf("uds: got %+v", res)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, _ cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, nil)
		return gowsdlCaller(c, udsAction, udsRequest, udsCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, _ cannedSet) caller {
		m := newMinimal(hc, endpoint, true, udsAction)
		return minCaller(m, udsRequest, udsCheck)
	},
}

var udsUsers = []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}

func udsRequest() *udsUpdateUserStatusRequest {
	return &udsUpdateUserStatusRequest{UserID: []*udsUserID{{OrgName: "ACME", UserName: "jdoe"}}, Status: "INACTIVE"}
}

func udsCheck(r *udsUpdateUserStatusResponse) error {
	if r.Return == nil || r.Return.Message == "" {
		return fmt.Errorf("uds: unexpected answer %+v", r.Return)
	}
	return nil
}

// ---- projector: PwsDeleteUser ----------------------------------------------------------

const (
	pwsAuthAction   = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsAuthenticate"
	pwsDeleteAction = "http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsDeleteUser"
)

var (
	pwsCreds = projector.Credentials{AccountCode: projectortest.DefaultAccountCode,
		UserName: projectortest.DefaultUserName, Password: projectortest.DefaultPassword}
	pwsEndDate = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	ticketRE   = regexp.MustCompile(`<a:SessionTicket>([^<]+)</a:SessionTicket>`)
)

var projectorTarget = &target{
	name: "projector",
	path: projectortest.DefaultPath,
	record: func(tb testing.TB, hc *http.Client) {
		s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
			{ReferenceSystemID: "jdoe", UserID: 1, DisplayName: "J. Doe", InUse: true}}})
		defer s.Close()
		c, err := projector.New(s.URL, s.Credentials(), projector.WithHTTPClient(hc))
		must(tb, err)
		_, err = c.DeleteUser(context.Background(), projector.UserRef{UserReferenceSystemID: "jdoe"},
			&projector.DeleteUserOptions{EndDateIfInUse: pwsEndDate})
		must(tb, err)
	},
	sdk: func(tb testing.TB, endpoint string, hc *http.Client) caller {
		var opts []projector.Option
		if hc != nil {
			opts = append(opts, projector.WithHTTPClient(hc))
		}
		c, err := projector.New(endpoint, pwsCreds, opts...)
		must(tb, err)
		opt := &projector.DeleteUserOptions{EndDateIfInUse: pwsEndDate}
		return func(ctx context.Context) error {
			res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, opt)
			if err != nil {
				return err
			}
			if res.Outcome != projector.Deactivated || res.User.UserReferenceSystemID != "jdoe" {
				return fmt.Errorf("projector: got %+v", res)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, a cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, nil)
		ticket := pwsTicket(tb, a)
		return gowsdlCaller(c, pwsDeleteAction, func() *pwsDeleteUser { return pwsRequest(ticket) }, pwsCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, a cannedSet) caller {
		m := newMinimal(hc, endpoint, false, pwsDeleteAction)
		ticket := pwsTicket(tb, a)
		return minCaller(m, func() *pwsDeleteUser { return pwsRequest(ticket) }, pwsCheck)
	},
}

// pwsTicket is the session ticket of the recorded PwsAuthenticate answer: what the SDK
// sends after its (untimed) first call.
func pwsTicket(tb testing.TB, a cannedSet) string {
	auth := a[pwsAuthAction]
	if auth == nil {
		tb.Fatal("projector: no PwsAuthenticate answer recorded")
	}
	m := ticketRE.FindSubmatch(auth.body)
	if m == nil {
		tb.Fatal("projector: no SessionTicket in the recorded PwsAuthenticate answer")
	}
	return string(m[1])
}

func pwsRequest(ticket string) *pwsDeleteUser {
	var r pwsDeleteUser
	r.ServiceRequest.RequestID = 2
	r.ServiceRequest.SessionTicket = ticket
	r.ServiceRequest.EndDateIfInUse = "2024-05-01T00:00:00.000Z"
	r.ServiceRequest.UserIdentity = &pwsUserRef{UserReferenceSystemID: "jdoe"}
	return &r
}

func pwsCheck(r *pwsDeleteUserResponse) error {
	if r.Result == nil || r.Result.Status != "Ok" || r.Result.Timestamp == "" ||
		r.Result.UserIdentity == nil || r.Result.UserIdentity.UserReferenceSystemID != "jdoe" {
		return fmt.Errorf("projector: unexpected answer %+v", r.Result)
	}
	return nil
}

// ---- provisioning: GetProvisioningTasksForUser -------------------------------------------

const (
	provConnectAction = "http://www.cryptocard.com/blackshield/Connect"
	provTasksAction   = "http://www.cryptocard.com/blackshield/GetProvisioningTasksForUser"
	provOrg           = "Example Org"
	provUser          = "alice"
	provRows          = 3 // a small table
)

func provOTP(context.Context) (string, error) { return provisioningtest.TestOTP, nil }

// provCreds log in to provisioningtest with its fixed OTP.
var provCreds = provisioning.Credentials{OperatorEmail: provisioningtest.TestOperator, OTP: provOTP}

var provisioningTarget = &target{
	name: "provisioning",
	path: provisioningtest.Path,
	record: func(tb testing.TB, hc *http.Client) {
		s := provisioningtest.NewServer(provisioningtest.Options{})
		defer s.Close()
		start := time.Date(2024, 5, 1, 10, 20, 30, 0, time.UTC)
		for i := range provRows {
			s.AddTask(provOrg, provisioningtest.Task{
				Operator: "operator@example.com", StartDate: start, StopDate: start.AddDate(0, 1, i),
				TokenOption: "MobilePASS", Status: "Active",
				Users: []provisioningtest.TaskUser{{UserID: "u1", UserName: provUser}},
			})
		}
		c, err := provisioning.New(s.URL, provCreds, provisioning.WithHTTPClient(hc))
		must(tb, err)
		rows, err := c.TasksForUser(context.Background(), provOrg, provUser, 0, 100)
		must(tb, err)
		if len(rows) != provRows {
			tb.Fatalf("provisioning: recorded %d rows, want %d", len(rows), provRows)
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
			rows, err := c.TasksForUser(ctx, provOrg, provUser, 0, 100)
			if err != nil {
				return err
			}
			if len(rows) != provRows || rows[0].TokenOption != "MobilePASS" || rows[0].StartDate.IsZero() {
				return fmt.Errorf("provisioning: got %+v", rows)
			}
			return nil
		}
	},
	gowsdl: func(tb testing.TB, endpoint string, tlsCfg *tls.Config, a cannedSet) caller {
		c := newGowsdl(endpoint, tlsCfg, map[string]string{"Cookie": provCookie(tb, a)})
		return gowsdlCaller(c, provTasksAction, provRequest, provCheck)
	},
	min: func(tb testing.TB, endpoint string, hc *http.Client, a cannedSet) caller {
		m := newMinimal(hc, endpoint, false, provTasksAction)
		m.header.Set("Cookie", provCookie(tb, a))
		return minCaller(m, provRequest, provCheck)
	},
}

// provCookie is the session cookie the recorded Connect answer set: what the SDK sends
// after its (untimed) first call.
func provCookie(tb testing.TB, a cannedSet) string {
	conn := a[provConnectAction]
	if conn == nil {
		tb.Fatal("provisioning: no Connect answer recorded")
	}
	for _, ck := range (&http.Response{Header: conn.header}).Cookies() {
		if ck.Name == provisioningtest.SessionCookie {
			return ck.Name + "=" + ck.Value
		}
	}
	tb.Fatal("provisioning: the recorded Connect answer set no session cookie")
	return ""
}

func provRequest() *provGetTasksForUser {
	return &provGetTasksForUser{User: provUser, Organization: provOrg, NumberOfRecords: 100}
}

func provCheck(r *provGetTasksForUserResponse) error {
	rows := r.Result.Rows
	if len(rows) != provRows || rows[0].TokenOption != "MobilePASS" || rows[0].StartDate == "" {
		return fmt.Errorf("provisioning: unexpected answer %+v", rows)
	}
	return nil
}
