package xmltok

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// edgeCases are inputs at every branch of the tokenizer, valid and not; each is checked
// against encoding/xml.
var edgeCases = []string{
	``,
	`plain text`,
	`<a/>`,
	`<a></a>`,
	`<a x="1" y='2'/>`,
	`<a x="1"y="2"/>`,
	`<a x = "1" />`,
	`<a	x="1"` + "\r\n" + `/>`,
	`<p:a xmlns:p="urn:x" p:x="1"><p:b/></p:a>`,
	`<:a/>`, `<a:/>`, `<a:b:c/>`, `<a x:y:z="1"/>`,
	`<1a/>`, `<-a/>`, `<.a/>`, `<_a.b-c:d/>`, `< a/>`, `<a / >`, `<a/ >`, `<a x/>`, `<a x=1/>`,
	`<a x="<"/>`, `<a x="]]>"/>`, `<a x="&lt;&amp;&#65;&#x42;"/>`, `<a x="&bogus;"/>`, `<a x="&amp"/>`,
	"<a x=\"a\r\nb\rc\nd\te\"/>",
	`<a x="`, `<a x`, `<a`, `<`, `</`, `</a`, `</a `, `</a b>`, `</>`, `</a >`,
	`<a>x &lt; y &gt; z &amp; &apos; &quot;</a>`,
	`<a>&#0;</a>`, `<a>&#9;&#10;&#13;</a>`, `<a>&#xD800;</a>`, `<a>&#xFFFE;</a>`, `<a>&#x10FFFF;</a>`, `<a>&#x110000;</a>`,
	`<a>&#;</a>`, `<a>&#x;</a>`, `<a>&#12a;</a>`, `<a>&#99999999999999999999;</a>`, `<a>&x</a>`, `<a>&</a>`, `<a>& b</a>`,
	`<a>&é;</a>`, "<a>&\xff;</a>", `<a>&#65</a>`, `a &amp b`,
	"<a>line\r\nline\rline\n\r\n</a>",
	"<a>\r&#13;\n&amp;\r\n</a>",
	"<a>\x01</a>", "<a>\x7f</a>", "<a>\xff</a>", "<a>\xe2\x82</a>", "<a>\xef\xbf\xbe</a>", "<a>é€😀</a>",
	"<é/>", "<aé/>", "<a\u00b7/>", "<\u00b7a/>", "<a\u0300/>", "<\xff/>", "<a x\u0300='1'/>",
	`<a>]]></a>`, `<a>]]</a>`, `<a>] ]></a>`, `<a>]</a>`, `a]]`, `a]`, `]]>`,
	`<![CDATA[x<y&z]]>`, `<a><![CDATA[]]]]><![CDATA[>]]></a>`, "<![CDATA[a\r\nb\rc]]>", `<![CDATA[x`, `<![CDAT[x]]>`, `<![`, "<![CDATA[\x01]]>",
	`<!-- c -->`, `<!---->`, `<!--->`, `<!-- a -- b -->`, `<!-- a --->`, `<!- x -->`, `<!--`, `<!-`, `<!`, "<!--\xff-->",
	`<?xml version="1.0" encoding="utf-8"?><a/>`,
	`<?xml version="1.1"?><a/>`,
	`<?xml version='1.0' encoding='UTF-8' standalone="yes"?><a/>`,
	`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`,
	`<?xml encoding="us-ascii"?><a/>`,
	`<?xml?>`, `<?x?>`, `<?x ?>`, `<?x  data ? > ?>`, `<??>`, `<? x?>`, `<?x`, `<?x y`, `<?a:b:c d?>`, `<?é x?>`,
	`<!DOCTYPE a>`, `<!DOCTYPE a [<!ENTITY x "y">]><a/>`, `<!DOCTYPE a [<!-- c > -->]>`, `<!DOCTYPE a "q>">`,
	`<!DOCTYPE a [<!x]>`, `<!DOCTYPE a [<!-x]>`, `<!DOCTYPE a [<x]>`, `<!>`, `<!"a">`, `<!DOCTYPE`, `<!DOCTYPE a [<!--`,
	`<a><b><c>deep</c></b></a>`, `<a></b>`, `<a>`, `</a>`,
	"\ufeff<a/>",
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"/><c>1</c></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"><x/>t<y i:nil="true"/></b><c/></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b xmlns:i="urn:other" i:nil="true"/><c i:nil="true"/></a>`,
	`<a><b xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="1"/><c xsi:nil="true"/></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil=" true "/><b i:nil="false"/><b nil="true"/><b i:nil="0"/></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"><x></y></b></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"><p:x xmlns:p="u"></q:x></b></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"><x>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b i:nil="true"></c></a>`,
	`<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><i:b i:nil="true"/><d xmlns:i="urn:o"><e i:nil="true"/></d><f i:nil="true"/></a>`,
	"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><r>ok</r></soap:Body></soap:Envelope>",
}

