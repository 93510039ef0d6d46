package soapx_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
)

// The seed corpora of these targets (testdata/fuzz/<Target>/) are the services' real
// answers: the envelopes and faults of Projector's, CA's and Kaltura's published samples,
// as kept in the service packages' testdata.

// answerWith returns a client whose every call is answered with status, ct and body.
func answerWith(t testing.TB, v soapx.Version, status int, ct, body string, opts ...soapx.Option) *soapx.Client {
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		_, _ = io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	c, err := soapx.NewClient(testURL, append([]soapx.Option{soapx.WithHTTPClient(hc), soapx.WithVersion(v),
		soapx.WithBodyLimit(256 << 10)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requireTyped fails unless err is nil or one of the runtime's typed errors, and its text
// can be built.
func requireTyped(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	_ = err.Error()
	var (
		fault *soapx.Fault
		he    *soapx.HTTPError
		pe    *soapx.ProtocolError
	)
	if !errors.As(err, &fault) && !errors.As(err, &he) && !errors.As(err, &pe) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	if (he != nil || pe != nil) && !errors.Is(err, soapx.ErrProtocol) && !errors.Is(err, soapx.ErrUnavailable) &&
		!errors.Is(err, soapx.ErrRateLimited) {
		t.Fatalf("error %T outside every category: %v", err, err)
	}
}

// elementNames lists the resolved names of every start element of doc, in order, and of
// their attributes, skipping namespace declarations.
func elementNames(doc []byte) ([]string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			out = append(out, "<"+se.Name.Space+" "+se.Name.Local)
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				out = append(out, "@"+a.Name.Space+" "+a.Name.Local+"="+a.Value)
			}
		}
	}
}

// headerNames returns, for each header block of a well-formed envelope, the names within it
// (the block's own element excluded), as encoding/xml resolves them in the whole document.
func headerNames(doc []byte) ([][]string, bool) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var blocks [][]string
	depth := 0
	inHeader := false
	for {
		tok, err := d.Token()
		if err != nil {
			return blocks, err == io.EOF
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 2 && t.Name.Local == "Header":
				inHeader = true
			case inHeader && depth == 3:
				blocks = append(blocks, nil)
			case inHeader && depth > 3:
				b := &blocks[len(blocks)-1]
				*b = append(*b, "<"+t.Name.Space+" "+t.Name.Local)
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
						continue
					}
					*b = append(*b, "@"+a.Name.Space+" "+a.Name.Local+"="+a.Value)
				}
			}
		case xml.EndElement:
			if depth == 2 {
				inHeader = false
			}
			depth--
		}
	}
}

// namespaceWellFormed reports whether doc is well-formed under Namespaces in XML as far as
// the capture property needs: every prefix declared and bound to a non-empty URI, every
// local name an NCName. encoding/xml checks none of that (it reads "A:0" as a Name and
// leaves an undeclared prefix as the Space), and a fragment cut out of such a document
// cannot be made to resolve the same way on its own.
func namespaceWellFormed(doc []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return true
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		names := []xml.Name{se.Name}
		for _, a := range se.Attr {
			if a.Name.Space == "xmlns" && a.Value == "" {
				return false
			}
			names = append(names, a.Name)
		}
		for _, n := range names {
			if n.Local == "" || !isNameStart(n.Local[0]) || strings.Contains(n.Local, ":") {
				return false
			}
			if n.Space != "" && n.Space != "xmlns" && n.Space != "xml" && !strings.Contains(n.Space, ":") && !strings.Contains(n.Space, "/") {
				return false // an undeclared prefix, left as is by encoding/xml
			}
		}
	}
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// FuzzHeaders feeds arbitrary SOAP header content to the response-header extraction. Every
// answer decodes or gives a typed error; a captured block is bounded, found by Header, and
// its Inner is a standalone fragment whose names resolve exactly as in the envelope.
func FuzzHeaders(f *testing.F) {
	f.Add(true, `<tx:udsTransactionID xmlns:tx="urn:tx">1A2B</tx:udsTransactionID>`)
	f.Fuzz(func(t *testing.T, v12 bool, header string) {
		v, envelope := soapx.SOAP11, env11(header, echoBody)
		ct := ct11
		if v12 {
			v, envelope, ct = soapx.SOAP12, env12(header, echoBody), ct12
		}
		c := answerWith(t, v, 200, ct, envelope)
		ctx, resp := soapx.CaptureResponse(context.Background())
		var out echoResp
		err := c.Call(ctx, action, &echoReq{Text: "x"}, &out)
		requireTyped(t, err)
		if err != nil {
			return
		}
		if len(resp.Headers) > 64 {
			t.Fatalf("%d header blocks kept", len(resp.Headers))
		}
		want, ok := headerNames([]byte(envelope))
		if !ok || len(want) != len(resp.Headers) {
			t.Fatalf("decoded %d header blocks of a document encoding/xml reads as %d (ok=%t)", len(resp.Headers), len(want), ok)
		}
		for i, h := range resp.Headers {
			if len(h.Inner) > 64<<10 {
				t.Fatalf("header block %d keeps %d bytes", i, len(h.Inner))
			}
			if got, found := resp.Header(h.XMLName.Space, h.XMLName.Local); !found || got.XMLName != h.XMLName {
				t.Fatalf("Header(%q, %q) does not find block %d", h.XMLName.Space, h.XMLName.Local, i)
			}
			if !namespaceWellFormed([]byte(envelope)) {
				continue
			}
			got, err := elementNames(append(append([]byte("<r>"), h.Inner...), "</r>"...))
			if err != nil {
				t.Fatalf("Inner of block %d is not a standalone fragment: %v\n%s", i, err, h.Inner)
			}
			got = got[1:] // <r>
			if strings.Join(got, "\n") != strings.Join(want[i], "\n") {
				t.Fatalf("Inner of block %d resolves differently:\n got %q\nwant %q\ninner %s", i, got, want[i], h.Inner)
			}
		}
	})
}

