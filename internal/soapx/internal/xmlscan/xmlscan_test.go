package xmlscan

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxDepthXML is the reference: the deepest element nesting encoding/xml sees.
func maxDepthXML(t *testing.T, doc string) int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = false
	depth, deepest := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return deepest
		}
		require.NoError(t, err)
		switch tok.(type) {
		case xml.StartElement:
			depth++
			deepest = max(deepest, depth)
		case xml.EndElement:
			depth--
		}
	}
}

func TestDepthGuardMatchesDecoder(t *testing.T) {
	docs := map[string]string{
		"flat":           `<a></a>`,
		"nested":         `<a><b><c/></b><d><e><f>x</f></e></d></a>`,
		"self closing":   `<a><b/><b /><b x="1"/></a>`,
		"quoted tricks":  `<a x="/>" y='b>' z="a>b/"><c q=">"/></a>`,
		"comment":        `<a><!-- <b><c><d> --><e/></a>`,
		"comment dashes": `<a><!-- x - y -  --><b/></a>`,
		"cdata":          `<a><![CDATA[<b><c><d>]]]]><e/></a>`,
		"pi":             `<?xml version="1.0"?><a><?pi <b><c> ?><d/></a>`,
		"doctype":        `<!DOCTYPE a [<!ENTITY x "<b>"> <!ELEMENT a ANY>]><a><b/></a>`,
		"prefixed":       `<s:Envelope xmlns:s="urn:s"><s:Body><m:x xmlns:m="urn:m"><m:y/></m:x></s:Body></s:Envelope>`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			want := maxDepthXML(t, doc)
			// Feed in every split to exercise state carried across reads.
			for split := 0; split <= len(doc); split++ {
				var g DepthGuard
				deepest := 0
				for _, part := range []string{doc[:split], doc[split:]} {
					for i := 0; i < len(part); i++ {
						require.NoError(t, g.Feed([]byte{part[i]}))
						deepest = max(deepest, g.Depth())
					}
				}
				require.Equal(t, want, deepest, "split %d", split)
				require.Equal(t, 0, g.Depth(), "split %d", split)
			}
		})
	}
}

func TestDepthGuardRejectsDeepNesting(t *testing.T) {
	g := DepthGuard{Max: 10}
	assert.NoError(t, g.Feed([]byte(strings.Repeat("<a>", 10))))
	assert.ErrorIs(t, g.Feed([]byte("<a>")), ErrTooDeep)
}

func TestCaptureKeepsNamespaces(t *testing.T) {
	doc := `<env:Envelope xmlns:env="urn:env" xmlns:m="urn:m" xmlns="urn:default" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<env:Detail>text<m:err code="1" xsi:type="m:ErrType"><m:num>1</m:num><plain>2</plain><n xmlns="">3</n></m:err></env:Detail></env:Envelope>`
	d := xml.NewDecoder(strings.NewReader(doc))
	var s Scope
	tok, err := d.Token()
	require.NoError(t, err)
	s.Push(tok.(xml.StartElement).Attr)
	tok, err = d.Token()
	require.NoError(t, err)
	s.Push(tok.(xml.StartElement).Attr)
	inner, text, err := CaptureInner(d, &s, 1<<10, 10)
	require.NoError(t, err)
	assert.Equal(t, "text", text)

	type errT struct {
		XMLName xml.Name `xml:"urn:m err"`
		Code    string   `xml:"code,attr"`
		Type    string   `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		Num     int      `xml:"urn:m num"`
		Plain   int      `xml:"urn:default plain"`
		N       int      `xml:"n"`
	}
	var e errT
	start := strings.Index(string(inner), "<m:err")
	require.GreaterOrEqual(t, start, 0, string(inner))
	require.NoError(t, xml.Unmarshal(inner[start:], &e), string(inner))
	assert.Equal(t, errT{XMLName: xml.Name{Space: "urn:m", Local: "err"}, Code: "1", Type: "m:ErrType", Num: 1, Plain: 2, N: 3}, e)
	// The QName in xsi:type still resolves: m is declared on the fragment.
	assert.Contains(t, string(inner), `xmlns:m="urn:m"`)
	assert.Contains(t, string(inner), `<n xmlns="">3</n>`, "an element in no namespace stays there")
}

func TestCaptureElementRedeclares(t *testing.T) {
	doc := `<s:Envelope xmlns:s="urn:s" xmlns:t="urn:t"><s:Body><t:Op><t:A>1</t:A></t:Op></s:Body></s:Envelope>`
	d := xml.NewDecoder(strings.NewReader(doc))
	var s Scope
	for range 2 {
		tok, err := d.Token()
		require.NoError(t, err)
		s.Push(tok.(xml.StartElement).Attr)
	}
	tok, err := d.Token()
	require.NoError(t, err)
	out, err := CaptureElement(d, tok.(xml.StartElement), &s, 1<<10, 10)
	require.NoError(t, err)
	var v struct {
		XMLName xml.Name `xml:"urn:t Op"`
		A       int      `xml:"urn:t A"`
	}
	require.NoError(t, xml.Unmarshal(out, &v), string(out))
	assert.Equal(t, 1, v.A)
	assert.Equal(t, 2, s.Depth(), "capture leaves the scope as it found it")
}

func TestCaptureLimits(t *testing.T) {
	deep := "<r>" + strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20) + "</r>"
	d := xml.NewDecoder(strings.NewReader(deep))
	var s Scope
	_, _ = d.Token()
	s.Push(nil)
	_, _, err := CaptureInner(d, &s, 1<<10, 5)
	assert.ErrorIs(t, err, ErrTooDeep)

	big := "<r>" + strings.Repeat("x", 100) + "<a>" + strings.Repeat("y", 100) + "</a></r>"
	d = xml.NewDecoder(strings.NewReader(big))
	_, _ = d.Token()
	_, _, err = CaptureInner(d, &s, 50, 5)
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestResolveQName(t *testing.T) {
	var s Scope
	s.Push([]xml.Attr{{Name: xml.Name{Space: "xmlns", Local: "soap"}, Value: "urn:soap"}, {Name: xml.Name{Local: "xmlns"}, Value: "urn:def"}})
	space, local := s.ResolveQName(" soap:Server ")
	assert.Equal(t, [2]string{"urn:soap", "Server"}, [2]string{space, local})
	space, local = s.ResolveQName("Client")
	assert.Equal(t, [2]string{"urn:def", "Client"}, [2]string{space, local})
	space, local = s.ResolveQName("x:Y")
	assert.Equal(t, [2]string{"", "Y"}, [2]string{space, local})
	s.Pop()
	_, ok := s.Lookup("soap")
	assert.False(t, ok)
}

func FuzzDepthGuard(f *testing.F) {
	f.Add(`<a><b x="/>"/><!-- <c> --><![CDATA[<d>]]></a>`)
	f.Fuzz(func(t *testing.T, doc string) {
		d := xml.NewDecoder(strings.NewReader(doc))
		depth, deepest := 0, 0
		for {
			tok, err := d.Token()
			if err != nil {
				if err != io.EOF {
					return // only well-formed documents have a reference depth
				}
				break
			}
			switch tok.(type) {
			case xml.StartElement:
				depth++
				deepest = max(deepest, depth)
			case xml.EndElement:
				depth--
			case xml.Directive:
				return
			}
		}
		var g DepthGuard
		g.Max = 1 << 30
		got := 0
		for i := 0; i < len(doc); i++ {
			_ = g.Feed([]byte{doc[i]})
			got = max(got, g.Depth())
		}
		if got != deepest {
			t.Fatalf("guard depth %d, decoder depth %d", got, deepest)
		}
	})
}
