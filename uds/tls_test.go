package uds_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/faultnet"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// TestTLSVerification: certificate verification is always on. Against a server whose
// certificate the system roots do not trust, the call fails with a certificate error (not
// ErrUnavailable) before the AnA credential leaves; WithRootCAs with the server's CA makes it
// work.
func TestTLSVerification(t *testing.T) {
	s := newFake(t, udstest.Options{AnA: true})
	s.AddUser("ACME", "jdoe", uds.StatusActive)
	front := faultnet.TLSFront(t, s.URL)
	endpoint := front.URL + uds.ServicePath
	a := s.Credentials()

	c, err := uds.New(endpoint, a)
	require.NoError(t, err)
	_, err = c.GetUserStatus(t.Context(), jdoe, nil)
	var te *soapx.TransportError
	require.ErrorAs(t, err, &te)
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &verr, "%v", err)
	assert.NotErrorIs(t, err, uds.ErrUnavailable)
	assert.Empty(t, s.Requests(), "nothing may be sent over an unverified connection")

	pool := x509.NewCertPool()
	pool.AddCert(front.Certificate())
	c, err = uds.New(endpoint, a, uds.WithRootCAs(pool))
	require.NoError(t, err)
	st, err := c.GetUserStatus(t.Context(), jdoe, nil)
	require.NoError(t, err)
	assert.Equal(t, uds.StatusActive, st.Status)

	_, err = uds.New(endpoint, uds.Credentials{}, uds.WithRootCAs(pool), uds.WithHTTPClient(&http.Client{}))
	assert.ErrorIs(t, err, uds.ErrInvalidInput)
}