// corpus is the edge cases plus every XML and WSDL file of the module and, when present,
// of ../shared/reference.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for i, s := range edgeCases {
		out[fmt.Sprintf("edge%03d %q", i, s)] = []byte(s)
	}
	for _, root := range []string{"../..", "../../../shared/reference"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if ext := filepath.Ext(p); !d.IsDir() && (ext == ".xml" || ext == ".wsdl" || ext == ".xsd") {
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				out[p] = b
			}
			return nil
		})
	}
	require.Greater(t, len(out), len(edgeCases)+15, "module XML files not found")
	return out
}

// step is one token or the end, comparable across the two tokenizers.
type step struct {
	Tok xml.Token
	Err bool
}

func copyToken(t xml.Token) xml.Token {
	if s, ok := t.(xml.StartElement); ok && len(s.Attr) == 0 {
		s.Attr = nil // encoding/xml says []Attr{}, Reader nil: the same to every reader
		return s
	}
	return xml.CopyToken(t)
}

func collect(next func() (xml.Token, error)) []step {
	var out []step
	for len(out) < 10000 {
		tok, err := next()
		if err != nil {
			return append(out, step{Err: err != io.EOF})
		}
		out = append(out, step{Tok: copyToken(tok)})
	}
	return out
}

// stdRaw and ourRaw tokenize doc without namespace processing; stdDec and ourDec with it,
// ours through xml.NewTokenDecoder.
func stdRaw(doc []byte) []step  { d := std(doc); return collect(d.RawToken) }
func stdDec(doc []byte) []step  { d := std(doc); return collect(d.Token) }
func ourRaw(r io.Reader) []step { return collect(ours(r).Token) }
func ourDec(r io.Reader) []step { return collect(xml.NewTokenDecoder(ours(r)).Token) }

func std(doc []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = acceptASCII
	return d
}

func ours(r io.Reader) *Reader {
	x := NewReader(r)
	x.Charset = acceptASCIILabel
	return x
}

func acceptASCIILabel(label string) error {
	if strings.EqualFold(label, "us-ascii") {
		return nil
	}
	return errors.New("refused")
}

func acceptASCII(label string, r io.Reader) (io.Reader, error) {
	return r, acceptASCIILabel(label)
}

// readers feed a document whole, a byte at a time, in uneven pieces, and with empty reads
// in between, so tokens straddle every refill.
var readers = map[string]func([]byte) io.Reader{
	"whole":    func(b []byte) io.Reader { return bytes.NewReader(b) },
	"bytewise": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
	"halves":   func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
	"stutter":  func(b []byte) io.Reader { return &stutter{r: bytes.NewReader(b)} },
}

// stutter returns 0, nil every other read and at most 7 bytes otherwise.
type stutter struct {
	r   io.Reader
	odd bool
}

func (s *stutter) Read(p []byte) (int, error) {
	s.odd = !s.odd
	if s.odd {
		return 0, nil
	}
	return s.r.Read(p[:min(len(p), 7)])
}