// FuzzFault feeds arbitrary fault codes, reasons and details, in both SOAP versions, to the
// Fault decoder. A fault decodes with its reason intact, its Detail a standalone fragment,
// and its Error() never shows a secret the reason quotes.
func FuzzFault(f *testing.F) {
	f.Add(false, "soap:Server", "Server was unable to process request. ---> You are not connected.", "")
	f.Fuzz(func(t *testing.T, v12 bool, code, reason, detail string) {
		const secret = "FUZZ-TOP-SECRET"
		quoted := reason + " <sWSPassword>" + secret + "</sWSPassword>"
		var esc strings.Builder
		_ = xml.EscapeText(&esc, []byte(quoted))
		var cesc strings.Builder
		_ = xml.EscapeText(&cesc, []byte(code))
		v, ct, envelope := soapx.SOAP11, ct11, env11("", `<soap:Fault><faultcode>`+cesc.String()+`</faultcode><faultstring>`+
			esc.String()+`</faultstring><detail>`+detail+`</detail></soap:Fault>`)
		if v12 {
			v, ct, envelope = soapx.SOAP12, ct12, env12("", `<env:Fault><env:Code><env:Value>`+cesc.String()+`</env:Value></env:Code>`+
				`<env:Reason><env:Text xml:lang="en">`+esc.String()+`</env:Text></env:Reason><env:Detail>`+detail+`</env:Detail></env:Fault>`)
		}
		err := answerWith(t, v, 500, ct, envelope).Call(context.Background(), action, &echoReq{}, &echoResp{})
		requireTyped(t, err)
		if err == nil {
			t.Fatal("a Fault answered with success")
		}
		var fault *soapx.Fault
		if !errors.As(err, &fault) {
			return
		}
		if fault.Version != v {
			t.Fatalf("fault version %v, sent %v", fault.Version, v)
		}
		if strings.Contains(fault.Reason, "<sWSPassword>"+secret+"</sWSPassword>") {
			for _, s := range []string{err.Error(), soapx.RedactText(fault.Reason)} {
				if strings.Contains(s, secret) {
					t.Fatalf("secret in %q (reason %q)", s, fault.Reason)
				}
			}
		}
		if len(fault.Detail) > 256<<10 || len(fault.Reason) > 8<<10 {
			t.Fatalf("fault keeps %d bytes of detail, %d of reason", len(fault.Detail), len(fault.Reason))
		}
		if len(fault.Detail) > 0 && namespaceWellFormed([]byte(envelope)) {
			if _, err := elementNames(append(append([]byte("<r>"), fault.Detail...), "</r>"...)); err != nil {
				t.Fatalf("Detail is not a standalone fragment: %v\n%s", err, fault.Detail)
			}
		}
		var any struct {
			XMLName xml.Name
			Inner   []byte `xml:",innerxml"`
		}
		_ = fault.DecodeDetail(&any)
	})
}
