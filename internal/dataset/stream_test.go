package dataset

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// rowsReader generates a GetProvisioningTasksResult with n rows on the
// fly, so that a large result can be decoded without ever being in memory.
type rowsReader struct {
	n, i int
	buf  []byte
	off  int
	done bool
}

func newRowsReader(n int) *rowsReader {
	r := &rowsReader{n: n}
	r.buf = append(r.buf, "<GetProvisioningTasksResult>"+tasksSchema+diffgramOpen+`<DocumentElement xmlns="">`...)
	return r
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.done {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		if r.i == r.n {
			r.buf = append(r.buf, "\n    </DocumentElement>\n  "+diffgramClose+"</GetProvisioningTasksResult>\n<After>next</After>"...)
			r.done = true
			continue
		}
		r.buf = appendRow(r.buf, r.i)
		r.i++
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// appendRow appends an indented row of about 350 bytes.
func appendRow(b []byte, i int) []byte {
	b = append(b, "\n  <Provisioning_x0020_Tasks diffgr:id=\"Provisioning Tasks"...)
	b = strconv.AppendInt(b, int64(i+1), 10)
	b = append(b, "\" msdata:rowOrder=\""...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "\">\n    <taskid>"...)
	b = strconv.AppendInt(b, int64(100000+i), 10)
	b = append(b, "</taskid>\n    <operator>operator"...)
	b = strconv.AppendInt(b, int64(i%1000), 10)
	b = append(b, "@example.com</operator>\n    <startdate>2024-05-01T10:20:30.1234567+02:00</startdate>\n    <count>"...)
	b = strconv.AppendInt(b, int64(i%50), 10)
	b = append(b, "</count>\n    <tokenoption>MobilePASS</tokenoption>\n"...)
	if i%3 != 0 { // some NULL stop dates
		b = append(b, "    <stopdate>2024-06-01T00:00:00</stopdate>\n"...)
	}
	b = append(b, "  </Provisioning_x0020_Tasks>"...)
	return b
}

func TestStreamingMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 100,000 rows")
	}
	const rows = 100_000
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	allocBefore := ms.TotalAlloc

	src := newRowsReader(rows)
	counted := &countingReader{r: src}
	d := xml.NewDecoder(counted)
	start := firstStart(t, d)
	r := NewReader(d, start)
	var peak uint64
	n := 0
	var row task
	for {
		ok, err := r.Next(&row)
		require.NoError(t, err)
		if !ok {
			break
		}
		n++
		if row.TaskID != 100000+n-1 {
			t.Fatalf("row %d: taskid %d", n, row.TaskID)
		}
		if n%1000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	require.Equal(t, rows, n)
	requireAfter(t, d)
	runtime.ReadMemStats(&ms)
	t.Logf("%d rows, %.1f MB of XML: peak heap in use %.1f MiB (%.1f MiB before), %.0f bytes allocated per row",
		n, float64(counted.n)/1e6, float64(peak)/(1<<20), float64(base)/(1<<20), float64(ms.TotalAlloc-allocBefore)/rows)
	require.Greater(t, counted.n, int64(30_000_000))
	require.Less(t, peak, uint64(16<<20), "peak heap in use")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func firstStart(t testing.TB, d *xml.Decoder) xml.StartElement {
	for {
		tok, err := d.Token()
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok {
			return se
		}
	}
}

var (
	docsMu sync.Mutex
	docs   = map[int][]byte{}
)

// benchDoc returns the generated result with n rows, built once.
func benchDoc(b *testing.B, n int) []byte {
	docsMu.Lock()
	defer docsMu.Unlock()
	if doc, ok := docs[n]; ok {
		return doc
	}
	doc, err := io.ReadAll(newRowsReader(n))
	require.NoError(b, err)
	docs[n] = doc
	return doc
}

// perRow reports allocations per row, measured around the benchmark loop.
func perRow(b *testing.B, rows int, loop func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	loop()
	b.StopTimer()
	runtime.ReadMemStats(&after)
	total := float64(b.N) * float64(rows)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/row")
}

func benchDecode(b *testing.B, rows int) {
	doc := benchDoc(b, rows)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	perRow(b, rows, func() {
		for i := 0; i < b.N; i++ {
			d := xml.NewDecoder(bytes.NewReader(doc))
			start := firstStart(b, d)
			n := 0
			err := Decode(d, start, func(t task) error {
				n++
				return nil
			})
			if err != nil || n != rows {
				b.Fatal(n, err)
			}
		}
	})
}

// benchTokens reads the document token by token with next (RawToken or Token), decoding
// nothing: the floor the decoder is compared with.
func benchTokens(b *testing.B, rows int, next func(*xml.Decoder) (xml.Token, error)) {
	doc := benchDoc(b, rows)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	perRow(b, rows, func() {
		for i := 0; i < b.N; i++ {
			d := xml.NewDecoder(bytes.NewReader(doc))
			for {
				if _, err := next(d); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
			}
		}
	})
}

// wholeResult is what decoding without this package looks like: the
// whole table in memory, dates left as strings (encoding/xml cannot
// parse .NET's zone-less dates into time.Time).
type wholeResult struct {
	Diffgram struct {
		Rows []struct {
			TaskID      int     `xml:"taskid"`
			Operator    string  `xml:"operator"`
			StartDate   string  `xml:"startdate"`
			Count       *int    `xml:"count"`
			TokenOption string  `xml:"tokenoption"`
			StopDate    *string `xml:"stopdate"`
		} `xml:"DocumentElement>Provisioning_x0020_Tasks"`
	} `xml:"diffgram"`
}

func benchUnmarshalWhole(b *testing.B, rows int) {
	doc := benchDoc(b, rows)
	doc = doc[:bytes.LastIndex(doc, []byte("<After>"))]
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	perRow(b, rows, func() {
		for i := 0; i < b.N; i++ {
			var res wholeResult
			if err := xml.Unmarshal(doc, &res); err != nil || len(res.Diffgram.Rows) != rows {
				b.Fatal(len(res.Diffgram.Rows), err)
			}
		}
	})
}

func BenchmarkDecode1k(b *testing.B)          { benchDecode(b, 1_000) }
func BenchmarkDecode10k(b *testing.B)         { benchDecode(b, 10_000) }
func BenchmarkDecode100k(b *testing.B)        { benchDecode(b, 100_000) }
func BenchmarkRawToken1k(b *testing.B)        { benchTokens(b, 1_000, (*xml.Decoder).RawToken) }
func BenchmarkRawToken10k(b *testing.B)       { benchTokens(b, 10_000, (*xml.Decoder).RawToken) }
func BenchmarkRawToken100k(b *testing.B)      { benchTokens(b, 100_000, (*xml.Decoder).RawToken) }
func BenchmarkToken10k(b *testing.B)          { benchTokens(b, 10_000, (*xml.Decoder).Token) }
func BenchmarkUnmarshalWhole1k(b *testing.B)  { benchUnmarshalWhole(b, 1_000) }
func BenchmarkUnmarshalWhole10k(b *testing.B) { benchUnmarshalWhole(b, 10_000) }
func BenchmarkUnmarshalWhole100k(b *testing.B) {
	benchUnmarshalWhole(b, 100_000)
}

// fuzzRow has a field of every supported kind.
type fuzzRow struct {
	kinds
	When  *fuzzTime
	Extra *uint8
}

type fuzzTime struct{ s string }

func (f *fuzzTime) UnmarshalText(b []byte) error {
	if len(b) > 3 {
		return fmt.Errorf("too long")
	}
	f.s = string(b)
	return nil
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		tableBody(row1, row1),
		tasksSchema + emptyDiffgram,
		diffgramOpen + `<NewDataSet xmlns=""><T a="1" ID="x"><ID>5</ID><active>1</active><data>aGk=</data><When>ab</When></T></NewDataSet>` + diffgramClose,
		tableBody(`<Provisioning_x0020_Tasks><taskid>1</count></Provisioning_x0020_Tasks>`),
		diffgramOpen + `<diffgr:before><a/></diffgr:before><DocumentElement xmlns=""><T><level>low</level><u16>70000</u16></T></DocumentElement>` + diffgramClose,
		`<a><b><c><d></d></c></b></a>`,
		``,
		`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="x" msdata:MainDataTable="T"/></xs:schema>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := "<R>" + string(data) + "</R><After>next</After>"
		d := xml.NewDecoder(strings.NewReader(doc))
		start := firstStart(t, d)
		r := NewReader(d, start)
		_, _ = r.Schema()
		var row fuzzRow
		var err error
		calls := 0
		for {
			calls++
			if calls > len(data)+2 {
				t.Fatalf("Next called %d times on %d bytes without ending", calls, len(data))
			}
			var ok bool
			ok, err = r.Next(&row)
			if _, isValue := err.(*ValueError); isValue {
				continue
			}
			if err != nil || !ok {
				break
			}
		}
		if err == nil && !bytes.Contains(data, []byte("R")) {
			// The Result ended where it should: the next element is <After>.
			for {
				tok, err := d.Token()
				require.NoError(t, err)
				if se, ok := tok.(xml.StartElement); ok {
					require.Equal(t, "After", se.Name.Local)
					break
				}
			}
		}
	})
}
