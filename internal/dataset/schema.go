package dataset

import (
	"encoding/xml"
	"errors"
	"strings"
)

// Schema is what the inline xs:schema of a DataSet result says, reduced to
// the names and types a client needs. Names are decoded (spaces, not
// _x0020_).
type Schema struct {
	// DataSetName is the name of the DataSet element ("NewDataSet" for a
	// serialized DataTable).
	DataSetName string
	// MainTable is msdata:MainDataTable, present when a DataTable was
	// returned; for a DataSet it is the first table. It is the table whose
	// rows Reader.Next decodes.
	MainTable string
	Tables    []Table
}

// Table is one table of a Schema.
type Table struct {
	Name    string
	Columns []Column
}

// Column is one column of a Table.
type Column struct {
	Name string
	// Type is the local name of the XML Schema type: "string", "int",
	// "long", "boolean", "dateTime", "decimal", "double", "base64Binary"...
	// The empty string means string when writing and "untyped" when read.
	Type string
}

// Table returns the table with the given name (exact, else
// case-insensitive), or nil.
func (s *Schema) Table(name string) *Table {
	if s == nil {
		return nil
	}
	for i := range s.Tables {
		if s.Tables[i].Name == name {
			return &s.Tables[i]
		}
	}
	for i := range s.Tables {
		if strings.EqualFold(s.Tables[i].Name, name) {
			return &s.Tables[i]
		}
	}
	return nil
}

// Column returns the column with the given name (exact, else
// case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	if t == nil {
		return nil
	}
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// node is an element of the xs:schema, held in memory while it is
// interpreted. A schema is small and its size does not grow with the rows;
// maxSchemaNodes bounds what a hostile one can cost.
type node struct {
	name xml.Name
	attr []xml.Attr
	kids []*node
}

const maxSchemaNodes = 1 << 16

var errSchemaTooBig = errors.New("inline schema has too many elements")

func (n *node) get(local string) string {
	for _, a := range n.attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// children returns the child elements with one of the given local names.
func (n *node) children(locals ...string) []*node {
	var out []*node
	for _, k := range n.kids {
		for _, l := range locals {
			if k.name.Local == l {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// readTree reads the element whose start tag was just consumed at the
// given depth into a node tree.
func (r *Reader) readTree(start xml.StartElement, depth int) (*node, error) {
	root := &node{name: start.Name, attr: start.Attr}
	stack := []*node{root}
	count := 1
	for len(stack) > 0 {
		t, err := r.tok()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if depth+len(stack) > maxDepth {
				return nil, r.fail(errTooDeep)
			}
			if count++; count > maxSchemaNodes {
				return nil, r.fail(errSchemaTooBig)
			}
			n := &node{name: t.Name, attr: t.Attr}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return root, nil
}

// interpretSchema walks the shape DataSet writes:
//
//	xs:schema
//	  xs:element name=DataSet msdata:IsDataSet=true msdata:MainDataTable=T
//	    xs:complexType / xs:choice
//	      xs:element name=T
//	        xs:complexType / xs:sequence / xs:element name=column type=xs:int
//	        xs:complexType / xs:attribute name=column   (attribute-mapped columns)
//
// Anything else (keys, constraints, annotations) is ignored.
func interpretSchema(root *node) *Schema {
	s := &Schema{DataSetName: DecodeName(root.get("id"))}
	// The DataSet element: the first marked msdata:IsDataSet, else the
	// first element.
	var ds *node
	for _, e := range root.children("element") {
		if e.get("IsDataSet") == "true" {
			ds = e
			break
		}
		if ds == nil {
			ds = e
		}
	}
	if ds == nil {
		return s
	}
	if name := ds.get("name"); name != "" {
		s.DataSetName = DecodeName(name)
	}
	for _, ct := range ds.children("complexType") {
		for _, group := range ct.children("choice", "sequence", "all") {
			for _, t := range group.children("element") {
				s.addTable(t)
			}
		}
	}
	s.MainTable = DecodeName(localPart(ds.get("MainDataTable")))
	if s.MainTable == "" && len(s.Tables) > 0 {
		s.MainTable = s.Tables[0].Name
	}
	return s
}

// addTable adds the table defined by element t, and the tables nested in
// it (DataRelation.Nested), which are element columns with their own
// complex type.
func (s *Schema) addTable(t *node) {
	name := t.get("name")
	if name == "" { // xs:element ref=... is not something DataSet writes for a table
		return
	}
	i := len(s.Tables)
	s.Tables = append(s.Tables, Table{Name: DecodeName(name)})
	var cols []Column
	for _, ct := range t.children("complexType") {
		for _, group := range ct.children("sequence", "all", "choice") {
			for _, c := range group.children("element") {
				if len(c.children("complexType")) > 0 {
					s.addTable(c)
					continue
				}
				if n := c.get("name"); n != "" {
					cols = append(cols, Column{Name: DecodeName(n), Type: typeOf(c)})
				}
			}
		}
		for _, a := range ct.children("attribute") {
			if n := a.get("name"); n != "" {
				cols = append(cols, Column{Name: DecodeName(n), Type: typeOf(a)})
			}
		}
	}
	s.Tables[i].Columns = cols
}

// typeOf returns the local XML Schema type name of an element or attribute
// declaration: its type attribute, or the base of an inline restriction
// (DataSet writes one for a string column with a MaxLength).
func typeOf(n *node) string {
	if t := n.get("type"); t != "" {
		return localPart(t)
	}
	for _, st := range n.children("simpleType") {
		for _, r := range st.children("restriction") {
			if b := r.get("base"); b != "" {
				return localPart(b)
			}
		}
	}
	return ""
}

func localPart(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}
