package xmltok

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"testing"
)

// BenchmarkTokens tokenizes recorded answers four ways: raw tokens (Reader.Token against
// encoding/xml's RawToken), and through an xml.Decoder's Token, which resolves namespaces
// (xml.NewTokenDecoder over a Reader against xml.NewDecoder), as soapx decodes answers.
// The Reader is reused across iterations, as soapx's pool reuses it.
//
//	go test -run '^$' -bench Tokens -benchmem ./internal/xmltok/
func BenchmarkTokens(b *testing.B) {
	for _, doc := range []struct{ name, path string }{
		{"projector-PwsDeleteUser", "../../projector/testdata/PwsDeleteUser-response.xml"},
		{"provisioning-tasks", "../../provisioning/testdata/tasks-result.xml"},
	} {
		data, err := os.ReadFile(doc.path)
		if err != nil {
			b.Fatal(err)
		}
		r := bytes.NewReader(data)
		x := NewReader(r)
		run := func(b *testing.B, next func() (xml.Token, error), reset func()) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				reset()
				for {
					if _, err := next(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
				}
			}
		}
		b.Run(doc.name+"/raw/xmltok", func(b *testing.B) {
			run(b, x.Token, func() { r.Reset(data); x.Reset(r) })
		})
		b.Run(doc.name+"/raw/encoding-xml", func(b *testing.B) {
			var d *xml.Decoder
			run(b, func() (xml.Token, error) { return d.RawToken() }, func() { r.Reset(data); d = xml.NewDecoder(r) })
		})
		b.Run(doc.name+"/decoder/xmltok", func(b *testing.B) {
			var d *xml.Decoder
			run(b, func() (xml.Token, error) { return d.Token() }, func() { r.Reset(data); x.Reset(r); d = xml.NewTokenDecoder(x) })
		})
		b.Run(doc.name+"/decoder/encoding-xml", func(b *testing.B) {
			var d *xml.Decoder
			run(b, func() (xml.Token, error) { return d.Token() }, func() { r.Reset(data); d = xml.NewDecoder(r) })
		})
	}
}
