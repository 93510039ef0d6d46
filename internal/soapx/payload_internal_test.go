package soapx

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encoderBuffer reads the bytes of the xml.Encoder's bufio.Writer (unexported, through
// reflection: the test is about what stays in memory).
func encoderBuffer(t *testing.T, enc *xml.Encoder) []byte {
	t.Helper()
	w := reflect.ValueOf(enc).Elem().FieldByName("p").FieldByName("w")
	require.True(t, w.IsValid(), "xml.Encoder layout changed")
	buf := w.Elem().FieldByName("buf")
	require.True(t, buf.IsValid(), "bufio.Writer layout changed")
	return buf.Bytes()
}

type secretRequest struct {
	XMLName  xml.Name `xml:"urn:t Login"`
	Password string   `xml:"password"`
}

// README: the pooled buffers are zeroed when a call is done with them, the encoder's own
// buffer included.
func TestReleaseZeroesEncoderBuffer(t *testing.T) {
	const secret = "Sup3r-Secret-Pa55"
	p := &payload{}
	p.enc = xml.NewEncoder(&p.buf)
	require.NoError(t, writeEnvelope(p, SOAP11, []any{&secretRequest{Password: secret}}, &secretRequest{Password: secret}))
	require.Contains(t, p.buf.String(), secret)
	require.True(t, bytes.Contains(encoderBuffer(t, p.enc), []byte(secret)), "the encoder holds the request after Flush")
	buf := p.buf.Bytes()
	p.release()
	assert.False(t, bytes.Contains(encoderBuffer(t, p.enc), []byte(secret)), "encoder buffer still holds the secret")
	assert.False(t, bytes.Contains(buf[:cap(buf)], []byte(secret)), "request buffer still holds the secret")
	assert.Zero(t, p.buf.Len())

	// A request longer than the encoder's buffer wraps around it: the secret may sit
	// anywhere in it, and the whole buffer is overwritten.
	for _, pad := range []int{100, 3000, 4090, 5000, 9000} {
		p := getPayload()
		long := &secretRequest{Password: strings.Repeat("p", pad) + secret}
		require.NoError(t, writeEnvelope(p, SOAP11, nil, long))
		require.True(t, bytes.Contains(encoderBuffer(t, p.enc), []byte(secret)) || pad > 4000,
			"pad %d: the encoder holds the secret after Flush", pad)
		p.release()
		assert.False(t, bytes.Contains(encoderBuffer(t, p.enc), []byte(secret)), "pad %d: encoder buffer still holds the secret", pad)
	}

	// The encoder still works after the scrub.
	p = getPayload()
	require.NoError(t, writeEnvelope(p, SOAP11, nil, &secretRequest{Password: "x"}))
	assert.Contains(t, p.buf.String(), "<Login xmlns=\"urn:t\"><password>x</password></Login>")
	p.release()
}
