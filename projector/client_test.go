package projector_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector"
)

var jdoe = projector.UserRef{UserReferenceSystemID: "jdoe"}

func TestDeleteUserResult(t *testing.T) {
	for name, tc := range map[string]struct {
		reply   mockReply
		outcome projector.Outcome
		status  projector.Status
		msgs    int
	}{
		"deleted":                  {deleteOK(""), projector.Deleted, projector.StatusOk, 0},
		"deactivated":              {deleteOK("AAAAABCI7Dk="), projector.Deactivated, projector.StatusOk, 0},
		"rate-limit warning kept":  {deleteOK("", msgRateWarn), projector.Deleted, projector.StatusOkWithWarnings, 1},
		"information with Ok kept": {reply(strings.Replace(deleteOK("").body, "</Messages>", msgXML("Information", 1, "Info", "fyi")+"</Messages>", 1)), projector.Deleted, projector.StatusOk, 1},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			m.on("PwsDeleteUser", tc.reply)
			res, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.outcome, res.Outcome)
			assert.Equal(t, tc.status, res.Status)
			assert.Len(t, res.Messages, tc.msgs)
			assert.Equal(t, projector.UserRef{UserDisplayName: "Jane Doe", UserID: 42, UserReferenceSystemID: "jdoe", UserUID: 1152921504607134367}, res.User)
			// A warning-mode 10016 means the request was carried out: never sent twice.
			assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, m.ops())
		})
	}
}

