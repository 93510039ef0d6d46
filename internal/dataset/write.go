package dataset

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Write writes a DataTable as an ASMX service returns it, for fake
// servers in tests: the inline xs:schema followed by the diffgram, which
// is what goes inside the operation's Result element. Names are encoded
// with EncodeName; a column whose Type is empty is an xs:string. rows
// holds one value per column, formatted as it should appear on the wire
// (see FormatTime); a nil value is NULL and its element is omitted, as
// DataSet does. No rows gives an empty, self-closing diffgram.
//
// The output is a sequence of elements, not a document. With
// encoding/xml, put it into a struct field tagged `xml:",innerxml"`.
// Characters that XML cannot carry (most C0 controls) are written as
// U+FFFD.
func Write(w io.Writer, table string, columns []Column, rows [][]*string) error {
	if table == "" {
		return errors.New("dataset: Write: empty table name")
	}
	for i, c := range columns {
		if c.Name == "" {
			return fmt.Errorf("dataset: Write: column %d has no name", i)
		}
		for _, c2 := range columns[:i] {
			if strings.EqualFold(c.Name, c2.Name) {
				return fmt.Errorf("dataset: Write: duplicate column %q", c.Name)
			}
		}
	}
	for i, row := range rows {
		if len(row) != len(columns) {
			return fmt.Errorf("dataset: Write: row %d has %d values for %d columns", i+1, len(row), len(columns))
		}
	}
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = EncodeName(c.Name)
	}
	tname := EncodeName(table)

	bw := bufio.NewWriter(w)
	bw.WriteString(`<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">`)
	bw.WriteString(`<xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:MainDataTable="`)
	bw.WriteString(tname) // an encoded name needs no escaping
	bw.WriteString(`" msdata:UseCurrentLocale="true"><xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded"><xs:element name="`)
	bw.WriteString(tname)
	bw.WriteString(`"><xs:complexType><xs:sequence>`)
	for i, c := range columns {
		typ := c.Type
		if typ == "" {
			typ = "string"
		}
		bw.WriteString(`<xs:element name="`)
		bw.WriteString(names[i])
		bw.WriteString(`" type="xs:`)
		xml.EscapeText(bw, []byte(typ))
		bw.WriteString(`" minOccurs="0" />`)
	}
	bw.WriteString(`</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType></xs:element></xs:schema>`)
	bw.WriteString(`<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"`)
	if len(rows) == 0 {
		bw.WriteString(` />`)
		return bw.Flush()
	}
	bw.WriteString(`><DocumentElement xmlns="">`)
	id := []byte(nil)
	for i, row := range rows {
		bw.WriteByte('<')
		bw.WriteString(tname)
		// diffgr:id is the (decoded) table name and a 1-based ordinal.
		bw.WriteString(` diffgr:id="`)
		id = strconv.AppendInt(append(id[:0], table...), int64(i+1), 10)
		xml.EscapeText(bw, id)
		bw.WriteString(`" msdata:rowOrder="`)
		bw.WriteString(strconv.Itoa(i))
		bw.WriteString(`">`)
		for j, v := range row {
			if v == nil {
				continue
			}
			bw.WriteByte('<')
			bw.WriteString(names[j])
			bw.WriteByte('>')
			xml.EscapeText(bw, []byte(*v))
			bw.WriteString("</")
			bw.WriteString(names[j])
			bw.WriteByte('>')
		}
		bw.WriteString("</")
		bw.WriteString(tname)
		bw.WriteByte('>')
	}
	bw.WriteString(`</DocumentElement></diffgr:diffgram>`)
	return bw.Flush()
}
