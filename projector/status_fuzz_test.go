package projector_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector"
)

const fuzzTicket = "FuzzTicket-9f8e7d6c5b4a3210=="

// fuzzPWS answers PwsAuthenticate with a session and every other request with the canned
// answer under test.
type fuzzPWS struct {
	status int
	body   string
}

func (f fuzzPWS) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	status, body := f.status, f.body
	if strings.HasSuffix(strings.Trim(r.Header.Get("SOAPAction"), `"`), "/PwsAuthenticate") {
		status, body = http.StatusOK, authOK(fuzzTicket).body
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml; charset=utf-8"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// FuzzStatus feeds arbitrary PwsDeleteUser answers to the Status and Messages decoding (the
// response members and a PwsFault's PwsMessages). Seeds are Projector's published samples in
// testdata/ and the documented messages. Every answer is a result with Status Ok or
// OkWithWarnings and a 2xx HTTP status, or a typed error; neither shows the password or the session ticket.
func FuzzStatus(f *testing.F) {
	ticketMsg := string(fuzzSeed(f, "PwsMessage-error-InvalidSessionTicket-fragment.xml"))
	warning := string(fuzzSeed(f, "PwsMessage-warning-fragment.xml"))
	f.Add(200, string(fuzzSeed(f, "PwsDeleteUser-response.xml")))
	f.Add(200, string(fuzzSeed(f, "PwsReleaseProjectorLocks-response.xml")))
	f.Add(200, deleteOK("AAAAABCI7Dk=", msgRateWarn).body)
	f.Add(200, resultXML("PwsDeleteUser", `<Messages xmlns="`+nsCS+`" xmlns:b="`+nsCom+`">`+warning+`</Messages>`+
		`<ResponseId xmlns="`+nsCS+`">1</ResponseId><Status xmlns="`+nsCS+`">OkWithWarnings</Status>`))
	f.Add(200, failReply("PwsDeleteUser", msgNotFound).body)
	f.Add(200, failReply("PwsDeleteUser", msgDenied, msgBadSession).body)
	f.Add(500, faultReply("The creator of this fault did not specify a Reason.", msgRateError).body)
	f.Add(500, faultReply("Invalid ticket", ticketMsg).body)
	f.Add(500, faultReply("x", msgBadTicket).body)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			status = 200
		}
		c, err := projector.New(testEndpoint, testCreds, projector.WithHTTPClient(&http.Client{Transport: fuzzPWS{status, body}}),
			projector.WithRateLimitWait(0), projector.WithRateLimitRetries(1))
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.DeleteUser(context.Background(), jdoe, nil)
		if err == nil {
			if status < 200 || status > 299 {
				t.Fatalf("success with HTTP %d: %+v", status, res)
			}
			if res == nil || (res.Status != projector.StatusOk && res.Status != projector.StatusOkWithWarnings) ||
				(res.Outcome != projector.Deleted && res.Outcome != projector.Deactivated) {
				t.Fatalf("success with %+v", res)
			}
			_ = res.Warnings()
			checkNoProjectorSecret(t, fmt.Sprintf("%+v %v", res, c))
			return
		}
		if res != nil {
			t.Fatalf("both a result and %v", err)
		}
		var (
			se *projector.ServiceError
			he *soapx.HTTPError
			pe *soapx.ProtocolError
		)
		switch {
		case errors.As(err, &se):
			for _, m := range se.Messages {
				_ = m.String()
			}
		case errors.As(err, &he), errors.As(err, &pe):
			if !errors.Is(err, projector.ErrProtocol) && !errors.Is(err, projector.ErrUnavailable) &&
				!errors.Is(err, projector.ErrRateLimited) && !errors.Is(err, projector.ErrAuthentication) &&
				!errors.Is(err, projector.ErrPermissionDenied) {
				t.Fatalf("error outside every category: %v", err)
			}
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
		checkNoProjectorSecret(t, err.Error()+fmt.Sprintf(" %v %+v", err, c))
	})
}

func fuzzSeed(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func checkNoProjectorSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testPassword, fuzzTicket} {
		if strings.Contains(s, secret) {
			t.Fatalf("secret %q in %q", secret, s)
		}
	}
}
