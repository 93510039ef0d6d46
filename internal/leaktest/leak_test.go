package leaktest_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// The secrets carry characters that XML, URLs and Go quoting all escape, so that a secret
// leaking in an escaped form is caught too (see forms).
const (
	casPassword       = `cas-Pw&<1>"x'`
	casWrongPassword  = `cas-Wrong&Pw<2>`
	udsCredential     = `uds-Cred&<3>"y`
	udsWrongCred      = `uds-WrongCred<4>`
	projectorPassword = `prj-Pw&<5>"z'`
	projectorWrongPw  = `prj-WrongPw<6>`
	otpPrefix         = "otp-7f3a-"
	wrongOTP          = "otp-bad-4e2d"
	connectChallenge  = "challenge-PIN-9137"
)

// tally sums what the checks of one test looked at.
type tally struct{ records, values int }

func (ty *tally) add(l *leaks, minRecords int) {
	r, v := l.check(minRecords)
	ty.records += r
	ty.values += v
}

// TestNoSecretLeaks runs the end-to-end flows of the four packages (success, session expiry
// and renewal, refused credentials, faults) against their fakes with debug logging captured,
// then looks for every secret used, in every form, in every log record, every error and the
// fmt output of every client, option, credentials and result value.
func TestNoSecretLeaks(t *testing.T) {
	var total tally
	for _, flow := range []struct {
		name string
		run  func(t *testing.T, total *tally)
	}{{"cas", casFlows}, {"uds", udsFlows}, {"projector", projectorFlows}, {"provisioning", provisioningFlows}} {
		t.Run(flow.name, func(t *testing.T) { flow.run(t, &total) })
	}
	t.Logf("all four packages: %d log records and %d rendered values checked", total.records, total.values)
}

func casFlows(t *testing.T, total *tally) {
	l := newLeaks(t)
	l.secret(casPassword, casWrongPassword)
	ctx := context.Background()
	creds := cas.Credentials{WSUserName: "cas-user", WSPassword: casPassword}
	s := castest.NewServer(castest.Options{Credentials: creds, Households: []castest.Household{
		{ID: 42, Users: []string{"alice", "bob", "carol", "dave"}, MasterUsers: []string{"alice"}, Recordings: 3},
		{ID: 43, Users: []string{"erin"}, Suspended: true},
		{ID: 44, Users: []string{"frank"}},
	}})
	defer s.Close()
	forms := []cas.Option{cas.WithSOAPVersion(cas.SOAP11), cas.WithSOAPVersion(cas.SOAP12), cas.WithHTTPPost()}
	for i, user := range []string{"bob", "carol", "dave"} {
		form := forms[i]
		opts := []cas.Option{cas.WithHTTPClient(l.httpClient()), cas.WithLogger(l.logger()), form, cas.WithTimeout(10 * time.Second)}
		c, err := cas.New(s.URL, creds, opts...)
		require.NoError(t, err)
		l.value(c, *c, creds, &creds, form)
		for _, o := range opts {
			l.value(o)
		}
		res, err := c.DeleteUser(ctx, 42, user) // success
		require.NoError(t, l.err(err))
		l.value(res, *res)
		_, err = c.DeleteUser(ctx, 4242, "nobody") // 1006 DomainNotExists
		require.ErrorIs(t, l.err(err), cas.ErrNotFound)
		_, err = c.DeleteUser(ctx, 43, "erin") // suspended household (castest passes it, as the server does; then no master user)
		require.Error(t, l.err(err))
		_, err = c.DeleteUser(ctx, 44, "frank") // no master user: 1 Error
		require.ErrorIs(t, l.err(err), cas.ErrTaskFailed)
		s.FailNext(castest.Failure{Code: cas.Code(7777), Message: "injected: sWSPassword=" + casPassword}) // a server echoing the password
		_, err = c.DeleteUser(ctx, 42, "alice")
		require.Error(t, l.err(err))
		res, err = c.DeleteHouseholdRecordings(ctx, 42)
		require.NoError(t, l.err(err))
		l.value(res)

		// Refused credentials.
		bad := cas.Credentials{WSUserName: "cas-user", WSPassword: casWrongPassword}
		bc, err := cas.New(s.URL, bad, opts...)
		require.NoError(t, err)
		l.value(bc, bad)
		_, err = bc.DeleteUser(ctx, 42, "alice")
		require.ErrorIs(t, l.err(err), cas.ErrAuthentication)
	}
	// Input refused before sending, and a construction error.
	_, err := cas.New("ftp://x", creds)
	l.err(err)
	total.add(l, 20)
}

