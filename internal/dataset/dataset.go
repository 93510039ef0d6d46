// Package dataset decodes the .NET DataTable and DataSet results that ASMX
// web services return, one row at a time, into Go structs.
//
// WSDL-generated clients type such a result as "an xs:schema followed by
// anything" and silently drop the rows, so the result element needs its own
// decoding path. On the wire the Result element holds an inline xs:schema
// that describes the tables, then a diffgr:diffgram whose container
// element (DocumentElement for a DataTable, the DataSet's name such as
// NewDataSet for a DataSet) holds one element per row and, inside it, one
// element per non-NULL column:
//
//	<GetProvisioningTasksResult>
//	  <xs:schema id="NewDataSet" ...>...</xs:schema>
//	  <diffgr:diffgram xmlns:msdata="..." xmlns:diffgr="...">
//	    <DocumentElement xmlns="">
//	      <Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0">
//	        <taskid>1</taskid><operator>a@b.c</operator>...
//	      </Provisioning_x0020_Tasks>
//	    </DocumentElement>
//	  </diffgr:diffgram>
//	</GetProvisioningTasksResult>
//
// An empty table is an empty diffgram. Table and column names are
// XmlConvert-encoded (see DecodeName). The diffgr:before and diffgr:errors
// sections of a diffgram are ignored.
//
// # Mapping rows to structs
//
// A column is decoded into the exported field whose `dataset:"name"` tag,
// or else whose Go name, equals the decoded column name, ignoring case
// because .NET column names are case-insensitive; `dataset:"-"` skips a
// field. Fields of embedded structs are promoted. A field may be a string,
// bool, any int, uint or float, time.Time, []byte, a type implementing
// encoding.TextUnmarshaler, or a pointer to one of these; a pointer stays
// nil when its column is NULL (absent). A missing column leaves the zero
// value, an unknown column is ignored, and a value that does not parse is
// a *ValueError naming the table, row, column and value.
//
// The inline schema decides what white space means: the text of a string
// (or untyped) column is kept verbatim, while white space around the value
// of any other type is dropped, as XML Schema says. Booleans are
// true/false/1/0, dates are read with ParseTime (a value without a zone is
// UTC), and an xs:base64Binary column is decoded into a []byte field.
//
// # Streaming
//
// Reader works on the caller's *xml.Decoder, with Token only (RawToken is
// not allowed inside an xml.Unmarshaler, and would leave the decoder's
// element stack wrong for the caller). Memory does not grow with the
// number of rows: one row is held at a time, and the only allocations per
// row beyond encoding/xml's own are the row's strings, []byte values and
// pointer fields. Element nesting inside the Result is limited to 64
// levels, so a hostile, deeply nested document fails fast.
package dataset

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
)

const (
	// maxDepth bounds element nesting inside the Result element. A real
	// result nests 5 levels in its rows and about 8 in its schema.
	maxDepth = 64
	// maxCachedNames bounds the per-Reader caches of element names, which
	// a hostile document could otherwise grow without limit.
	maxCachedNames = 1024
	// Depths of the levels of a result, counting the Result's children
	// as 1.
	rowDepth    = 3 // diffgram=1, container=2, row=3
	columnDepth = rowDepth + 1

	nsDiffgram = "urn:schemas-microsoft-com:xml-diffgram-v1"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
)

var errTooDeep = errors.New("elements nested deeper than 64 levels")

type state uint8

const (
	stResult    state = iota // among the Result's children
	stDiffgram               // among diffgr:diffgram's children
	stContainer              // among the container's children: the rows
	stDone                   // the Result's end tag has been consumed
)

