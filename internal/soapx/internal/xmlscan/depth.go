package xmlscan

import "bytes"

// DepthGuard follows element nesting on the raw bytes of a document as they are read,
// before encoding/xml sees them. encoding/xml bounds nesting only inside Unmarshal's own
// recursion: Decoder.Skip and Token keep growing a stack, so a hostile body of a few MiB
// of "<a><a><a>…" costs hundreds of MiB before anything fails. The guard makes it fail at
// the first chunk that goes too deep. It is exact for well-formed XML: comments, CDATA,
// processing instructions, quoted attribute values and DTD directives are skipped.
type DepthGuard struct {
	Max   int // maximum element depth; <= 0 means 256
	depth int
	state guardState
	quote byte
	sub   int // progress through a terminator ("-->", "]]>", "?>") or directive nesting
}

type guardState uint8

const (
	gText       guardState = iota
	gLT                    // after '<'
	gStartTag              // inside a start tag
	gStartSlash            // after '/' inside a start tag
	gQuote                 // inside a quoted attribute value
	gEndTag                // inside an end tag
	gPI                    // inside <? ... ?>
	gBang                  // after "<!"
	gBangDash              // after "<!-"
	gComment               // inside <!-- ... -->
	gCDATAOpen             // inside "<![CDATA["
	gCDATA                 // inside CDATA content
	gDirective             // inside <!DOCTYPE ...>
	gDirQuote              // inside a quoted string of a directive
)

// Depth reports the current element depth.
func (g *DepthGuard) Depth() int { return g.depth }

// Feed advances the guard over p and reports ErrTooDeep once nesting exceeds Max.
func (g *DepthGuard) Feed(p []byte) error {
	max := g.Max
	if max <= 0 {
		max = 256
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch g.state {
		case gText:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				return nil
			}
			i += j
			g.state = gLT
		case gLT:
			switch c {
			case '/':
				g.depth--
				g.state = gEndTag
			case '?':
				g.state, g.sub = gPI, 0
			case '!':
				g.state = gBang
			default:
				g.depth++
				if g.depth > max {
					return ErrTooDeep
				}
				g.state = gStartTag
			}
		case gStartTag:
			switch c {
			case '"', '\'':
				g.state, g.quote = gQuote, c
			case '/':
				g.state = gStartSlash
			case '>':
				g.state = gText
			}
		case gStartSlash:
			if c == '>' {
				g.depth--
				g.state = gText
			} else {
				g.state = gStartTag
				i-- // look at c again as part of the tag
			}
		case gQuote:
			if j := bytes.IndexByte(p[i:], g.quote); j < 0 {
				return nil
			} else {
				i += j
			}
			g.state = gStartTag
		case gEndTag:
			if j := bytes.IndexByte(p[i:], '>'); j < 0 {
				return nil
			} else {
				i += j
			}
			g.state = gText
		case gPI:
			switch {
			case c == '?':
				g.sub = 1
			case c == '>' && g.sub == 1:
				g.state = gText
			default:
				g.sub = 0
			}
		case gBang:
			switch c {
			case '-':
				g.state = gBangDash
			case '[':
				g.state = gCDATAOpen
			default:
				g.state, g.sub = gDirective, 0
				i--
			}
		case gBangDash:
			if c == '-' {
				g.state, g.sub = gComment, 0
			} else {
				g.state, g.sub = gDirective, 0
				i--
			}
		case gComment:
			switch {
			case c == '-':
				if g.sub < 2 {
					g.sub++
				}
			case c == '>' && g.sub == 2:
				g.state = gText
			default:
				g.sub = 0
			}
		case gCDATAOpen:
			if c == '[' {
				g.state, g.sub = gCDATA, 0
			}
		case gCDATA:
			switch {
			case c == ']':
				if g.sub < 2 {
					g.sub++
				}
			case c == '>' && g.sub == 2:
				g.state = gText
			default:
				g.sub = 0
			}
		case gDirective:
			switch c {
			case '"', '\'':
				g.state, g.quote = gDirQuote, c
			case '<':
				g.sub++
			case '>':
				if g.sub == 0 {
					g.state = gText
				} else {
					g.sub--
				}
			}
		case gDirQuote:
			if c == g.quote {
				g.state = gDirective
			}
		}
	}
	return nil
}
