package xmlscan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Errors of a capture; callers wrap them into their own error types.
var (
	ErrTooLarge = errors.New("xml fragment too large")
	ErrTooDeep  = errors.New("xml nesting too deep")
)

// TokenReader is the part of *xml.Decoder a capture needs.
type TokenReader interface {
	Token() (xml.Token, error)
}

type capture struct {
	buf      bytes.Buffer
	s        *Scope
	names    []string // qualified names of the open elements, for their end tags
	maxBytes int
	maxDepth int
	invented int
}

// CaptureInner consumes the content of an element whose start tag has already been read
// and pushed on s, through its end tag. It returns the inner XML, in which every top-level
// child element re-declares the namespaces in force, so the fragment unmarshals on its own
// (a detail whose prefix is declared on the Envelope keeps its namespace), and the trimmed
// character data directly inside the element. The caller pops s afterwards.
func CaptureInner(d TokenReader, s *Scope, maxBytes, maxDepth int) (inner []byte, text string, err error) {
	c := capture{s: s, maxBytes: maxBytes, maxDepth: maxDepth}
	var direct strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, "", eofIsUnexpected(err)
		}
		if len(c.names) == 0 {
			switch t := tok.(type) {
			case xml.EndElement:
				if c.buf.Len() == 0 {
					return nil, strings.TrimSpace(direct.String()), nil
				}
				return c.buf.Bytes(), strings.TrimSpace(direct.String()), nil
			case xml.CharData:
				if direct.Len()+len(t) <= maxBytes {
					direct.Write(t)
				}
			}
		}
		if err := c.token(tok); err != nil {
			return nil, "", err
		}
	}
}

// CaptureElement consumes an element whose start tag has just been read (and not pushed
// on s) through its end tag, and returns it as a standalone fragment that re-declares the
// namespaces in force.
func CaptureElement(d TokenReader, start xml.StartElement, s *Scope, maxBytes, maxDepth int) ([]byte, error) {
	c := capture{s: s, maxBytes: maxBytes, maxDepth: maxDepth}
	if err := c.token(start); err != nil {
		return nil, err
	}
	for len(c.names) > 0 {
		tok, err := d.Token()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		if err := c.token(tok); err != nil {
			return nil, err
		}
	}
	return c.buf.Bytes(), nil
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (c *capture) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		if len(c.names) >= c.maxDepth {
			return ErrTooDeep
		}
		c.start(t, len(c.names) == 0)
	case xml.EndElement:
		n := len(c.names)
		if n == 0 {
			return nil
		}
		c.buf.WriteString("</")
		c.buf.WriteString(c.names[n-1])
		c.buf.WriteByte('>')
		c.names = c.names[:n-1]
		c.s.Pop()
	case xml.CharData:
		if err := xml.EscapeText(&c.buf, t); err != nil {
			return err
		}
	case xml.Comment:
		c.buf.WriteString("<!--")
		c.buf.Write(t)
		c.buf.WriteString("-->")
	}
	if c.buf.Len() > c.maxBytes {
		return ErrTooLarge
	}
	return nil
}

type decl struct{ prefix, uri string }

func (c *capture) start(t xml.StartElement, declareScope bool) {
	s := c.s
	s.Push(t.Attr)
	var extra []decl
	bind := func(prefix, uri string) {
		s.binds = append(s.binds, binding{prefix: prefix, uri: uri})
		extra = append(extra, decl{prefix, uri})
	}

	prefix := ""
	if t.Name.Space == "" {
		if def, _ := s.Lookup(""); def != "" {
			bind("", "")
		}
	} else if p, ok := s.prefixFor(t.Name.Space, true); ok {
		prefix = p
	} else {
		bind("", t.Name.Space) // unbound (or lost) prefix: make it the default here
	}
	// Attribute namespaces need a non-default prefix; invent one when none is bound.
	attrPrefix := make([]string, len(t.Attr))
	for i, a := range t.Attr {
		if a.Name.Space == "" || a.Name.Space == "xmlns" {
			continue
		}
		p, ok := s.prefixFor(a.Name.Space, false)
		for !ok {
			c.invented++
			p = "ns" + strconv.Itoa(c.invented)
			if _, taken := s.Lookup(p); !taken {
				bind(p, a.Name.Space)
				ok = true
			}
		}
		attrPrefix[i] = p
	}

	qname := t.Name.Local
	if prefix != "" {
		qname = prefix + ":" + t.Name.Local
	}
	c.names = append(c.names, qname)
	c.buf.WriteByte('<')
	c.buf.WriteString(qname)
	if declareScope {
		for _, b := range s.effective() {
			if b.prefix == "" && b.uri == "" {
				continue
			}
			writeDecl(&c.buf, b.prefix, b.uri)
		}
	}
	for _, e := range extra {
		writeDecl(&c.buf, e.prefix, e.uri)
	}
	for i, a := range t.Attr {
		c.buf.WriteByte(' ')
		switch {
		case a.Name.Space == "xmlns":
			c.buf.WriteString("xmlns:")
		case attrPrefix[i] != "":
			c.buf.WriteString(attrPrefix[i])
			c.buf.WriteByte(':')
		}
		c.buf.WriteString(a.Name.Local)
		c.buf.WriteString(`="`)
		_ = xml.EscapeText(&c.buf, []byte(a.Value))
		c.buf.WriteByte('"')
	}
	c.buf.WriteByte('>')
}

func writeDecl(buf *bytes.Buffer, prefix, uri string) {
	buf.WriteString(" xmlns")
	if prefix != "" {
		buf.WriteByte(':')
		buf.WriteString(prefix)
	}
	buf.WriteString(`="`)
	_ = xml.EscapeText(buf, []byte(uri))
	buf.WriteByte('"')
}

// ReadText consumes an element whose start tag has been read, through its end tag, and
// returns its character data (nested elements' text included), trimmed and cut at max bytes.
func ReadText(d TokenReader, max int) (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", eofIsUnexpected(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return strings.TrimSpace(b.String()), nil
			}
			depth--
		case xml.CharData:
			if room := max - b.Len(); room > 0 {
				if len(t) > room {
					t = t[:room]
				}
				b.Write(t)
			}
		}
	}
}
