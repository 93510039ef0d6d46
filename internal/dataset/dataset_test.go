package dataset

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const row1 = `<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0">
        <taskid>1</taskid>
        <operator>a@b.c</operator>
        <startdate>2024-05-01T10:20:30.1234567+02:00</startdate>
        <count>5</count>
        <tokenoption>MobilePASS</tokenoption>
        <stopdate>2024-06-01T00:00:00</stopdate>
      </Provisioning_x0020_Tasks>`

var task1 = task{
	TaskID:      1,
	Operator:    "a@b.c",
	StartDate:   utc("2024-05-01T08:20:30.1234567Z"),
	Count:       ptr(5),
	TokenOption: "MobilePASS",
	StopDate:    ptr(utc("2024-06-01T00:00:00Z")),
}

func TestDecodeTasks(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		want       []task
		wantSchema bool
	}{
		{
			name:       "empty diffgram",
			body:       tasksSchema + emptyDiffgram,
			wantSchema: true,
		},
		{
			name:       "empty diffgram with end tag",
			body:       tasksSchema + diffgramOpen + diffgramClose,
			wantSchema: true,
		},
		{
			name:       "empty DocumentElement",
			body:       tableBody(),
			wantSchema: true,
		},
		{
			name: "empty result",
			body: ``,
		},
		{
			name:       "schema only",
			body:       tasksSchema,
			wantSchema: true,
		},
		{
			name:       "one row",
			body:       tableBody(row1),
			want:       []task{task1},
			wantSchema: true,
		},
		{
			name: "no schema",
			body: diffgramOpen + `<DocumentElement xmlns="">` + row1 + row1 + `</DocumentElement>` + diffgramClose,
			want: []task{task1, task1},
		},
		{
			name: "NULL columns omitted",
			body: tableBody(
				`<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0"><taskid>7</taskid></Provisioning_x0020_Tasks>`,
				`<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks2" msdata:rowOrder="1"/>`,
			),
			want:       []task{{TaskID: 7}, {}},
			wantSchema: true,
		},
		{
			name: "extra and unknown columns ignored",
			body: tableBody(`<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0">
				<taskid>2</taskid><extra>x</extra><nested><a><b>deep</b></a></nested><tokenoption>GrIDsure</tokenoption>
			</Provisioning_x0020_Tasks>`),
			want:       []task{{TaskID: 2, TokenOption: "GrIDsure"}},
			wantSchema: true,
		},
		{
			name: "DataSet container",
			body: tasksSchema + diffgramOpen + `<NewDataSet xmlns="">` + row1 + `</NewDataSet>` + diffgramClose,
			want: []task{task1}, wantSchema: true,
		},
		{
			name: "diffgr:before and diffgr:errors ignored",
			body: tasksSchema + diffgramOpen + `<DocumentElement xmlns="">` + row1 + `</DocumentElement>` +
				`<diffgr:before><Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" msdata:rowOrder="0"><taskid>99</taskid></Provisioning_x0020_Tasks></diffgr:before>` +
				`<diffgr:errors><Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks1" diffgr:Error="bad"/></diffgr:errors>` +
				diffgramClose,
			want: []task{task1}, wantSchema: true,
		},
		{
			name: "before section first, prefix declared on it",
			body: `<x:diffgram xmlns:x="urn:schemas-microsoft-com:xml-diffgram-v1"><y:before xmlns:y="urn:schemas-microsoft-com:xml-diffgram-v1"><Provisioning_x0020_Tasks><taskid>99</taskid></Provisioning_x0020_Tasks></y:before>` +
				`<DocumentElement xmlns=""><Provisioning_x0020_Tasks><taskid>3</taskid></Provisioning_x0020_Tasks></DocumentElement></x:diffgram>`,
			want: []task{{TaskID: 3}},
		},
		{
			name: "comments, CDATA, entities and processing instructions",
			body: tableBody(`<Provisioning_x0020_Tasks><!-- c --><taskid><!-- c -->4<?pi x?>2</taskid><operator>a&amp;b <![CDATA[<c>]]>&#x41;</operator></Provisioning_x0020_Tasks>`),
			want: []task{{TaskID: 42, Operator: "a&b <c>A"}}, wantSchema: true,
		},
		{
			name: "white space: verbatim for strings, collapsed for others",
			body: tableBody(`<Provisioning_x0020_Tasks><taskid>
				 8 </taskid><operator>  spaced
 out  </operator><startdate> 2024-05-01 </startdate><count>	+3	</count></Provisioning_x0020_Tasks>`),
			want:       []task{{TaskID: 8, Operator: "  spaced\n out  ", StartDate: utc("2024-05-01T00:00:00Z"), Count: ptr(3)}},
			wantSchema: true,
		},
		{
			name: "xsi:nil column is NULL",
			body: tableBody(`<Provisioning_x0020_Tasks xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><taskid>1</taskid><count xsi:nil="true"/></Provisioning_x0020_Tasks>`),
			want: []task{{TaskID: 1}}, wantSchema: true,
		},
		{
			name: "attribute-mapped columns",
			body: tableBody(`<Provisioning_x0020_Tasks diffgr:id="x" taskid="12" operator=" o "><count>1</count></Provisioning_x0020_Tasks>`),
			want: []task{{TaskID: 12, Operator: " o ", Count: ptr(1)}}, wantSchema: true,
		},
		{
			name: "unknown Result children skipped",
			body: `<Other><x/></Other>` + tableBody(row1) + `<Trailer>t</Trailer>`,
			want: []task{task1}, wantSchema: true,
		},
		{
			name: "rows of other tables skipped",
			body: `<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">
				<xs:element name="NewDataSet" msdata:IsDataSet="true"><xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded">
				<xs:element name="Provisioning_x0020_Tasks"><xs:complexType><xs:sequence><xs:element name="taskid" type="xs:int" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>
				<xs:element name="Other"><xs:complexType><xs:sequence><xs:element name="taskid" type="xs:string" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>
				</xs:choice></xs:complexType></xs:element></xs:schema>` +
				diffgramOpen + `<NewDataSet xmlns="">` +
				`<Other diffgr:id="Other1"><taskid>not a number</taskid></Other>` +
				`<Provisioning_x0020_Tasks><taskid>1</taskid></Provisioning_x0020_Tasks>` +
				`<Other diffgr:id="Other2"><taskid>x</taskid></Other>` +
				`<Provisioning_x0020_Tasks><taskid>2</taskid></Provisioning_x0020_Tasks>` +
				`</NewDataSet>` + diffgramClose,
			want: []task{{TaskID: 1}, {TaskID: 2}}, wantSchema: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, s, err := decodeAll[task](t, tt.body)
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for i := range tt.want {
				assertTask(t, tt.want[i], got[i])
			}
			if tt.wantSchema {
				require.NotNil(t, s)
				assert.Equal(t, "Provisioning Tasks", s.MainTable)
			} else {
				assert.Nil(t, s)
			}
		})
	}
}

