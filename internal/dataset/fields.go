package dataset

import (
	"encoding"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kind is how a field's text is converted.
type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kUint
	kFloat
	kTime
	kBytes
	kText // encoding.TextUnmarshaler
)

// field is one struct field a column can be decoded into.
type field struct {
	name  string       // column name it matches (tag or Go field name)
	index []int        // reflect field index path (embedded structs)
	typ   reflect.Type // the field's declared type, for messages
	elem  reflect.Type // typ, or its element type when ptr
	kind  kind
	bits  int  // for kInt, kUint, kFloat
	ptr   bool // *T: allocated when the column is present, nil otherwise
}

// plan is the column mapping of one struct type.
type plan struct {
	fields []field
	err    error
}

// lookup returns the index of the field for a decoded column name, or -1.
// An exact match wins over a case-insensitive one, as in .NET's
// DataColumnCollection, whose names are case-insensitive.
func (p *plan) lookup(name string) int {
	for i := range p.fields {
		if p.fields[i].name == name {
			return i
		}
	}
	for i := range p.fields {
		if strings.EqualFold(p.fields[i].name, name) {
			return i
		}
	}
	return -1
}

// plans caches one plan per struct type. A plan is derived from the type
// alone and never changes, so sharing it between goroutines is safe; the
// key set is bounded by the program's types.
var plans sync.Map // reflect.Type -> *plan

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := buildPlan(t)
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func buildPlan(t reflect.Type) *plan {
	type candidate struct {
		field
		depth  int
		tagged bool
	}
	var cands []candidate
	var walk func(t reflect.Type, index []int, depth int) error
	walk = func(t reflect.Type, index []int, depth int) error {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, tagged := sf.Tag.Lookup("dataset")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			idx := append(index[:len(index):len(index)], i)
			if sf.Anonymous && !tagged {
				ft := sf.Type
				isPtr := ft.Kind() == reflect.Pointer
				if isPtr {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					if _, ok := kindOf(ft); !ok {
						if isPtr {
							// Not followed: it would allocate per row.
							continue
						}
						// Promote the embedded struct's fields, as
						// encoding/json does.
						if err := walk(ft, idx, depth+1); err != nil {
							return err
						}
						continue
					}
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			f := field{name: name, index: idx, typ: sf.Type, elem: sf.Type}
			if f.elem.Kind() == reflect.Pointer {
				f.ptr = true
				f.elem = f.elem.Elem()
			}
			k, ok := kindOf(f.elem)
			if !ok {
				return fmt.Errorf("dataset: field %s.%s has unsupported type %s (use `dataset:\"-\"` to skip it)", t, sf.Name, sf.Type)
			}
			f.kind = k
			switch k {
			case kInt, kUint, kFloat:
				f.bits = f.elem.Bits()
			}
			cands = append(cands, candidate{field: f, depth: depth, tagged: tagged && name != ""})
		}
		return nil
	}
	if err := walk(t, nil, 0); err != nil {
		return &plan{err: err}
	}
	// A shallower field hides a deeper one of the same name; two at the
	// same depth are ambiguous, which is a mistake in the struct.
	p := &plan{}
	for depth := 0; len(cands) > 0; depth++ {
		var rest []candidate
		start := len(p.fields)
		for _, c := range cands {
			if c.depth != depth {
				rest = append(rest, c)
				continue
			}
			if j := p.lookupFold(c.name); j >= 0 {
				if j >= start {
					return &plan{err: fmt.Errorf("dataset: %s: fields %q and %q both map to column %q", t, p.fields[j].name, c.name, c.name)}
				}
				continue
			}
			p.fields = append(p.fields, c.field)
		}
		cands = rest
	}
	return p
}

func (p *plan) lookupFold(name string) int {
	for i := range p.fields {
		if strings.EqualFold(p.fields[i].name, name) {
			return i
		}
	}
	return -1
}

func kindOf(t reflect.Type) (kind, bool) {
	if t == timeType {
		return kTime, true
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return kText, true
	}
	switch t.Kind() {
	case reflect.String:
		return kString, true
	case reflect.Bool:
		return kBool, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kInt, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return kUint, true
	case reflect.Float32, reflect.Float64:
		return kFloat, true
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return kBytes, true
		}
	}
	return 0, false
}