func TestSameTokensAsEncodingXML(t *testing.T) {
	for name, doc := range corpus(t) {
		wantRaw, wantDec := stdRaw(doc), stdDec(doc)
		for rname, mk := range readers {
			assert.Equal(t, wantRaw, ourRaw(mk(doc)), "raw tokens of %s read %s", name, rname)
			assert.Equal(t, wantDec, ourDec(mk(doc)), "decoder tokens of %s read %s", name, rname)
		}
	}
}

// stdDecNil is stdDec with every element whose xsi:nil is true left out, with its content:
// what NilAsAbsent promises, computed from encoding/xml's resolved tokens.
func stdDecNil(doc []byte) []step {
	var out []step
	skip := 0
	for _, st := range stdDec(doc) {
		switch t := st.Tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			for _, a := range t.Attr {
				if a.Name.Space == xsiNamespace && a.Name.Local == "nil" {
					if v := strings.TrimSpace(a.Value); v == "true" || v == "1" {
						skip = 1
					}
					break
				}
			}
			if skip > 0 {
				continue
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
		default:
			if skip > 0 && st.Tok != nil {
				continue
			}
		}
		out = append(out, st)
	}
	return out
}

func ourDecNil(r io.Reader) []step {
	x := ours(r)
	x.NilAsAbsent = true
	return collect(xml.NewTokenDecoder(x).Token)
}

func TestNilAsAbsent(t *testing.T) {
	for name, doc := range corpus(t) {
		want := stdDecNil(doc)
		for rname, mk := range readers {
			assert.Equal(t, want, ourDecNil(mk(doc)), "tokens of %s read %s without nil elements", name, rname)
		}
	}

	type ref struct {
		ID *string `xml:"urn:x id"`
	}
	type doc struct {
		A *ref    `xml:"urn:x a"`
		B *ref    `xml:"urn:x b"`
		N *int    `xml:"urn:x n"`
		S *string `xml:"urn:x s"`
	}
	in := `<d xmlns="urn:x" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a i:nil="true"/>` +
		`<b><id i:nil="true"/></b><n i:nil="true"></n><s>x</s></d>`
	var plain, absent doc
	require.NoError(t, xml.NewTokenDecoder(NewReader(strings.NewReader(in))).Decode(&plain))
	assert.NotNil(t, plain.A, "encoding/xml's own reading: a pointer to a zero value")
	x := NewReader(strings.NewReader(in))
	x.NilAsAbsent = true
	require.NoError(t, xml.NewTokenDecoder(x).Decode(&absent))
	assert.Nil(t, absent.A)
	require.NotNil(t, absent.B)
	assert.Nil(t, absent.B.ID)
	assert.Nil(t, absent.N)
	require.NotNil(t, absent.S)
	assert.Equal(t, "x", *absent.S)
}

func TestUnmarshalThroughTokenDecoder(t *testing.T) {
	type item struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	}
	type doc struct {
		XMLName xml.Name `xml:"urn:x list"`
		Items   []item   `xml:"urn:x item"`
		Note    string   `xml:"urn:y note"`
	}
	in := `<?xml version="1.0"?><l:list xmlns:l="urn:x" xmlns="urn:y"><l:item id="1">a &amp; b</l:item>` +
		`<l:item id='2'><![CDATA[<c>]]></l:item><note>n</note></l:list>`
	var want, got doc
	require.NoError(t, xml.Unmarshal([]byte(in), &want))
	require.NoError(t, xml.NewTokenDecoder(NewReader(iotest.OneByteReader(strings.NewReader(in)))).Decode(&got))
	assert.Equal(t, want, got)
	assert.Equal(t, "a & b", got.Items[0].Text)
	assert.Equal(t, "<c>", got.Items[1].Text)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unexpected EOF", "<a>\n<b", "XML syntax error on line 2: unexpected EOF"},
		{"bad entity", "<a>\n\n&bogus;</a>", "XML syntax error on line 3: invalid character entity &bogus;"},
		{"no semicolon", "<a>&amp b</a>", "XML syntax error on line 1: invalid character entity &amp (no semicolon)"},
		{"invalid UTF-8", "<a>\xff</a>", "XML syntax error on line 1: invalid UTF-8"},
		{"control character", "<a>\x01</a>", "XML syntax error on line 1: illegal character code U+0001"},
		{"encoding refused", `<?xml version="1.0" encoding="latin1"?>`, `xml: opening charset "latin1": refused`},
		{"version", `<?xml version="2.0"?>`, `xml: unsupported version "2.0"; only version 1.0 is supported`},
		{"unquoted", `<a x=1>`, "XML syntax error on line 1: unquoted or missing attribute value in element"},
		{"end tag", `</a b>`, "XML syntax error on line 1: invalid characters between </a and >"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := ourRawErr(strings.NewReader(tt.doc))
			require.Error(t, steps)
			assert.Equal(t, tt.want, steps.Error())
		})
	}
}

