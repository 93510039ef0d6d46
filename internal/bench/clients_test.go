package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"

	"github.com/hooklift/gowsdl/soap"
)

// caller makes one call of a service's main operation and checks what came back, so a
// client that stopped decoding the answer cannot look fast.
type caller func(ctx context.Context) error

// minimal is the hand-written minimum (b): one keep-alive http.Client, xml.Marshal of the
// envelope, xml.Decoder on the body. It is the floor for this stack.
type minimal struct {
	hc     *http.Client
	url    string
	ns     string      // envelope namespace
	header http.Header // Content-Type, SOAPAction, Cookie: sent with every request
}

func newMinimal(hc *http.Client, url string, soap12 bool, action string) *minimal {
	m := &minimal{hc: hc, url: url, ns: ns11, header: http.Header{}}
	if soap12 {
		m.ns = ns12
		m.header.Set("Content-Type", `application/soap+xml; charset=utf-8; action="`+action+`"`)
	} else {
		m.header.Set("Content-Type", "text/xml; charset=utf-8")
		m.header.Set("SOAPAction", `"`+action+`"`)
	}
	return m
}

func minCall[Req, Resp any](ctx context.Context, m *minimal, req *Req, resp *Resp) error {
	var in envelope[Req]
	in.XMLName = xml.Name{Space: m.ns, Local: "Envelope"}
	in.Body.XMLName = xml.Name{Space: m.ns, Local: "Body"}
	in.Body.Content = req
	body, err := xml.Marshal(&in)
	if err != nil {
		return err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range m.header {
		r.Header[k] = v
	}
	res, err := m.hc.Do(r)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", res.Status)
	}
	var out envelope[Resp]
	out.Body.Content = resp
	if err := xml.NewDecoder(res.Body).Decode(&out); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return nil
}

// newGowsdl is gowsdl's client used the default way: soap.NewClient(url), plus only what
// the comparison needs (trusting the TLS test certificate, a session cookie header).
func newGowsdl(url string, tlsCfg *tls.Config, headers map[string]string) *soap.Client {
	var opts []soap.Option
	if tlsCfg != nil {
		opts = append(opts, soap.WithTLS(tlsCfg))
	}
	if headers != nil {
		opts = append(opts, soap.WithHTTPHeaders(headers))
	}
	return soap.NewClient(url, opts...)
}

// gowsdlCaller calls one operation with gowsdl's client: req builds each call's request, check
// reads the answer.
func gowsdlCaller[Req, Resp any](c *soap.Client, action string, req func() *Req, check func(*Resp) error) caller {
	return func(ctx context.Context) error {
		var resp Resp
		if err := c.CallContext(ctx, action, req(), &resp); err != nil {
			return err
		}
		return check(&resp)
	}
}

// minCaller calls one operation with the hand-written client, as gowsdlCaller does.
func minCaller[Req, Resp any](m *minimal, req func() *Req, check func(*Resp) error) caller {
	return func(ctx context.Context) error {
		var resp Resp
		if err := minCall(ctx, m, req(), &resp); err != nil {
			return err
		}
		return check(&resp)
	}
}
