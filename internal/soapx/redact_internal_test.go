package soapx

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactXML(t *testing.T) {
	r := newRedactor([]string{"apiKey"})
	tests := []struct{ in, want string }{
		{`<password>s</password>`, `<password>[REDACTED]</password>`},
		{`<m:Password xmlns:m="urn:x" a='1'>s</m:Password>`, `<m:Password xmlns:m="urn:x" a='1'>[REDACTED]</m:Password>`},
		{`<a:sWSPassword>s</a:sWSPassword ><b>keep</b>`, `<a:sWSPassword>[REDACTED]</a:sWSPassword ><b>keep</b>`},
		{`<credential><user>u</user><pass>p</pass></credential>`, `<credential>[REDACTED]</credential>`},
		{`<APIKEY>k</APIKEY>`, `<APIKEY>[REDACTED]</APIKEY>`},
		{`<password/><x>keep</x>`, `<password/><x>keep</x>`},
		{`<passwordHint>keep</passwordHint>`, `<passwordHint>keep</passwordHint>`},
		{`<x password="s" other="keep"/>`, `<x password="[REDACTED]" other="keep"/>`},
		{`<OTP><![CDATA[123456]]></OTP>`, `<OTP>[REDACTED]</OTP>`},
		{`<!-- <password>c</password> --><a/>`, `<!-- <password>[REDACTED]</password> --><a/>`},
		{`<!-- unclosed <OTP>1</OTP>`, `<!-- unclosed <OTP>[REDACTED]</OTP>`},
		{`<x a="1<OTP>2</OTP>"/>`, `<x a="1<OTP>[REDACTED]</OTP>"/>`},
		{`</x <OTP>2</OTP>`, `</x <OTP>[REDACTED]</OTP>`},
		{`<SessionTicket>abc`, `<SessionTicket>[REDACTED]`},
		{`<authToken a="1`, `<authToken a="1`},
		{`<x password="s`, `<x password="[REDACTED]`},
		{`a < b and <validationCode>9</validationCode>`, `a < b and <validationCode>[REDACTED]</validationCode>`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(r.xml([]byte(tt.in))), tt.in)
	}
}

func TestRedactTextAndForm(t *testing.T) {
	r := defaultRedactor
	tests := []struct{ in, want string }{
		{`sWSPassword="s" x`, `sWSPassword="[REDACTED]" x`},
		{`password=s&user=u`, `password=[REDACTED]&user=u`},
		{`{"otp": "123", "a": 1}`, `{"otp": "[REDACTED]", "a": 1}`},
		{`&lt;password&gt;s&lt;/password&gt;`, `&lt;password&gt;[REDACTED]&lt;/password&gt;`},
		{`Password: hunter2 more`, `Password: [REDACTED] more`},
		{`the password is wrong`, `the password is wrong`},
		{`mypassword=keep`, `mypassword=keep`},
		{`value=&quot;x&quot; credential=&quot;s&quot;`, `value=&quot;x&quot; credential=&quot;[REDACTED]&quot;`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.text(tt.in), tt.in)
	}
	assert.Equal(t, "a=1&sWSPassword=[REDACTED]&OTP=[REDACTED]", r.form("a=1&sWSPassword=p%26q&OTP=1"))
	assert.Equal(t, "a=1", r.form("a=1"))

	h := r.header(http.Header{"Cookie": {"a=b"}, "Set-Cookie": {"c=d"}, "Authorization": {"Basic x"}, "Proxy-Authorization": {"y"}, "X-Ok": {"1"}})
	assert.Equal(t, http.Header{"Cookie": {redacted}, "Set-Cookie": {redacted}, "Authorization": {redacted}, "Proxy-Authorization": {redacted}, "X-Ok": {"1"}}, h)
}

func TestExcerptBounded(t *testing.T) {
	r := defaultRedactor
	in := []byte(strings.Repeat("é", 600) + "\xff")
	out := r.excerpt(in, "text/plain", 512, nil)
	assert.LessOrEqual(t, len(out), 512)
	assert.True(t, strings.HasPrefix(out, "é"))
	assert.Equal(t, "", r.excerpt(nil, "", 512, nil))
}

func FuzzRedact(f *testing.F) {
	f.Add([]byte(`<a><password x="1">s</password><b c="password"/></a>`))
	f.Add([]byte(`password="x" &lt;OTP&gt;1&lt;/OTP&gt; {"otp":"1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := defaultRedactor
		_ = r.xml(b)
		_ = r.text(string(b))
		_ = r.form(string(b))
		if out := r.excerpt(b, "application/x-www-form-urlencoded", 512, nil); len(out) > 512+len("\uFFFD")*512 {
			t.Fatalf("excerpt too long: %d", len(out))
		}
		// A complete secret element never survives, whatever surrounds it.
		doc := append(append(append([]byte{}, b...), "<OTP>topsecret</OTP>"...), b...)
		if strings.Contains(string(r.xml(doc)), "topsecret") && !strings.Contains(string(b), "topsecret") {
			t.Fatalf("secret leaked from %q", doc)
		}
	})
}

func TestPayloadReleaseZeroesTheRequest(t *testing.T) {
	p := getPayload()
	p.buf.WriteString("<Password>hunter2</Password>")
	backing := p.buf.Bytes()[:p.buf.Len()]
	p.release()
	assert.Equal(t, make([]byte, len(backing)), backing, "the request bytes are zeroed before the buffer is pooled")
}
