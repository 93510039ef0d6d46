package wsdlgen

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The generator reads the WSDL itself, beside gowsdl, because gowsdl throws away exactly what
// the fix-up pass needs: which schema (so which namespace) declared each element, whether the
// schema qualifies local elements, minOccurs, the order of nested sequence/choice/all groups, the
// SOAP 1.2 operation actions and the soap12:fault declarations.

type wsdlDoc struct {
	TargetNamespace string          `xml:"targetNamespace,attr"`
	Schemas         []*xsdSchema    `xml:"types>schema"`
	Bindings        []wsdlBinding   `xml:"binding"`
	PortTypes       []wsdlPortType  `xml:"portType"`
	Messages        []wsdlMessage   `xml:"message"`
	Services        []wsdlService   `xml:"service"`
	Imports         []wsdlImportRef `xml:"import"`
	Attrs           []xml.Attr      `xml:",any,attr"` // namespace declarations
}

type wsdlImportRef struct {
	Location string `xml:"location,attr"`
}

type wsdlService struct {
	Name string `xml:"name,attr"`
}

type wsdlMessage struct {
	Name  string `xml:"name,attr"`
	Parts []struct {
		Name    string `xml:"name,attr"`
		Element string `xml:"element,attr"`
		Type    string `xml:"type,attr"`
	} `xml:"part"`
}

type wsdlPortType struct {
	Name       string          `xml:"name,attr"`
	Operations []wsdlOperation `xml:"operation"`
}

type wsdlOperation struct {
	Name  string `xml:"name,attr"`
	Input struct {
		Message string `xml:"message,attr"`
	} `xml:"input"`
	Output struct {
		Message string `xml:"message,attr"`
	} `xml:"output"`
	// wsdl:fault, and also soap:fault/soap12:fault written directly in the portType (uds does
	// that; WSDL 1.1 does not allow it, but the intent is plain): all share the local name.
	Faults []struct {
		XMLName xml.Name
		Name    string `xml:"name,attr"`
		Message string `xml:"message,attr"`
	} `xml:"fault"`
}

const (
	nsWSDL    = "http://schemas.xmlsoap.org/wsdl/"
	nsSOAP11  = "http://schemas.xmlsoap.org/wsdl/soap/"
	nsSOAP12  = "http://schemas.xmlsoap.org/wsdl/soap12/"
	nsXSD     = "http://www.w3.org/2001/XMLSchema"
	soap11Ver = "1.1"
	soap12Ver = "1.2"
)

type wsdlBinding struct {
	Name string `xml:"name,attr"`
	Type string `xml:"type,attr"`
	// soap:binding or soap12:binding; its namespace gives the SOAP version.
	SOAPBinding []struct {
		XMLName xml.Name
	} `xml:"binding"`
	Operations []struct {
		Name string `xml:"name,attr"`
		// soap:operation and soap12:operation share the local name "operation"; gowsdl only
		// reads the SOAP 1.1 one, which is why SOAP 1.2-only services got an action of ''.
		SOAP []struct {
			XMLName    xml.Name
			SOAPAction string `xml:"soapAction,attr"`
		} `xml:",any"`
	} `xml:"operation"`
}

// version is "1.1" or "1.2" for a SOAP binding, "" for others (HTTP GET/POST).
func (b *wsdlBinding) version() string {
	for _, sb := range b.SOAPBinding {
		switch sb.XMLName.Space {
		case nsSOAP11:
			return soap11Ver
		case nsSOAP12:
			return soap12Ver
		}
	}
	return ""
}

type xsdSchema struct {
	TargetNamespace    string           `xml:"targetNamespace,attr"`
	ElementFormDefault string           `xml:"elementFormDefault,attr"`
	Elements           []*xsdElement    `xml:"element"`
	ComplexTypes       []*xsdComplex    `xml:"complexType"`
	SimpleTypes        []*xsdSimpleType `xml:"simpleType"`
	Imports            []xsdImportRef   `xml:"import"`
	Includes           []xsdImportRef   `xml:"include"`
	Attrs              []xml.Attr       `xml:",any,attr"` // namespace declarations
	// external is set for a schema read from its own file: the WSDL's namespace declarations
	// do not reach it.
	external bool
}

type xsdImportRef struct {
	Namespace      string `xml:"namespace,attr"`
	SchemaLocation string `xml:"schemaLocation,attr"`
}

type xsdSimpleType struct {
	Name        string `xml:"name,attr"`
	Restriction struct {
		Base        string `xml:"base,attr"`
		Enumeration []struct {
			Value string `xml:"value,attr"`
		} `xml:"enumeration"`
	} `xml:"restriction"`
	List struct {
		ItemType string `xml:"itemType,attr"`
	} `xml:"list"`
	Union *struct{} `xml:"union"`
}

// xsdGroup is a model group (sequence, choice or all) with its particles in document order.
type xsdGroup struct {
	Kind      string // "sequence", "choice", "all"
	MinOccurs string
	MaxOccurs string
	Items     []xsdParticle
}

// xsdParticle is one member of a group: an element, a nested group or an xs:any.
type xsdParticle struct {
	Element *xsdElement
	Group   *xsdGroup
	Any     bool
}

