package soapx

import (
	"bytes"
	"encoding/xml"
	"sync"
)

// payload is a pooled request buffer: the buffer and an xml.Encoder bound to it, so a call
// neither grows a fresh buffer nor allocates the encoder's 4 KiB bufio.Writer. The request
// body handed to net/http is a copy (see attempt), so the buffer never outlives the call
// and goes back to the pool when the call returns.
type payload struct {
	buf    bytes.Buffer
	enc    *xml.Encoder
	broken bool // the encoder failed mid-element; its state cannot be trusted again
}

const maxPooledPayload = 256 << 10

var payloadPool = sync.Pool{New: func() any {
	p := new(payload)
	p.enc = xml.NewEncoder(&p.buf)
	return p
}}

func getPayload() *payload {
	p := payloadPool.Get().(*payload)
	p.buf.Reset()
	return p
}

// release zeroes the request (it held the credentials, OTP or token of the call) and
// returns the buffer to the pool, so no secret lingers in memory waiting for reuse. That
// includes the xml.Encoder's own 4 KiB bufio.Writer, which keeps the last bytes it encoded
// (the password element, say) after Flush: it is overwritten with spaces first.
func (p *payload) release() {
	used := p.buf.Len() // the encoder wrote at most this much of the call into its buffer
	clearBuffer(&p.buf)
	if !p.broken {
		p.scrubEncoder(min(used, encoderBufSize))
		clearBuffer(&p.buf)
	}
	if !p.broken && p.buf.Cap() <= maxPooledPayload {
		payloadPool.Put(p)
	}
}

// clearBuffer zeroes b's whole backing array and empties it.
func clearBuffer(b *bytes.Buffer) {
	s := b.Bytes()
	clear(s[:cap(s)])
	b.Reset()
}

// writeEnvelope frames the header blocks and the request with constant envelope bytes.
func writeEnvelope(p *payload, v Version, headers []any, request any) error {
	f := &frames[v]
	b := &p.buf
	b.WriteString(f.start)
	if len(headers) > 0 {
		b.WriteString(f.headerOpen)
		for _, h := range headers {
			if h == nil {
				continue
			}
			if err := p.enc.Encode(h); err != nil {
				return err
			}
		}
		b.WriteString(f.headerClose)
	}
	b.WriteString(f.bodyOpen)
	if request != nil {
		if err := p.enc.Encode(request); err != nil {
			return err
		}
	}
	b.WriteString(f.end)
	return nil
}

// encoderBufSize is the size of the bufio.Writer xml.NewEncoder wraps its writer in.
const encoderBufSize = 4096

// blank is what the encoder's buffer is overwritten with: a comment, which the encoder writes
// as it is (character data would be escaped byte by byte, a sixth of a small call's time).
var blank = xml.Comment(bytes.Repeat([]byte{' '}, encoderBufSize/8-len("<!---->")))

// scrubEncoder overwrites the first n bytes of the encoder's buffer, those the call used: after
// a Flush its next writes start at the buffer's beginning, and writes smaller than the buffer
// are copied into it. What they produce lands in p.buf, which is cleared next.
func (p *payload) scrubEncoder(n int) {
	for written := 0; written < n; written += len(blank) + len("<!---->") {
		if p.enc.EncodeToken(blank) != nil {
			p.broken = true
			return
		}
	}
	if p.enc.Flush() != nil {
		p.broken = true
	}
}