func assertTask(t *testing.T, want, got task) {
	t.Helper()
	assert.Equal(t, want.TaskID, got.TaskID)
	assert.Equal(t, want.Operator, got.Operator)
	assert.True(t, want.StartDate.Equal(got.StartDate), "StartDate: want %v, got %v", want.StartDate, got.StartDate)
	assert.Equal(t, want.Count, got.Count)
	assert.Equal(t, want.TokenOption, got.TokenOption)
	if want.StopDate == nil {
		assert.Nil(t, got.StopDate)
	} else if assert.NotNil(t, got.StopDate) {
		assert.True(t, want.StopDate.Equal(*got.StopDate), "StopDate: want %v, got %v", want.StopDate, got.StopDate)
	}
}

func TestSchema(t *testing.T) {
	body := `<xs:schema id="MyData" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">
  <xs:element name="My_x0020_Data" msdata:IsDataSet="true" msdata:UseCurrentLocale="true">
    <xs:complexType>
      <xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element name="Provisioning_x0020_Task_x0020_Details">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="userid" type="xs:long" minOccurs="0" />
              <xs:element name="user_x0020_name" minOccurs="0">
                <xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="50" /></xs:restriction></xs:simpleType>
              </xs:element>
              <xs:element name="active" type="xs:boolean" minOccurs="0" />
              <xs:element name="amount" type="xs:decimal" minOccurs="0" />
              <xs:element name="Child">
                <xs:complexType><xs:sequence><xs:element name="c" type="xs:short" minOccurs="0" /></xs:sequence></xs:complexType>
              </xs:element>
            </xs:sequence>
            <xs:attribute name="attr" type="xs:dateTime" />
          </xs:complexType>
        </xs:element>
        <xs:element name="Second"><xs:complexType><xs:sequence /></xs:complexType></xs:element>
      </xs:choice>
    </xs:complexType>
    <xs:unique name="Constraint1"><xs:selector xpath=".//Second" /><xs:field xpath="x" /></xs:unique>
  </xs:element>
</xs:schema>` + emptyDiffgram
	_, s, err := decodeAll[task](t, body)
	require.NoError(t, err)
	require.Equal(t, &Schema{
		DataSetName: "My Data",
		MainTable:   "Provisioning Task Details",
		Tables: []Table{
			{Name: "Provisioning Task Details", Columns: []Column{
				{Name: "userid", Type: "long"},
				{Name: "user name", Type: "string"},
				{Name: "active", Type: "boolean"},
				{Name: "amount", Type: "decimal"},
				{Name: "attr", Type: "dateTime"},
			}},
			{Name: "Child", Columns: []Column{{Name: "c", Type: "short"}}},
			{Name: "Second"},
		},
	}, s)
	assert.Equal(t, "Second", s.Table("SECOND").Name)
	assert.Nil(t, s.Table("nope"))
	assert.Equal(t, "long", s.Table("Provisioning Task Details").Column("USERID").Type)
	assert.Nil(t, s.Table("Second").Column("x"))
}

