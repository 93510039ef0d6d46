package faultnet_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

// bodyCap is the runtime's default body cap; the hostile answers stay just under it.
const bodyCap = 16 << 20

// amplificationBodies are answers under the body cap made of what costs the decoder most per
// byte: attributes and namespace declarations, in one element or spread over many.
func amplificationBodies() map[string]func() string {
	const head = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	const tail = `</soap:Body></soap:Envelope>`
	room := bodyCap - len(head) - len(tail) - 64
	fill := func(open, unit func(i int) string, close string) func() string {
		return func() string { return build(head, tail, room, open, unit, close) }
	}
	return map[string]func() string{
		"attributes in one element": fill(func(int) string { return "<r" },
			func(i int) string { return fmt.Sprintf(` a%d=""`, i) }, "/>"),
		"namespace declarations in one element": fill(func(int) string { return "<r" },
			func(i int) string { return fmt.Sprintf(` xmlns:p%d="u"`, i) }, "/>"),
		"prefixed attributes in one element": fill(func(int) string { return `<r xmlns:p="u"` },
			func(i int) string { return fmt.Sprintf(` p:a%d=""`, i) }, "/>"),
		"elements of 128 declarations": fill(func(int) string { return "<r>" },
			func(i int) string { return element(128, ` xmlns:p%d="u"`) }, "</r>"),
		"elements of 128 attributes": fill(func(int) string { return "<r>" },
			func(i int) string { return element(128, ` a%d=""`) }, "</r>"),
		"elements of 8 declarations": fill(func(int) string { return "<r>" },
			func(i int) string { return element(8, ` xmlns:p%d="u"`) }, "</r>"),
		"fault detail of attributes": fill(func(int) string {
			return `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring><detail><d`
		}, func(i int) string { return fmt.Sprintf(` a%d=""`, i) }, "/></detail></soap:Fault>"),
	}
}

// element is an empty element with n attributes written from format.
func element(n int, format string) string {
	var b strings.Builder
	b.WriteString("<e")
	for j := range n {
		fmt.Fprintf(&b, format, j)
	}
	b.WriteString("/>")
	return b.String()
}

// build writes head, open, as many units as fit in room, close and tail.
func build(head, tail string, room int, open, unit func(i int) string, close string) string {
	var b strings.Builder
	b.Grow(bodyCap)
	b.WriteString(head)
	b.WriteString(open(0))
	for i := 0; ; i++ {
		u := unit(i)
		if b.Len()+len(u) > room {
			break
		}
		b.WriteString(u)
	}
	b.WriteString(close)
	b.WriteString(tail)
	return b.String()
}

type anyAnswer struct {
	XMLName xml.Name `xml:"r"`
}

type anyRequest struct {
	XMLName xml.Name `xml:"urn:x q"`
}

// peakHeap runs f while sampling the heap, and returns the highest HeapAlloc seen above the
// level before f started.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
				peak.Store(m.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// TestAmplificationBound: for any answer under the body cap, the decoder's peak heap stays
// within 4 times the body size (RELIABILITY.md has the figures).
func TestAmplificationBound(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MiB answers")
	}
	for name, gen := range amplificationBodies() {
		t.Run(name, func(t *testing.T) {
			raw := []byte(gen()) // allocated before the measure starts, the only copy kept
			require.Less(t, len(raw), bodyCap)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				_, _ = w.Write(raw)
			}))
			defer srv.Close()
			c, err := soapx.NewClient(srv.URL)
			require.NoError(t, err)
			var callErr error
			peak := peakHeap(func() {
				callErr = c.Call(context.Background(), "x", &anyRequest{}, &anyAnswer{})
			})
			ratio := float64(peak) / float64(len(raw))
			t.Logf("%s: body %.1f MiB, peak heap %.1f MiB (%.2fx), err %v", name, float64(len(raw))/(1<<20), float64(peak)/(1<<20), ratio, shorten(callErr))
			assert.LessOrEqual(t, ratio, 4.0, "peak heap over 4x the body")
		})
	}
}

func shorten(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
