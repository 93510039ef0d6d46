package dataset

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var taskColumns = []Column{
	{Name: "taskid", Type: "int"},
	{Name: "operator", Type: "string"},
	{Name: "startdate", Type: "dateTime"},
	{Name: "count", Type: "int"},
	{Name: "tokenoption"},
	{Name: "stopdate", Type: "dateTime"},
}

func TestWriteWireShape(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, "Provisioning Tasks", taskColumns[:2], [][]*string{
		{ptr("1"), ptr("a&b")},
		{ptr("2"), nil},
	}))
	require.Equal(t, `<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">`+
		`<xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:MainDataTable="Provisioning_x0020_Tasks" msdata:UseCurrentLocale="true">`+
		`<xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded"><xs:element name="Provisioning_x0020_Tasks"><xs:complexType><xs:sequence>`+
		`<xs:element name="taskid" type="xs:int" minOccurs="0" /><xs:element name="operator" type="xs:string" minOccurs="0" />`+
		`</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType></xs:element></xs:schema>`+
		`<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1">`+
		`<DocumentElement xmlns="">`+
		`<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0"><taskid>1</taskid><operator>a&amp;b</operator></Provisioning_x0020_Tasks>`+
		`<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks2" msdata:rowOrder="1"><taskid>2</taskid></Provisioning_x0020_Tasks>`+
		`</DocumentElement></diffgr:diffgram>`, b.String())

	b.Reset()
	require.NoError(t, Write(&b, "T", taskColumns, nil))
	require.True(t, strings.HasSuffix(b.String(), `</xs:schema><diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1" />`), b.String())
}

func TestWriteErrors(t *testing.T) {
	var b bytes.Buffer
	assert.Error(t, Write(&b, "", taskColumns, nil))
	assert.Error(t, Write(&b, "T", []Column{{Name: ""}}, nil))
	assert.Error(t, Write(&b, "T", []Column{{Name: "a"}, {Name: "A"}}, nil))
	assert.Error(t, Write(&b, "T", []Column{{Name: "a"}}, [][]*string{{nil, nil}}))
}

func TestRoundTrip(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 20, 30, 123456700, time.FixedZone("", 7200))
	rows := [][]*string{
		{ptr("1"), ptr("a@b.c"), ptr(FormatTime(start)), ptr("5"), ptr("MobilePASS"), nil},
		{ptr("2"), ptr(" <odd> & \"quoted\" 'text'\n\ttabbed "), ptr("2024-05-01"), nil, ptr(""), ptr("2024-06-01T00:00:00Z")},
		{ptr("3"), nil, ptr("2024-05-01T00:00:00"), nil, nil, nil},
		{ptr("4"), ptr("日本語 😀"), ptr("2024-05-01T00:00:00"), ptr("-7"), ptr("GrIDsure"), nil},
	}
	want := []task{
		{TaskID: 1, Operator: "a@b.c", StartDate: start, Count: ptr(5), TokenOption: "MobilePASS"},
		{TaskID: 2, Operator: " <odd> & \"quoted\" 'text'\n\ttabbed ", StartDate: utc("2024-05-01T00:00:00Z"), StopDate: ptr(utc("2024-06-01T00:00:00Z"))},
		{TaskID: 3, StartDate: utc("2024-05-01T00:00:00Z")},
		{TaskID: 4, Operator: "日本語 😀", StartDate: utc("2024-05-01T00:00:00Z"), Count: ptr(-7), TokenOption: "GrIDsure"},
	}
	for _, table := range []string{"Provisioning Tasks", "1 odd: name/é"} {
		var b bytes.Buffer
		require.NoError(t, Write(&b, table, taskColumns, rows))
		got, s, err := decodeAll[task](t, b.String())
		require.NoError(t, err)
		require.Equal(t, table, s.MainTable)
		require.Equal(t, "NewDataSet", s.DataSetName)
		cols := append([]Column(nil), taskColumns...)
		cols[4].Type = "string"
		require.Equal(t, []Table{{Name: table, Columns: cols}}, s.Tables)
		require.Len(t, got, len(want))
		for i := range want {
			assertTask(t, want[i], got[i])
		}
	}

	// Encoded column names and an empty table.
	var b bytes.Buffer
	cols := []Column{{Name: "start date", Type: "dateTime"}, {Name: "user:name"}}
	require.NoError(t, Write(&b, "T", cols, [][]*string{{ptr("2024-05-01T10:20:30"), ptr("x")}}))
	type r struct {
		Start time.Time `dataset:"start date"`
		User  string    `dataset:"USER:NAME"`
	}
	got, _, err := decodeAll[r](t, b.String())
	require.NoError(t, err)
	require.Equal(t, []r{{Start: utc("2024-05-01T10:20:30Z"), User: "x"}}, got)

	b.Reset()
	require.NoError(t, Write(&b, "T", cols, [][]*string{}))
	got, s, err := decodeAll[r](t, b.String())
	require.NoError(t, err)
	require.Empty(t, got)
	require.Equal(t, "T", s.MainTable)
}

// The output can be embedded with encoding/xml through an innerxml field.
func TestWriteInnerXML(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, "Provisioning Tasks", taskColumns, [][]*string{{ptr("9"), nil, nil, nil, nil, nil}}))
	type result struct {
		Inner []byte `xml:",innerxml"`
	}
	type response struct {
		XMLName xml.Name `xml:"http://www.cryptocard.com/blackshield/ GetProvisioningTasksResponse"`
		Result  result   `xml:"GetProvisioningTasksResult"`
	}
	out, err := xml.Marshal(response{Result: result{Inner: b.Bytes()}})
	require.NoError(t, err)
	d := xml.NewDecoder(bytes.NewReader(out))
	var resp struct {
		Result tasksResult `xml:"GetProvisioningTasksResult"`
	}
	require.NoError(t, d.Decode(&resp))
	require.Len(t, resp.Result.Rows, 1)
	require.Equal(t, 9, resp.Result.Rows[0].TaskID)
}
