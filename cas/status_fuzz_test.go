package cas_test

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

	"github.com/offboard-go/offboard/cas"
)

const fuzzPassword = "fuzz-cas-ws-password-7Q"

// fuzzTransport answers every request with one canned response.
type fuzzTransport struct {
	status   int
	ct, body string
}

func (f fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{StatusCode: f.status, Header: http.Header{"Content-Type": {f.ct}},
		Body: io.NopCloser(strings.NewReader(f.body)), Request: r}, nil
}

// FuzzStatus feeds arbitrary answers to HandleUserTask in its three wire forms. The seeds
// are Kaltura's published samples (testdata/HandleUserTaskResponse.*, from the ASMX help
// page) and the answers FACTS §1 describes. Every answer is a Result with code 0, or an
// error of this package's types in a known category, and no error shows the password.
func FuzzStatus(f *testing.F) {
	for _, s := range []struct {
		form   wireForm
		status int
		file   string
	}{
		{soap11, 200, "HandleUserTaskResponse.soap11.xml"},
		{soap12, 200, "HandleUserTaskResponse.soap12.xml"},
		{httpPost, 200, "HandleUserTaskResponse.post.xml"},
		{soap11, 404, "HandleUserTaskResponse.soap11.xml"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", s.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(s.form), s.status, string(b))
		for _, code := range []string{"1006", "1", "4242", "-1", "99999999999"} {
			f.Add(uint8(s.form), s.status, strings.Replace(string(b), "<Code>0</Code>", "<Code>"+code+"</Code>", 1))
		}
	}
	f.Add(uint8(soap11), 500, `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode>`+
		`<faultstring>Server did not recognize the value of HTTP Header SOAPAction: x.</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>`)
	f.Add(uint8(httpPost), 500, "System.InvalidOperationException: Missing parameter: sWSPassword "+fuzzPassword)
	f.Add(uint8(soap11), 404, "<html><body>404</body></html>")

	f.Fuzz(func(t *testing.T, form uint8, status int, body string) {
		wf := wireForm(form%3 + 1)
		if status < 100 || status > 599 {
			status = 200
		}
		ct := map[wireForm]string{soap11: ct11, soap12: ct12, httpPost: ct11}[wf]
		hc := &http.Client{Transport: fuzzTransport{status: status, ct: ct, body: body}}
		c, err := cas.New(mockEndpoint, cas.Credentials{WSUserName: "fuzz-user", WSPassword: fuzzPassword},
			cas.WithHTTPClient(hc), wf.option())
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.DeleteUser(context.Background(), 42, "bob")
		if err == nil {
			if res == nil || res.Code != cas.CodeOK || res.HTTPStatus < 200 || res.HTTPStatus > 299 {
				t.Fatalf("success with %+v", res)
			}
			return
		}
		if res != nil {
			t.Fatalf("both a result %+v and an error %v", res, err)
		}
		var (
			se    *cas.ServiceError
			ee    *cas.EndpointError
			fault *cas.Fault
			he    *cas.HTTPError
			pe    *cas.ProtocolError
		)
		switch {
		case errors.As(err, &se):
			if se.Code == cas.CodeOK && se.HTTPStatus >= 200 && se.HTTPStatus <= 299 {
				t.Fatalf("ServiceError for a success: %+v", se)
			}
		case errors.As(err, &ee), errors.As(err, &fault), errors.As(err, &he), errors.As(err, &pe):
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if he != nil || pe != nil {
			if !errors.Is(err, cas.ErrProtocol) && !errors.Is(err, cas.ErrUnavailable) && !errors.Is(err, cas.ErrRateLimited) &&
				!errors.Is(err, cas.ErrAuthentication) && !errors.Is(err, cas.ErrPermissionDenied) {
				t.Fatalf("error outside every category: %v", err)
			}
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", c)} {
			if strings.Contains(s, fuzzPassword) {
				t.Fatalf("password in %q", s)
			}
		}
	})
}
