package wsdlgen

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The generator reads the WSDL a second time, beside gowsdl, because gowsdl throws away exactly
// what the fix-up pass needs: which schema (so which namespace) declared each element, whether
// the schema qualifies local elements, minOccurs, and the SOAP 1.2 operation actions.

type wsdlDoc struct {
	TargetNamespace string          `xml:"targetNamespace,attr"`
	Schemas         []*xsdSchema    `xml:"types>schema"`
	Bindings        []wsdlBinding   `xml:"binding"`
	PortTypes       []wsdlPortType  `xml:"portType"`
	Messages        []wsdlMessage   `xml:"message"`
	Services        []wsdlService   `xml:"service"`
	Attrs           []xml.Attr      `xml:",any,attr"`
	Imports         []wsdlImportRef `xml:"import"`
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
	Name       string `xml:"name,attr"`
	Operations []struct {
		Name  string `xml:"name,attr"`
		Input struct {
			Message string `xml:"message,attr"`
		} `xml:"input"`
		Output struct {
			Message string `xml:"message,attr"`
		} `xml:"output"`
	} `xml:"operation"`
}

type wsdlBinding struct {
	Name       string `xml:"name,attr"`
	Type       string `xml:"type,attr"`
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

type xsdSchema struct {
	TargetNamespace    string          `xml:"targetNamespace,attr"`
	ElementFormDefault string          `xml:"elementFormDefault,attr"`
	Elements           []*xsdElement   `xml:"element"`
	ComplexTypes       []*xsdComplex   `xml:"complexType"`
	SimpleTypes        []xsdSimpleType `xml:"simpleType"`
	Imports            []xsdImportRef  `xml:"import"`
	Includes           []xsdImportRef  `xml:"include"`
}

type xsdImportRef struct {
	Namespace      string `xml:"namespace,attr"`
	SchemaLocation string `xml:"schemaLocation,attr"`
}

type xsdSimpleType struct {
	Name        string `xml:"name,attr"`
	Enumeration []struct {
		Value string `xml:"value,attr"`
	} `xml:"restriction>enumeration"`
}

type xsdComplex struct {
	Name      string        `xml:"name,attr"`
	Sequence  []*xsdElement `xml:"sequence>element"`
	Choice    []*xsdElement `xml:"choice>element"`
	All       []*xsdElement `xml:"all>element"`
	HasAny    []struct{}    `xml:"sequence>any"`
	Extension struct {
		Base     string        `xml:"base,attr"`
		Sequence []*xsdElement `xml:"sequence>element"`
		Choice   []*xsdElement `xml:"choice>element"`
	} `xml:"complexContent>extension"`
}

func (c *xsdComplex) elements() []*xsdElement {
	var out []*xsdElement
	for _, l := range [][]*xsdElement{c.Sequence, c.Choice, c.All, c.Extension.Sequence, c.Extension.Choice} {
		out = append(out, l...)
	}
	return out
}

// isDataTable reports the ASMX shape of a System.Data.DataTable/DataSet result:
// <sequence><element ref="s:schema"/><any/></sequence>. gowsdl turns it into a struct that
// references an undeclared type, and even where it compiles the rows are dropped.
func (c *xsdComplex) isDataTable() bool {
	return len(c.Sequence) == 1 && localName(c.Sequence[0].Ref) == "schema" && len(c.HasAny) == 1
}

type xsdElement struct {
	Name        string      `xml:"name,attr"`
	Type        string      `xml:"type,attr"`
	Ref         string      `xml:"ref,attr"`
	MinOccurs   string      `xml:"minOccurs,attr"`
	MaxOccurs   string      `xml:"maxOccurs,attr"`
	Nillable    string      `xml:"nillable,attr"`
	Form        string      `xml:"form,attr"`
	ComplexType *xsdComplex `xml:"complexType"`
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

func loadModel(path string) (*model, error) {
	var doc wsdlDoc
	if err := decodeFile(path, &doc); err != nil {
		return nil, err
	}
	m := &model{doc: doc}
	seen := map[string]bool{}
	var add func(s *xsdSchema, base string) error
	add = func(s *xsdSchema, base string) error {
		m.schemas = append(m.schemas, s)
		for _, ref := range append(append([]xsdImportRef(nil), s.Imports...), s.Includes...) {
			if ref.SchemaLocation == "" {
				continue // inline sibling schema, already in the list
			}
			if strings.Contains(ref.SchemaLocation, "://") {
				return fmt.Errorf("%s: remote schemaLocation %q: keep schemas beside the WSDL", path, ref.SchemaLocation)
			}
			p := filepath.Join(filepath.Dir(base), ref.SchemaLocation)
			if seen[p] {
				continue
			}
			seen[p] = true
			var imported xsdSchema
			if err := decodeFile(p, &imported); err != nil {
				return err
			}
			if err := add(&imported, p); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range doc.Schemas {
		if err := add(s, path); err != nil {
			return nil, err
		}
	}
	return m, nil
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

// structInfo describes the XSD origin of one generated Go struct.
type structInfo struct {
	schema  *xsdSchema
	complex *xsdComplex
	// element is set when the struct stands for a global element (its XMLName).
	element *xsdElement
	// elementSchema declares element when it differs from schema (a complex type named by
	// an element of another namespace, like uds' msgs:userRegistryError of uds:UdsRegistryErrorType).
	elementSchema *xsdSchema
}

// namespaceOf gives the namespace a child element declared in schema s is written in.
func namespaceOf(s *xsdSchema, e *xsdElement) string {
	if e.Form == "qualified" || (e.Form == "" && s.ElementFormDefault == "qualified") {
		return s.TargetNamespace
	}
	return ""
}

// globalElement finds a global element by local name; ok is false when none or several match.
func (m *model) globalElement(local string) (*xsdSchema, *xsdElement, bool) {
	var hs *xsdSchema
	var he *xsdElement
	n := 0
	for _, s := range m.schemas {
		for _, e := range s.Elements {
			if e.Name == local {
				hs, he = s, e
				n++
			}
		}
	}
	return hs, he, n == 1
}

// elementsOfType lists the global elements whose type is the named complex type.
func (m *model) elementsOfType(typeLocal string) (schemas []*xsdSchema, elems []*xsdElement) {
	for _, s := range m.schemas {
		for _, e := range s.Elements {
			if e.Type != "" && localName(e.Type) == typeLocal {
				schemas = append(schemas, s)
				elems = append(elems, e)
			}
		}
	}
	return schemas, elems
}

// soapAction finds an operation's action in any binding, SOAP 1.1 or 1.2.
func (m *model) soapAction(op string) string {
	for _, b := range m.doc.Bindings {
		for _, o := range b.Operations {
			if o.Name != op {
				continue
			}
			for _, s := range o.SOAP {
				if s.XMLName.Local == "operation" && s.SOAPAction != "" {
					return s.SOAPAction
				}
			}
		}
	}
	return ""
}

func localName(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}
