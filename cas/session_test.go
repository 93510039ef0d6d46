package cas_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/faultnet"
)

// cas has no session, but a refused web-service password is never sent twice by a client.

func TestRefusedPasswordSentOnce(t *testing.T) {
	for _, form := range []wireForm{soap11, soap12, httpPost} {
		t.Run(form.String(), func(t *testing.T) {
			s := castest.NewServer(seeded())
			t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
			defer s.Close()
			creds := s.Credentials()
			creds.WSPassword = "wrong password"
			c, err := cas.New(s.URL, creds, form.option(), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)

			errs := faultnet.Parallel(t.Context(), 64, func(context.Context, int) error { _, err := c.DeleteUser(t.Context(), 42, "bob"); return err })
			errs = append(errs, faultnet.Parallel(t.Context(), 16, func(context.Context, int) error { _, err := c.DeleteUser(t.Context(), 42, "bob"); return err })...)
			refusedLater := 0
			for _, err := range errs {
				require.ErrorIs(t, err, cas.ErrAuthentication)
				var se *cas.ServiceError
				require.ErrorAs(t, err, &se, "the server's Status is kept")
				if errors.As(err, new(*cas.RefusedError)) {
					refusedLater++
				}
			}
			assert.Equal(t, 79, refusedLater, "every caller but the one that sent it learns of the refusal without a request")
			assert.Len(t, s.Requests(), 1, "exactly one request carried the refused password")
			assert.Equal(t, 1, s.Logins())

			c.ResetRefusal()
			_, err = c.DeleteUser(t.Context(), 42, "bob")
			require.ErrorIs(t, err, cas.ErrAuthentication)
			assert.Len(t, s.Requests(), 2)
		})
	}
}

func TestAcceptedPasswordCallsRunConcurrently(t *testing.T) {
	s := castest.NewServer(seeded())
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	defer s.Close()
	c := s.NewClient(t)
	// A business answer (household not found) is proof that the credentials passed.
	_, err := c.DeleteUser(t.Context(), 999, "bob")
	require.ErrorIs(t, err, cas.ErrNotFound)
	errs := faultnet.Parallel(t.Context(), 32, func(context.Context, int) error { _, err := c.DeleteHouseholdRecordings(t.Context(), 42); return err })
	require.NoError(t, errors.Join(errs...))
	assert.Len(t, s.Requests(), 33)
}

func TestClose(t *testing.T) {
	s := castest.NewServer(seeded())
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	defer s.Close()
	c := s.NewClient(t)
	_, err := c.DeleteHouseholdRecordings(t.Context(), 42)
	require.NoError(t, err)
	require.NoError(t, c.Close(t.Context()))
	require.NoError(t, c.Close(t.Context()), "Close may be called again")
	_, err = c.DeleteHouseholdRecordings(t.Context(), 42)
	require.ErrorIs(t, err, cas.ErrClosed)
	assert.Len(t, s.Requests(), 1, "nothing is sent after Close")
}

// A SOAP Fault is answered before the server looks at the credentials: it proves nothing
// about them, so a refusal that follows is still remembered (a client that took the Fault
// for an accepted answer would send the refused password again).
func TestFaultDoesNotVerifyCredentials(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ct11)
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, fmFault)
			return
		}
		_, body := statusBody(soap11, `<Code>1</Code><Message>Error</Message>`)
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := cas.New(srv.URL+castest.Path, goldenCreds)
	require.NoError(t, err)
	_, err = c.DeleteUser(t.Context(), 5, "u-5")
	var se *cas.ServiceError
	require.ErrorAs(t, err, &se)
	require.NotNil(t, se.Fault)
	_, err = c.DeleteUser(t.Context(), 5, "u-5")
	require.ErrorIs(t, err, cas.ErrAuthentication)
	_, err = c.DeleteUser(t.Context(), 5, "u-5")
	require.ErrorIs(t, err, cas.ErrAuthentication)
	require.ErrorAs(t, err, new(*cas.RefusedError), "remembered, not sent")
	assert.Equal(t, int32(2), n.Load())
}