func udsFlows(t *testing.T, total *tally) {
	l := newLeaks(t)
	l.secret(udsCredential, udsWrongCred)
	ctx := context.Background()
	s := udstest.NewServer(udstest.Options{AnA: true, Admin: uds.Credentials{Credential: udsCredential}})
	defer s.Close()
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	s.AddUser("ACME", "asmith", uds.StatusActive)
	opts := []uds.Option{uds.WithHTTPClient(l.httpClient()), uds.WithLogger(l.logger()), uds.WithTargetOrgs("ACME")}
	c, err := uds.New(s.URL, s.Credentials(), opts...)
	require.NoError(t, err)
	l.value(c, *c, s.Credentials())
	for _, o := range opts {
		l.value(o)
	}
	jdoe := uds.UserID{OrgName: "ACME", UserName: "jdoe"}

	up, err := c.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusInactive, &uds.UpdateOptions{ClientTxID: "tx-1"})
	require.NoError(t, l.err(err))
	l.value(up, *up)
	st, err := c.GetUserStatus(ctx, jdoe, nil) // with the token
	require.NoError(t, l.err(err))
	l.value(st, *st)
	s.ExpireTokens() // renewal after expiry
	st, err = c.GetUserStatus(ctx, jdoe, nil)
	require.NoError(t, l.err(err))
	l.value(st)
	s.RevokeTokens() // renewal after a restart
	_, err = c.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusActive, nil)
	require.NoError(t, l.err(err))
	_, err = c.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "nobody"}, nil) // fault: not found
	require.ErrorIs(t, l.err(err), uds.ErrNotFound)
	expired := udstest.Failure{FaultCode: "Sender", Code: uds.CodeTokenExpired, Message: "authToken expired"}
	s.FailNext(expired)
	s.FailNext(expired) // still refused after renewing
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	require.ErrorIs(t, l.err(err), uds.ErrSessionExpired)
	c.ResetRefusal() // the fault to the credentials is remembered as a refusal
	s.FailNext(udstest.NotInitialized())
	_, err = c.GetUserStatus(ctx, jdoe, nil)
	require.ErrorIs(t, l.err(err), uds.ErrUnavailable)
	require.GreaterOrEqual(t, s.Logins(), 3)

	// Refused credentials.
	bad, err := uds.New(s.URL, uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: udsWrongCred},
		uds.WithHTTPClient(l.httpClient()), uds.WithLogger(l.logger()))
	require.NoError(t, err)
	l.value(bad)
	_, err = bad.GetUserStatus(ctx, jdoe, nil)
	require.ErrorIs(t, l.err(err), uds.ErrAuthentication)
	_, err = uds.New(s.URL, uds.Credentials{Credential: udsCredential}) // partly filled: refused
	l.err(err)
	total.add(l, 10)
}

func projectorFlows(t *testing.T, total *tally) {
	l := newLeaks(t)
	l.secret(projectorPassword, projectorWrongPw)
	ctx := context.Background()
	users := []projectortest.User{{ReferenceSystemID: "u1"}, {ReferenceSystemID: "u2"}, {ReferenceSystemID: "u3", InUse: true},
		{ReferenceSystemID: "u4"}, {ReferenceSystemID: "u5"}}
	s := projectortest.NewServer(projectortest.Options{Password: projectorPassword, Users: users})
	defer s.Close()
	home := projectortest.NewServer(projectortest.Options{Password: projectorPassword, Users: users, SessionFaults: true})
	defer home.Close()
	opts := []projector.Option{projector.WithHTTPClient(l.httpClient()), projector.WithLogger(l.logger()),
		projector.WithRateLimitWait(time.Millisecond), projector.WithAllowedRedirectHosts(home.BaseURL())}
	for _, o := range opts {
		l.value(o)
	}
	creds := s.Credentials()
	l.value(creds, &creds)

	c, err := projector.New(s.URL, creds, opts...)
	require.NoError(t, err)
	l.value(c, *c, &c)
	res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u1"}, nil)
	require.NoError(t, l.err(err))
	l.value(res, *res)
	res, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u3"}, &projector.DeleteUserOptions{EndDateIfInUse: time.Now()})
	require.NoError(t, l.err(err))
	l.value(res)
	s.ExpireTickets() // renewal
	_, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u2"}, nil)
	require.NoError(t, l.err(err))
	_, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "nobody"}, nil) // 50024
	require.ErrorIs(t, l.err(err), projector.ErrNotFound)
	s.FailNext(projectortest.Failure{Code: projector.CodeInvalidSessionTicket})
	s.FailNext(projectortest.Failure{Code: projector.CodeInvalidSessionTicket}) // still refused after renewing
	_, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u4"}, nil)
	require.ErrorIs(t, l.err(err), projector.ErrSessionExpired)
	s.RateLimit(projectortest.RateLimitWarning, 1)
	res, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u4"}, nil)
	require.NoError(t, l.err(err))
	l.value(res)
	require.NoError(t, l.err(c.Close(ctx)))
	_, err = c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u5"}, nil)
	require.ErrorIs(t, l.err(err), projector.ErrClosed)

	// A redirect to the account's home server, whose session faults come as PwsFaults.
	s.RedirectTo(home.BaseURL())
	rc, err := projector.New(s.URL, creds, opts...)
	require.NoError(t, err)
	l.value(rc)
	_, err = rc.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u1"}, nil)
	require.NoError(t, l.err(err))
	home.ExpireTickets()
	_, err = rc.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "u2"}, nil)
	require.NoError(t, l.err(err))
	require.NoError(t, l.err(rc.Close(ctx)))
	s.RedirectTo("")

	// Refused credentials, and a refused redirect.
	bad := projector.Credentials{AccountCode: creds.AccountCode, UserName: creds.UserName, Password: projectorWrongPw}
	bc, err := projector.New(s.URL, bad, opts...)
	require.NoError(t, err)
	l.value(bc, bad)
	require.ErrorIs(t, l.err(bc.Login(ctx)), projector.ErrAuthentication)
	s.RedirectTo("http://evil.example")
	fc, err := projector.New(s.URL, creds, opts...)
	require.NoError(t, err)
	require.ErrorIs(t, l.err(fc.Login(ctx)), projector.ErrRedirectRefused)
	require.Empty(t, s.Violations())
	require.Empty(t, home.Violations())
	total.add(l, 20)
}

