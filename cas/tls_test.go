package cas_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/faultnet"
)

// TestTLSVerification: certificate verification is always on. Against a server whose
// certificate the system roots do not trust, the call fails with a certificate error (not
// ErrUnavailable: waiting does not fix it) before the request, credentials included, leaves;
// WithRootCAs with the server's CA makes it work.
func TestTLSVerification(t *testing.T) {
	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 1, Users: []string{"m", "a"}, MasterUsers: []string{"m"}}}})
	t.Cleanup(func() { assert.Empty(t, s.Violations(), "requests the real server would ignore or refuse") })
	t.Cleanup(s.Close)
	front := faultnet.TLSFront(t, s.URL)
	endpoint := front.URL + castest.Path

	c, err := cas.New(endpoint, s.Credentials())
	require.NoError(t, err)
	_, err = c.DeleteUser(t.Context(), 1, "a")
	var te *cas.TransportError
	require.ErrorAs(t, err, &te)
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &verr, "%v", err)
	assert.NotErrorIs(t, err, cas.ErrUnavailable)
	assert.Empty(t, s.Requests(), "nothing may be sent over an unverified connection")

	pool := x509.NewCertPool()
	pool.AddCert(front.Certificate())
	c, err = cas.New(endpoint, s.Credentials(), cas.WithRootCAs(pool))
	require.NoError(t, err)
	res, err := c.DeleteUser(t.Context(), 1, "a")
	require.NoError(t, err)
	assert.Equal(t, cas.CodeOK, res.Code)

	_, err = cas.New(endpoint, s.Credentials(), cas.WithRootCAs(pool), cas.WithHTTPClient(&http.Client{}))
	assert.ErrorIs(t, err, cas.ErrInvalidInput, "the caller's transport is the caller's to configure")
}