func TestSchemaAfterNext(t *testing.T) {
	d, start := openResult(t, envelope(tableBody(row1)))
	r := NewReader(d, start)
	var row task
	ok, err := r.Next(&row)
	require.NoError(t, err)
	require.True(t, ok)
	s, err := r.Schema()
	require.NoError(t, err)
	require.Equal(t, "Provisioning Tasks", s.MainTable)
	require.Len(t, s.Tables[0].Columns, 6)
	ok, err = r.Next(&row)
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = r.Next(&row) // still at the end
	require.NoError(t, err)
	require.False(t, ok)
	requireAfter(t, d)
}

// level is an enum with its own text form.
type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return errors.New("unknown level")
	}
	return nil
}

type audit struct {
	Created time.Time `dataset:"created"`
}

type kinds struct {
	audit             // promoted
	ID        int64   // untagged: matches "id", "ID", ...
	UserName  string  `dataset:"user name"`
	Active    bool    `dataset:"active"`
	I8        int8    `dataset:"i8"`
	U16       uint16  `dataset:"u16"`
	U         uint    `dataset:"u"`
	F32       float32 `dataset:"f32"`
	F64       float64 `dataset:"f64"`
	Data      []byte  `dataset:"data"`
	Raw       []byte  `dataset:"raw"`
	Level     level   `dataset:"level"`
	PLevel    *level  `dataset:"plevel"`
	PBool     *bool   `dataset:"pbool"`
	PString   *string `dataset:"pstring"`
	Skipped   string  `dataset:"-"`
	unexp     string
	Ignored   map[string]int `dataset:"-"`
	FreeField string
}

func TestStructMapping(t *testing.T) {
	schema := `<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">
<xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:MainDataTable="T"><xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded">
<xs:element name="T"><xs:complexType><xs:sequence>
<xs:element name="created" type="xs:dateTime" minOccurs="0"/>
<xs:element name="Id" type="xs:long" minOccurs="0"/>
<xs:element name="data" type="xs:base64Binary" minOccurs="0"/>
<xs:element name="level" type="xs:string" minOccurs="0"/>
</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType></xs:element></xs:schema>`
	body := schema + diffgramOpen + `<DocumentElement xmlns=""><T>
<created>2001-02-03T04:05:06Z</created><Id>-9000000000</Id><user_x0020_name>Ann Lee</user_x0020_name><ACTIVE>1</ACTIVE>
<i8>-128</i8><u16>65535</u16><u>7</u><f32>1.5</f32><f64>-INF</f64><data> aGVsbG8= </data><raw> x </raw>
<level>high</level><plevel>low</plevel><pbool>false</pbool><pstring></pstring><Skipped>no</Skipped><unexp>no</unexp><FREEFIELD>free</FREEFIELD>
</T><T><Id>1</Id><active>false</active><f64>NaN</f64></T></DocumentElement>` + diffgramClose

	got, _, err := decodeAll[kinds](t, body)
	require.NoError(t, err)
	require.Len(t, got, 2)
	k := got[0]
	assert.True(t, k.Created.Equal(utc("2001-02-03T04:05:06Z")))
	assert.Equal(t, time.UTC, k.Created.Location())
	assert.Equal(t, int64(-9000000000), k.ID)
	assert.Equal(t, "Ann Lee", k.UserName)
	assert.True(t, k.Active)
	assert.Equal(t, int8(-128), k.I8)
	assert.Equal(t, uint16(65535), k.U16)
	assert.Equal(t, uint(7), k.U)
	assert.Equal(t, float32(1.5), k.F32)
	assert.True(t, k.F64 < -1e308)
	assert.Equal(t, []byte("hello"), k.Data, "base64Binary column")
	assert.Equal(t, []byte(" x "), k.Raw, "untyped column kept verbatim")
	assert.Equal(t, level(2), k.Level)
	assert.Equal(t, ptr(level(1)), k.PLevel)
	assert.Equal(t, ptr(false), k.PBool)
	assert.Equal(t, ptr(""), k.PString, "an empty element is an empty string, not NULL")
	assert.Empty(t, k.Skipped)
	assert.Empty(t, k.unexp)
	assert.Equal(t, "free", k.FreeField)

	k = got[1]
	assert.Equal(t, int64(1), k.ID)
	assert.False(t, k.Active)
	assert.NotEqual(t, k.F64, k.F64) // NaN
	assert.Nil(t, k.PLevel)
	assert.Nil(t, k.Data)
}

