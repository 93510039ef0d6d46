package cas_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/offboard-go/offboard/cas"
)

// FuzzEntitlementsAnswer feeds arbitrary answers to DomainEntitlements, the richest answer of
// the new operations (dates, nillable members, arrays, a Status inside). The seeds are the
// golden answers (testdata/GetDomainEntitlementsResponse.body.xml) with varied codes and
// dates. Every answer is a page or an error of this package's types, never both, and no error
// or result shows the password.
func FuzzEntitlementsAnswer(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "GetDomainEntitlementsResponse.body.xml"))
	if err != nil {
		f.Fatal(err)
	}
	body := string(b)
	for _, form := range soapForms {
		f.Add(uint8(form), 200, envelopeOf(form, body))
		f.Add(uint8(form), 404, envelopeOf(form, body))
		f.Add(uint8(form), 200, envelopeOf(form, strings.Replace(body, "<Code>0</Code>", "<Code>3021</Code>", 1)))
		f.Add(uint8(form), 200, envelopeOf(form, strings.Replace(body, "2026-12-31T23:59:59", "9999-12-31T23:59:59.99999999", 1)))
		f.Add(uint8(form), 200, envelopeOf(form, strings.Replace(body, "<totalItems>2</totalItems>", "<totalItems>"+fuzzPassword+"</totalItems>", 1)))
		f.Add(uint8(form), 200, envelopeOf(form, `<GetDomainEntitlementsResponse xmlns="http://ca.tvinci.com/"/>`))
	}
	f.Fuzz(func(t *testing.T, form uint8, status int, answer string) {
		wf := wireForm(form%2 + 1)
		if status < 100 || status > 599 {
			status = 200
		}
		ct := map[wireForm]string{soap11: ct11, soap12: ct12}[wf]
		hc := &http.Client{Transport: fuzzTransport{status: status, ct: ct, body: answer}}
		c, err := cas.New(mockEndpoint, cas.Credentials{WSUserName: "fuzz-user", WSPassword: fuzzPassword},
			cas.WithHTTPClient(hc), wf.option())
		if err != nil {
			t.Fatal(err)
		}
		page, err := c.DomainEntitlements(context.Background(), 42, cas.EntitlementQuery{}, 0, 10)
		if err == nil {
			if page == nil {
				t.Fatal("no page and no error")
			}
			if s := fmt.Sprintf("%+v", page); strings.Contains(s, fuzzPassword) {
				t.Fatalf("password in the page %q", s)
			}
			return
		}
		if page != nil {
			t.Fatalf("both a page %+v and an error %v", page, err)
		}
		var (
			se    *cas.ServiceError
			ne    *cas.NullResultError
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
		case errors.As(err, &ne), errors.As(err, &ee), errors.As(err, &fault), errors.As(err, &he), errors.As(err, &pe):
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, fuzzPassword) {
				t.Fatalf("password in %q", s)
			}
		}
	})
}
