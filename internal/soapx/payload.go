package soapx

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// payload is a pooled request body: the buffer and an xml.Encoder bound to it, so a call
// neither grows a fresh buffer nor allocates the encoder's 4 KiB bufio.Writer.
//
// net/http may read and close a request body after Do has returned (it says so), and a
// retry or a redirect reads it again, so the buffer goes back to the pool only when the
// call and every body reader handed to the transport have let go of it.
type payload struct {
	buf    bytes.Buffer
	enc    *xml.Encoder
	refs   atomic.Int32
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
	p.refs.Store(1)
	return p
}

func (p *payload) release() {
	if p.refs.Add(-1) == 0 && !p.broken && p.buf.Cap() <= maxPooledPayload {
		payloadPool.Put(p)
	}
}

// body returns a new reader over the bytes, or false when the payload was released.
func (p *payload) body() (io.ReadCloser, bool) {
	for {
		n := p.refs.Load()
		if n <= 0 {
			return nil, false
		}
		if p.refs.CompareAndSwap(n, n+1) {
			return &payloadBody{p: p}, true
		}
	}
}

type payloadBody struct {
	mu  sync.Mutex
	p   *payload
	off int
}

func (b *payloadBody) Read(dst []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.p == nil {
		return 0, http.ErrBodyReadAfterClose
	}
	data := b.p.buf.Bytes()
	if b.off >= len(data) {
		return 0, io.EOF
	}
	n := copy(dst, data[b.off:])
	b.off += n
	return n, nil
}

func (b *payloadBody) Close() error {
	b.mu.Lock()
	p := b.p
	b.p = nil
	b.mu.Unlock()
	if p != nil {
		p.release()
	}
	return nil
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
