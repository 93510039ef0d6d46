package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	"github.com/offboard-go/offboard/internal/dataset"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// pageServer serves the provisioning service with a GetProvisioningTasksForUser answer of n
// rows of the given shape, generated while it is written (so the server holds no copy of
// the page): the envelope of the fake's recorded answer around a generated table. Connect
// gets the fake's recorded answer. It is the provisioning fake's wire format without the
// fake's habit of building the whole answer in memory first, which would hide the
// client's memory use.
func pageServer(tb testing.TB, n int, shape tableShape) *server {
	tb.Helper()
	answers := provisioningTarget.answers(tb)
	rec := answers[provTasksAction]
	i := bytes.Index(rec.body, []byte("<GetProvisioningTasksForUserResult"))
	k := bytes.IndexByte(rec.body[max(i, 0):], '>')
	j := bytes.LastIndex(rec.body, []byte("</GetProvisioningTasksForUserResult>"))
	if i < 0 || k < 0 || j < 0 {
		tb.Fatal("provisioning: unexpected recorded answer layout")
	}
	prefix, suffix := string(rec.body[:i+k+1]), string(rec.body[j:])
	canned := answers.handler()
	return startServer(tb, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestAction(r.Header) != provTasksAction {
			canned.ServeHTTP(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.Copy(w, newTableReader(n, shape, prefix, suffix))
	}), false)
}

// pageSize is the byte size of the answer srv sends to GetProvisioningTasksForUser.
func pageSize(tb testing.TB, srv *server) int64 {
	req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
	must(tb, err)
	req.Header.Set("SOAPAction", provTasksAction)
	resp, err := http.DefaultClient.Do(req)
	must(tb, err)
	defer resp.Body.Close()
	size, err := io.Copy(io.Discard, resp.Body)
	must(tb, err)
	return size
}

// pageBodyLimit is the body cap the large-page benchmarks raise the clients to (the
// default 16 MiB refuses a 100k-row page).
const pageBodyLimit = 256 << 20

var pageCases = []struct {
	name    string
	rows    int
	shape   tableShape
	runtime bool // soapx + dataset only, rows dropped
}{
	{"10k/client", 10_000, tableShape{status: true}, false},
	{"100k/client", 100_000, tableShape{status: true}, false},
	{"100k/runtime", 100_000, tableShape{status: true}, true},
	{"10k-wide/client", 10_000, tableShape{status: true, notes: 3000}, false},
}

// BenchmarkProvisioningPage fetches one large GetProvisioningTasksForUser page over
// loopback, to show that the client's path for DataTable answers streams the body instead
// of holding it. The body limit is raised to 256 MiB (WithBodyLimit).
//
//   - 10k/client, 100k/client: provisioning.Client.TasksForUser. It returns the page as a
//     []Task, so the decoded rows do stay in memory: result-MiB is the heap they hold
//     (measured after a GC), and peak-heap-MiB includes them.
//   - 100k/runtime: the same answer through soapx.Client.Call with a response type that
//     hands the live decoder to dataset.Decode, as the provisioning client's own response
//     type does, but keeps no row: the runtime and the decoder on their own.
//   - 10k-wide/client: 10k rows that each carry a 3000-byte column no Task field decodes,
//     so the body (about 33 MiB) is large and the result small: if the client held the
//     body, its peak heap would exceed page-MiB.
//
// Metrics: MB/s, page-MiB (the size of the answer), peak-heap-MiB (heap added at the peak
// of one untimed call) and result-MiB.
//
// Names: BenchmarkProvisioningPage/<10k|100k|10k-wide>/<client|runtime>.
func BenchmarkProvisioningPage(b *testing.B) {
	for _, pc := range pageCases {
		b.Run(pc.name, func(b *testing.B) {
			srv := pageServer(b, pc.rows, pc.shape)
			size := pageSize(b, srv)
			ctx := context.Background()
			var call func() (any, error)
			if pc.runtime {
				c, err := soapx.NewClient(srv.URL+provisioningtest.Path, soapx.WithBodyLimit(pageBodyLimit))
				must(b, err)
				req := &provGetTasksForUser{User: provUser, Organization: provOrg, NumberOfRecords: int32(pc.rows)}
				call = func() (any, error) {
					var resp countingTable
					if err := c.Call(ctx, provTasksAction, req, &resp); err != nil {
						return nil, err
					}
					if resp.rows != pc.rows {
						return nil, fmt.Errorf("got %d rows", resp.rows)
					}
					return nil, nil
				}
			} else {
				c, err := provisioning.New(srv.URL+provisioningtest.Path, provCreds,
					provisioning.WithBodyLimit(pageBodyLimit))
				must(b, err)
				call = func() (any, error) {
					rows, err := c.TasksForUser(ctx, provOrg, provUser, 0, pc.rows)
					if err == nil && (len(rows) != pc.rows || rows[pc.rows-1].TaskID != 100000+pc.rows-1) {
						err = fmt.Errorf("got %d rows", len(rows))
					}
					return rows, err
				}
			}
			_, err := call() // connects
			must(b, err)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(); err != nil {
					b.Fatal(err)
				}
			}
			peak := heapPeak(func(func()) { _, err = call() })
			must(b, err)
			b.ReportMetric(float64(size)/mib, "page-MiB")
			b.ReportMetric(float64(peak)/mib, "peak-heap-MiB")
			b.ReportMetric(float64(retained(func() any { v, _ := call(); return v }))/mib, "result-MiB")
		})
	}
}

// retained is the heap still held, after a GC, by what f returns.
func retained(f func() any) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	v := f()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(v)
	if ms.HeapAlloc > base {
		return ms.HeapAlloc - base
	}
	return 0
}

// countingTable is a GetProvisioningTasksForUserResponse that decodes every row of its
// DataTable into a provisioning.Task, checks it and drops it.
type countingTable struct{ rows int }

func (c *countingTable) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "GetProvisioningTasksForUserResult" {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			if err := dataset.Decode(d, t, func(row provisioning.Task) error {
				if row.TaskID != 100000+c.rows {
					return fmt.Errorf("row %d: taskid %d", c.rows, row.TaskID)
				}
				c.rows++
				return nil
			}); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// TestPageStreamsUnderBodyLimit checks the large-page path quickly: a 2000-row page comes
// back whole with a raised body limit, and a body limit below its size is refused with
// ErrBodyTooLarge while the answer streams in.
func TestPageStreamsUnderBodyLimit(t *testing.T) {
	const rows = 2000
	srv := pageServer(t, rows, tableShape{status: true})
	size := pageSize(t, srv)
	ctx := context.Background()
	for _, limit := range []int64{size, size - 1} {
		t.Run(strconv.FormatInt(limit, 10), func(t *testing.T) {
			c, err := provisioning.New(srv.URL+provisioningtest.Path, provCreds,
				provisioning.WithBodyLimit(limit))
			must(t, err)
			got, err := c.TasksForUser(ctx, provOrg, provUser, 0, rows)
			if limit >= size {
				must(t, err)
				if len(got) != rows || got[rows-1].Status != "Active" {
					t.Fatalf("got %d rows, last %+v", len(got), got[len(got)-1])
				}
				return
			}
			if !errors.Is(err, provisioning.ErrBodyTooLarge) {
				t.Fatalf("limit %d < size %d: got %v, want ErrBodyTooLarge", limit, size, err)
			}
		})
	}
}