// Reader decodes the rows of a DataTable result from an xml.Decoder,
// one at a time. It is not safe for concurrent use.
type Reader struct {
	d     *xml.Decoder
	start xml.StartElement
	state state
	err   error // sticky: the document is broken or the decoder failed

	scanned bool              // the schema has been looked for
	pending *xml.StartElement // a Result child read while looking for the schema
	schema  *Schema

	target    string          // decoded name of the table whose rows Next decodes
	targetRaw string          // its element name as seen on the wire
	table     *Table          // its schema, if any
	rowNames  map[string]bool // other row element names: is it the target?
	row       int             // rows of the target table read so far

	plan     *plan
	planType reflect.Type
	cols     map[string]binding // column element name -> how to decode it

	buf []byte // text of the current column
}

// binding says how a column, by element name, is decoded for the current
// struct type.
type binding struct {
	field int // index in plan.fields, or -1 to ignore the column
	ct    colType
	name  string // decoded column name
}

// NewReader returns a Reader for the Result element whose start tag has
// just been read from d, as in an xml.Unmarshaler's UnmarshalXML. The
// Reader reads d up to and including the matching end tag; after Next has
// returned false with a nil error (or after Skip), d is positioned just
// after it.
func NewReader(d *xml.Decoder, start xml.StartElement) *Reader {
	return &Reader{d: d, start: start}
}

// Schema returns the inline schema of the result, reading it if Next has
// not been called yet. A result without a schema is valid: the schema is
// then nil, columns are untyped, and the rows decoded are those of the
// first table that appears.
func (r *Reader) Schema() (*Schema, error) {
	if err := r.scanSchema(); err != nil {
		return nil, err
	}
	return r.schema, nil
}

// scanSchema reads up to and including the schema, which comes before the
// diffgram. A diffgram found first is kept for advance; other elements are
// skipped, as advance would.
func (r *Reader) scanSchema() error {
	if r.scanned {
		return nil
	}
	r.scanned = true
	for r.state == stResult && r.schema == nil && r.pending == nil {
		t, err := r.tok()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "schema":
				err = r.readSchema(t)
			case "diffgram":
				r.pending = &t
			default:
				err = r.skip(1)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			r.state = stDone
		}
	}
	return nil
}

func (r *Reader) readSchema(start xml.StartElement) error {
	root, err := r.readTree(start, 1)
	if err != nil {
		return err
	}
	r.schema = interpretSchema(root)
	return nil
}

// Next decodes the next row of the table into dst, which must be a
// non-nil pointer to a struct, and reports whether there was one. The
// table is the schema's main table, or without a schema the table of the
// first row; rows of other tables of a DataSet are skipped.
//
// At the end of the table Next returns false and a nil error, and the
// decoder is positioned after the Result's end tag. A *ValueError leaves
// the Reader usable: the bad row has been consumed (its other columns
// decoded) and Next may be called again. Any other error is permanent.
func (r *Reader) Next(dst any) (bool, error) {
	if r.err != nil {
		return false, r.err
	}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return false, fmt.Errorf("dataset: Next needs a non-nil pointer to a struct, not %T", dst)
	}
	v = v.Elem()
	if t := v.Type(); t != r.planType {
		p := planFor(t)
		if p.err != nil {
			return false, p.err
		}
		r.plan, r.planType = p, t
		clear(r.cols)
	}
	if err := r.scanSchema(); err != nil {
		return false, err
	}
	start, ok, err := r.advance()
	if !ok || err != nil {
		return false, err
	}
	err = r.readRow(start, v)
	if cap(r.buf) > 64<<10 { // do not keep one huge value's buffer
		r.buf = nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// Skip consumes the rest of the result, leaving the decoder positioned
// after the Result's end tag, for a caller that stops before the end of
// the table.
func (r *Reader) Skip() error {
	if r.err != nil {
		return r.err
	}
	depth := 0
	switch r.state {
	case stDone:
		return nil
	case stDiffgram:
		depth = 1
	case stContainer:
		depth = 2
	}
	if r.pending != nil { // its start tag was read: we are inside it
		r.pending = nil
		depth++
	}
	r.scanned = true
	for {
		t, err := r.tok()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return r.fail(errTooDeep)
			}
		case xml.EndElement:
			if depth == 0 {
				r.state = stDone
				return nil
			}
			depth--
		}
	}
}

