package soapx

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Text redaction of escaped XML, as it appears in fault reasons, HTML error pages and (escaped
// once more) in logged wire bodies.
func TestRedactEscapedXML(t *testing.T) {
	r := newRedactor([]string{"apiKey"})
	tests := []struct{ in, want string }{
		// An escaped end tag is not followed by a value: the rest of the text stays.
		{`&lt;password&gt;s&lt;/password&gt; the tail stays`, `&lt;password&gt;[REDACTED]&lt;/password&gt; the tail stays`},
		{`failed for &lt;/password&gt; the tail stays`, `failed for &lt;/password&gt; the tail stays`},
		{`&lt;/m:Password&gt; the tail stays`, `&lt;/m:Password&gt; the tail stays`},
		// Prefixes and attributes on the escaped start tag.
		{`&lt;m:Password xmlns:m=&quot;urn:x&quot;&gt;s&lt;/m:Password&gt; tail`, `&lt;m:Password xmlns:m=&quot;urn:x&quot;&gt;[REDACTED]&lt;/m:Password&gt; tail`},
		{`&lt;sWSPassword a=&quot;1&quot;&gt;s&amp;t&lt;/sWSPassword&gt;`, `&lt;sWSPassword a=&quot;1&quot;&gt;[REDACTED]&lt;/sWSPassword&gt;`},
		// Escaped twice: a reason holding escaped XML, as written in the envelope.
		{`&amp;lt;sWSPassword&amp;gt;s&amp;lt;/sWSPassword&amp;gt; tail`, `&amp;lt;sWSPassword&amp;gt;[REDACTED]&amp;lt;/sWSPassword&amp;gt; tail`},
		// A start tag that never ends is not a tag.
		{`&lt;password xmlns="x" and then &lt;b&gt; text`, `&lt;password xmlns="x" and then &lt;b&gt; text`},
		// Unchanged behaviour.
		{`Password&gt; hunter2`, `Password&gt; [REDACTED]`},
		{`the password is wrong`, `the password is wrong`},
		{`&lt;APIKEY&gt;k&lt;/APIKEY&gt;`, `&lt;APIKEY&gt;[REDACTED]&lt;/APIKEY&gt;`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.text(tt.in), tt.in)
	}
}

// all is what fault reasons and error strings go through: raw XML too.
func TestRedactAll(t *testing.T) {
	r := defaultRedactor
	assert.Equal(t, `bad <sWSPassword>[REDACTED]</sWSPassword> rest`, r.all(`bad <sWSPassword>s</sWSPassword> rest`))
	assert.Equal(t, `bad &lt;OTP&gt;[REDACTED]&lt;/OTP&gt; rest`, r.all(`bad &lt;OTP&gt;1&lt;/OTP&gt; rest`))
	assert.Equal(t, `a < b, password=[REDACTED]`, r.all(`a < b, password=x`))
	f := &Fault{Code: "Server", Reason: `<m:SessionTicket xmlns:m="u">abc</m:SessionTicket>`}
	assert.Equal(t, `soap fault soap:Server: <m:SessionTicket xmlns:m="u">[REDACTED]</m:SessionTicket>`, f.Error())
	assert.Equal(t, `x <OTP>[REDACTED]</OTP>`, RedactText(`x <OTP>1</OTP>`))
	assert.Equal(t, `(OTP=&#34;[REDACTED]&#34;) and (otp=&#39;[REDACTED]&#39;)`, RedactText(`(OTP=&#34;1&#34;) and (otp=&#39;2&#39;)`))
	f.Detail = []byte(`<x password="p1">t</x>`)
	f.Actor = "OTP: 77"
	assert.Equal(t, `&soapx.Fault{Version:0, Code:"Server", CodeNS:"", Subcodes:[]string(nil), Reason:"<m:SessionTicket xmlns:m=\"u\">[REDACTED]</m:SessionTicket>", Actor:"OTP: [REDACTED]", Node:"", Detail:"<x password=\"[REDACTED]\">t</x>", HTTPStatus:0}`,
		fmt.Sprintf("%#v", f))
}
