package main

import (
	"cmp"
	"fmt"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// demoUser is the user the program offboards when it is run with no configuration: present
// in all four fakes.
var demoUser = user{Label: "jdoe", UDSOrg: "ACME", UDSUser: "jdoe", CASHousehold: 1001, CASUser: "jdoe",
	ProjectorRef: "jdoe", ProvisioningUser: "jdoe"}

const (
	demoOrg            = "Example Org" // provisioning organization of the fakes
	demoHouseholdOwner = "household-owner"
)

// fakeOptions are the credentials the fakes accept (empty: each fake's default test value)
// and how Projector sees the users.
type fakeOptions struct {
	provisioningOrg string // the organization of the provisioning tasks (empty: demoOrg)

	udsCredential, casPassword, projectorPassword, provisioningOTP string
	// projectorInUse makes every Projector user referenced elsewhere, so PwsDeleteUser with
	// EndDateIfInUse deactivates instead of deleting.
	projectorInUse bool
}

// fakes are the four in-process fake servers (the xxxtest packages), seeded with users.
type fakes struct {
	uds          *udstest.Server
	cas          *castest.Server
	projector    *projectortest.Server
	provisioning *provisioningtest.Server
	otp          string // the static OTP the provisioning fake accepts
	org          string // the provisioning organization
}

// startFakes starts the four fakes with every user present in each system the user has an
// identifier for: uds ACTIVE (AnA on) with two accounts, cas in their household with a master
// user and two renewing subscriptions, projector, and provisioning owning two tokens and in
// two of the organization's three tasks. Close them with close.
func startFakes(users []user, o fakeOptions) *fakes {
	f := &fakes{otp: cmp.Or(o.provisioningOTP, provisioningtest.TestOTP), org: cmp.Or(o.provisioningOrg, demoOrg)}

	f.uds = udstest.NewServer(udstest.Options{AnA: true, Admin: uds.Credentials{Credential: o.udsCredential}})
	households := map[int]*castest.Household{}
	var order []int
	var projectorUsers []projectortest.User
	var taskUsers []provisioningtest.TaskUser
	var tokens []provisioningtest.Token
	for i, u := range users {
		if u.UDSUser != "" {
			f.uds.AddUser(u.UDSOrg, u.UDSUser, uds.StatusActive)
			for _, a := range []udstest.Account{{Type: "RADIUS_ID", ID: u.UDSUser + "-radius", Status: 10}, {Type: "OTP_ID", ID: u.UDSUser + "-otp", Status: 10}} {
				f.uds.AddAccount(u.UDSOrg, u.UDSUser, a)
			}
		}
		if u.CASHousehold != 0 {
			h := households[u.CASHousehold]
			if h == nil {
				// Two renewing subscriptions, bought by the first user of the household seeded.
				h = &castest.Household{ID: u.CASHousehold, Users: []string{demoHouseholdOwner}, MasterUsers: []string{demoHouseholdOwner},
					Recordings: 3, Entitlements: []castest.Entitlement{{Code: "101", UserID: u.CASUser, Renewing: true}, {Code: "202", UserID: u.CASUser, Renewing: true}}}
				households[u.CASHousehold] = h
				order = append(order, u.CASHousehold)
			}
			h.Users = append(h.Users, u.CASUser)
		}
		if u.ProjectorRef != "" {
			projectorUsers = append(projectorUsers, projectortest.User{ReferenceSystemID: u.ProjectorRef, DisplayName: u.Label, InUse: o.projectorInUse})
		}
		if u.ProvisioningUser != "" {
			taskUsers = append(taskUsers, provisioningtest.TaskUser{UserName: u.ProvisioningUser, Status: "Pending"})
			for k := range 2 {
				tokens = append(tokens, provisioningtest.Token{Serial: demoSerial(2*i + k), Type: provisioning.TokenMP,
					State: "Active", Owner: u.ProvisioningUser, Initialized: true})
			}
		}
	}

	casOpts := castest.Options{}
	for _, id := range order {
		casOpts.Households = append(casOpts.Households, *households[id])
	}
	if o.casPassword != "" {
		casOpts.Credentials = cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: o.casPassword}
	}
	f.cas = castest.NewServer(casOpts)

	f.projector = projectortest.NewServer(projectortest.Options{Password: o.projectorPassword, Users: projectorUsers})

	f.provisioning = provisioningtest.NewServer(provisioningtest.Options{OTP: f.otp})
	for _, u := range users {
		if u.ProvisioningUser != "" {
			f.provisioning.AddUser(f.org, provisioningtest.User{UserName: u.ProvisioningUser})
		}
	}
	for _, t := range tokens {
		f.provisioning.AddToken(f.org, t)
	}
	start := time.Now().UTC().Truncate(time.Second)
	op := f.provisioning.Credentials().OperatorEmail
	f.provisioning.AddTask(f.org, provisioningtest.Task{Operator: op, TokenOption: "MobilePASS", Status: "Active",
		StartDate: start, StopDate: start.AddDate(0, 0, 14), Users: taskUsers})
	f.provisioning.AddTask(f.org, provisioningtest.Task{Operator: op, TokenOption: "GrIDsure", Status: "Active",
		StartDate: start, StopDate: start.AddDate(0, 1, 0), Users: taskUsers})
	f.provisioning.AddTask(f.org, provisioningtest.Task{Operator: op, TokenOption: "MobilePASS", Status: "Active",
		StartDate: start, Users: []provisioningtest.TaskUser{{UserName: "someone-else", Status: "Pending"}}})
	return f
}

// configure points c at the fakes, with the credentials they accept.
func (f *fakes) configure(c *config) {
	a := f.uds.Credentials()
	c.udsEndpoint, c.udsAdmin, c.udsAdminOrg, c.udsCredential = f.uds.URL, a.UserID, a.OrgName, a.Credential

	cc := f.cas.Credentials()
	c.casEndpoint, c.casWSUser, c.casPassword = f.cas.URL, cc.WSUserName, cc.WSPassword

	pc := f.projector.Credentials()
	c.projectorEndpoint, c.projectorAccount, c.projectorLogin, c.projectorPassword = f.projector.URL, pc.AccountCode, pc.UserName, pc.Password

	c.provisioningEndpoint, c.provisioningOperator, c.provisioningOTP = f.provisioning.URL, f.provisioning.Credentials().OperatorEmail, f.otp
	c.provisioningOrg = f.org
}

func (f *fakes) close() {
	f.uds.Close()
	f.cas.Close()
	f.projector.Close()
	f.provisioning.Close()
}

// demoSerial is the serial of the n-th token the fakes seed: 1000009, 1000019, 1000029…
// Serials end in 9 because the provisioning client scrubs the serials it reads of its
// secrets, cut ones included: a serial ending in the first 3 characters of the session id
// (24 of a-z0-5) or of the OTP comes back cut ("1000[REDACTED]"), and its revocation fails.
// That is a bug of the provisioning package (reported); a 9 is in neither alphabet, so the
// demo and the tests do not depend on the session id's luck.
func demoSerial(n int) string { return fmt.Sprintf("%d9", 100000+n) }
