package shape

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/uds"
)

// TestCredentialsNeverPrintTheirSecret: each package's Credentials, and the Client made from
// them, print without the secret under every verb, as a value and as a pointer (a Client
// value too, which has no Format of its own: fmt prints its fields); the fields that are not
// secret stay readable.
func TestCredentialsNeverPrintTheirSecret(t *testing.T) {
	const secret = "s3cr3t-Pa55word-42"
	otp := provisioning.OTPSource(func(context.Context) (string, error) { return secret, nil })
	cases := []struct {
		name   string
		creds  any
		public string // a field that is not secret, printed as it is
		client func() (fmt.Stringer, error)
	}{
		{"cas", cas.Credentials{WSUserName: "ws-user", WSPassword: secret}, "ws-user", func() (fmt.Stringer, error) {
			return cas.New("https://cas.example/ws_cas_module.asmx", cas.Credentials{WSUserName: "ws-user", WSPassword: secret})
		}},
		{"uds", uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: secret}, "udsadmin", func() (fmt.Stringer, error) {
			return uds.New("https://uds.example/services/ArcotUserRegistrySvc", uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: secret})
		}},
		{"projector", projector.Credentials{AccountCode: "revcorp", UserName: "ops@revcorp.com", Password: secret}, "ops@revcorp.com", func() (fmt.Stringer, error) {
			return projector.New("https://projector.example/OpsProjectorWcfSvc/PwsProjectorServices.svc", projector.Credentials{AccountCode: "revcorp", UserName: "ops@revcorp.com", Password: secret})
		}},
		{"provisioning", provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: otp}, "operator@example.com", func() (fmt.Stringer, error) {
			return provisioning.New("https://bsidca.example/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: otp})
		}},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.client()
			assert.NoError(t, err)
			for _, v := range []any{tc.creds, ptr(tc.creds), c, deref(c)} {
				for _, verb := range verbs {
					out := fmt.Sprintf(verb, v)
					assert.NotContains(t, out, secret, "%s %T", verb, v)
					assert.NotContains(t, strings.ToLower(out), fmt.Sprintf("%x", secret), "%s %T", verb, v)
				}
			}
			assert.Contains(t, fmt.Sprintf("%+v", tc.creds), tc.public, "the user name stays readable")
		})
	}
}

func ptr(v any) any {
	switch v := v.(type) {
	case cas.Credentials:
		return &v
	case uds.Credentials:
		return &v
	case projector.Credentials:
		return &v
	case provisioning.Credentials:
		return &v
	}
	return v
}

// deref is the Client value c points to.
func deref(c fmt.Stringer) any {
	switch c := c.(type) {
	case *cas.Client:
		return *c
	case *uds.Client:
		return *c
	case *projector.Client:
		return *c
	case *provisioning.Client:
		return *c
	}
	return c
}
