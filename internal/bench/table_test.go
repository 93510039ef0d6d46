package bench

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offboard-go/offboard/internal/dataset"
)

// The DataTable the benchmarks decode is written the way the provisioning fake writes it
// (dataset.Write: inline xs:schema, diffgram, table "Provisioning Tasks", NULL columns
// left out), row by row, by an io.Reader that generates it on the fly: a 100k-row table
// (about 31 MB) is never in memory.

const tableName = "Provisioning Tasks"

// tableShape says which columns the generated rows have beyond GetProvisioningTasks' six.
type tableShape struct {
	status bool // the status column of GetProvisioningTasksForUser rows
	notes  int  // bytes of text in a "notes" column no field decodes (0: no such column)
}

func (sh tableShape) columns() []dataset.Column {
	cols := []dataset.Column{
		{Name: "taskid", Type: "int"}, {Name: "operator", Type: "string"}, {Name: "startdate", Type: "dateTime"},
		{Name: "count", Type: "int"}, {Name: "tokenoption", Type: "string"}, {Name: "stopdate", Type: "dateTime"},
	}
	if sh.status {
		cols = append(cols, dataset.Column{Name: "status", Type: "string"})
	}
	if sh.notes > 0 {
		cols = append(cols, dataset.Column{Name: "notes", Type: "string"})
	}
	return cols
}

// frame is the table's text before the first row and after the last, cut out of
// dataset.Write's own output so the generated rows sit in exactly the fake's frame.
func (sh tableShape) frame() (head, tail string) {
	var buf bytes.Buffer
	v := "x"
	row := make([]*string, len(sh.columns()))
	for i := range row {
		row[i] = &v
	}
	if err := dataset.Write(&buf, tableName, sh.columns(), [][]*string{row}); err != nil {
		panic(err)
	}
	s := buf.String()
	const open, closing = `<DocumentElement xmlns="">`, `</DocumentElement>`
	i, j := strings.Index(s, open), strings.LastIndex(s, closing)
	return s[:i+len(open)], s[j:]
}

// appendRow appends row i as dataset.Write writes it. Every third row has a NULL stopdate.
func (sh tableShape) appendRow(b []byte, i int) []byte {
	b = append(b, `<Provisioning_x0020_Tasks diffgr:id="Provisioning Tasks`...)
	b = strconv.AppendInt(b, int64(i+1), 10)
	b = append(b, `" msdata:rowOrder="`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `"><taskid>`...)
	b = strconv.AppendInt(b, int64(100000+i), 10)
	b = append(b, `</taskid><operator>operator`...)
	b = strconv.AppendInt(b, int64(i%1000), 10)
	b = append(b, `@example.com</operator><startdate>2024-05-01T10:20:30.1234567+02:00</startdate><count>`...)
	b = strconv.AppendInt(b, int64(i%50), 10)
	b = append(b, `</count><tokenoption>MobilePASS</tokenoption>`...)
	if i%3 != 0 {
		b = append(b, `<stopdate>2024-06-01T00:00:00</stopdate>`...)
	}
	if sh.status {
		b = append(b, `<status>Active</status>`...)
	}
	if sh.notes > 0 {
		b = append(b, `<notes>`...)
		for range sh.notes / len(notesText) {
			b = append(b, notesText...)
		}
		b = append(b, notesText[:sh.notes%len(notesText)]...)
		b = append(b, `</notes>`...)
	}
	return append(b, `</Provisioning_x0020_Tasks>`...)
}

const notesText = "Provisioned for the spring rollout; see ticket OPS-1234. "

// tableReader generates prefix, the table with n rows, and suffix.
type tableReader struct {
	n, i   int
	shape  tableShape
	suffix string
	buf    []byte
	off    int
	done   bool
}

func newTableReader(n int, shape tableShape, prefix, suffix string) *tableReader {
	head, tail := shape.frame()
	r := &tableReader{n: n, shape: shape, suffix: tail + suffix}
	r.buf = append(r.buf, prefix+head...)
	return r
}

func (r *tableReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.done {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		if r.i == r.n {
			r.buf = append(r.buf, r.suffix...)
			r.done = true
			continue
		}
		// Several rows per refill, so the generator costs little next to the decoding.
		for k := 0; k < 16 && r.i < r.n; k++ {
			r.buf = r.shape.appendRow(r.buf, r.i)
			r.i++
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// resultTable is the Result element of a GetProvisioningTasks answer with n rows, as the
// DataSet benchmarks decode it.
func resultTable(n int) io.Reader {
	return newTableReader(n, tableShape{}, "<GetProvisioningTasksResult>", "</GetProvisioningTasksResult>")
}

// streamSize counts the bytes of a generated stream without keeping them.
func streamSize(r io.Reader) int64 {
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		panic(err)
	}
	return n
}

// heapPeak measures the heap that f adds at its peak: HeapInuse sampled every
// millisecond while f runs (and once more at its end), minus HeapInuse before it, after a
// GC. f may call sample itself at points it knows to be interesting.
func heapPeak(f func(sample func())) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	var mu sync.Mutex
	sample := func() {
		mu.Lock()
		defer mu.Unlock()
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	f(sample)
	sample()
	close(stop)
	wg.Wait()
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

const mib = 1 << 20