func TestDeleteUserErrors(t *testing.T) {
	wrongNS := strings.Replace(deleteOK("").body, `<PwsDeleteUserResult xmlns:a`, `<PwsDeleteUserResult xmlns="urn:elsewhere" xmlns:a`, 1)
	for name, tc := range map[string]struct {
		reply      mockReply
		is         []error
		isNot      []error
		numbers    []int
		status     projector.Status
		httpStatus int
		faultCode  string
	}{
		"50024 not found": {
			reply: failReply("PwsDeleteUser", msgNotFound), is: []error{projector.ErrNotFound},
			isNot:   []error{projector.ErrPermissionDenied, projector.ErrSessionExpired, projector.ErrAuthentication, projector.ErrRateLimited},
			numbers: []int{50024}, status: projector.StatusFail, httpStatus: 200,
		},
		"50045 permission denied": {
			reply: failReply("PwsDeleteUser", msgDenied), is: []error{projector.ErrPermissionDenied},
			isNot: []error{projector.ErrNotFound}, numbers: []int{50045}, status: projector.StatusFail, httpStatus: 200,
		},
		"unknown code kept": {
			reply:   failReply("PwsDeleteUser", msgXML("Error", 59999, "SomethingNew", "new"), msgXML("Warning", 105, "AtLeastOneItemNotFound", "x")),
			isNot:   []error{projector.ErrNotFound, projector.ErrPermissionDenied, projector.ErrSessionExpired, projector.ErrAuthentication},
			numbers: []int{59999, 105}, status: projector.StatusFail, httpStatus: 200,
		},
		"PwsFault 50024": {
			reply: faultReply("Entity PwsUserRef was not found.", msgNotFound), is: []error{projector.ErrNotFound},
			numbers: []int{50024}, httpStatus: 500, faultCode: "Client",
		},
		"Fault without PwsFault": {
			reply: mockReply{status: 500, body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
				`<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>` +
				`<faultstring xml:lang="en-US">ContractFilter mismatch</faultstring></s:Fault></s:Body></s:Envelope>`},
			isNot: []error{projector.ErrNotFound, projector.ErrSessionExpired}, httpStatus: 500, faultCode: "ActionNotSupported",
		},
		"no Status is not success": {
			reply: reply(resultXML("PwsDeleteUser", baseXML(""))), httpStatus: 200,
		},
		"unknown Status is not success": {
			reply: reply(resultXML("PwsDeleteUser", baseXML("PartialFail"))), status: "PartialFail", httpStatus: 200,
		},
		"Fail with HTTP 500": {
			reply: mockReply{status: 500, body: failReply("PwsDeleteUser", msgNotFound).body}, is: []error{projector.ErrNotFound},
			numbers: []int{50024}, status: projector.StatusFail, httpStatus: 500,
		},
		"Ok with HTTP 404 is not success": {
			reply:  mockReply{status: 404, body: reply(resultXML("PwsDeleteUser", baseXML("Ok"))).body},
			isNot:  []error{projector.ErrNotFound, projector.ErrPermissionDenied, projector.ErrSessionExpired},
			status: projector.StatusOk, httpStatus: 404,
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK(testTicket))
			m.on("PwsDeleteUser", tc.reply)
			res, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
			require.Error(t, err)
			assert.Nil(t, res)
			var se *projector.ServiceError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "PwsDeleteUser", se.Operation)
			assert.Equal(t, tc.status, se.Status)
			assert.Equal(t, tc.httpStatus, se.HTTPStatus)
			if tc.faultCode != "" {
				require.NotNil(t, se.Fault)
				assert.Equal(t, tc.faultCode, se.Fault.Code)
				assert.ErrorIs(t, err, se.Fault, "Unwrap gives the Fault")
			} else {
				assert.Nil(t, se.Fault)
			}
			var numbers []int
			for _, msg := range se.Messages {
				numbers = append(numbers, msg.ErrorNumber)
			}
			assert.Equal(t, tc.numbers, numbers)
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, target := range tc.isNot {
				assert.NotErrorIs(t, err, target)
			}
			for _, n := range tc.numbers {
				assert.True(t, se.Has(n))
				assert.Contains(t, err.Error(), fmt.Sprint(n))
			}
			assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, m.ops(), "not retried")
		})
	}
	t.Run("result in another namespace", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", reply(wrongNS))
		_, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
		assert.ErrorIs(t, err, projector.ErrProtocol)
	})
	t.Run("HTML 502", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", mockReply{status: 502, contentType: "text/html", body: "<html><body>Bad Gateway</body></html>"})
		_, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
		assert.ErrorIs(t, err, projector.ErrUnavailable)
		assert.Contains(t, err.Error(), "PwsDeleteUser")
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, m.ops())
	})
	t.Run("HTTP 307 is not followed", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", mockReply{status: http.StatusTemporaryRedirect, contentType: "text/html",
			header: http.Header{"Location": {"https://evil.example/steal"}}, body: "moved"})
		m.mt.RegisterResponder(http.MethodPost, "https://evil.example/steal", func(*http.Request) (*http.Response, error) {
			t.Error("the credentials were re-posted to the Location of a 307")
			return nil, errors.New("no")
		})
		err := m.client(testCreds).Login(t.Context())
		assert.ErrorIs(t, err, projector.ErrProtocol)
		assert.Len(t, m.Calls(), 1)
	})
}

func TestAuthenticationErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		reply mockReply
		is    error
		isNot error
	}{
		"bad credentials": {reply: failReply("PwsAuthenticate", msgXML("Error", 0, "InvalidLogin", "The user name or password is incorrect.")),
			is: projector.ErrAuthentication, isNot: projector.ErrRateLimited},
		"bad credentials as PwsFault": {reply: faultReply("Login failed", msgXML("Error", 0, "InvalidLogin", "no")),
			is: projector.ErrAuthentication},
		"rate limited is not bad credentials": {reply: faultReply("limit", msgRateError),
			is: projector.ErrRateLimited, isNot: projector.ErrAuthentication},
		"Ok without ticket": {reply: reply(resultXML("PwsAuthenticate", baseXML("Ok"))), is: projector.ErrProtocol},
		"WCF dispatcher fault is not bad credentials": {reply: mockReply{status: 500, body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
			`<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>` +
			`<faultstring xml:lang="en-US">ContractFilter mismatch</faultstring></s:Fault></s:Body></s:Envelope>`},
			isNot: projector.ErrAuthentication},
		"HTTP 401": {reply: mockReply{status: 401, contentType: "text/html", body: "denied"}, is: projector.ErrAuthentication},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", tc.reply)
			_, err := m.client(testCreds, projector.WithRateLimitRetries(0)).DeleteUser(t.Context(), jdoe, nil)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			if tc.isNot != nil {
				assert.NotErrorIs(t, err, tc.isNot)
			}
			assert.NotContains(t, err.Error(), testPassword)
			assert.Equal(t, []string{"PwsAuthenticate"}, m.ops(), "nothing sent without a session")
		})
	}
}

