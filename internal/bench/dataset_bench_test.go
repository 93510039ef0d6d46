package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/xmltok"
	"github.com/offboard-go/offboard/provisioning"
)

var tableSizes = []struct {
	name string
	rows int
}{{"1k", 1_000}, {"10k", 10_000}, {"100k", 100_000}}

// BenchmarkDataSet decodes a GetProvisioningTasks DataTable of 1k, 10k and 100k rows three
// ways, all from the same bytes:
//
//   - sdk: internal/dataset, row by row into provisioning.Task (dates parsed, NULLs
//     handled), on an xml.Decoder over internal/xmltok as soapx decodes answers, streamed
//     from an io.Reader that generates the table on the fly;
//   - rawtoken: encoding/xml's Decoder.RawToken over the same stream, no decoding at all
//     (the floor);
//   - unmarshal: xml.Unmarshal of the whole document, already in memory, into a struct with
//     a slice of rows (dates left as strings).
//
// Metrics: MB/s (b.SetBytes), allocs/row, and peak-heap-MiB, the heap the decoding adds at
// its peak (HeapInuse sampled every millisecond during one extra, untimed decode, minus
// HeapInuse before it). For unmarshal that pass includes reading the document into memory,
// since that is what decoding it whole takes.
//
// Names: BenchmarkDataSet/<1k|10k|100k>/<sdk|rawtoken|unmarshal>.
func BenchmarkDataSet(b *testing.B) {
	for _, sz := range tableSizes {
		size := streamSize(resultTable(sz.rows))
		b.Run(sz.name+"/sdk", func(b *testing.B) {
			op := func(sample func()) error { return decodeTasks(resultTable(sz.rows), sz.rows, sample) }
			benchTable(b, sz.rows, size, op, op)
		})
		b.Run(sz.name+"/rawtoken", func(b *testing.B) {
			op := func(func()) error { return rawTokens(resultTable(sz.rows)) }
			benchTable(b, sz.rows, size, op, op)
		})
		b.Run(sz.name+"/unmarshal", func(b *testing.B) {
			doc, err := io.ReadAll(resultTable(sz.rows))
			must(b, err)
			timed := func(func()) error { return unmarshalWhole(doc, sz.rows) }
			whole := func(func()) error {
				doc, err := io.ReadAll(resultTable(sz.rows))
				if err != nil {
					return err
				}
				return unmarshalWhole(doc, sz.rows)
			}
			benchTable(b, sz.rows, size, timed, func(sample func()) error {
				doc = nil // not counted twice
				return whole(sample)
			})
		})
	}
}

// benchTable times op, reports MB/s and allocs/row, then measures the heap of one more
// run of peakOp.
func benchTable(b *testing.B, rows int, size int64, op, peakOp func(sample func()) error) {
	b.SetBytes(size)
	b.ReportAllocs()
	noSample := func() {}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if err := op(noSample); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/float64(rows), "allocs/row")
	var err error
	peak := heapPeak(func(sample func()) { err = peakOp(sample) })
	must(b, err)
	b.ReportMetric(float64(peak)/mib, "peak-heap-MiB")
}

// decodeTasks is the SDK's path: dataset.Decode on an xml.Decoder over xmltok over the
// stream (what soapx hands a response type), one row at a time into provisioning.Task,
// each row checked.
func decodeTasks(r io.Reader, rows int, sample func()) error {
	d := xml.NewTokenDecoder(xmltok.NewReader(r))
	start, err := firstStart(d)
	if err != nil {
		return err
	}
	n := 0
	err = dataset.Decode(d, start, func(t provisioning.Task) error {
		if t.TaskID != 100000+n || t.TokenOption != "MobilePASS" || t.StartDate.IsZero() {
			return fmt.Errorf("row %d: %+v", n, t)
		}
		n++
		if n%4096 == 0 {
			sample()
		}
		return nil
	})
	if err == nil && n != rows {
		err = fmt.Errorf("decoded %d rows, want %d", n, rows)
	}
	return err
}

func firstStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

func rawTokens(r io.Reader) error {
	d := xml.NewDecoder(r)
	for {
		if _, err := d.RawToken(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// wholeResult is decoding without the dataset package: the whole table in memory.
type wholeResult struct {
	Diffgram struct {
		Rows []struct {
			TaskID      int     `xml:"taskid"`
			Operator    string  `xml:"operator"`
			StartDate   string  `xml:"startdate"`
			Count       int     `xml:"count"`
			TokenOption string  `xml:"tokenoption"`
			StopDate    *string `xml:"stopdate"`
		} `xml:"DocumentElement>Provisioning_x0020_Tasks"`
	} `xml:"diffgram"`
}

func unmarshalWhole(doc []byte, rows int) error {
	var res wholeResult
	if err := xml.NewDecoder(bytes.NewReader(doc)).Decode(&res); err != nil {
		return err
	}
	if len(res.Diffgram.Rows) != rows {
		return fmt.Errorf("decoded %d rows, want %d", len(res.Diffgram.Rows), rows)
	}
	return nil
}