// advance moves to the start tag of the next row of the target table.
func (r *Reader) advance() (xml.StartElement, bool, error) {
	for r.state != stDone {
		var t xml.Token
		if r.pending != nil {
			t, r.pending = *r.pending, nil
		} else {
			var err error
			if t, err = r.tok(); err != nil {
				return xml.StartElement{}, false, err
			}
		}
		var err error
		switch t := t.(type) {
		case xml.StartElement:
			switch r.state {
			case stResult:
				switch {
				case t.Name.Local == "diffgram":
					r.state = stDiffgram
				case t.Name.Local == "schema" && r.schema == nil && r.target == "":
					err = r.readSchema(t)
				default:
					err = r.skip(1)
				}
			case stDiffgram:
				if t.Name.Space == nsDiffgram || (t.Name.Space != "" && (t.Name.Local == "before" || t.Name.Local == "errors")) {
					err = r.skip(2) // diffgr:before, diffgr:errors
				} else {
					r.state = stContainer
				}
			case stContainer:
				if r.isTarget(t.Name.Local) {
					return t, true, nil
				}
				err = r.skip(rowDepth)
			}
		case xml.EndElement:
			switch r.state {
			case stResult:
				r.state = stDone
			case stDiffgram:
				r.state = stResult
			case stContainer:
				r.state = stDiffgram
			}
		}
		if err != nil {
			return xml.StartElement{}, false, err
		}
	}
	return xml.StartElement{}, false, nil
}

// isTarget reports whether a row element belongs to the table Next
// decodes, fixing that table at the first row.
func (r *Reader) isTarget(local string) bool {
	if local == r.targetRaw {
		return true
	}
	if m, ok := r.rowNames[local]; ok {
		return m
	}
	name := DecodeName(local)
	if r.target == "" {
		r.target = name
		if r.schema != nil && r.schema.MainTable != "" {
			r.target = r.schema.MainTable
		}
		r.table = r.schema.Table(r.target)
	}
	m := name == r.target
	if m && r.targetRaw == "" {
		r.targetRaw = local
	} else if len(r.rowNames) < maxCachedNames {
		if r.rowNames == nil {
			r.rowNames = make(map[string]bool)
		}
		r.rowNames[local] = m
	}
	return m
}

// readRow decodes the row whose start tag has been read into v.
func (r *Reader) readRow(start xml.StartElement, v reflect.Value) error {
	r.row++
	for i := range r.plan.fields {
		fieldOf(v, r.plan.fields[i].index).SetZero()
	}
	var first error // the first ValueError; the row is read to its end
	// Unprefixed attributes are columns with ColumnMapping.Attribute.
	for _, a := range start.Attr {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			continue
		}
		if b := r.bind(a.Name.Local); b.field >= 0 {
			r.buf = append(r.buf[:0], a.Value...)
			if err := r.set(v, b, r.buf); err != nil && first == nil {
				first = err
			}
		}
	}
	for {
		t, err := r.tok()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			b := r.bind(t.Name.Local)
			if b.field < 0 || isNil(t.Attr) {
				if err := r.skip(columnDepth); err != nil {
					return err
				}
				continue
			}
			text, nested, err := r.text()
			if err != nil {
				return err
			}
			if nested {
				err = newValueError(r.target, r.row, b.name, &r.plan.fields[b.field], text, errElementContent)
			} else {
				err = r.set(v, b, text)
			}
			if err != nil && first == nil {
				first = err
			}
		case xml.EndElement:
			return first
		}
	}
}

// isNil reports an xsi:nil="true" column. DataSet omits NULL columns
// rather than writing this, but other writers of the format do not.
func isNil(attrs []xml.Attr) bool {
	for _, a := range attrs {
		if a.Name.Local == "nil" && a.Name.Space == nsXSI && (a.Value == "true" || a.Value == "1") {
			return true
		}
	}
	return false
}

