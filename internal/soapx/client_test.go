package soapx_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

func TestCallRequestOnTheWire(t *testing.T) {
	tests := []struct {
		name        string
		version     soapx.Version
		headers     []any
		request     any
		contentType string
		soapAction  string
		body        string
	}{
		{
			name: "soap 1.1", version: soapx.SOAP11, request: &echoReq{Text: "ping"},
			contentType: ct11, soapAction: `"urn:test/Echo"`,
			body: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + ns11 + `"><soap:Body>` +
				`<Echo xmlns="urn:test"><Text xmlns="urn:test">ping</Text></Echo></soap:Body></soap:Envelope>`,
		},
		{
			name: "soap 1.2", version: soapx.SOAP12, request: &echoReq{Text: "ping"},
			contentType: ct12 + `; action="urn:test/Echo"`,
			body: `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="` + ns12 + `"><soap12:Body>` +
				`<Echo xmlns="urn:test"><Text xmlns="urn:test">ping</Text></Echo></soap12:Body></soap12:Envelope>`,
		},
		{
			name: "soap 1.1 with header", version: soapx.SOAP11, request: &echoReq{Text: "ping"},
			headers:     []any{&authHeader{Value: "tok"}},
			contentType: ct11, soapAction: `"urn:test/Echo"`,
			body: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + ns11 + `">` +
				`<soap:Header><authToken xmlns="urn:tx">tok</authToken></soap:Header><soap:Body>` +
				`<Echo xmlns="urn:test"><Text xmlns="urn:test">ping</Text></Echo></soap:Body></soap:Envelope>`,
		},
		{
			name: "soap 1.2 with headers, nil request", version: soapx.SOAP12,
			headers:     []any{&authHeader{Value: "a"}, &authHeader{Value: "b"}},
			contentType: ct12 + `; action="urn:test/Echo"`,
			body: `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="` + ns12 + `">` +
				`<soap12:Header><authToken xmlns="urn:tx">a</authToken><authToken xmlns="urn:tx">b</authToken></soap12:Header>` +
				`<soap12:Body></soap12:Body></soap12:Envelope>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMock(t)
			respBody := env11("", echoBody)
			ct := ct11
			if tt.version == soapx.SOAP12 {
				respBody, ct = env12("", echoBody), ct12
			}
			m.answer(testURL, 200, ct, respBody)
			c := m.client(t, soapx.WithVersion(tt.version))
			ctx := context.Background()
			if tt.headers != nil {
				ctx = soapx.WithRequestHeaders(ctx, tt.headers...)
			}
			var out echoResp
			require.NoError(t, c.Call(ctx, action, tt.request, &out))
			assert.Equal(t, "pong", out.Text)

			got := m.last(t)
			assert.Equal(t, tt.body, got.Body)
			assert.Equal(t, tt.contentType, got.Header.Get("Content-Type"))
			assert.Equal(t, tt.soapAction, got.Header.Get("SOAPAction"))
			_, hasAction := got.Header["Soapaction"]
			assert.Equal(t, tt.soapAction != "", hasAction, "SOAPAction only for 1.1")
			assert.Equal(t, soapx.DefaultUserAgent(), got.Header.Get("User-Agent"))
			assert.Empty(t, got.Header.Get("Connection"), "never Connection: close")
		})
	}
}

func TestCallCapturesResponse(t *testing.T) {
	m := newMock(t)
	header := `<tx:authToken xmlns:tx="urn:tx" env:mustUnderstand="true">abc</tx:authToken>` +
		`<tx:udsTransactionID xmlns:tx="urn:tx">T-1</tx:udsTransactionID>` +
		`<w:Info xmlns:w="urn:w"><w:Node>n1</w:Node></w:Info>`
	m.answer(testURL, 200, ct12, env12(header, echoBody), "X-Request-Id", "r-42")
	c := m.client(t, soapx.WithVersion(soapx.SOAP12), soapx.WithUserAgent("ua-test"))

	ctx, resp := soapx.CaptureResponse(context.Background())
	var out echoResp
	require.NoError(t, c.Call(ctx, action, &echoReq{Text: "x"}, &out))
	assert.Equal(t, "ua-test", m.last(t).Header.Get("User-Agent"))

	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, soapx.SOAP12, resp.Version)
	assert.Equal(t, "r-42", resp.HTTPHeader.Get("X-Request-Id"))
	require.Len(t, resp.Headers, 3)
	tok, ok := resp.Header("urn:tx", "authToken")
	require.True(t, ok)
	assert.Equal(t, "abc", tok.Text)
	assert.Equal(t, []xml.Attr{{Name: xml.Name{Space: ns12, Local: "mustUnderstand"}, Value: "true"}}, tok.Attrs)
	txid, ok := resp.Header("", "udsTransactionID")
	require.True(t, ok)
	assert.Equal(t, "T-1", txid.Text)
	_, ok = resp.Header("urn:other", "authToken")
	assert.False(t, ok)

	info, _ := resp.Header("urn:w", "Info")
	var node struct {
		XMLName xml.Name `xml:"urn:w Node"`
		V       string   `xml:",chardata"`
	}
	require.NoError(t, xml.Unmarshal(info.Inner, &node), string(info.Inner))
	assert.Equal(t, "n1", node.V)
}

type faultDetail struct {
	XMLName xml.Name `xml:"urn:x err"`
	Num     int      `xml:"urn:x num"`
	Msg     string   `xml:"urn:x msg"`
}

const (
	fault11 = `<soap:Fault><faultcode>soap:Server</faultcode>` +
		`<faultstring>Server was unable to process request. ---&gt; boom</faultstring>` +
		`<faultactor>urn:actor</faultactor>` +
		`<detail><m:other/><m:err><m:num>1</m:num><m:msg>bad</m:msg></m:err></detail></soap:Fault>`
	fault12 = `<env:Fault><env:Code><env:Value>env:Sender</env:Value>` +
		`<env:Subcode><env:Value>m:Timeout</env:Value><env:Subcode><env:Value>m:Inner</env:Value></env:Subcode></env:Subcode></env:Code>` +
		`<env:Reason><env:Text xml:lang="de">kaputt</env:Text><env:Text xml:lang="en">broken</env:Text></env:Reason>` +
		`<env:Node>urn:node</env:Node><env:Role>urn:role</env:Role>` +
		`<env:Detail><m:err><m:num>1</m:num><m:msg>bad</m:msg></m:err></env:Detail></env:Fault>`
)

func TestFaults(t *testing.T) {
	// The detail's prefix m is declared on the Envelope only: the namespace must survive.
	doc11 := strings.Replace(env11("", fault11), "<soap:Envelope ", `<soap:Envelope xmlns:m="urn:x" `, 1)
	doc12 := strings.Replace(env12("", fault12), "<env:Envelope ", `<env:Envelope xmlns:m="urn:x" `, 1)
	for _, status := range []int{200, 400, 404, 500} {
		for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
			t.Run(fmt.Sprintf("%v/%d", v, status), func(t *testing.T) {
				m := newMock(t)
				want := &soapx.Fault{Version: v, HTTPStatus: status}
				if v == soapx.SOAP11 {
					m.answer(testURL, status, ct11, doc11)
					want.Code, want.CodeNS = "Server", ns11
					want.Reason = "Server was unable to process request. ---> boom"
					want.Actor = "urn:actor"
				} else {
					m.answer(testURL, status, ct12, doc12)
					want.Code, want.CodeNS, want.Subcodes = "Sender", ns12, []string{"Timeout", "Inner"}
					want.Reason, want.Node, want.Actor = "broken", "urn:node", "urn:role"
				}
				c := m.client(t, soapx.WithVersion(v))
				ctx, resp := soapx.CaptureResponse(context.Background())
				var out echoResp
				err := c.Call(ctx, action, &echoReq{}, &out)

				var f *soapx.Fault
				require.ErrorAs(t, err, &f)
				assert.Equal(t, want.Version, f.Version)
				assert.Equal(t, want.Code, f.Code)
				assert.Equal(t, want.CodeNS, f.CodeNS)
				assert.Equal(t, want.Subcodes, f.Subcodes)
				assert.Equal(t, want.Reason, f.Reason)
				assert.Equal(t, want.Actor, f.Actor)
				assert.Equal(t, want.Node, f.Node)
				assert.Equal(t, status, f.HTTPStatus)
				assert.Equal(t, status, resp.StatusCode)
				assert.Contains(t, f.Error(), "soap fault soap:"+want.Code)
				assert.Contains(t, f.Error(), fmt.Sprintf("(HTTP %d)", status))

				var d faultDetail
				require.NoError(t, f.DecodeDetail(&d), string(f.Detail))
				assert.Equal(t, faultDetail{XMLName: xml.Name{Space: "urn:x", Local: "err"}, Num: 1, Msg: "bad"}, d)
				var other struct {
					XMLName xml.Name `xml:"urn:x missing"`
				}
				assert.ErrorIs(t, f.DecodeDetail(&other), soapx.ErrNoDetail)
				assert.Empty(t, out.Text, "a fault never fills the response")
			})
		}
	}
}

func TestFaultWithoutDetail(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, 500, ct11, env11("", `<soap:Fault><faultcode>Client</faultcode><faultstring>no</faultstring><detail /></soap:Fault>`))
	err := m.client(t).Call(context.Background(), action, &echoReq{}, &echoResp{})
	var f *soapx.Fault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, "Client", f.Code)
	assert.Empty(t, f.Detail)
	assert.ErrorIs(t, f.DecodeDetail(&faultDetail{}), soapx.ErrNoDetail)
	assert.Equal(t, "soap fault soap:Client: no (HTTP 500)", f.Error())
}

func TestNon2xxWithNormalBody(t *testing.T) {
	// ASMX cas answers bad credentials with 404 and a normal Status body; cas declares that
	// with WithAnswerStatus. Any other non-2xx answer without a Fault is an error.
	tests := []struct {
		name     string
		status   int
		opts     []soapx.Option
		answered bool
	}{
		{"404 declared", 404, []soapx.Option{soapx.WithAnswerStatus(is404)}, true},
		{"404 not declared", 404, nil, false},
		{"500 with 404 declared", 500, []soapx.Option{soapx.WithAnswerStatus(is404)}, false},
		{"500 with any status declared", 500, []soapx.Option{soapx.WithAnswerStatus(func(int) bool { return true })}, true},
		{"400 not declared", 400, nil, false},
		{"202", 202, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMock(t)
			m.answer(testURL, tt.status, ct11, env11("", echoBody))
			ctx, resp := soapx.CaptureResponse(context.Background())
			var out echoResp
			err := m.client(t, tt.opts...).Call(ctx, action, &echoReq{}, &out)
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.answered {
				require.NoError(t, err)
				assert.Equal(t, "pong", out.Text)
				return
			}
			var he *soapx.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.status, he.StatusCode)
			assert.Contains(t, he.Excerpt, "pong", "what the server said is kept")
			assert.Contains(t, err.Error(), fmt.Sprintf("an answer that is not a Fault, with HTTP status %d", tt.status))
		})
	}
}

func is404(status int) bool { return status == http.StatusNotFound }

func TestNilResponseSkipsBody(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, 200, ct11, env11("", `<Anything xmlns="urn:y"><deep><er/></deep></Anything>`))
	require.NoError(t, m.client(t).Call(context.Background(), action, nil, nil))
}

func TestMissingContentTypeToleratedForEnvelope(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, 200, "", env11("", echoBody))
	var out echoResp
	require.NoError(t, m.client(t).Call(context.Background(), action, &echoReq{}, &out))
	assert.Equal(t, "pong", out.Text)
}

func TestEncodingDeclarations(t *testing.T) {
	for _, enc := range []string{"utf-8", "UTF-8", "Utf-8", "us-ascii", "US-ASCII"} {
		t.Run(enc, func(t *testing.T) {
			m := newMock(t)
			doc := strings.Replace(env11("", echoBody), `encoding="utf-8"`, `encoding="`+enc+`"`, 1)
			m.answer(testURL, 200, ct11, doc)
			var out echoResp
			require.NoError(t, m.client(t).Call(context.Background(), action, &echoReq{}, &out))
			assert.Equal(t, "pong", out.Text)
		})
	}
}

func TestUnusableAnswers(t *testing.T) {
	deep := strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		`<soap:Envelope xmlns:soap="` + ns11 + `"><soap:Body><EchoResponse xmlns="urn:test"><Text>&lol3;</Text></EchoResponse></soap:Body></soap:Envelope>`
	tests := []struct {
		name    string
		version soapx.Version
		status  int
		ct      string
		body    string
		hdr     []string
		check   func(t *testing.T, err error)
	}{
		{name: "html 502", status: 502, ct: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
			check: httpErr(502, soapx.ErrUnavailable, "Bad Gateway")},
		{name: "503 retry-after", status: 503, ct: "text/plain", body: "busy", hdr: []string{"Retry-After", "7"},
			check: func(t *testing.T, err error) {
				httpErr(503, soapx.ErrUnavailable, "busy")(t, err)
				var he *soapx.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, 7*time.Second, he.RetryAfter)
			}},
		{name: "504 empty", status: 504, ct: "", body: "", check: httpErr(504, soapx.ErrUnavailable, "")},
		{name: "429", status: 429, ct: "text/plain", body: "slow down", check: httpErr(429, soapx.ErrRateLimited, "slow down")},
		{name: "401 html", status: 401, ct: "text/html", body: "<h1>401</h1>", check: httpErr(401, soapx.ErrAuthentication, "401")},
		{name: "404 html", status: 404, ct: "text/html; charset=utf-8", body: "<html>not here</html>", check: httpErr(404, soapx.ErrProtocol, "not here")},
		{name: "500 empty xml", status: 500, ct: ct11, body: "", check: httpErr(500, soapx.ErrProtocol, "")},
		{name: "500 truncated envelope", status: 500, ct: ct11, body: env11("", echoBody)[:120], check: httpErr(500, soapx.ErrProtocol, "Envelope")},
		{name: "empty 200", status: 200, ct: ct11, body: "", check: protoErr("empty body")},
		{name: "whitespace 200", status: 200, ct: ct11, body: "  \n", check: protoErr("empty body")},
		{name: "text/html 200", status: 200, ct: "text/html", body: "<html>login</html>", check: protoErr("unexpected Content-Type text/html")},
		{name: "json 200", status: 200, ct: "application/json", body: `{"ok":true}`, check: protoErr("unexpected Content-Type application/json")},
		{name: "truncated 200", status: 200, ct: ct11, body: env11("", echoBody)[:150], check: protoErr("malformed XML")},
		{name: "truncated after response element", status: 200, ct: ct11,
			body: strings.TrimSuffix(env11("", echoBody), "</soap:Body></soap:Envelope>"), check: protoErr("malformed XML")},
		{name: "invalid utf-8", status: 200, ct: ct11, body: env11("", "<EchoResponse xmlns=\"urn:test\"><Text>\xff\xfe</Text></EchoResponse>"),
			check: protoErr("invalid UTF-8")},
		{name: "non-envelope root", status: 200, ct: ct11, body: `<?xml version="1.0"?><html><body/></html>`, check: protoErr("root element <html> is not a SOAP envelope")},
		{name: "envelope in other namespace", status: 200, ct: ct11, body: `<e:Envelope xmlns:e="urn:nope"><e:Body/></e:Envelope>`, check: protoErr("not a SOAP envelope")},
		{name: "no content-type, not xml", status: 200, ct: "", body: "hello", check: protoErr("no Content-Type")},
		{name: "envelope without body", status: 200, ct: ct11, body: `<soap:Envelope xmlns:soap="` + ns11 + `"></soap:Envelope>`, check: protoErr("no Body")},
		{name: "latin-1 declaration", status: 200, ct: ct11, body: strings.Replace(env11("", echoBody), "utf-8", "ISO-8859-1", 1), check: protoErr("ISO-8859-1")},
		{name: "billion laughs", status: 200, ct: ct11, body: laughs, check: protoErr("document type declaration")},
		{name: "deep nesting in header", status: 200, ct: ct11, body: env11("<h:x xmlns:h=\"urn:h\">"+deep+"</h:x>", echoBody), check: protoErr("nesting exceeds 256")},
		{name: "deep nesting in body", status: 200, ct: ct11, body: env11("", "<EchoResponse xmlns=\"urn:test\">"+deep+"</EchoResponse>"), check: protoErr("nesting exceeds 256")},
		{name: "deep nesting in fault detail", status: 500, ct: ct11, body: env11("", "<soap:Fault><faultcode>soap:Server</faultcode><detail>"+deep+"</detail></soap:Fault>"), check: protoErr("nesting exceeds 256")},
		{name: "1.2 envelope answering 1.1", status: 200, ct: ct12, body: env12("", echoBody), check: protoErr("SOAP version mismatch: sent SOAP 1.1, answered in SOAP 1.2")},
		{name: "1.1 envelope answering 1.2", version: soapx.SOAP12, status: 200, ct: ct11, body: env11("", echoBody), check: protoErr("SOAP version mismatch: sent SOAP 1.2, answered in SOAP 1.1")},
		{name: "version mismatch fault", status: 500, ct: ct12, body: env12("", `<env:Fault><env:Code><env:Value>env:VersionMismatch</env:Value></env:Code><env:Reason><env:Text>Wrong Version</env:Text></env:Reason></env:Fault>`),
			check: func(t *testing.T, err error) {
				protoErr("SOAP version mismatch")(t, err)
				var f *soapx.Fault
				require.ErrorAs(t, err, &f, "the server's VersionMismatch fault is kept")
				assert.Equal(t, "VersionMismatch", f.Code)
				assert.Equal(t, 500, f.HTTPStatus)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMock(t)
			m.answer(testURL, tt.status, tt.ct, tt.body, tt.hdr...)
			v := tt.version
			if v == 0 {
				v = soapx.SOAP11
			}
			ctx, resp := soapx.CaptureResponse(context.Background())
			var out echoResp
			start := time.Now()
			err := m.client(t, soapx.WithVersion(v)).Call(ctx, action, &echoReq{}, &out)
			require.Error(t, err)
			assert.Less(t, time.Since(start), 2*time.Second, "hostile input fails fast")
			assert.Equal(t, tt.status, resp.StatusCode, "status captured on failure")
			var f *soapx.Fault
			if !strings.Contains(tt.name, "version mismatch fault") {
				assert.False(t, errors.As(err, &f), "not a fault: %v", err)
			}
			tt.check(t, err)
		})
	}
}

func httpErr(status int, category error, excerpt string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var he *soapx.HTTPError
		require.ErrorAs(t, err, &he, "%v", err)
		assert.Equal(t, status, he.StatusCode)
		assert.ErrorIs(t, err, category)
		assert.LessOrEqual(t, len(he.Excerpt), 512)
		assert.Contains(t, he.Excerpt, excerpt)
		if category != soapx.ErrUnavailable {
			assert.NotErrorIs(t, err, soapx.ErrUnavailable)
		}
		var pe *soapx.ProtocolError
		assert.False(t, errors.As(err, &pe), "HTTPError, not ProtocolError")
	}
}

func protoErr(reason string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var pe *soapx.ProtocolError
		require.ErrorAs(t, err, &pe, "%v", err)
		assert.ErrorIs(t, err, soapx.ErrProtocol)
		assert.NotErrorIs(t, err, soapx.ErrUnavailable)
		assert.Contains(t, err.Error(), reason)
		assert.LessOrEqual(t, len(pe.Excerpt), 512)
	}
}

func TestBodyLimit(t *testing.T) {
	m := newMock(t)
	big := env11("", `<EchoResponse xmlns="urn:test"><Text>`+strings.Repeat("x", 8<<10)+`</Text></EchoResponse>`)
	m.answer(testURL, 200, ct11, big)

	err := m.client(t, soapx.WithBodyLimit(1024)).Call(context.Background(), action, &echoReq{}, &echoResp{})
	require.Error(t, err)
	assert.ErrorIs(t, err, soapx.ErrBodyTooLarge)
	assert.ErrorIs(t, err, soapx.ErrProtocol)
	assert.Contains(t, err.Error(), "1024")

	var out echoResp
	require.NoError(t, m.client(t, soapx.WithBodyLimit(int64(len(big)))).Call(context.Background(), action, &echoReq{}, &out))
	assert.Len(t, out.Text, 8<<10)

	// The cap holds on error statuses too.
	m.answer(testURL, 503, "text/html", strings.Repeat("<p>x</p>", 1000))
	err = m.client(t, soapx.WithBodyLimit(1024)).Call(context.Background(), action, &echoReq{}, &echoResp{})
	assert.ErrorIs(t, err, soapx.ErrUnavailable, "a non-XML 503 is read only for its excerpt")
}

// streamRows is the shape of the provisioning DataSet decoder: it wants the live decoder.
type streamRows struct {
	rows       int
	readAtStar int64
	counter    *countingReader
}

func (s *streamRows) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	s.readAtStar = s.counter.n
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "row" {
				s.rows++
			}
		case xml.EndElement:
			if t.Name == start.Name {
				return nil
			}
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
func (c *countingReader) Close() error { return nil }

func TestResponseIsStreamed(t *testing.T) {
	const rows = 50000
	doc := env11("", `<Rows xmlns="urn:test">`+strings.Repeat("<row><a>1</a><b>two</b></row>", rows)+`</Rows>`)
	counter := &countingReader{r: strings.NewReader(doc)}
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	httpmock.RegisterResponder(http.MethodPost, testURL, func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {ct11}}, Body: counter}, nil
	})
	c, err := soapx.NewClient(testURL, soapx.WithHTTPClient(hc))
	require.NoError(t, err)
	out := &streamRows{counter: counter}
	require.NoError(t, c.Call(context.Background(), action, nil, out))
	assert.Equal(t, rows, out.rows)
	assert.Less(t, out.readAtStar, int64(64<<10), "decoding starts before the body is read (body is %d bytes)", len(doc))
	assert.Equal(t, int64(len(doc)), counter.n)
}

func TestMarshalErrorIsReported(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, 200, ct11, env11("", echoBody))
	err := m.client(t).Call(context.Background(), action, map[string]string{"a": "b"}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "marshal request")
	// The client keeps working (the broken encoder was not pooled).
	var out echoResp
	require.NoError(t, m.client(t).Call(context.Background(), action, &echoReq{Text: "again"}, &out))
	assert.Contains(t, m.last(t).Body, "<Text xmlns=\"urn:test\">again</Text>")
}

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		opts     []soapx.Option
	}{
		{"empty", "", nil},
		{"relative", "/svc.asmx", nil},
		{"ftp", "ftp://host/x", nil},
		{"no host", "http:///x", nil},
		{"bad escape with password", "http://user:s3cret@host/%zz", nil},
		{"bad version", testURL, []soapx.Option{soapx.WithVersion(3)}},
		{"negative timeout", testURL, []soapx.Option{soapx.WithTimeout(-1)}},
		{"zero body limit", testURL, []soapx.Option{soapx.WithBodyLimit(0)}},
		{"root CAs with http client", testURL, []soapx.Option{soapx.WithRootCAs(nil), soapx.WithHTTPClient(&http.Client{})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "root CAs with http client" {
				tt.opts[0] = soapx.WithRootCAs(newPool(t))
			}
			c, err := soapx.NewClient(tt.endpoint, tt.opts...)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, soapx.ErrInvalidInput)
			var ie *soapx.InputError
			require.ErrorAs(t, err, &ie)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
	c, err := soapx.NewClient("HTTPS://host.example/svc.svc", soapx.WithRootCAs(newPool(t)))
	require.NoError(t, err)
	assert.Equal(t, "https://host.example/svc.svc", c.Endpoint())
}

func TestWithEndpoint(t *testing.T) {
	m := newMock(t)
	m.answer("https://secure2.example/svc.svc", 200, ct11, env11("", echoBody))
	c := m.client(t)
	c2, err := c.WithEndpoint("https://secure2.example/svc.svc")
	require.NoError(t, err)
	assert.Equal(t, testURL, c.Endpoint())
	assert.Equal(t, "https://secure2.example/svc.svc", c2.Endpoint())
	var out echoResp
	require.NoError(t, c2.Call(context.Background(), action, &echoReq{}, &out), "shares the mocked transport")
	assert.Equal(t, "https://secure2.example/svc.svc", m.last(t).URL)
	_, err = c.WithEndpoint("mailto:x@y")
	assert.ErrorIs(t, err, soapx.ErrInvalidInput)
}

func TestInputError(t *testing.T) {
	err := error(&soapx.InputError{Field: "userId", Reason: "must not be empty"})
	assert.Equal(t, "invalid input: userId: must not be empty", err.Error())
	assert.ErrorIs(t, err, soapx.ErrInvalidInput)
	assert.ErrorIs(t, soapx.ErrBodyTooLarge, soapx.ErrProtocol)
}

func TestOneWayAcknowledged(t *testing.T) {
	m := newMock(t)
	m.answer(testURL, 202, "", "")
	require.NoError(t, m.client(t).Call(context.Background(), action, &echoReq{}, nil))
	err := m.client(t).Call(context.Background(), action, &echoReq{}, &echoResp{})
	assert.ErrorIs(t, err, soapx.ErrProtocol, "an empty answer cannot fill a response")
}

func TestActionWithControlCharacters(t *testing.T) {
	m := newMock(t)
	err := m.client(t).Call(context.Background(), "urn:x\r\nX-Evil: 1", &echoReq{}, nil)
	assert.ErrorIs(t, err, soapx.ErrInvalidInput)
}