func ourRawErr(r io.Reader) error {
	x := ours(r)
	for {
		if _, err := x.Token(); err != nil {
			if err == io.EOF {
				return nil
			}
			// The error is sticky.
			if _, again := x.Token(); again != err {
				return fmt.Errorf("second call returned %v, not %v", again, err)
			}
			return err
		}
	}
}

func TestReadErrorIsReturned(t *testing.T) {
	boom := errors.New("boom")
	x := NewReader(io.MultiReader(strings.NewReader("<a>text"), iotest.ErrReader(boom)))
	tok, err := x.Token()
	require.NoError(t, err)
	assert.Equal(t, xml.StartElement{Name: xml.Name{Local: "a"}}, tok)
	for err == nil {
		_, err = x.Token()
	}
	assert.ErrorIs(t, err, boom)
}

func TestNoProgressReader(t *testing.T) {
	x := NewReader(zeroReader{})
	_, err := x.Token()
	assert.ErrorIs(t, err, io.ErrNoProgress)
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestLargeTokensGrowTheBuffer(t *testing.T) {
	big := strings.Repeat("x", 3*minBuffer+17)
	doc := `<a v="` + big + `">` + big + `&amp;</a>`
	for rname, mk := range readers {
		got := ourRaw(mk([]byte(doc)))
		require.Len(t, got, 4, rname)
		assert.Equal(t, big, got[0].Tok.(xml.StartElement).Attr[0].Value, rname)
		assert.Equal(t, xml.CharData(big+"&"), got[1].Tok, rname)
	}
}

func TestResetKeepsBufferAndNames(t *testing.T) {
	x := NewReader(strings.NewReader(`<Envelope/>`))
	first, err := x.Token()
	require.NoError(t, err)
	x.Reset(strings.NewReader(`<Envelope/>`))
	second, err := x.Token()
	require.NoError(t, err)
	a, b := first.(xml.StartElement).Name.Local, second.(xml.StartElement).Name.Local
	assert.Equal(t, a, b)
	doc := []byte(`<Envelope/>`)
	r := bytes.NewReader(doc)
	// Warm, a Reader allocates nothing for a name it has seen: not the name, not the
	// buffer, not the boxed tokens.
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, func() {
		r.Reset(doc)
		x.Reset(r)
		_, _ = x.Token()
		_, _ = x.Token()
	}))

	// Nor for an element whose only attribute is a default namespace declaration, which
	// .NET and Go encoders repeat on every element; the token is the one xml.Decoder would
	// give, and stays so through xml.NewTokenDecoder.
	doc = []byte(`<Code xmlns="http://ca.tvinci.com/">0</Code>`)
	r.Reset(doc)
	x.Reset(r)
	tok, err := x.Token()
	require.NoError(t, err)
	assert.Equal(t, xml.StartElement{Name: xml.Name{Local: "Code"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: "http://ca.tvinci.com/"}}}, tok)
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, func() {
		r.Reset(doc)
		x.Reset(r)
		_, _ = x.Token()
	}))
	for range 2 { // the shared attribute slice is not changed by the decoder's name resolution
		r.Reset(doc)
		x.Reset(r)
		var v struct {
			XMLName xml.Name `xml:"http://ca.tvinci.com/ Code"`
			Value   int      `xml:",chardata"`
		}
		require.NoError(t, xml.NewTokenDecoder(x).Decode(&v))
		r.Reset(doc)
		x.Reset(r)
		tok, err := x.Token()
		require.NoError(t, err)
		assert.Equal(t, "xmlns", tok.(xml.StartElement).Attr[0].Name.Local)
		assert.Empty(t, tok.(xml.StartElement).Attr[0].Name.Space)
	}
}

