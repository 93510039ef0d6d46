package soapx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzDecode feeds arbitrary answers to Call and PostForm: they must never panic and
// must always return nil, a *Fault, an *HTTPError or a *ProtocolError.
func FuzzDecode(f *testing.F) {
	f.Add(200, ct11, env11("", echoBody))
	f.Add(500, ct11, env11("", fault11))
	f.Add(500, ct12, env12("", fault12))
	f.Add(200, ct12, env12(`<tx:a xmlns:tx="urn:tx">x</tx:a>`, echoBody))
	f.Add(502, "text/html", "<html>x</html>")
	f.Add(200, "", "")
	f.Add(200, "text/xml", `<Status xmlns="http://ca.tvinci.com/"><Code>0</Code></Status>`)
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		if status < 100 || status > 599 {
			status = 200
		}
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			_, _ = io.Copy(io.Discard, r.Body)
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})}
		for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
			c, err := soapx.NewClient(testURL, soapx.WithHTTPClient(hc), soapx.WithVersion(v), soapx.WithBodyLimit(64<<10))
			if err != nil {
				t.Fatal(err)
			}
			check := func(err error) {
				requireTyped(t, err)
				if fault := (*soapx.Fault)(nil); errors.As(err, &fault) {
					_ = fault.DecodeDetail(&faultDetail{})
				}
			}
			ctx, _ := soapx.CaptureResponse(context.Background())
			check(c.Call(ctx, action, &echoReq{Text: "x"}, &echoResp{}))
			check(c.Call(ctx, action, nil, nil))
			check(c.PostForm(ctx, "Op", nil, &casStatus{}))
		}
	})
}
