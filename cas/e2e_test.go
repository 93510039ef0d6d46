package cas_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// household 42: alice (master) and bob; 43: suspended; 44: no master user.
func seeded() castest.Options {
	return castest.Options{Households: []castest.Household{
		{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}, Recordings: 12},
		{ID: 43, Users: []string{"carol"}, MasterUsers: []string{"carol"}, Suspended: true},
		{ID: 44, Users: []string{"dave"}},
	}}
}

// startServer starts a fake for the test and checks, when the test ends, that every request
// met the wire contract (tests that send deviations on purpose use castest.NewServer).
func startServer(t *testing.T, opts castest.Options) *castest.Server {
	t.Helper()
	s := castest.NewServer(opts)
	t.Cleanup(s.Close)
	t.Cleanup(func() { assert.Empty(t, s.Violations()) })
	return s
}

func serverClient(t *testing.T, s *castest.Server, form wireForm, opts ...cas.Option) *cas.Client {
	t.Helper()
	return s.NewClient(t, append([]cas.Option{form.option()}, opts...)...)
}

// withCredentials is o with the server accepting c.
func withCredentials(o castest.Options, c cas.Credentials) castest.Options {
	o.Credentials = c
	return o
}

// baseURL is the fake's scheme and host, without the module's path.
func baseURL(s *castest.Server) string { return strings.TrimSuffix(s.URL, castest.Path) }

// formOf is the wire form a request came in, as the fake read it.
func formOf(r castest.Request) wireForm {
	switch {
	case r.HTTPPost:
		return httpPost
	case r.SOAPVersion == cas.SOAP12:
		return soap12
	case r.SOAPVersion == cas.SOAP11:
		return soap11
	}
	return 0
}

func TestE2EDeleteUser(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, seeded())
			c := serverClient(t, s, form)

			res, err := c.DeleteUser(t.Context(), 42, "bob")
			require.NoError(t, err)
			assert.Equal(t, &cas.Result{Code: cas.CodeOK, Message: "OK", HTTPStatus: http.StatusOK}, res)

			h, ok := s.Household(42)
			require.True(t, ok)
			assert.Equal(t, []string{"alice"}, h.Users)
			assert.Equal(t, 12, h.Recordings, "Delete moves recordings, it does not delete them")

			reqs := s.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, form, formOf(r))
			require.NotNil(t, r.Params)
			assert.Equal(t, "42", r.Params["domainId"])
			assert.Equal(t, "bob", r.Params["userId"])
			assert.Equal(t, "Delete", r.Params["actionType"])
			assert.Equal(t, castest.DefaultWSUserName, r.Params["sWSUserName"])
			assert.Equal(t, castest.DefaultWSPassword, r.Params["sWSPassword"])
			assert.True(t, r.Answered)
			assert.Equal(t, http.StatusOK, r.HTTPStatus)
			assert.Empty(t, r.Refusal)

			// Again: the server does not check membership , so a rerun is 0 OK too.
			res, err = c.DeleteUser(t.Context(), 42, "bob")
			require.NoError(t, err)
			assert.Equal(t, cas.CodeOK, res.Code)
		})
	}
}

func TestE2EDeleteHouseholdRecordings(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, seeded())
			c := serverClient(t, s, form)

			res, err := c.DeleteHouseholdRecordings(t.Context(), 42)
			require.NoError(t, err)
			assert.Equal(t, cas.CodeOK, res.Code)
			h, _ := s.Household(42)
			assert.Zero(t, h.Recordings)
			assert.Equal(t, []string{"alice", "bob"}, h.Users, "the users stay")

			// The server does not check the household for DeleteDomain.
			_, err = c.DeleteHouseholdRecordings(t.Context(), 999)
			require.NoError(t, err)
		})
	}
}