func TestReusedDestinationIsReset(t *testing.T) {
	d, start := openResult(t, envelope(tableBody(row1, `<Provisioning_x0020_Tasks><taskid>2</taskid></Provisioning_x0020_Tasks>`)))
	r := NewReader(d, start)
	var row task
	ok, err := r.Next(&row)
	require.NoError(t, err)
	require.True(t, ok)
	first := row
	ok, err = r.Next(&row)
	require.NoError(t, err)
	require.True(t, ok)
	assertTask(t, task{TaskID: 2}, row)
	assertTask(t, task1, first) // pointers of the first row are not reused
}

func TestBadStructs(t *testing.T) {
	type unsupported struct {
		M map[string]int
	}
	type dup struct {
		A int `dataset:"x"`
		B int `dataset:"X"`
	}
	type Inner struct{ X int }
	type shadow struct {
		Inner
		X string // hides Inner.X
	}
	type ptrEmbed struct {
		*Inner // not followed
		Y      int
	}
	body := tableBody(`<Provisioning_x0020_Tasks><X>abc</X><Y>1</Y></Provisioning_x0020_Tasks>`)

	_, _, err := decodeAll[unsupported](t, body)
	require.ErrorContains(t, err, "unsupported type map[string]int")
	_, _, err = decodeAll[dup](t, body)
	require.ErrorContains(t, err, "both map to column")
	_, _, err = decodeAll[int](t, body)
	require.ErrorContains(t, err, "pointer to a struct")

	s, _, err := decodeAll[shadow](t, body)
	require.NoError(t, err)
	require.Equal(t, []shadow{{X: "abc"}}, s)
	p, _, err := decodeAll[ptrEmbed](t, body)
	require.NoError(t, err)
	require.Equal(t, []ptrEmbed{{Y: 1}}, p)

	d, start := openResult(t, envelope(body))
	r := NewReader(d, start)
	ok, err := r.Next(nil)
	require.Error(t, err)
	require.False(t, ok)
	var tk task
	ok, err = r.Next(tk) // not a pointer
	require.Error(t, err)
	require.False(t, ok)
}

