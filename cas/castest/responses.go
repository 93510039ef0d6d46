package castest

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
)

// The fake writes its answers from its own templates of the wire, the way ASMX's
// XmlSerializer writes them: the response element declares http://ca.tvinci.com/ as the
// default namespace and every child inherits it, members in WSDL order, a null string or
// object left out, dates as .NET writes a UTC DateTime (up to 7 fraction digits, "Z"). Nothing
// here uses the client's generated types.

// doc builds one XML fragment.
type doc struct{ bytes.Buffer }

func (d *doc) open(name string) *doc { d.WriteString("<" + name + ">"); return d }

func (d *doc) openNS(name string) *doc {
	d.WriteString("<" + name + ` xmlns="` + tns + `">`)
	return d
}

func (d *doc) close(name string) *doc { d.WriteString("</" + name + ">"); return d }

// text writes <name>value</name>.
func (d *doc) text(name, value string) *doc {
	d.open(name)
	_ = xml.EscapeText(d, []byte(value))
	return d.close(name)
}

// str writes a string member, left out when empty (the server's null; the client cannot tell).
func (d *doc) str(name, value string) *doc {
	if value == "" {
		return d
	}
	return d.text(name, value)
}

func (d *doc) int(name string, v int64) *doc { return d.text(name, strconv.FormatInt(v, 10)) }

func (d *doc) bool(name string, v bool) *doc { return d.text(name, strconv.FormatBool(v)) }

// date writes a UTC DateTime. (The server may also write zone-less values, of unspecified
// kind; the client reads both, which its own tests check.)
func (d *doc) date(name string, t time.Time) *doc {
	return d.text(name, t.UTC().Format("2006-01-02T15:04:05.9999999Z"))
}

// status writes a Status {Code, Message} as element name.
func (d *doc) status(name string, st status) *doc {
	d.open(name).int("Code", int64(st.Code)).str("Message", st.Message)
	return d.close(name)
}

// statusResponse is the answer of an operation whose result is a Status: HandleUserTask and
// the cancellations.
func statusResponse(op string, st status) []byte {
	var d doc
	d.openNS(op+"Response").status(op+"Result", st).close(op + "Response")
	return d.Bytes()
}

// emptyResponse is an operation's answer with a null result.
func emptyResponse(op string) []byte {
	return []byte("<" + op + `Response xmlns="` + tns + `" />`)
}

// statusDocument is the HTTP POST form's bare answer.
func statusDocument(st status) []byte {
	var d doc
	d.WriteString(xml.Header)
	d.WriteString(`<Status xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="` + tns + `">`)
	d.int("Code", int64(st.Code)).str("Message", st.Message)
	d.close("Status")
	return d.Bytes()
}
