// Package xmlscan holds the XML plumbing shared by the soapx client and the soapsrv
// fake-server helpers: namespace scopes, subtree capture that survives being cut out of
// its document, and a byte-level nesting guard.
//
// It exists because encoding/xml's Decoder.Token translates prefixes into namespace URIs
// and forgets the prefixes, yet SOAP needs them twice: to resolve QName text such as
// <faultcode>soap:Server</faultcode>, and to hand out a Fault detail or a header block as
// a standalone fragment that still unmarshals into namespaced Go types.
package xmlscan

import (
	"encoding/xml"
	"strings"
)

// XMLNamespace is the namespace the reserved "xml" prefix is bound to.
const XMLNamespace = "http://www.w3.org/XML/1998/namespace"

type binding struct {
	prefix string // "" is the default namespace
	uri    string
}

// Scope mirrors the namespace declarations in force at the decoder's position, because the
// decoder keeps its own copy private. Only the scanned part of a document (envelope, header,
// fault) is mirrored; subtrees handed to DecodeElement never touch it.
type Scope struct {
	binds []binding
	marks []int
}

// Push records the declarations carried by a start element's attributes.
func (s *Scope) Push(attrs []xml.Attr) {
	s.marks = append(s.marks, len(s.binds))
	for _, a := range attrs {
		switch {
		case a.Name.Space == "xmlns":
			s.binds = append(s.binds, binding{prefix: a.Name.Local, uri: a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			s.binds = append(s.binds, binding{uri: a.Value})
		}
	}
}

// Pop forgets the declarations of the innermost element.
func (s *Scope) Pop() {
	if n := len(s.marks); n > 0 {
		s.binds = s.binds[:s.marks[n-1]]
		s.marks = s.marks[:n-1]
	}
}

// Depth is the number of pushed elements.
func (s *Scope) Depth() int { return len(s.marks) }

// Reset empties the scope, keeping its storage.
func (s *Scope) Reset() {
	s.binds = s.binds[:0]
	s.marks = s.marks[:0]
}

// Lookup returns the namespace bound to prefix ("" for the default namespace).
func (s *Scope) Lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return XMLNamespace, true
	}
	for i := len(s.binds) - 1; i >= 0; i-- {
		if s.binds[i].prefix == prefix {
			return s.binds[i].uri, true
		}
	}
	return "", false
}

// ResolveQName splits QName text ("soap:Server") and resolves its prefix in the scope.
// An unprefixed name takes the default namespace, as XML Schema says for QName values.
func (s *Scope) ResolveQName(q string) (space, local string) {
	q = strings.TrimSpace(q)
	prefix, local, ok := strings.Cut(q, ":")
	if !ok {
		local, prefix = q, ""
	}
	space, _ = s.Lookup(prefix)
	return space, local
}

// prefixFor finds a prefix currently bound to uri and not shadowed by an inner declaration.
// allowDefault admits the default namespace (elements may use it, attributes may not).
func (s *Scope) prefixFor(uri string, allowDefault bool) (string, bool) {
	if uri == XMLNamespace {
		return "xml", true
	}
	for i := len(s.binds) - 1; i >= 0; i-- {
		b := s.binds[i]
		if b.uri != uri || (b.prefix == "" && !allowDefault) {
			continue
		}
		if cur, _ := s.Lookup(b.prefix); cur == uri {
			return b.prefix, true
		}
	}
	return "", false
}

// effective lists the bindings in force (innermost wins), excluding the innermost
// element's own declarations, which the caller writes from that element's attributes.
func (s *Scope) effective() []binding {
	end := len(s.binds)
	if n := len(s.marks); n > 0 {
		end = s.marks[n-1]
	}
	var out []binding
outer:
	for i := end - 1; i >= 0; i-- {
		b := s.binds[i]
		for _, o := range out {
			if o.prefix == b.prefix {
				continue outer
			}
		}
		for j := end; j < len(s.binds); j++ { // redeclared by the element itself
			if s.binds[j].prefix == b.prefix {
				continue outer
			}
		}
		out = append(out, b)
	}
	return out
}