func (g *xsdGroup) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	g.Kind = start.Name.Local
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "minOccurs":
			g.MinOccurs = a.Value
		case "maxOccurs":
			g.MaxOccurs = a.Value
		}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "element":
				e := new(xsdElement)
				if err := d.DecodeElement(e, &t); err != nil {
					return err
				}
				g.Items = append(g.Items, xsdParticle{Element: e})
			case "sequence", "choice", "all":
				sub := new(xsdGroup)
				if err := d.DecodeElement(sub, &t); err != nil {
					return err
				}
				g.Items = append(g.Items, xsdParticle{Group: sub})
			case "any":
				g.Items = append(g.Items, xsdParticle{Any: true})
				if err := d.Skip(); err != nil {
					return err
				}
			case "group":
				return fmt.Errorf("xs:group references are not supported")
			default: // annotation
				if err := d.Skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			return nil
		}
	}
}

type xsdAttribute struct {
	Name       string         `xml:"name,attr"`
	Type       string         `xml:"type,attr"`
	Ref        string         `xml:"ref,attr"`
	Use        string         `xml:"use,attr"`
	SimpleType *xsdSimpleType `xml:"simpleType"`
}

type xsdDerivation struct {
	Base       string          `xml:"base,attr"`
	Sequence   *xsdGroup       `xml:"sequence"`
	Choice     *xsdGroup       `xml:"choice"`
	All        *xsdGroup       `xml:"all"`
	Attributes []*xsdAttribute `xml:"attribute"`
}

type xsdComplex struct {
	Name           string          `xml:"name,attr"`
	Sequence       *xsdGroup       `xml:"sequence"`
	Choice         *xsdGroup       `xml:"choice"`
	All            *xsdGroup       `xml:"all"`
	Attributes     []*xsdAttribute `xml:"attribute"`
	ComplexContent struct {
		Extension   *xsdDerivation `xml:"extension"`
		Restriction *xsdDerivation `xml:"restriction"`
	} `xml:"complexContent"`
	SimpleContent struct {
		Extension   *xsdDerivation `xml:"extension"`
		Restriction *xsdDerivation `xml:"restriction"`
	} `xml:"simpleContent"`
}

// content is the complex type's own model group (after its base's members, when it extends one).
func (c *xsdComplex) content() *xsdGroup {
	for _, d := range []*xsdDerivation{c.ComplexContent.Extension, c.ComplexContent.Restriction} {
		if d != nil {
			return firstGroup(d.Sequence, d.Choice, d.All)
		}
	}
	return firstGroup(c.Sequence, c.Choice, c.All)
}

func firstGroup(gs ...*xsdGroup) *xsdGroup {
	for _, g := range gs {
		if g != nil {
			return g
		}
	}
	return nil
}

// base is the QName of the complexContent extension base ("" when none).
func (c *xsdComplex) base() string {
	if c.ComplexContent.Extension != nil {
		return c.ComplexContent.Extension.Base
	}
	return ""
}

// simpleBase is the QName of the simpleContent base ("" when the type has no simple content).
func (c *xsdComplex) simpleBase() string {
	if d := c.SimpleContent.Extension; d != nil {
		return d.Base
	}
	if d := c.SimpleContent.Restriction; d != nil {
		return d.Base
	}
	return ""
}

func (c *xsdComplex) attributes() []*xsdAttribute {
	out := append([]*xsdAttribute(nil), c.Attributes...)
	for _, d := range []*xsdDerivation{c.ComplexContent.Extension, c.ComplexContent.Restriction, c.SimpleContent.Extension, c.SimpleContent.Restriction} {
		if d != nil {
			out = append(out, d.Attributes...)
		}
	}
	return out
}

// member is an element of a complex type's content with its effective occurrence: an element
// inside an optional group, or in a choice of several, is optional on the wire; one inside a
// repeated group repeats.
type member struct {
	el       *xsdElement
	optional bool
	repeated bool
}

func (c *xsdComplex) members() []member {
	var out []member
	var walk func(g *xsdGroup, optional, repeated bool)
	walk = func(g *xsdGroup, optional, repeated bool) {
		optional = optional || g.MinOccurs == "0" || (g.Kind == "choice" && len(g.Items) > 1)
		repeated = repeated || isMany(g.MaxOccurs)
		for _, it := range g.Items {
			switch {
			case it.Element != nil:
				out = append(out, member{el: it.Element, optional: optional, repeated: repeated})
			case it.Group != nil:
				walk(it.Group, optional, repeated)
			}
		}
	}
	if g := c.content(); g != nil {
		walk(g, false, false)
	}
	return out
}

// elements lists the complex type's own elements in document order.
func (c *xsdComplex) elements() []*xsdElement {
	var out []*xsdElement
	for _, m := range c.members() {
		out = append(out, m.el)
	}
	return out
}

func isMany(maxOccurs string) bool {
	return maxOccurs != "" && maxOccurs != "0" && maxOccurs != "1"
}

