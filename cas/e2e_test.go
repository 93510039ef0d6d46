package cas_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

// household 42: alice (master) and bob; 43: suspended; 44: no master user.
func seeded() []castest.Option {
	return []castest.Option{castest.WithHouseholds(
		castest.Household{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}, Recordings: 12},
		castest.Household{ID: 43, Users: []string{"carol"}, MasterUsers: []string{"carol"}, Suspended: true},
		castest.Household{ID: 44, Users: []string{"dave"}},
	)}
}

func startServer(t *testing.T, opts ...castest.Option) *castest.Server {
	t.Helper()
	s := castest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

func serverClient(t *testing.T, s *castest.Server, form cas.WireForm, opts ...cas.Option) *cas.Client {
	t.Helper()
	c, err := s.NewClient(append([]cas.Option{cas.WithWireForm(form)}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestE2EDeleteUser(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, seeded()...)
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
			assert.Equal(t, form, r.WireForm)
			require.NotNil(t, r.Body)
			assert.Equal(t, int32(42), r.Body.DomainId)
			assert.Equal(t, "bob", r.Body.UserId)
			require.NotNil(t, r.Body.ActionType)
			assert.Equal(t, "Delete", string(*r.Body.ActionType))
			assert.Equal(t, castest.DefaultWSUserName, r.Body.SWSUserName)
			assert.Equal(t, castest.DefaultWSPassword, r.Body.SWSPassword)
			assert.True(t, r.Answered)
			assert.Equal(t, http.StatusOK, r.HTTPStatus)
			assert.Empty(t, r.Refusal)

			// Again: the server does not check membership (FACTS §1), so a rerun is 0 OK too.
			res, err = c.DeleteUser(t.Context(), 42, "bob")
			require.NoError(t, err)
			assert.Equal(t, cas.CodeOK, res.Code)
		})
	}
}

func TestE2EDeleteHouseholdRecordings(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := startServer(t, seeded()...)
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
				s := startServer(t, seeded()...)
				c := serverClient(t, s, form)
				if tt.fail != 0 {
					s.FailNext(tt.fail, "injected")
				}
				_, err := c.DeleteUser(t.Context(), tt.domain, tt.user)
				var se *cas.StatusError
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
			s := startServer(t, seeded()...)
			c, err := cas.New(s.Endpoint(), cas.Credentials{WSUserName: castest.DefaultWSUserName, WSPassword: "wrong-password-e2e"},
				cas.WithWireForm(form), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)

			_, err = c.DeleteUser(t.Context(), 42, "bob")
			require.ErrorIs(t, err, cas.ErrAuthentication)
			var se *cas.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, &cas.StatusError{Operation: "HandleUserTask", Code: cas.CodeError, Message: "Error", HTTPStatus: http.StatusNotFound}, se)
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
			s := startServer(t, seeded()...)
			c, err := cas.New(s.URL+"/ws_cas.asmx", s.Credentials(), cas.WithWireForm(form), cas.WithHTTPClient(s.HTTPClient()))
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
		})
	}
}

func TestE2EContextCanceled(t *testing.T) {
	s := startServer(t, seeded()...)
	c := serverClient(t, s, cas.SOAP11)
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
	s := startServer(t, castest.WithHouseholds(
		castest.Household{ID: 42, Users: users, MasterUsers: []string{"master"}, Recordings: 5},
	))
	clients := map[cas.WireForm]*cas.Client{}
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
	perForm := map[cas.WireForm]int{}
	for _, r := range s.Requests() {
		perForm[r.WireForm]++
		assert.Equal(t, http.StatusOK, r.HTTPStatus)
	}
	assert.Len(t, perForm, 3, "all three wire forms were used")
}
