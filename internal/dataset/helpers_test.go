package dataset

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// task is a row of the BSIDCA "Provisioning Tasks" table.
type task struct {
	TaskID      int        `dataset:"taskid"`
	Operator    string     `dataset:"operator"`
	StartDate   time.Time  `dataset:"startdate"`
	Count       *int       `dataset:"count"`
	TokenOption string     `dataset:"tokenoption"`
	StopDate    *time.Time `dataset:"stopdate"`
}

const tasksSchema = `<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">
    <xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:MainDataTable="Provisioning_x0020_Tasks" msdata:UseCurrentLocale="true">
      <xs:complexType>
        <xs:choice minOccurs="0" maxOccurs="unbounded">
          <xs:element name="Provisioning_x0020_Tasks">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="taskid" type="xs:int" minOccurs="0" />
                <xs:element name="operator" type="xs:string" minOccurs="0" />
                <xs:element name="startdate" type="xs:dateTime" minOccurs="0" />
                <xs:element name="count" type="xs:int" minOccurs="0" />
                <xs:element name="tokenoption" type="xs:string" minOccurs="0" />
                <xs:element name="stopdate" type="xs:dateTime" minOccurs="0" />
              </xs:sequence>
            </xs:complexType>
          </xs:element>
        </xs:choice>
      </xs:complexType>
    </xs:element>
  </xs:schema>`

const (
	diffgramOpen  = `<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1">`
	diffgramClose = `</diffgr:diffgram>`
	emptyDiffgram = `<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1" />`
)

// tableBody is a DataTable result body: schema, and rows in a
// DocumentElement.
func tableBody(rows ...string) string {
	return tasksSchema + diffgramOpen + `<DocumentElement xmlns="">` + strings.Join(rows, "\n") + `</DocumentElement>` + diffgramClose
}

// envelope wraps a Result body the way a SOAP response does, with a
// sibling element after the Result so tests can check where the decoder
// stops.
func envelope(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<GetProvisioningTasksResponse xmlns="http://www.cryptocard.com/blackshield/">
<GetProvisioningTasksResult>` + body + `</GetProvisioningTasksResult>
<After>next</After>
</GetProvisioningTasksResponse></soap:Body></soap:Envelope>`
}

// openResult returns a decoder positioned just after the start tag of
// the first element whose name ends in "Result".
func openResult(t testing.TB, doc string) (*xml.Decoder, xml.StartElement) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok && strings.HasSuffix(se.Name.Local, "Result") {
			return d, se
		}
	}
}

// requireAfter checks that d is positioned right after the Result: the
// next element is <After>, and the rest of the document decodes.
func requireAfter(t testing.TB, d *xml.Decoder) {
	t.Helper()
	for {
		tok, err := d.Token()
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok {
			require.Equal(t, "After", se.Name.Local)
			var s string
			require.NoError(t, d.DecodeElement(&s, &se))
			require.Equal(t, "next", s)
			break
		}
	}
	for {
		_, err := d.Token()
		if err != nil {
			require.EqualError(t, err, "EOF")
			return
		}
	}
}

// decodeAll decodes every row of the envelope's Result into T, checking
// the decoder's position afterwards when there is no error.
func decodeAll[T any](t testing.TB, body string) ([]T, *Schema, error) {
	t.Helper()
	d, start := openResult(t, envelope(body))
	r := NewReader(d, start)
	s, err := r.Schema()
	if err != nil {
		return nil, nil, err
	}
	var out []T
	for {
		var row T
		ok, err := r.Next(&row)
		if err != nil {
			return out, s, err
		}
		if !ok {
			break
		}
		out = append(out, row)
	}
	requireAfter(t, d)
	return out, s, nil
}

func ptr[T any](v T) *T { return &v }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
