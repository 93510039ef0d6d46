package provisioning_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// TestTLSVerification: certificate verification is always on. Against a server whose
// certificate the system roots do not trust, Connect fails with a certificate error (not
// ErrUnavailable, not ErrAuthentication) before the OTP leaves; WithRootCAs with the server's
// CA makes it work.
func TestTLSVerification(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	t.Cleanup(s.Close)
	t.Cleanup(func() { assert.Empty(t, s.Violations()) })
	s.AddTask(org, provisioningtest.Task{})
	front := faultnet.TLSFront(t, s.URL)
	endpoint := front.URL + provisioningtest.Path

	c, err := provisioning.New(endpoint, s.Credentials())
	require.NoError(t, err)
	_, err = c.TaskCount(t.Context(), org)
	var te *soapx.TransportError
	require.ErrorAs(t, err, &te)
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &verr, "%v", err)
	assert.NotErrorIs(t, err, provisioning.ErrUnavailable)
	assert.NotErrorIs(t, err, provisioning.ErrAuthentication)
	assert.Empty(t, s.Requests(), "nothing may be sent over an unverified connection")

	pool := x509.NewCertPool()
	pool.AddCert(front.Certificate())
	c, err = provisioning.New(endpoint, s.Credentials(), provisioning.WithRootCAs(pool))
	require.NoError(t, err)
	n, err := c.TaskCount(t.Context(), org)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, err = provisioning.New(endpoint, s.Credentials(), provisioning.WithRootCAs(pool), provisioning.WithHTTPClient(&http.Client{}))
	assert.ErrorIs(t, err, provisioning.ErrInvalidInput)
}
