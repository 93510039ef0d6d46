package soapx_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
)

// benchServer answers every request with the same small envelope, like a cas Status answer.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	resp := []byte(env11("", echoBody))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", ct11)
		_, _ = w.Write(resp)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkCall(b *testing.B) {
	srv := benchServer(b)
	c, err := soapx.NewClient(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	req := &echoReq{Text: "ping"}
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out echoResp
			if err := c.Call(context.Background(), action, req, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				var out echoResp
				if err := c.Call(context.Background(), action, req, &out); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkBaseline is the minimal hand-written client the runtime is measured against:
// one keep-alive http.Client, xml.Marshal of the envelope, xml.Decoder on the body.
func BenchmarkBaseline(b *testing.B) {
	srv := benchServer(b)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	hc := &http.Client{Transport: tr}
	type envelope struct {
		XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		Body    struct {
			Req  *echoReq  `xml:",omitempty"`
			Resp *echoResp `xml:",omitempty"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	call := func() error {
		var e envelope
		e.Body.Req = &echoReq{Text: "ping"}
		body, err := xml.Marshal(&e)
		if err != nil {
			return err
		}
		r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		r.Header.Set("Content-Type", ct11)
		r.Header.Set("SOAPAction", `"`+action+`"`)
		resp, err := hc.Do(r)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out envelope
		out.Body.Resp = new(echoResp)
		if err := xml.NewDecoder(resp.Body).Decode(&out); err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := call(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