func TestSessionRetry(t *testing.T) {
	for name, tc := range map[string]struct {
		deletes []mockReply
		ok      bool
		ops     []string
	}{
		"10004 then success": {
			deletes: []mockReply{failReply("PwsDeleteUser", msgBadTicket), deleteOK("")}, ok: true,
			ops: []string{"PwsAuthenticate", "PwsDeleteUser", "PwsAuthenticate", "PwsDeleteUser"},
		},
		"-101 in a PwsFault then success": {
			deletes: []mockReply{faultReply("session", msgBadSession), deleteOK("")}, ok: true,
			ops: []string{"PwsAuthenticate", "PwsDeleteUser", "PwsAuthenticate", "PwsDeleteUser"},
		},
		"expired again after re-authenticating": {
			deletes: []mockReply{failReply("PwsDeleteUser", msgBadTicket), failReply("PwsDeleteUser", msgBadSession)},
			ops:     []string{"PwsAuthenticate", "PwsDeleteUser", "PwsAuthenticate", "PwsDeleteUser"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t)
			m.on("PwsAuthenticate", authOK("T1AAAAAAAAAAAAAAAAAAAA=="), authOK("T2AAAAAAAAAAAAAAAAAAAA=="))
			m.on("PwsDeleteUser", tc.deletes...)
			res, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, projector.Deleted, res.Outcome)
			} else {
				assert.ErrorIs(t, err, projector.ErrSessionExpired)
			}
			assert.Equal(t, tc.ops, m.ops())
			calls := m.Calls()
			assert.Contains(t, string(calls[1].Body), "T1AAAAAAAAAAAAAAAAAAAA==")
			assert.Contains(t, string(calls[3].Body), "T2AAAAAAAAAAAAAAAAAAAA==", "the retry uses the new ticket")
		})
	}
}

func TestRateLimitRetries(t *testing.T) {
	t.Run("retried until it passes", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", faultReply("limit", msgRateError), faultReply("limit", msgRateError), deleteOK(""))
		res, err := m.client(testCreds, projector.WithRateLimitRetries(2)).DeleteUser(t.Context(), jdoe, nil)
		require.NoError(t, err)
		assert.Equal(t, projector.Deleted, res.Outcome)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsDeleteUser", "PwsDeleteUser"}, m.ops())
	})
	t.Run("gives up after the configured retries", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", faultReply("limit", msgRateError))
		_, err := m.client(testCreds, projector.WithRateLimitRetries(2)).DeleteUser(t.Context(), jdoe, nil)
		assert.ErrorIs(t, err, projector.ErrRateLimited)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsDeleteUser", "PwsDeleteUser"}, m.ops())
	})
	t.Run("HTTP 429 from a front end", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", mockReply{status: http.StatusTooManyRequests, contentType: "text/plain", body: "slow down",
			header: http.Header{"Retry-After": {"0"}}}, deleteOK(""))
		_, err := m.client(testCreds, projector.WithRateLimitRetries(1)).DeleteUser(t.Context(), jdoe, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser", "PwsDeleteUser"}, m.ops())
	})
	t.Run("Fail status with 10016", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", failReply("PwsDeleteUser", msgRateError))
		_, err := m.client(testCreds, projector.WithRateLimitRetries(0)).DeleteUser(t.Context(), jdoe, nil)
		assert.ErrorIs(t, err, projector.ErrRateLimited)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, m.ops())
	})
	t.Run("the pause honours the context", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsDeleteUser", faultReply("limit", msgRateError))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		// Cancel when the client starts its hour-long pause (it logs that it does).
		logger := slog.New(onLog{msg: "rate limited; pausing before retrying", fn: cancel})
		_, err := m.client(testCreds, projector.WithRateLimitWait(time.Hour), projector.WithLogger(logger)).DeleteUser(ctx, jdoe, nil)
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, projector.ErrRateLimited)
		assert.Equal(t, []string{"PwsAuthenticate", "PwsDeleteUser"}, m.ops())
	})
}

func TestInputErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		user  projector.UserRef
		opts  *projector.DeleteUserOptions
		field string
	}{
		"no key":            {user: projector.UserRef{UserDisplayName: "Jane"}, field: "user"},
		"blank key":         {user: projector.UserRef{UserReferenceSystemID: "  "}, field: "user"},
		"negative UID":      {user: projector.UserRef{UserUID: -1}, field: "user.UserUID"},
		"timestamp not b64": {user: jdoe, opts: &projector.DeleteUserOptions{UserTimestamp: "not base64!"}, field: "opts.UserTimestamp"},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMock(t)
			_, err := m.client(testCreds).DeleteUser(t.Context(), tc.user, tc.opts)
			assert.ErrorIs(t, err, projector.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.field)
			assert.Empty(t, m.Calls(), "nothing sent")
		})
	}
	for name, tc := range map[string]struct {
		endpoint string
		creds    projector.Credentials
		opts     []projector.Option
	}{
		"no endpoint":          {endpoint: "", creds: testCreds},
		"relative endpoint":    {endpoint: "/OpsProjectorWcfSvc/PwsProjectorServices.svc", creds: testCreds},
		"ftp endpoint":         {endpoint: "ftp://x.projectorpsa.com/", creds: testCreds},
		"no account code":      {endpoint: testEndpoint, creds: projector.Credentials{UserName: "u", Password: "p"}},
		"no user name":         {endpoint: testEndpoint, creds: projector.Credentials{AccountCode: "a", Password: "p"}},
		"no password":          {endpoint: testEndpoint, creds: projector.Credentials{AccountCode: "a", UserName: "u"}},
		"zero in flight":       {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithMaxInFlight(0)}},
		"negative retries":     {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithRateLimitRetries(-1)}},
		"negative wait":        {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithRateLimitWait(-time.Second)}},
		"bad redirect host":    {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithAllowedRedirectHosts("ftp://x")}},
		"redirect URL w/ path": {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithAllowedRedirectHosts("https://x/y")}},
		"long culture":         {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithCultureName("a-very-long-culture-name")}},
		"negative timeout":     {endpoint: testEndpoint, creds: testCreds, opts: []projector.Option{projector.WithTimeout(-time.Second)}},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := projector.New(tc.endpoint, tc.creds, tc.opts...)
			assert.ErrorIs(t, err, projector.ErrInvalidInput)
			assert.Nil(t, c)
		})
	}
}

func TestCloseAndClosed(t *testing.T) {
	t.Run("without a session nothing is sent", func(t *testing.T) {
		m := newMock(t)
		c := m.client(testCreds)
		require.NoError(t, c.Close(t.Context()))
		require.NoError(t, c.Close(t.Context()))
		assert.Empty(t, m.Calls())
		_, err := c.DeleteUser(t.Context(), jdoe, nil)
		assert.ErrorIs(t, err, projector.ErrClosed)
		assert.ErrorIs(t, c.Login(t.Context()), projector.ErrClosed)
	})
	t.Run("a ticket already invalid is not an error", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsUnauthenticate", failReply("PwsUnauthenticate", msgBadTicket))
		c := m.client(testCreds)
		require.NoError(t, c.Login(t.Context()))
		require.NoError(t, c.Close(t.Context()))
		assert.Equal(t, []string{"PwsAuthenticate", "PwsUnauthenticate"}, m.ops())
	})
	t.Run("other failures are returned", func(t *testing.T) {
		m := newMock(t)
		m.on("PwsAuthenticate", authOK(testTicket))
		m.on("PwsUnauthenticate", mockReply{status: 503, contentType: "text/plain", body: "down"})
		c := m.client(testCreds)
		require.NoError(t, c.Login(t.Context()))
		assert.ErrorIs(t, c.Close(t.Context()), projector.ErrUnavailable)
	})
}

