// Package xmltest compares XML documents the way a namespace-aware SOAP server reads them:
// element by element and namespace by namespace, ignoring prefixes, namespace-declaration
// placement and indentation. Golden tests use it to hold the requests the clients send to the
// vendors' documented samples.
package xmltest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
)

// Canonical renders doc as one line per element and text node, with expanded names:
//
//	{http://schemas.xmlsoap.org/soap/envelope/}Envelope
//	  {http://ca.tvinci.com/}HandleUserTask
//	    {http://ca.tvinci.com/}domainId
//	      "42"
//
// Attributes other than namespace declarations are kept, sorted, with expanded names.
// Whitespace-only text between elements is dropped; other text is kept verbatim.
func Canonical(doc []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			fmt.Fprintf(&b, "%s{%s}%s", strings.Repeat("  ", depth), t.Name.Space, t.Name.Local)
			var attrs []string
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				attrs = append(attrs, fmt.Sprintf("{%s}%s=%q", a.Name.Space, a.Name.Local, a.Value))
			}
			sort.Strings(attrs)
			if len(attrs) > 0 {
				b.WriteString(" " + strings.Join(attrs, " "))
			}
			b.WriteByte('\n')
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if s := string(t); strings.TrimSpace(s) != "" {
				fmt.Fprintf(&b, "%s%q\n", strings.Repeat("  ", depth), s)
			}
		}
	}
	if depth != 0 {
		return "", fmt.Errorf("xmltest: unbalanced document")
	}
	return b.String(), nil
}

// Equal fails t when want and got differ as namespace-aware XML, showing both canonical forms.
func Equal(t testing.TB, want, got []byte) bool {
	t.Helper()
	cw, err := Canonical(want)
	if err != nil {
		t.Errorf("xmltest: want is not XML: %v", err)
		return false
	}
	cg, err := Canonical(got)
	if err != nil {
		t.Errorf("xmltest: got is not XML: %v\n%s", err, got)
		return false
	}
	if cw != cg {
		t.Errorf("XML differs (canonical forms)\n--- want\n%s--- got\n%s--- raw got\n%s", cw, cg, got)
		return false
	}
	return true
}

// Body returns the canonical form of the content of the SOAP Body of envelope, so a test can
// compare operation payloads without caring about the envelope's Header or version.
func Body(envelope []byte) (string, error) {
	c, err := Canonical(envelope)
	if err != nil {
		return "", err
	}
	lines := strings.Split(c, "\n")
	for i, l := range lines {
		if l == "  {http://schemas.xmlsoap.org/soap/envelope/}Body" || l == "  {http://www.w3.org/2003/05/soap-envelope}Body" {
			var b strings.Builder
			for _, inner := range lines[i+1:] {
				if !strings.HasPrefix(inner, "    ") {
					break
				}
				b.WriteString(inner[4:] + "\n")
			}
			return b.String(), nil
		}
	}
	return "", fmt.Errorf("xmltest: no SOAP Body in %q", envelope)
}
