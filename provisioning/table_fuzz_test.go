package provisioning_test

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

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning"
)

const (
	fuzzOTP    = "fuzz-otp-918273"
	fuzzCookie = "fuzzsessioncookie0a1b2c3d"
)

// fuzzBSIDCA answers Connect with a session cookie and GetProvisioningTasks with a DataTable
// result holding the input.
type fuzzBSIDCA struct{ result string }

func (f fuzzBSIDCA) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	h := http.Header{"Content-Type": {"text/xml; charset=utf-8"}}
	var body string
	switch op := strings.Trim(r.Header.Get("SOAPAction"), `"`); {
	case strings.HasSuffix(op, "/Connect"):
		body = soap11(connectOK)
		h.Set("Set-Cookie", "ASP.NET_SessionId="+fuzzCookie+"; path=/; HttpOnly")
	default:
		body = soap11(result("GetProvisioningTasks", f.result).body)
	}
	return &http.Response{StatusCode: http.StatusOK, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// FuzzTables feeds arbitrary DataTable results (inline schema + diffgram) to the streaming
// DataSet decoding of a real operation. Seeds are testdata/*-result.xml, written from the
// layout FACTS §4 gives. Every answer decodes into tasks or fails with a typed error: a
// *ProtocolError (ErrProtocol), with a *dataset.ValueError inside for a value that does not
// parse; no OTP or session cookie shows.
func FuzzTables(f *testing.F) {
	for _, name := range []string{"tasks-result.xml", "details-result.xml", "empty-result.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, inner string) {
		c, err := provisioning.New("http://bsidca.test/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: func(context.Context) (string, error) { return fuzzOTP, nil }},
			provisioning.WithHTTPClient(&http.Client{Transport: fuzzBSIDCA{inner}}), provisioning.WithBodyLimit(1<<20))
		if err != nil {
			t.Fatal(err)
		}
		tasks, err := c.Tasks(context.Background(), "Example Org", 0, 100)
		if err == nil {
			_ = fmt.Sprintf("%+v", tasks)
			return
		}
		if tasks != nil {
			t.Fatalf("both rows and %v", err)
		}
		var pe *soapx.ProtocolError
		if !errors.As(err, &pe) || !errors.Is(err, provisioning.ErrProtocol) {
			t.Fatalf("not a protocol error: %T %v", err, err)
		}
		var ve *dataset.ValueError
		_ = errors.As(err, &ve)
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v %+v %#v", c, c, c)} {
			if strings.Contains(s, fuzzOTP) || strings.Contains(s, fuzzCookie) {
				t.Fatalf("secret in %q", s)
			}
		}
	})
}