func TestValueError(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	body := tableBody(
		`<Provisioning_x0020_Tasks><taskid>1</taskid></Provisioning_x0020_Tasks>`,
		`<Provisioning_x0020_Tasks><taskid>2</taskid><count>many</count><operator>kept</operator></Provisioning_x0020_Tasks>`,
		`<Provisioning_x0020_Tasks><taskid>`+long+`</taskid></Provisioning_x0020_Tasks>`,
		`<Provisioning_x0020_Tasks><taskid>99999999999999999999</taskid></Provisioning_x0020_Tasks>`,
		`<Provisioning_x0020_Tasks><startdate>2024-02-30</startdate></Provisioning_x0020_Tasks>`,
		`<Provisioning_x0020_Tasks><taskid>1<b>2</b></taskid></Provisioning_x0020_Tasks>`,
		`<Provisioning_x0020_Tasks><taskid>6</taskid></Provisioning_x0020_Tasks>`,
	)
	d, start := openResult(t, envelope(body))
	r := NewReader(d, start)
	var row task
	next := func() error {
		_, err := r.Next(&row)
		return err
	}
	require.NoError(t, next())

	err := next()
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Provisioning Tasks", ve.Table)
	assert.Equal(t, 2, ve.Row)
	assert.Equal(t, "count", ve.Column)
	assert.Equal(t, "many", ve.Value)
	assert.Equal(t, "*int", ve.Type)
	assert.EqualError(t, err, `dataset: table "Provisioning Tasks" row 2 column "count": cannot decode "many" into *int: invalid syntax`)
	assert.Equal(t, "kept", row.Operator, "the rest of the row is decoded")

	err = next()
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, 3, ve.Row)
	assert.Equal(t, strings.Repeat("é", 32), ve.Value, "truncated to 64 bytes")
	assert.Contains(t, err.Error(), `é"... into int`)
	assert.NotContains(t, err.Error(), long, "the whole value is not repeated")

	err = next()
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), `row 4 column "taskid": cannot decode "99999999999999999999" into int: value out of range`)
	if strings.Count(err.Error(), "99999999999999999999") != 1 {
		t.Errorf("value repeated in %q", err)
	}

	err = next()
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), `row 5 column "startdate": cannot decode "2024-02-30" into time.Time: not a .NET date/time`)

	err = next()
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), `row 6 column "taskid": cannot decode "1" into int: element content`)

	ok, err := r.Next(&row)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 6, row.TaskID)
	ok, err = r.Next(&row)
	require.NoError(t, err)
	require.False(t, ok)
	requireAfter(t, d)
}

func TestBoolForms(t *testing.T) {
	type b struct{ V bool }
	for _, tt := range []struct {
		in   string
		want bool
		ok   bool
	}{
		{"true", true, true}, {"1", true, true}, {" false ", false, true}, {"0", false, true},
		{"True", false, false}, {"yes", false, false}, {"", false, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, _, err := decodeAll[b](t, diffgramOpen+`<DocumentElement xmlns=""><T><V>`+tt.in+`</V></T></DocumentElement>`+diffgramClose)
			if !tt.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []b{{tt.want}}, got)
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"mismatched tags in row", tableBody(`<Provisioning_x0020_Tasks><taskid>1</count></Provisioning_x0020_Tasks>`)},
		{"mismatched tags in schema", `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element></xs:schema>`},
		{"bad entity", tableBody(`<Provisioning_x0020_Tasks><operator>&bogus;</operator></Provisioning_x0020_Tasks>`)},
		{"bad name", tableBody(`<Provisioning_x0020_Tasks><1taskid>1</1taskid></Provisioning_x0020_Tasks>`)},
		{"unterminated row", diffgramOpen + `<DocumentElement xmlns=""><Provisioning_x0020_Tasks><taskid>1</taskid>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeAll[task](t, tt.body)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "dataset: <GetProvisioningTasksResult>: "), err.Error())
		})
	}

	// Truncated input: the end of the stream inside the Result.
	doc := envelope(tableBody(row1, row1))
	for _, n := range []int{strings.Index(doc, "<diffgr:diffgram") + 3, strings.Index(doc, "<startdate>") + 5, strings.Index(doc, "</GetProvisioningTasksResult>")} {
		d, start := openResult(t, doc[:n])
		r := NewReader(d, start)
		var row task
		var err error
		for i := 0; i < 10 && err == nil; i++ {
			_, err = r.Next(&row)
		}
		require.Error(t, err, "cut at %d", n)
		_, err2 := r.Next(&row)
		require.Equal(t, err, err2, "errors are sticky")
		require.Equal(t, err, r.Skip())
	}
}

func TestDeepNestingRejected(t *testing.T) {
	const depth = 1_000_000
	deep := strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth)
	for _, body := range []string{
		tableBody(`<Provisioning_x0020_Tasks><taskid>` + deep + `</taskid></Provisioning_x0020_Tasks>`),
		tableBody(`<Provisioning_x0020_Tasks><unknown>` + deep + `</unknown></Provisioning_x0020_Tasks>`),
		tableBody(`<Other>` + deep + `</Other>`),
		diffgramOpen + `<diffgr:before>` + deep + `</diffgr:before>` + diffgramClose,
		`<Junk>` + deep + `</Junk>`,
		`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">` + deep + `</xs:schema>`,
	} {
		start := time.Now()
		_, _, err := decodeAll[task](t, body)
		require.ErrorContains(t, err, "nested deeper than 64 levels")
		require.Less(t, time.Since(start), 5*time.Second)
	}
	// 60 levels are fine.
	ok := strings.Repeat("<a>", 55) + strings.Repeat("</a>", 55)
	got, _, err := decodeAll[task](t, tableBody(`<Provisioning_x0020_Tasks><unknown>`+ok+`</unknown><taskid>5</taskid></Provisioning_x0020_Tasks>`))
	require.NoError(t, err)
	require.Equal(t, 5, got[0].TaskID)
}