// isDataTable reports the ASMX shape of a System.Data.DataTable/DataSet result:
// <sequence><element ref="s:schema"/><any/></sequence>. gowsdl turns it into a struct that
// references an undeclared type, and even where it compiles the rows are dropped.
func (c *xsdComplex) isDataTable() bool {
	g := c.Sequence
	return g != nil && len(g.Items) == 2 && g.Items[0].Element != nil && localName(g.Items[0].Element.Ref) == "schema" && g.Items[1].Any
}

type xsdElement struct {
	Name        string         `xml:"name,attr"`
	Type        string         `xml:"type,attr"`
	Ref         string         `xml:"ref,attr"`
	MinOccurs   string         `xml:"minOccurs,attr"`
	MaxOccurs   string         `xml:"maxOccurs,attr"`
	Nillable    string         `xml:"nillable,attr"`
	Form        string         `xml:"form,attr"`
	ComplexType *xsdComplex    `xml:"complexType"`
	SimpleType  *xsdSimpleType `xml:"simpleType"`
}

// required is the XSD rule for an element that must be on the wire: minOccurs ≥ 1 (the default)
// and not nillable. gowsdl tags every element omitempty, which drops required zero values.
func (e *xsdElement) required() bool {
	return e.MinOccurs != "0" && e.Nillable != "true" && e.MaxOccurs != "unbounded"
}

// model is the parsed WSDL with its schemas (inline and imported from local files).
type model struct {
	doc     wsdlDoc
	schemas []*xsdSchema
}

// loadModel reads the WSDL and the schemas it imports or includes from local files, in the
// order gowsdl appends them (inline schemas first, then each external schema after the ones it
// imports itself), so declarations can be matched to gowsdl's output in order.
func loadModel(path string) (*model, error) {
	var doc wsdlDoc
	if err := decodeFile(path, &doc); err != nil {
		return nil, err
	}
	if len(doc.Imports) > 0 {
		return nil, fmt.Errorf("%s: wsdl:import is not supported", path)
	}
	m := &model{doc: doc}
	m.schemas = append(m.schemas, doc.Schemas...)
	seen := map[string]bool{}
	var resolve func(s *xsdSchema, base string) error
	resolve = func(s *xsdSchema, base string) error {
		refs := append(append([]xsdImportRef(nil), s.Imports...), s.Includes...)
		for i, ref := range refs {
			if ref.SchemaLocation == "" {
				if !m.hasNamespace(ref.Namespace) {
					return fmt.Errorf("%s: xs:import of %q has no schemaLocation and no inline schema declares it", path, ref.Namespace)
				}
				continue
			}
			if strings.Contains(ref.SchemaLocation, "://") {
				return fmt.Errorf("%s: remote schemaLocation %q: keep schemas beside the WSDL", path, ref.SchemaLocation)
			}
			p := filepath.Join(filepath.Dir(base), filepath.FromSlash(ref.SchemaLocation))
			if seen[p] {
				continue
			}
			seen[p] = true
			loaded := &xsdSchema{external: true}
			if err := decodeFile(p, loaded); err != nil {
				return err
			}
			if i >= len(s.Imports) && loaded.TargetNamespace == "" {
				// A chameleon include takes the including schema's namespace.
				loaded.TargetNamespace = s.TargetNamespace
				if loaded.ElementFormDefault == "" {
					loaded.ElementFormDefault = s.ElementFormDefault
				}
			}
			if err := resolve(loaded, p); err != nil {
				return err
			}
			m.schemas = append(m.schemas, loaded)
		}
		return nil
	}
	for _, s := range doc.Schemas {
		if err := resolve(s, path); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *model) hasNamespace(ns string) bool {
	for _, s := range m.schemas {
		if s.TargetNamespace == ns {
			return true
		}
	}
	return ns == nsXSD
}

func decodeFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// namespaceOf gives the namespace a child element declared in schema s is written in.
func namespaceOf(s *xsdSchema, e *xsdElement) string {
	if e.Form == "qualified" || (e.Form == "" && s.ElementFormDefault == "qualified") {
		return s.TargetNamespace
	}
	return ""
}

func (m *model) message(qname string) *wsdlMessage {
	for i := range m.doc.Messages {
		if m.doc.Messages[i].Name == localName(qname) {
			return &m.doc.Messages[i]
		}
	}
	return nil
}

// soapAction finds an operation's action in any SOAP binding, SOAP 1.1 or 1.2.
func (m *model) soapAction(op string) string {
	for _, a := range m.soapActions(op) {
		if a.action != "" {
			return a.action
		}
	}
	return ""
}

type bindingAction struct {
	binding, version, action string
}

// soapActions lists an operation's action in every SOAP binding that binds it.
func (m *model) soapActions(op string) []bindingAction {
	var out []bindingAction
	for _, b := range m.doc.Bindings {
		v := b.version()
		for _, o := range b.Operations {
			if o.Name != op {
				continue
			}
			for _, s := range o.SOAP {
				if s.XMLName.Local == "operation" && (s.XMLName.Space == nsSOAP11 || s.XMLName.Space == nsSOAP12) {
					out = append(out, bindingAction{binding: b.Name, version: v, action: s.SOAPAction})
				}
			}
		}
	}
	return out
}

func localName(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}
