package projector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedirectTarget(t *testing.T) {
	const path = "/OpsProjectorWcfSvc/PwsProjectorServices.svc"
	c, err := New("https://secure.projectorpsa.com"+path, Credentials{AccountCode: "a", UserName: "u", Password: "p"},
		WithAllowedRedirectHosts("test.example", "127.0.0.1:9000", "http://localhost:9100", "[::1]:9200", "bücher.example", "xn--bcher-kva.example"))
	require.NoError(t, err)
	for _, tc := range []struct {
		redirect, want, refused string
		hops                    int
	}{
		{redirect: "https://secure3.projectorpsa.com", want: "https://secure3.projectorpsa.com" + path},
		{redirect: "https://secure3.projectorpsa.com/", want: "https://secure3.projectorpsa.com" + path},
		{redirect: " https://secure3.projectorpsa.com" + path + " ", want: "https://secure3.projectorpsa.com" + path},
		{redirect: "HTTPS://Secure3.ProjectorPSA.com", want: "https://secure3.projectorpsa.com" + path},
		{redirect: "https://projectorpsa.com", want: "https://projectorpsa.com" + path},
		{redirect: "https://secure3.projectorpsa.com", hops: 2, want: "https://secure3.projectorpsa.com" + path},
		{redirect: "https://test.example:8443", want: "https://test.example:8443" + path},
		{redirect: "https://127.0.0.1:9000", want: "https://127.0.0.1:9000" + path},
		{redirect: "http://localhost:9100", want: "http://localhost:9100" + path},
		{redirect: "https://localhost:9100", want: "https://localhost:9100" + path},
		{redirect: "https://[::1]:9200", want: "https://[::1]:9200" + path},
		{redirect: "https://bücher.example", want: "https://bücher.example" + path},
		{redirect: "https://b%C3%BCcher.example", want: "https://bücher.example" + path},
		{redirect: "https://xn--bcher-kva.example", want: "https://xn--bcher-kva.example" + path},
		{redirect: "https://bücher.projectorpsa.com", refused: "non-ASCII host"},
		{redirect: "https://b%C3%BCcher.projectorpsa.com", refused: "percent-encoded host"},
		{redirect: "https://xn--bcher-kva.projectorpsa.com", refused: "not a plain ASCII host name"},

		{redirect: "https://secure3.projectorpsa.com", hops: 3, refused: "more than 3 redirects"},
		{redirect: "https://secure.projectorpsa.com", refused: "redirect loop"},
		{redirect: "https://SECURE.projectorpsa.com:443/", refused: "redirect loop"},
		{redirect: "http://secure3.projectorpsa.com", refused: "plain http"},
		{redirect: "http://test.example", refused: "plain http"},
		{redirect: "http://127.0.0.1:9000", refused: "plain http"},
		{redirect: "https://127.0.0.1:9001", refused: "neither under projectorpsa.com nor allowed"},
		{redirect: "https://localhost:9101", refused: "neither under"},
		{redirect: "https://evilprojectorpsa.com", refused: "neither under"},
		{redirect: "https://projectorpsa.com.evil.example", refused: "neither under"},
		{redirect: "https://user:pw@secure3.projectorpsa.com", refused: "user info"},
		{redirect: "secure3.projectorpsa.com", refused: "not an absolute URL"},
		{redirect: "/OpsProjectorWcfSvc", refused: "not an absolute URL"},
		{redirect: "ftp://secure3.projectorpsa.com", refused: "scheme"},
		{redirect: "https://%zz", refused: "not an absolute URL"},
	} {
		t.Run(tc.redirect, func(t *testing.T) {
			tried := map[string]bool{urlKey(c.c.endpoint): true}
			got, err := c.c.redirectTarget(tc.redirect, tc.hops, tried)
			if tc.refused == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			assert.ErrorIs(t, err, ErrRedirectRefused)
			assert.ErrorContains(t, err, tc.refused)
			assert.NotContains(t, err.Error(), "pw@", "user info is not repeated")
			assert.Empty(t, got)
		})
	}
}
