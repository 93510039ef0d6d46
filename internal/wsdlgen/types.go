package wsdlgen

import (
	"fmt"
	"strconv"
	"strings"
)

// buildTypes writes the source of every type declaration, in gowsdl's order, each followed
// by the anonymous types it names and, for enumerations, its constants.
func (g *gen) buildTypes(b *strings.Builder) error {
	for _, o := range g.originsOrdered {
		if err := g.typeDecl(b, o); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) typeDecl(b *strings.Builder, o *origin) error {
	switch o.kind {
	case kindSimple:
		u, err := g.inlineSimple(o.schema, o.simple)
		if err != nil {
			return fmt.Errorf("simple type %s: %w", o.simple.Name, err)
		}
		fmt.Fprintf(b, "type %s %s\n\n", o.goName, u)
		if len(o.simple.Restriction.Enumeration) > 0 {
			basic := g.basicOf(u)
			b.WriteString("const (\n")
			for _, e := range o.simple.Restriction.Enumeration {
				name := g.claim(o.goName+gowsdlMakePublic(replaceReservedWords(e.Value, true)), "")
				lit := strconv.Quote(e.Value)
				if basic != "string" {
					if _, err := strconv.ParseFloat(e.Value, 64); err == nil || basic == "bool" {
						lit = e.Value
					}
				}
				fmt.Fprintf(b, "%s %s = %s\n", name, o.goName, lit)
			}
			b.WriteString(")\n\n")
		}
	case kindElement:
		return g.structDecl(b, o.schema, o.complex, o.goName, o.xmlName)
	case kindComplex:
		c := o.complex
		if sb := c.simpleBase(); sb != "" && len(c.attributes()) == 0 {
			u, err := g.valueType(o.schema, sb)
			if err != nil {
				return fmt.Errorf("complex type %s: %w", c.Name, err)
			}
			fmt.Fprintf(b, "type %s %s\n\n", o.goName, u)
			return nil
		}
		return g.structDecl(b, o.schema, c, o.goName, g.complexXMLName(o))
	case kindTypedEl:
		e := o.element
		ns, l := g.resolve(o.schema, e.Type)
		if t := g.lookup('c', ns, l); t != nil {
			if x := g.complexXMLName(t); x != nil && *x == *o.xmlName {
				fmt.Fprintf(b, "type %s %s\n\n", o.goName, t.goName)
				return nil
			}
			// The type is used elsewhere under other names: the element wraps it.
			fmt.Fprintf(b, "type %s struct {\nXMLName xml.Name `xml:%q`\n%s\n}\n\n", o.goName, xmlTag(o.xmlName[0], o.xmlName[1], ""), t.goName)
			return nil
		}
		v, err := g.valueType(o.schema, e.Type)
		if err != nil {
			return fmt.Errorf("element %s: %w", e.Name, err)
		}
		// A global element of a simple type: an element struct with its qualified name, so it
		// can be marshalled on its own (SOAP header blocks are such elements).
		fmt.Fprintf(b, "type %s struct {\nXMLName xml.Name `xml:%q`\nValue %s `xml:\",chardata\"`\n}\n\n", o.goName, xmlTag(o.xmlName[0], o.xmlName[1], ""), v)
	}
	return nil
}

func xmlTag(ns, local, opts string) string {
	t := local
	if ns != "" {
		t = ns + " " + local
	}
	return t + opts
}

// basicOf follows named simple types down to their Go basic type.
func (g *gen) basicOf(goType string) string {
	for i := 0; i < 32; i++ {
		var next string
		for _, o := range g.originsOrdered {
			if o.kind == kindSimple && o.goName == goType {
				next, _ = g.inlineSimple(o.schema, o.simple)
			}
		}
		if next == "" {
			return goType
		}
		goType = next
	}
	return goType
}

// complexXMLName gives a complex type the XMLName of the one global element of that type,
// when nothing else uses the type (a member named otherwise would be written under the
// element's name, and read as an error).
func (g *gen) complexXMLName(o *origin) *[2]string {
	k := qkey{'c', o.schema.TargetNamespace, o.complex.Name}
	if g.memberTypes[k] != 1 {
		return nil
	}
	for _, s := range g.m.schemas {
		for _, e := range s.Elements {
			if e.Type == "" {
				continue
			}
			if ns, l := g.resolve(s, e.Type); ns == k.ns && l == k.local {
				return &[2]string{s.TargetNamespace, e.Name}
			}
		}
	}
	return nil
}

func (g *gen) lookup(kind byte, ns, local string) *origin {
	if o := g.byKey[qkey{kind, ns, local}]; o != nil {
		return o
	}
	if ns == "" { // an undeclared prefix: match the local name alone, as gowsdl does
		for k, o := range g.byKey {
			if k.kind == kind && k.local == local {
				return o
			}
		}
	}
	return nil
}

// valueType is the Go type of a simple value (text content, attribute, simple type base).
func (g *gen) valueType(s *xsdSchema, qname string) (string, error) {
	ns, l := g.resolve(s, qname)
	if ns == nsXSD || (ns == "" && g.lookup('s', ns, l) == nil && g.lookup('c', ns, l) == nil) {
		if t, ok := xsdGoTypes[l]; ok {
			return t, nil
		}
		return "", fmt.Errorf("XSD type %q is not supported", qname)
	}
	if o := g.lookup('s', ns, l); o != nil {
		return o.goName, nil
	}
	if o := g.lookup('c', ns, l); o != nil && o.complex.simpleBase() != "" {
		return g.valueType(o.schema, o.complex.simpleBase())
	}
	return "", fmt.Errorf("simple type %q not found", qname)
}

// typeRef is the Go type of a member element of type qname (gowsdl's shapes: named types are
// pointers, built-ins are pointers only when nillable).
func (g *gen) typeRef(s *xsdSchema, qname string, nillable bool) (string, error) {
	ns, l := g.resolve(s, qname)
	if o := g.lookup('c', ns, l); o != nil && ns != nsXSD {
		return "*" + o.goName, nil
	}
	if o := g.lookup('s', ns, l); o != nil && ns != nsXSD {
		return "*" + o.goName, nil
	}
	t, err := g.valueType(s, qname)
	if err != nil {
		return "", err
	}
	if nillable {
		t = "*" + t
	}
	return t, nil
}

func (g *gen) inlineSimple(s *xsdSchema, st *xsdSimpleType) (string, error) {
	switch {
	case st.List.ItemType != "", st.Union != nil:
		return "string", nil // a list is one whitespace-separated text
	case st.Restriction.Base != "":
		return g.valueType(s, st.Restriction.Base)
	}
	return "string", nil
}

// fieldNames keeps the member names of one struct unique.
type fieldNames map[string]bool

func (n fieldNames) claim(base, suffix string) string {
	if !n[base] {
		n[base] = true
		return base
	}
	if suffix != "" && !n[base+suffix] {
		n[base+suffix] = true
		return base + suffix
	}
	for i := 2; ; i++ {
		c := base + suffix + strconv.Itoa(i)
		if suffix == "" {
			c = base + strconv.Itoa(i)
		}
		if !n[c] {
			n[c] = true
			return c
		}
	}
}

// structDecl writes a struct for complex type c (declared in s) and then the anonymous types
// of its members, named after it.
func (g *gen) structDecl(b *strings.Builder, s *xsdSchema, c *xsdComplex, name string, xmlName *[2]string) error {
	var body strings.Builder
	var hoisted []func() error
	names := fieldNames{}
	field := func(name, typ, tag string) {
		fmt.Fprintf(&body, "%s %s `xml:%q`\n", name, typ, tag)
	}
	if xmlName != nil {
		names["XMLName"] = true
		field("XMLName", "xml.Name", xmlTag(xmlName[0], xmlName[1], ""))
	}
	if base := c.base(); base != "" {
		ns, l := g.resolve(s, base)
		if ns != nsXSD {
			o := g.lookup('c', ns, l)
			if o == nil {
				return fmt.Errorf("type %s: base %q not found", name, base)
			}
			names[o.goName] = true
			fmt.Fprintf(&body, "*%s\n", o.goName)
		}
	}
	if sb := c.simpleBase(); sb != "" {
		v, err := g.valueType(s, sb)
		if err != nil {
			return fmt.Errorf("type %s: %w", name, err)
		}
		names["Value"] = true
		field("Value", v, ",chardata")
	}
	for _, mb := range c.members() {
		e := mb.el
		var ns, local, typ string
		nillable := e.Nillable == "true"
		switch {
		case e.Ref != "":
			rns, rl := g.resolve(s, e.Ref)
			k := qkey{'e', rns, rl}
			ts, te := g.elements[k], g.elDecl[k]
			if te == nil {
				return fmt.Errorf("type %s: element ref %q not found", name, e.Ref)
			}
			ns, local = rns, rl
			nillable = te.Nillable == "true"
			var err error
			if typ, err = g.globalElementType(ts, te); err != nil {
				return fmt.Errorf("type %s: %w", name, err)
			}
		default:
			ns, local = namespaceOf(s, e), e.Name
		}
		fname := names.claim(goName(local), "")
		if e.Ref == "" {
			switch {
			case e.ComplexType != nil && e.ComplexType.isDataTable():
				g.usesDT = true
				typ = "*DataTable"
			case e.ComplexType != nil:
				anon := g.claim(name+fname, "Type")
				ct := e.ComplexType
				hoisted = append(hoisted, func() error { return g.structDecl(b, s, ct, anon, nil) })
				typ = "*" + anon
			case e.SimpleType != nil:
				v, err := g.inlineSimple(s, e.SimpleType)
				if err != nil {
					return fmt.Errorf("type %s: member %s: %w", name, e.Name, err)
				}
				typ = v
				if nillable {
					typ = "*" + typ
				}
			case e.Type != "":
				var err error
				if typ, err = g.typeRef(s, e.Type, nillable); err != nil {
					return fmt.Errorf("type %s: member %s: %w", name, e.Name, err)
				}
			default:
				typ = "string" // xs:anyType content, read as text
			}
		}
		repeated := mb.repeated || isMany(e.MaxOccurs)
		if repeated {
			typ = "[]" + typ
		}
		// omitempty on a slice applies to each item: an array of int would lose its zeros.
		// An empty slice writes nothing anyway.
		opts := ",omitempty"
		if repeated || (!mb.optional && e.required()) {
			opts = ""
		}
		field(fname, typ, xmlTag(ns, local, opts))
	}
	if grp := c.content(); grp != nil && hasAny(grp) && !c.isDataTable() {
		field(names.claim("Any", ""), "[]byte", ",innerxml")
	}
	for _, a := range c.attributes() {
		local := a.Name
		if a.Ref != "" {
			local = localName(a.Ref)
		}
		var typ string
		var err error
		switch {
		case a.Type != "":
			typ, err = g.valueType(s, a.Type)
			if err == nil {
				if ns, l := g.resolve(s, a.Type); ns != nsXSD && g.lookup('s', ns, l) != nil {
					typ = "*" + typ
				}
			}
		case a.SimpleType != nil:
			typ, err = g.inlineSimple(s, a.SimpleType)
		default:
			typ = "string"
		}
		if err != nil {
			return fmt.Errorf("type %s: attribute %s: %w", name, local, err)
		}
		opts := ",attr,omitempty"
		if a.Use == "required" {
			opts = ",attr"
		}
		field(names.claim(goName(local), "Attr"), typ, local+opts)
	}
	fmt.Fprintf(b, "type %s struct {\n%s}\n\n", name, body.String())
	for _, h := range hoisted {
		if err := h(); err != nil {
			return err
		}
	}
	return nil
}

func hasAny(g *xsdGroup) bool {
	for _, it := range g.Items {
		if it.Any || (it.Group != nil && hasAny(it.Group)) {
			return true
		}
	}
	return false
}

// globalElementType is the Go type of a member that refers to global element te of schema ts.
func (g *gen) globalElementType(ts *xsdSchema, te *xsdElement) (string, error) {
	switch {
	case te.ComplexType != nil:
		o := g.lookup('e', ts.TargetNamespace, te.Name)
		if o == nil {
			return "", fmt.Errorf("element %s has no type", te.Name)
		}
		return "*" + o.goName, nil
	case te.Type != "":
		return g.typeRef(ts, te.Type, te.Nillable == "true")
	case te.SimpleType != nil:
		return g.inlineSimple(ts, te.SimpleType)
	}
	return "string", nil
}

// elementGoType is the Go type that stands for global element {ns}local as a whole message
// part: its own struct, its element wrapper, or its complex type.
func (g *gen) elementGoType(ns, local string) (string, error) {
	k := qkey{'e', ns, local}
	s, e := g.elements[k], g.elDecl[k]
	if e == nil {
		for kk, ee := range g.elDecl { // undeclared prefix: local name alone
			if kk.local == local && ns == "" {
				s, e, k = g.elements[kk], ee, kk
			}
		}
	}
	if e == nil {
		return "", fmt.Errorf("element {%s}%s not found", ns, local)
	}
	if o := g.byKey[k]; o != nil && o.goName != "" {
		return o.goName, nil
	}
	if e.Type != "" {
		tns, tl := g.resolve(s, e.Type)
		if o := g.lookup('c', tns, tl); o != nil {
			return o.goName, nil
		}
	}
	return "", fmt.Errorf("element {%s}%s has no Go type", ns, local)
}