func TestSkipAndPosition(t *testing.T) {
	doc := envelope(tableBody(row1, row1, row1))
	for n := 0; n <= 4; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d, start := openResult(t, doc)
			r := NewReader(d, start)
			if n == 1 {
				_, err := r.Schema()
				require.NoError(t, err)
			}
			for i := 0; i < n-1; i++ {
				var row task
				_, err := r.Next(&row)
				require.NoError(t, err)
			}
			require.NoError(t, r.Skip())
			require.NoError(t, r.Skip())
			requireAfter(t, d)
		})
	}
	// Skip with the diffgram pending (read while looking for the schema).
	d, start := openResult(t, envelope(`<Junk><a/></Junk>`+diffgramOpen+`<DocumentElement xmlns="">`+row1+`</DocumentElement>`+diffgramClose))
	r := NewReader(d, start)
	s, err := r.Schema()
	require.NoError(t, err)
	require.Nil(t, s)
	require.NoError(t, r.Skip())
	requireAfter(t, d)
}

func TestDecodeAndAll(t *testing.T) {
	doc := envelope(tableBody(row1, `<Provisioning_x0020_Tasks><taskid>2</taskid></Provisioning_x0020_Tasks>`, `<Provisioning_x0020_Tasks><taskid>3</taskid></Provisioning_x0020_Tasks>`))

	d, start := openResult(t, doc)
	var ids []int
	require.NoError(t, Decode(d, start, func(tk task) error {
		ids = append(ids, tk.TaskID)
		return nil
	}))
	require.Equal(t, []int{1, 2, 3}, ids)
	requireAfter(t, d)

	stop := errors.New("stop")
	d, start = openResult(t, doc)
	require.ErrorIs(t, Decode(d, start, func(task) error { return stop }), stop)

	d, start = openResult(t, doc)
	ids = nil
	for tk, err := range All[task](d, start) {
		require.NoError(t, err)
		ids = append(ids, tk.TaskID)
		if len(ids) == 2 {
			break // the rest is skipped
		}
	}
	require.Equal(t, []int{1, 2}, ids)
	requireAfter(t, d)

	// A ValueError can be stepped over.
	bad := envelope(tableBody(`<Provisioning_x0020_Tasks><taskid>x</taskid></Provisioning_x0020_Tasks>`, row1))
	d, start = openResult(t, bad)
	var errs int
	ids = nil
	for tk, err := range All[task](d, start) {
		if err != nil {
			errs++
			continue
		}
		ids = append(ids, tk.TaskID)
	}
	require.Equal(t, 1, errs)
	require.Equal(t, []int{1}, ids)
	requireAfter(t, d)

	// A fatal error ends the loop.
	d, start = openResult(t, envelope(tableBody(`<Provisioning_x0020_Tasks><taskid>1</count></Provisioning_x0020_Tasks>`)))
	errs = 0
	for _, err := range All[task](d, start) {
		require.Error(t, err)
		errs++
	}
	require.Equal(t, 1, errs)
}

// tasksResult decodes a GetProvisioningTasksResult as a generated client
// would, through xml.Unmarshal and an UnmarshalXML method.
type tasksResult struct{ Rows []task }

func (t *tasksResult) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return Decode(d, start, func(tk task) error {
		t.Rows = append(t.Rows, tk)
		return nil
	})
}

func TestInsideUnmarshalXML(t *testing.T) {
	var env struct {
		Body struct {
			Response struct {
				Result tasksResult `xml:"GetProvisioningTasksResult"`
				After  string      `xml:"After"`
			} `xml:"GetProvisioningTasksResponse"`
		} `xml:"Body"`
	}
	require.NoError(t, xml.Unmarshal([]byte(envelope(tableBody(row1, row1))), &env))
	require.Len(t, env.Body.Response.Result.Rows, 2)
	assertTask(t, task1, env.Body.Response.Result.Rows[1])
	require.Equal(t, "next", env.Body.Response.After)
}
