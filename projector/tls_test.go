package projector_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
)

// TestTLSVerification: certificate verification is always on. Against a server whose
// certificate the system roots do not trust, PwsAuthenticate fails with a certificate error
// (not ErrUnavailable, not ErrAuthentication) before the password leaves; WithRootCAs with
// the server's CA makes it work.
func TestTLSVerification(t *testing.T) {
	s := fake(t, projectortest.Options{Users: users(1)})
	front := faultnet.TLSFront(t, s.BaseURL())
	endpoint := front.URL + projectortest.DefaultPath

	c, err := projector.New(endpoint, s.Credentials())
	require.NoError(t, err)
	err = c.Login(t.Context())
	var te *soapx.TransportError
	require.ErrorAs(t, err, &te)
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &verr, "%v", err)
	assert.NotErrorIs(t, err, projector.ErrUnavailable)
	assert.NotErrorIs(t, err, projector.ErrAuthentication)
	assert.Empty(t, s.Requests(), "nothing may be sent over an unverified connection")

	pool := x509.NewCertPool()
	pool.AddCert(front.Certificate())
	c, err = projector.New(endpoint, s.Credentials(), projector.WithRootCAs(pool))
	require.NoError(t, err)
	res, err := c.DeleteUser(t.Context(), ref(0), nil)
	require.NoError(t, err)
	assert.Equal(t, projector.Deleted, res.Outcome)
	require.NoError(t, c.Close(t.Context()))

	_, err = projector.New(endpoint, s.Credentials(), projector.WithRootCAs(pool), projector.WithHTTPClient(&http.Client{}))
	assert.ErrorIs(t, err, projector.ErrInvalidInput)
}
