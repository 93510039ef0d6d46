package uds_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds"
)

const (
	fuzzCredential = "fuzz-uds-credential-K2"
	fuzzToken      = "FUZZTOKEN0123456789ABCDEF"
)

// fuzzUDS answers every request with a SOAP 1.2 Fault whose Detail is the input, carrying a
// transaction id and, for requests that sent the credentials, an authToken, so that the
// token paths (rejection, one re-authentication) run too.
type fuzzUDS struct {
	status int
	detail string
	n      *atomic.Int32
}

func (f fuzzUDS) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	f.n.Add(1)
	headers := txHeader("TX-FUZZ")
	if strings.Contains(string(b), fuzzCredential) {
		headers += tokenHeader(fuzzToken)
	}
	body := env12(headers, `<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:Receiver</soapenv:Value></soapenv:Code>`+
		`<soapenv:Reason><soapenv:Text xml:lang="en">fault</soapenv:Text></soapenv:Reason><soapenv:Detail>`+f.detail+
		`</soapenv:Detail></soapenv:Fault>`)
	return &http.Response{StatusCode: f.status, Header: http.Header{"Content-Type": {ct12}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// FuzzFaultDetail feeds arbitrary Fault details to the userRegistryError decoding. The seeds
// (testdata/fuzz/FuzzFaultDetail) follow UdsRegistryErrorType of the service's XSD with the
// error numbers of the published tables. Every call fails with a typed error (a
// *ServiceError for a SOAP 1.2 Fault), at most one re-authentication follows a rejected
// token, and neither the credential nor the token shows.
func FuzzFaultDetail(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, detail string) {
		if status < 100 || status > 599 {
			status = 500
		}
		var n atomic.Int32
		c, err := uds.New("http://uds.test"+uds.ServicePath, uds.Credentials{UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: fuzzCredential}, uds.WithHTTPClient(&http.Client{Transport: fuzzUDS{status, detail, &n}}))
		if err != nil {
			t.Fatal(err)
		}
		for call := 1; call <= 2; call++ {
			before := n.Load()
			_, err := c.GetUserStatus(context.Background(), uds.UserID{OrgName: "ACME", UserName: "jdoe"}, nil)
			if err == nil {
				t.Fatal("a Fault answered with success")
			}
			if sent := n.Load() - before; sent > 2 {
				t.Fatalf("call %d sent %d requests", call, sent)
			}
			var (
				re *uds.ServiceError
				he *soapx.HTTPError
				pe *soapx.ProtocolError
			)
			switch {
			case errors.As(err, &re):
				if re.Code != strings.TrimSpace(re.Code) || re.Operation != "getUserStatus" {
					t.Fatalf("ServiceError %+v", re)
				}
				var fault *soapx.Fault
				if !errors.As(err, &fault) || fault.Version != soapx.SOAP12 {
					t.Fatalf("ServiceError without its SOAP 1.2 Fault: %v", err)
				}
			case errors.As(err, &he), errors.As(err, &pe):
				if !errors.Is(err, uds.ErrProtocol) && !errors.Is(err, uds.ErrUnavailable) && !errors.Is(err, uds.ErrRateLimited) &&
					!errors.Is(err, uds.ErrAuthentication) && !errors.Is(err, uds.ErrPermissionDenied) {
					t.Fatalf("error outside every category: %v", err)
				}
			default:
				t.Fatalf("untyped error %T: %v", err, err)
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v %+v %#v", c, c, c)} {
				if strings.Contains(s, fuzzCredential) || strings.Contains(s, fuzzToken) {
					t.Fatalf("secret in %q", s)
				}
			}
		}
	})
}
