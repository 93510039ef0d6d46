package soapsrv_test

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
)

const (
	ns11 = "http://schemas.xmlsoap.org/soap/envelope/"
	ns12 = "http://www.w3.org/2003/05/soap-envelope"
)

type deleteUser struct {
	XMLName xml.Name `xml:"urn:svc DeleteUser"`
	UserID  string   `xml:"urn:types userId"`
}

type deleteUserResponse struct {
	XMLName xml.Name `xml:"urn:svc DeleteUserResponse"`
	OK      bool     `xml:"urn:svc ok"`
}

func post(ct, soapAction, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/svc", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if soapAction != "" {
		r.Header.Set("SOAPAction", soapAction)
	}
	return r
}

// A request as Axis or WCF writes it: prefixes declared on the Envelope, used deep inside.
const req12 = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenv="` + ns12 + `" xmlns:svc="urn:svc" xmlns:t="urn:types">` +
	`<soapenv:Header><tx:authToken xmlns:tx="urn:tx">tok-1</tx:authToken></soapenv:Header>` +
	`<soapenv:Body><svc:DeleteUser><t:userId>u-1</t:userId></svc:DeleteUser><svc:Ignored/></soapenv:Body></soapenv:Envelope>`

func TestReadRequest(t *testing.T) {
	t.Run("soap 1.2 with action parameter", func(t *testing.T) {
		r := post(`application/soap+xml;charset=UTF-8;action="urn:UDS.DeleteUser"`, "", req12)
		req, err := soapsrv.ReadRequest(r, 0)
		require.NoError(t, err)
		assert.Equal(t, soapx.SOAP12, req.Version)
		assert.Equal(t, "urn:UDS.DeleteUser", req.Action)
		assert.Equal(t, xml.Name{Space: "urn:svc", Local: "DeleteUser"}, req.BodyName)
		assert.Same(t, r, req.HTTP)
		var in deleteUser
		require.NoError(t, req.Decode(&in), string(req.Body))
		assert.Equal(t, "u-1", in.UserID)
		h, ok := req.Header("urn:tx", "authToken")
		require.True(t, ok)
		assert.Equal(t, "tok-1", h.Text)
	})
	t.Run("soap 1.1 with quoted SOAPAction", func(t *testing.T) {
		body := strings.ReplaceAll(req12, ns12, ns11)
		req, err := soapsrv.ReadRequest(post("text/xml; charset=utf-8", `"urn:svc/DeleteUser"`, body), 1<<20)
		require.NoError(t, err)
		assert.Equal(t, soapx.SOAP11, req.Version)
		assert.Equal(t, "urn:svc/DeleteUser", req.Action)
		var in deleteUser
		require.NoError(t, req.Decode(&in))
		assert.Equal(t, "u-1", in.UserID)
	})
	t.Run("empty body", func(t *testing.T) {
		req, err := soapsrv.ReadRequest(post("text/xml", `""`, `<s:Envelope xmlns:s="`+ns11+`"><s:Body/></s:Envelope>`), 0)
		require.NoError(t, err)
		assert.Nil(t, req.Body)
		assert.Error(t, req.Decode(&deleteUser{}))
	})

	deep := strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)
	errCases := []struct {
		name    string
		method  string
		ct      string
		body    string
		limit   int64
		kind    error
		version soapx.Version
	}{
		{"GET", http.MethodGet, "text/xml", "", 0, soapsrv.ErrMethodNotAllowed, 0},
		{"json", "", "application/json", "{}", 0, soapsrv.ErrUnsupportedMediaType, 0},
		{"no content type", "", "", req12, 0, soapsrv.ErrUnsupportedMediaType, 0},
		{"1.1 envelope sent as 1.2", "", "application/soap+xml", strings.ReplaceAll(req12, ns12, ns11), 0, soapsrv.ErrVersionMismatch, soapx.SOAP11},
		{"1.2 envelope sent as 1.1", "", "text/xml", req12, 0, soapsrv.ErrVersionMismatch, soapx.SOAP12},
		{"unknown envelope namespace", "", "text/xml", strings.ReplaceAll(req12, ns12, "urn:soap3"), 0, soapsrv.ErrVersionMismatch, 0},
		{"too large", "", "application/soap+xml", req12, 100, soapsrv.ErrTooLarge, soapx.SOAP12},
		{"not xml", "", "text/xml", "hello", 0, soapsrv.ErrMalformed, soapx.SOAP11},
		{"not an envelope", "", "text/xml", "<x/>", 0, soapsrv.ErrMalformed, soapx.SOAP11},
		{"no body", "", "text/xml", `<s:Envelope xmlns:s="` + ns11 + `"></s:Envelope>`, 0, soapsrv.ErrMalformed, soapx.SOAP11},
		{"truncated", "", "application/soap+xml", req12[:200], 0, soapsrv.ErrMalformed, soapx.SOAP12},
		{"too deep", "", "text/xml", `<s:Envelope xmlns:s="` + ns11 + `"><s:Body>` + deep + `</s:Body></s:Envelope>`, 0, soapsrv.ErrMalformed, soapx.SOAP11},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			r := post(tt.ct, "", tt.body)
			if tt.method != "" {
				r.Method = tt.method
			}
			_, err := soapsrv.ReadRequest(r, tt.limit)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			var re *soapsrv.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.version, re.Version)
		})
	}
}

func TestWriteResponse(t *testing.T) {
	for _, tt := range []struct {
		v    soapx.Version
		ct   string
		want string
	}{
		{soapx.SOAP11, "text/xml; charset=utf-8", `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="` + ns11 + `">` +
			`<soap:Header><h xmlns="urn:h">1</h></soap:Header><soap:Body><DeleteUserResponse xmlns="urn:svc"><ok xmlns="urn:svc">true</ok></DeleteUserResponse></soap:Body></soap:Envelope>`},
		{soapx.SOAP12, "application/soap+xml; charset=utf-8", `<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="` + ns12 + `">` +
			`<soap12:Header><h xmlns="urn:h">1</h></soap12:Header><soap12:Body><DeleteUserResponse xmlns="urn:svc"><ok xmlns="urn:svc">true</ok></DeleteUserResponse></soap12:Body></soap12:Envelope>`},
	} {
		t.Run(tt.v.String(), func(t *testing.T) {
			w := httptest.NewRecorder()
			hdr := []any{[]byte(`<h xmlns="urn:h">1</h>`)}
			require.NoError(t, soapsrv.WriteResponse(w, tt.v, 0, hdr, &deleteUserResponse{OK: true}))
			assert.Equal(t, 200, w.Code)
			assert.Equal(t, tt.ct, w.Header().Get("Content-Type"))
			assert.Equal(t, tt.want, w.Body.String())
		})
	}
	t.Run("marshal error writes nothing", func(t *testing.T) {
		w := httptest.NewRecorder()
		assert.Error(t, soapsrv.WriteResponse(w, soapx.SOAP11, 0, nil, map[string]int{}))
		assert.Empty(t, w.Body.String())
		assert.False(t, w.Flushed)
		assert.Empty(t, w.Header().Get("Content-Type"))
	})
	t.Run("bad version", func(t *testing.T) {
		assert.Error(t, soapsrv.WriteResponse(httptest.NewRecorder(), 0, 0, nil, nil))
	})
}

type regError struct {
	XMLName xml.Name `xml:"urn:msgs userRegistryError"`
	Number  string   `xml:"urn:types errorNumber"`
}

func TestWriteFault(t *testing.T) {
	tests := []struct {
		name   string
		v      soapx.Version
		status int
		spec   soapsrv.FaultSpec
		want   string
		code   int
	}{
		{"asmx 1.1", soapx.SOAP11, 0, soapsrv.FaultSpec{Code: "soap:Server", Reason: "Server was unable to process request. ---> x < y"},
			`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; x &lt; y</faultstring><detail /></soap:Fault>`, 500},
		{"1.2 name on 1.1", soapx.SOAP11, 200, soapsrv.FaultSpec{Code: "Sender", Reason: "r", Actor: "urn:a", Detail: &regError{Number: "1"}},
			`<soap:Fault><faultcode>soap:Client</faultcode><faultstring>r</faultstring><faultactor>urn:a</faultactor><detail><userRegistryError xmlns="urn:msgs"><errorNumber xmlns="urn:types">1</errorNumber></userRegistryError></detail></soap:Fault>`, 200},
		{"1.2 with subcodes", soapx.SOAP12, 400, soapsrv.FaultSpec{Code: "Client", Subcodes: []string{"{urn:sub}Timeout", "Plain"}, Reason: "r", Detail: &regError{Number: "2"}},
			`<soap12:Fault><soap12:Code><soap12:Value>soap12:Sender</soap12:Value><soap12:Subcode><soap12:Value xmlns:sc1="urn:sub">sc1:Timeout</soap12:Value><soap12:Subcode><soap12:Value>Plain</soap12:Value></soap12:Subcode></soap12:Subcode></soap12:Code>` +
				`<soap12:Reason><soap12:Text xml:lang="en">r</soap12:Text></soap12:Reason><soap12:Detail><userRegistryError xmlns="urn:msgs"><errorNumber xmlns="urn:types">2</errorNumber></userRegistryError></soap12:Detail></soap12:Fault>`, 400},
		{"1.2 default code", soapx.SOAP12, 0, soapsrv.FaultSpec{Reason: "r", Actor: "urn:role"},
			`<soap12:Fault><soap12:Code><soap12:Value>soap12:Receiver</soap12:Value></soap12:Code><soap12:Reason><soap12:Text xml:lang="en">r</soap12:Text></soap12:Reason><soap12:Role>urn:role</soap12:Role></soap12:Fault>`, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			require.NoError(t, soapsrv.WriteFault(w, tt.v, tt.status, tt.spec))
			assert.Equal(t, tt.code, w.Code)
			assert.Contains(t, w.Body.String(), tt.want)
		})
	}
}

// The client decodes every fault soapsrv writes, status and all.
func TestFaultRoundTrip(t *testing.T) {
	for _, v := range []soapx.Version{soapx.SOAP11, soapx.SOAP12} {
		t.Run(v.String(), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = soapsrv.WriteFault(w, v, 0, soapsrv.FaultSpec{Code: "Sender", Subcodes: []string{"{urn:sub}Timeout"}, Reason: "gone", Detail: &regError{Number: "31201"}})
			}))
			defer srv.Close()
			c, err := soapx.NewClient(srv.URL, soapx.WithVersion(v))
			require.NoError(t, err)
			err = c.Call(context.Background(), "urn:x", nil, nil)
			var f *soapx.Fault
			require.ErrorAs(t, err, &f)
			assert.Equal(t, "gone", f.Reason)
			assert.Equal(t, 500, f.HTTPStatus)
			var d regError
			require.NoError(t, f.DecodeDetail(&d))
			assert.Equal(t, "31201", d.Number)
			if v == soapx.SOAP12 {
				assert.Equal(t, "Sender", f.Code)
				assert.Equal(t, []string{"Timeout"}, f.Subcodes)
			} else {
				assert.Equal(t, "Client", f.Code)
			}
		})
	}
}

func TestWriteRequestError(t *testing.T) {
	cases := []struct {
		name   string
		r      *http.Request
		status int
		ct     string
		body   string
	}{
		{"version mismatch", post("text/xml", "", req12), 500, "application/soap+xml; charset=utf-8", "soap12:VersionMismatch"},
		{"media type", post("application/json", "", "{}"), 415, "text/plain; charset=utf-8", "unsupported media type"},
		{"malformed 1.2", post("application/soap+xml", "", "<x/>"), 400, "application/soap+xml; charset=utf-8", "soap12:Sender"},
		{"malformed 1.1", post("text/xml", "", "<x/>"), 500, "text/xml; charset=utf-8", "soap:Client"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := soapsrv.ReadRequest(tt.r, 0)
			require.Error(t, err)
			w := httptest.NewRecorder()
			soapsrv.WriteRequestError(w, err)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.ct, w.Header().Get("Content-Type"))
			assert.Contains(t, w.Body.String(), tt.body)
		})
	}
	w := httptest.NewRecorder()
	soapsrv.WriteRequestError(w, errors.New("other"))
	assert.Equal(t, 500, w.Code)
}

func TestWriteVersionMismatch(t *testing.T) {
	w := httptest.NewRecorder()
	soapsrv.WriteVersionMismatch(w)
	assert.Equal(t, 500, w.Code)
	assert.Equal(t, "application/soap+xml; charset=utf-8", w.Header().Get("Content-Type"))
	var env struct {
		Header struct {
			Upgrade struct {
				Supported struct {
					QName string `xml:"qname,attr"`
				} `xml:"http://www.w3.org/2003/05/soap-envelope SupportedEnvelope"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Upgrade"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
		Code string `xml:"http://www.w3.org/2003/05/soap-envelope Body>Fault>Code>Value"`
	}
	require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &env))
	assert.Equal(t, "soap12:VersionMismatch", env.Code)
	assert.Equal(t, "ns1:Envelope", env.Header.Upgrade.Supported.QName)
}

func TestParseElement(t *testing.T) {
	e, err := soapsrv.ParseElement([]byte(`<a:Op xmlns:a="urn:a" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:X i:nil="true"/><a:Y>1<a:Z>2</a:Z>3</a:Y></a:Op>`))
	require.NoError(t, err)
	assert.Equal(t, xml.Name{Space: "urn:a", Local: "Op"}, e.Name)
	assert.Empty(t, e.Attrs, "namespace declarations are left out")
	require.Len(t, e.Children, 2)
	assert.Equal(t, []xml.Attr{{Name: xml.Name{Space: "http://www.w3.org/2001/XMLSchema-instance", Local: "nil"}, Value: "true"}}, e.Children[0].Attrs)
	assert.Equal(t, "13", e.Children[1].Text, "the text directly inside")
	assert.Equal(t, "2", e.Children[1].Children[0].Text)

	for _, bad := range []string{``, `<a/><b/>`, `<a>`} {
		_, err := soapsrv.ParseElement([]byte(bad))
		assert.Error(t, err, bad)
	}
}