// Nothing prints a password or a session ticket: fmt verbs on the client and the credentials,
// error strings, and the debug log with wire logging on.
func TestNoSecretsLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := newMock(t)
	m.on("PwsAuthenticate", authOK(testTicket))
	m.on("PwsDeleteUser", failReply("PwsDeleteUser", msgBadTicket))
	c := m.client(testCreds, projector.WithLogger(logger))
	_, err := c.DeleteUser(t.Context(), jdoe, nil)
	require.ErrorIs(t, err, projector.ErrSessionExpired)
	require.NoError(t, c.Login(t.Context()))

	printed := []string{err.Error(), logs.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		printed = append(printed, fmt.Sprintf(verb, c), fmt.Sprintf(verb, testCreds), fmt.Sprintf(verb, &testCreds), fmt.Sprintf(verb, *c))
	}
	require.Contains(t, logs.String(), "PwsDeleteUser", "wire logging is on")
	for _, p := range printed {
		assert.NotContains(t, p, testPassword)
		assert.NotContains(t, p, testTicket)
	}
	assert.Contains(t, fmt.Sprint(c), "ops@revcorp.example")
}

// RedirectUrl to another Projector server: the same PwsAuthenticate goes there (with the
// endpoint's path) and the session continues there; a foreign https host gets nothing.
func TestRedirectOverMock(t *testing.T) {
	const other = "https://secure7.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc"
	t.Run("followed within projectorpsa.com", func(t *testing.T) {
		m := newMock(t)
		m.route(other)
		m.on("PwsAuthenticate", authRedirect("https://secure7.projectorpsa.com"), authOK(testTicket))
		m.on("PwsDeleteUser", deleteOK(""))
		c := m.client(testCreds)
		_, err := c.DeleteUser(t.Context(), jdoe, nil)
		require.NoError(t, err)
		calls := m.Calls()
		require.Len(t, calls, 3)
		assert.Equal(t, []string{testEndpoint, other, other}, []string{calls[0].URL, calls[1].URL, calls[2].URL})
		assert.Equal(t, calls[0].Body, calls[1].Body, "the same request re-sent")
		assert.Equal(t, other, c.Endpoint())
	})
	t.Run("refused for a foreign host", func(t *testing.T) {
		m := newMock(t)
		m.mt.RegisterResponder(http.MethodPost, "=~^https://evil\\.example", func(r *http.Request) (*http.Response, error) {
			t.Errorf("credentials sent to %s", r.URL)
			return nil, errors.New("no")
		})
		m.on("PwsAuthenticate", authRedirect("https://evil.example/"))
		_, err := m.client(testCreds).DeleteUser(t.Context(), jdoe, nil)
		assert.ErrorIs(t, err, projector.ErrRedirectRefused)
		var re *projector.RedirectError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "https://evil.example/", re.URL)
		assert.Equal(t, []string{"PwsAuthenticate"}, m.ops())
	})
}

// onLog is a slog.Handler that calls fn when a record with message msg is logged.
type onLog struct {
	msg string
	fn  func()
}

func (h onLog) Enabled(context.Context, slog.Level) bool { return true }
func (h onLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.fn()
	}
	return nil
}
func (h onLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h onLog) WithGroup(string) slog.Handler      { return h }