// Every mapped code, end to end, in every wire form: the household checks of the fake
// give 1006 and 1; FailNext gives the others (the real Delete neither checks membership nor
// refuses a suspended household, FACTS §1).
func TestE2EStatusCodes(t *testing.T) {
	tests := []struct {
		name     string
		fail     cas.Code // 0: let the fake decide
		domain   int
		user     string
		wantCode cas.Code
		want     error
	}{
		{"household missing", 0, 7, "bob", cas.CodeDomainNotExists, cas.ErrNotFound},
		{"no master user", 0, 44, "dave", cas.CodeError, cas.ErrTaskFailed},
		{"1009", cas.CodeDomainSuspended, 43, "carol", cas.CodeDomainSuspended, cas.ErrPermissionDenied},
		{"1020", cas.CodeUserNotExistsInDomain, 42, "zoe", cas.CodeUserNotExistsInDomain, cas.ErrNotFound},
		{"1005", cas.CodeUserNotInDomain, 42, "bob", cas.CodeUserNotInDomain, cas.ErrNotFound},
		{"2000", cas.CodeUserDoesNotExist, 42, "bob", cas.CodeUserDoesNotExist, cas.ErrNotFound},
		{"2001", cas.CodeUserSuspended, 42, "bob", cas.CodeUserSuspended, cas.ErrPermissionDenied},
		{"1036", cas.CodeMasterUserNotFound, 42, "bob", cas.CodeMasterUserNotFound, cas.ErrMasterUserNotFound},
		{"unknown 3021", cas.Code(3021), 42, "bob", cas.Code(3021), nil},
	}
	for _, form := range wireForms {
		for _, tt := range tests {
			t.Run(form.String()+"/"+tt.name, func(t *testing.T) {
				s := startServer(t, seeded())
				c := serverClient(t, s, form)
				if tt.fail != 0 {
					s.FailNext(castest.Failure{Code: tt.fail, Message: "injected"})
				}
				_, err := c.DeleteUser(t.Context(), tt.domain, tt.user)
				var se *cas.ServiceError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.wantCode, se.Code)
				assert.Equal(t, http.StatusOK, se.HTTPStatus)
				assert.NotEmpty(t, se.Message)
				if tt.want != nil {
					assert.ErrorIs(t, err, tt.want)
				}
				for _, other := range []error{cas.ErrNotFound, cas.ErrPermissionDenied, cas.ErrMasterUserNotFound, cas.ErrTaskFailed, cas.ErrAuthentication} {
					if other != tt.want {
						assert.NotErrorIs(t, err, other)
					}
				}
				if tt.fail != 0 {
					assert.Equal(t, "injected", se.Message)
					h, _ := s.Household(42)
					assert.Contains(t, h.Users, "bob", "an injected failure changes nothing")
				}
			})
		}
	}
}

func TestE2EBadCredentials(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, seeded())
			c, err := cas.New(s.URL, cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: "wrong-password-e2e"},
				form.option(), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)

			_, err = c.DeleteUser(t.Context(), 42, "bob")
			require.ErrorIs(t, err, cas.ErrAuthentication)
			var se *cas.ServiceError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, &cas.ServiceError{Operation: "HandleUserTask", Code: cas.CodeError, Message: "Error", HTTPStatus: http.StatusNotFound}, se)
			assert.NotContains(t, err.Error(), "wrong-password-e2e")

			h, _ := s.Household(42)
			assert.Contains(t, h.Users, "bob")
			reqs := s.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.StatusNotFound, reqs[0].HTTPStatus)
		})
	}
}

func TestE2EWrongEndpoint(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := castest.NewServer(seeded()) // the wrong URL is a violation: not startServer
			t.Cleanup(s.Close)
			c, err := cas.New(baseURL(s)+"/ws_cas.asmx", s.Credentials(), form.option(), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)

			_, err = c.DeleteUser(t.Context(), 42, "bob")
			var ee *cas.EndpointError
			require.ErrorAs(t, err, &ee)
			var he *cas.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, http.StatusNotFound, he.StatusCode)
			assert.Contains(t, err.Error(), "endpoint URL is probably wrong")
			assert.NotErrorIs(t, err, cas.ErrAuthentication)
			assert.NotErrorIs(t, err, cas.ErrNotFound)
			v := s.Violations()
			require.Len(t, v, 1)
			assert.Contains(t, v[0].Reason, "no such resource")
		})
	}
}

func TestE2EContextCanceled(t *testing.T) {
	s := startServer(t, seeded())
	c := serverClient(t, s, soap11)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.DeleteUser(ctx, 42, "bob")
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, cas.ErrUnavailable)
	h, _ := s.Household(42)
	assert.Contains(t, h.Users, "bob")
}

// 32 goroutines share one client per wire form and one server; every call lands once and
// the household ends up as the sum of the calls.
func TestE2EConcurrent(t *testing.T) {
	const n = 32
	users := []string{"master"}
	for i := range n {
		users = append(users, fmt.Sprintf("user-%02d", i))
	}
	s := startServer(t, castest.Options{Households: []castest.Household{
		{ID: 42, Users: users, MasterUsers: []string{"master"}, Recordings: 5},
	}})
	clients := map[wireForm]*cas.Client{}
	for _, f := range wireForms {
		clients[f] = serverClient(t, s, f)
	}

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[wireForms[i%len(wireForms)]]
			_, errs[i] = c.DeleteUser(t.Context(), 42, fmt.Sprintf("user-%02d", i))
			if errs[i] == nil && i%4 == 0 {
				_, errs[i] = c.DeleteHouseholdRecordings(t.Context(), 42)
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	h, _ := s.Household(42)
	assert.Equal(t, []string{"master"}, h.Users)
	assert.Zero(t, h.Recordings)
	assert.Len(t, s.Requests(), n+n/4)
	perForm := map[wireForm]int{}
	for _, r := range s.Requests() {
		perForm[formOf(r)]++
		assert.Equal(t, http.StatusOK, r.HTTPStatus)
	}
	assert.Len(t, perForm, 3, "all three wire forms were used")
}