// text reads a column's text up to its end tag. Child elements have no
// place in a column value; they are skipped and reported as nested.
func (r *Reader) text() (text []byte, nested bool, err error) {
	r.buf = r.buf[:0]
	for {
		t, err := r.tok()
		if err != nil {
			return nil, false, err
		}
		switch t := t.(type) {
		case xml.CharData:
			r.buf = append(r.buf, t...)
		case xml.StartElement:
			nested = true
			if err := r.skip(columnDepth + 1); err != nil {
				return nil, false, err
			}
		case xml.EndElement:
			return r.buf, nested, nil
		}
	}
}

// bind returns how to decode the column with the given element name,
// decoding the name and matching it to a field and a schema type once
// per name.
func (r *Reader) bind(local string) binding {
	if b, ok := r.cols[local]; ok {
		return b
	}
	name := DecodeName(local)
	b := binding{field: r.plan.lookup(name), name: name}
	if c := r.table.Column(name); c != nil {
		b.ct = colTypeOf(c.Type)
	}
	if len(r.cols) < maxCachedNames {
		if r.cols == nil {
			r.cols = make(map[string]binding)
		}
		r.cols[local] = b
	}
	return b
}

func (r *Reader) set(v reflect.Value, b binding, text []byte) error {
	f := &r.plan.fields[b.field]
	fv := fieldOf(v, f.index)
	var err error
	if f.ptr {
		pv := reflect.New(f.elem)
		if err = setValue(pv.Elem(), f, b.ct, text); err == nil {
			fv.Set(pv)
		}
	} else {
		err = setValue(fv, f, b.ct, text)
	}
	if err != nil {
		return newValueError(r.target, r.row, b.name, f, text, err)
	}
	return nil
}

// skip consumes the rest of an element whose start tag, at the given
// depth, has just been read.
func (r *Reader) skip(depth int) error {
	for n := 0; ; {
		t, err := r.tok()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			if n++; depth+n > maxDepth {
				return r.fail(errTooDeep)
			}
		case xml.EndElement:
			if n == 0 {
				return nil
			}
			n--
		}
	}
}

// tok returns the next token. The end of input inside the Result is an
// error: the Result's end tag is what ends a table.
func (r *Reader) tok() (xml.Token, error) {
	t, err := r.d.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, r.fail(err)
	}
	return t, nil
}

// fail records a permanent error.
func (r *Reader) fail(err error) error {
	if r.err == nil {
		r.err = fmt.Errorf("dataset: <%s>: %w", r.start.Name.Local, err)
	}
	return r.err
}

// Decode decodes the rows of the Result element whose start tag has just
// been read from d, calling yield with each row in turn. It returns the
// first error, from decoding or from yield. On success d is positioned
// after the Result's end tag, so Decode can serve as the body of an
// UnmarshalXML method. T must be a struct type.
func Decode[T any](d *xml.Decoder, start xml.StartElement, yield func(T) error) error {
	r := NewReader(d, start)
	var row T
	for {
		ok, err := r.Next(&row)
		if err != nil || !ok {
			return err
		}
		if err := yield(row); err != nil {
			return err
		}
	}
}

// All is Decode as an iterator: it yields each row with a nil error, or a
// zero row with an error. After a *ValueError the loop may go on to the
// next row; any other error ends it. If the loop stops early, the rest of
// the result is skipped so that d is still positioned after the Result's
// end tag.
func All[T any](d *xml.Decoder, start xml.StartElement) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		r := NewReader(d, start)
		var row T
		for {
			ok, err := r.Next(&row)
			if err != nil {
				var zero T
				var ve *ValueError
				if !errors.As(err, &ve) {
					yield(zero, err)
					return
				}
				if !yield(zero, err) {
					r.Skip()
					return
				}
				continue
			}
			if !ok {
				return
			}
			if !yield(row, nil) {
				r.Skip()
				return
			}
		}
	}
}
