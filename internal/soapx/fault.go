package soapx

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/internal/scrub"
)

// Fault is a SOAP Fault, whatever HTTP status carried it (ASMX and WCF use 500, some
// stacks 200, 400 or 404). Both versions map onto one shape so that service packages
// translate faults to their own errors in one place.
type Fault struct {
	Version Version
	// Code is the local part of the fault code: "Server", "Client" (1.1), "Sender",
	// "Receiver", "VersionMismatch", "MustUnderstand"… CodeNS is its resolved namespace.
	Code     string
	CodeNS   string
	Subcodes []string // 1.2 Subcode/Value local parts, outermost first
	Reason   string   // 1.1 faultstring; 1.2 the English (or first) Reason/Text
	Actor    string   // 1.1 faultactor; 1.2 Role
	Node     string   // 1.2 Node
	// Detail is the inner XML of detail/Detail. Each top-level element re-declares the
	// namespaces that were in force in the envelope, so it unmarshals on its own.
	Detail     []byte
	HTTPStatus int

	redact  *redactor
	secrets *scrub.Set
}

// scrubFields removes the secrets from the texts the server sent and keeps the Set for Error.
func (f *Fault) scrubFields(s *scrub.Set) {
	f.secrets = s
	f.Code, f.Reason, f.Actor, f.Node = s.String(f.Code), s.String(f.Reason), s.String(f.Actor), s.String(f.Node)
	for i := range f.Subcodes {
		f.Subcodes[i] = s.String(f.Subcodes[i])
	}
	f.Detail = s.Bytes(f.Detail)
}

// Error is deliberately short and redacted: the reason of an ASMX fault often echoes
// request values, and errors end up in logs.
func (f *Fault) Error() string {
	var b strings.Builder
	r := f.redact
	if r == nil {
		r = defaultRedactor
	}
	b.WriteString("soap fault ")
	if f.CodeNS == ns11 || f.CodeNS == ns12 || f.CodeNS == "" {
		b.WriteString("soap:")
	}
	b.WriteString(r.text(f.Code))
	for _, s := range f.Subcodes {
		b.WriteByte('/')
		b.WriteString(r.text(s))
	}
	if f.Reason != "" {
		b.WriteString(": ")
		b.WriteString(shortExcerpt(r.all(f.Reason)))
	}
	if f.HTTPStatus != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(f.HTTPStatus))
		b.WriteByte(')')
	}
	return f.secrets.String(b.String())
}

// GoString shows the Fault with its server texts redacted as in Error, so that %#v cannot
// print a secret a reason or detail echoes.
func (f *Fault) GoString() string {
	if f == nil {
		return "(*soapx.Fault)(nil)"
	}
	r := f.redact
	if r == nil {
		r = defaultRedactor
	}
	return f.secrets.String(fmt.Sprintf("&soapx.Fault{Version:%d, Code:%q, CodeNS:%q, Subcodes:%#v, Reason:%q, Actor:%q, Node:%q, Detail:%q, HTTPStatus:%d}",
		int(f.Version), r.text(f.Code), f.CodeNS, f.Subcodes, r.all(f.Reason), r.all(f.Actor), r.all(f.Node),
		r.all(string(f.Detail)), f.HTTPStatus))
}

// DecodeDetail unmarshals the first detail element that matches v's XMLName (or the first
// element when v declares none) into v. It returns an error wrapping ErrNoDetail when
// there is no such element.
func (f *Fault) DecodeDetail(v any) error {
	want := xmlNameOf(v)
	if len(f.Detail) > 0 {
		d := xml.NewDecoder(bytes.NewReader(f.Detail))
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			start, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			if want.Local == "" || (start.Name.Local == want.Local && (want.Space == "" || start.Name.Space == want.Space)) {
				return d.DecodeElement(v, &start)
			}
			if err := d.Skip(); err != nil {
				break
			}
		}
	}
	if want.Local != "" {
		return fmt.Errorf("%w: want <%s>", ErrNoDetail, want.Local)
	}
	return ErrNoDetail
}

// xmlNameOf reads the name a struct declares in its XMLName field tag.
func xmlNameOf(v any) xml.Name {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return xml.Name{}
	}
	fld, ok := t.FieldByName("XMLName")
	if !ok || fld.Type != reflect.TypeFor[xml.Name]() {
		return xml.Name{}
	}
	tag, _, _ := strings.Cut(fld.Tag.Get("xml"), ",")
	if space, local, ok := strings.Cut(tag, " "); ok {
		return xml.Name{Space: space, Local: local}
	}
	return xml.Name{Local: tag}
}