// fieldOf returns the field at index in struct v, which is addressable.
func fieldOf(v reflect.Value, index []int) reflect.Value {
	if len(index) == 1 {
		return v.Field(index[0])
	}
	for _, i := range index {
		v = v.Field(i)
	}
	return v
}

var errElementContent = errors.New("element content where a value was expected")

// setValue converts text into fv (addressable, of type f.elem).
// Errors carry no copy of the text: the caller wraps them in a ValueError,
// which holds a truncated copy.
func setValue(fv reflect.Value, f *field, ct colType, text []byte) error {
	switch f.kind {
	case kString:
		if ct.collapses() {
			text = trim(text)
		}
		fv.SetString(string(text))
	case kBool:
		switch string(trim(text)) {
		case "true", "1":
			fv.SetBool(true)
		case "false", "0":
			fv.SetBool(false)
		default:
			return errors.New("want true, false, 1 or 0")
		}
	case kInt:
		n, err := strconv.ParseInt(string(trim(text)), 10, f.bits)
		if err != nil {
			return numError(err)
		}
		fv.SetInt(n)
	case kUint:
		n, err := strconv.ParseUint(string(trim(text)), 10, f.bits)
		if err != nil {
			return numError(err)
		}
		fv.SetUint(n)
	case kFloat:
		n, err := strconv.ParseFloat(string(trim(text)), f.bits)
		if err != nil {
			return numError(err)
		}
		fv.SetFloat(n)
	case kTime:
		t, err := parseTime(trim(text))
		if err != nil {
			return err
		}
		*fv.Addr().Interface().(*time.Time) = t
	case kBytes:
		var b []byte
		if ct == colBase64 {
			t := trim(text)
			b = make([]byte, base64.StdEncoding.DecodedLen(len(t)))
			n, err := base64.StdEncoding.Decode(b, t)
			if err != nil {
				return errors.New("invalid base64")
			}
			b = b[:n]
		} else {
			if ct.collapses() {
				text = trim(text)
			}
			b = append([]byte{}, text...)
		}
		fv.SetBytes(b)
	case kText:
		if ct.collapses() {
			text = trim(text)
		}
		return fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(text)
	}
	return nil
}

// numError drops the copy of the input that strconv puts in its errors, so
// that a huge bad value is reported only once, truncated, by ValueError.
func numError(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err
	}
	return err
}

// trim removes XML white space around a value: XML Schema collapses it
// for every type but string, so " 42\n" is a valid xs:int.
func trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// colType is what the inline schema says about a column, reduced to what
// changes decoding.
type colType uint8

const (
	colUnknown colType = iota // no schema, or no type: treated as a string
	colString
	colBase64
	colOther // numbers, dates, booleans...: white space is collapsed
)

// collapses reports whether surrounding white space is not part of the
// value. Strings, and columns of unknown type, are kept verbatim.
func (c colType) collapses() bool { return c == colBase64 || c == colOther }

func colTypeOf(xsType string) colType {
	switch xsType {
	case "", "string", "anyType":
		return colString
	case "base64Binary":
		return colBase64
	}
	return colOther
}

// ValueError reports a column value that could not be converted to its
// struct field. It names the row so that a bad row in a large table can be
// found. The reader stays usable after a ValueError: the row has been
// consumed, and Next can be called again for the next one.
type ValueError struct {
	Table  string // decoded table name
	Row    int    // 1-based row number within the table
	Column string // decoded column name
	Value  string // the text, truncated to 64 bytes
	Type   string // Go type of the field
	Err    error

	truncated bool
}

const maxErrValue = 64

func (e *ValueError) Error() string {
	more := ""
	if e.truncated {
		more = "..."
	}
	return fmt.Sprintf("dataset: table %q row %d column %q: cannot decode %q%s into %s: %v",
		e.Table, e.Row, e.Column, e.Value, more, e.Type, e.Err)
}

func (e *ValueError) Unwrap() error { return e.Err }

func newValueError(table string, row int, column string, f *field, text []byte, err error) *ValueError {
	e := &ValueError{Table: table, Row: row, Column: column, Type: f.typ.String(), Err: err}
	if len(text) > maxErrValue {
		n := maxErrValue
		// Do not cut a UTF-8 sequence in two.
		for n > maxErrValue-3 && n > 0 && text[n]&0xC0 == 0x80 {
			n--
		}
		text, e.truncated = text[:n], true
	}
	e.Value = string(text)
	return e
}