func provisioningFlows(t *testing.T, total *tally) {
	l := newLeaks(t)
	l.secret(wrongOTP, connectChallenge)
	ctx := context.Background()
	var n atomic.Int32
	otp := func(context.Context) (string, error) {
		v := otpPrefix + string(rune('a'+n.Add(1)%26)) + "x91"
		l.secret(v)
		return v, nil
	}
	s := provisioningtest.NewServer(provisioningtest.Options{SingleUseOTPs: true,
		Authenticate: func(_, o string) (provisioning.ConnectResult, string) {
			switch {
			case o == wrongOTP:
				return provisioning.ConnectChallenge, connectChallenge
			case strings.HasPrefix(o, otpPrefix):
				return provisioning.ConnectAuthSuccess, ""
			}
			return provisioning.ConnectAuthFailure, ""
		}})
	defer s.Close()
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	id := s.AddTask("Example Org", provisioningtest.Task{Operator: "op@example.com", StartDate: day, StopDate: day.AddDate(0, 1, 0),
		TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserID: "1", UserName: "alice"}, {UserID: "2", UserName: "bob"}}})
	opts := []provisioning.Option{provisioning.WithHTTPClient(l.httpClient()), provisioning.WithLogger(l.logger())}
	for _, o := range opts {
		l.value(o)
	}
	creds := provisioning.Credentials{OperatorEmail: "op@example.com", OTP: otp}
	c, err := provisioning.New(s.URL, creds, opts...)
	require.NoError(t, err)
	l.value(c, provisioning.OTPSource(otp), creds)

	count, err := c.TaskCount(ctx, "Example Org")
	require.NoError(t, l.err(err))
	l.value(count)
	tasks, err := c.Tasks(ctx, "Example Org", 0, 10)
	require.NoError(t, l.err(err))
	l.value(tasks)
	tu, err := c.TaskUsers(ctx, "Example Org", id)
	require.NoError(t, l.err(err))
	l.value(tu)
	s.ExpireSessions() // renewal
	require.NoError(t, l.err(c.RemoveUsersFromTask(ctx, "Example Org", id, []string{"alice"}, false)))
	err = c.RemoveUsersFromTask(ctx, "Example Org", id, []string{"nobody"}, false) // answered false
	require.ErrorIs(t, l.err(err), provisioning.ErrNotChanged)
	s.FailNext(provisioningtest.Failure{Message: "You are not connected."})
	s.FailNext(provisioningtest.Failure{Message: "You are not connected."}) // still gone after reconnecting
	_, err = c.TaskCount(ctx, "Example Org")
	require.ErrorIs(t, l.err(err), provisioning.ErrSessionExpired)
	s.FailNext(provisioningtest.Failure{Message: "Invalid OTP " + otpPrefix + "echoed"})
	_, err = c.TaskCount(ctx, "Example Org")
	var pe *provisioning.ServiceError
	require.ErrorAs(t, l.err(err), &pe)
	for task, err := range c.AllTasks(ctx, "Example Org") {
		l.value(task)
		require.NoError(t, l.err(err))
	}
	require.GreaterOrEqual(t, s.Logins(), 3)

	// A refused Connect, with a challenge.
	bad, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: "op@example.com",
		OTP: func(context.Context) (string, error) { return wrongOTP, nil }}, opts...)
	require.NoError(t, err)
	l.value(bad)
	err = bad.Login(ctx)
	var ce *provisioning.ConnectError
	require.ErrorAs(t, l.err(err), &ce)
	require.True(t, errors.Is(err, provisioning.ErrAuthentication))
	assert.Equal(t, connectChallenge, ce.Challenge)
	l.value(ce.Result, ce, *ce)
	total.add(l, 15)
}