func FuzzDifferential(f *testing.F) {
	for _, s := range edgeCases {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, doc []byte, chunk uint8) {
		want := stdRaw(doc)
		var r io.Reader = bytes.NewReader(doc)
		if chunk > 0 {
			r = &chunked{r: r, n: int(chunk)}
		}
		got := ourRaw(r)
		if !assert.Equal(t, want, got, "raw tokens of %q", doc) {
			return
		}
		r = bytes.NewReader(doc)
		if chunk > 0 {
			r = &chunked{r: r, n: int(chunk)}
		}
		assert.Equal(t, stdDec(doc), ourDec(r), "decoder tokens of %q", doc)

		// A pooled Reader is reused after any input, finished or failed midway: nothing of
		// the previous input (a pending end tag, an error, interned names) may show.
		x := ours(strings.NewReader(`<p:a xmlns:p="urn:x" q="1"><b/>text&amp;</p:a><`))
		for i := 0; i < int(chunk%7); i++ { // stop anywhere: after <b/>'s start half, at the error...
			_, _ = x.Token()
		}
		x.Reset(bytes.NewReader(doc))
		assert.Equal(t, want, collect(x.Token), "raw tokens of %q from a reused Reader", doc)

		r = bytes.NewReader(doc)
		if chunk > 0 {
			r = &chunked{r: r, n: int(chunk)}
		}
		assert.Equal(t, stdDecNil(doc), ourDecNil(r), "tokens of %q without nil elements", doc)
	})
}

type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestResetZeroesWhatWasRead(t *testing.T) {
	x := NewReader(strings.NewReader(`<a t="tok&amp;en">s3cr3t&amp;</a>`))
	for {
		if _, err := x.Token(); err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
	}
	x.Reset(nil)
	for _, buf := range [][]byte{x.buf, x.text[:cap(x.text)]} {
		assert.False(t, bytes.Contains(buf, []byte("s3cr3t")) || bytes.Contains(buf, []byte("tok")), "input left in a buffer")
	}
	for _, a := range x.attrs[:cap(x.attrs)] {
		assert.Empty(t, a.Value)
	}
}

func TestMaxDepth(t *testing.T) {
	xsi := `xmlns:i="http://www.w3.org/2001/XMLSchema-instance"`
	tests := []struct {
		name, doc string
		nilAbsent bool
		deep      bool
	}{
		{"at the bound", `<a><b><c/></b></a>`, false, false},
		{"one level more", `<a><b><c><d/></c></b></a>`, false, true},
		{"siblings do not add up", `<a><b/><b/><b><c/></b></a>`, false, false},
		{"inside an element left out", `<a ` + xsi + `><b i:nil="true"><c><d/></c></b></a>`, true, true},
		{"a document that only starts deep", strings.Repeat("<a>", 1000), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := ours(strings.NewReader(tt.doc))
			x.MaxDepth, x.NilAsAbsent = 3, tt.nilAbsent
			var err error
			for err == nil {
				_, err = x.Token()
			}
			if tt.deep {
				assert.ErrorIs(t, err, ErrTooDeep)
				_, again := x.Token()
				assert.ErrorIs(t, again, ErrTooDeep, "the error is sticky")
			} else {
				assert.NotErrorIs(t, err, ErrTooDeep)
			}
		})
	}
}
