package export_test

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/export"
)

// The load of the memory test and the benchmarks: documents of 21 fields
// and 3 line items each.
const (
	loadRows      = 100_000
	loadFields    = 21
	loadLineItems = 3
)

// heapLimit is the most heap in use a format may reach while writing the
// load, or keep after it. For XLSX the floor is excelize's: each
// StreamWriter keeps up to 16 MiB of sheet XML in a bytes.Buffer before it
// spills to a temporary file, and that buffer grows to 32 MiB of capacity
// and stays allocated until the workbook is written. Two sheets make 64 MiB
// live, and the garbage collector's headroom takes heap in use to about
// 100 MiB. That peak is the same at 100,000 and at 300,000 documents.
var heapLimit = map[string]uint64{"csv": 64 << 20, "json": 64 << 20, "xlsx": 128 << 20}

var loadKinds = []export.Kind{export.KindString, export.KindDate, export.KindAmount, export.KindNumber}

func loadSpec() export.Spec {
	s := export.Spec{FieldKinds: map[string]export.Kind{}, LineItemColumns: []string{"description", "quantity", "net_amount"}}
	for i := range loadFields {
		name := fmt.Sprintf("field_%02d", i+1)
		s.Fields = append(s.Fields, name)
		s.FieldKinds[name] = loadKinds[i%len(loadKinds)]
	}
	return s
}

// loadRow returns document i of the load, built fresh as a caller reading
// results from the database would.
func loadRow(s export.Spec, i int) export.Row {
	r := export.Row{
		DocumentID:     fmt.Sprintf("%032x", i),
		CollectionID:   fmt.Sprintf("%032x", i/10),
		CollectionName: fmt.Sprintf("Invoices batch %d", i/10),
		FileName:       fmt.Sprintf("scan-%06d.pdf", i),
		Status:         "Completed",
		CreatedAt:      time.Date(2024, 5, 17, 7, 25, 33, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Fields:         make(map[string]export.Value, len(s.Fields)),
	}
	for j, name := range s.Fields {
		switch k := s.FieldKinds[name]; k {
		case export.KindString:
			r.Fields[name] = export.Value{Kind: k, Text: fmt.Sprintf("Value %d of document %d", j, i), Set: true}
		case export.KindDate:
			r.Fields[name] = export.Value{Kind: k, Text: time.Date(2024, 1, 1+i%365, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Set: true}
		default:
			n := float64(i%100000)/100 + float64(j)
			r.Fields[name] = export.Value{Kind: k, Text: fmt.Sprint(n), Number: n, Set: true}
		}
	}
	for j := range loadLineItems {
		r.LineItems = append(r.LineItems, map[string]export.Value{
			"description": {Kind: export.KindString, Text: fmt.Sprintf("Item %d of document %d", j, i), Set: true},
			"quantity":    {Kind: export.KindNumber, Number: float64(j + 1), Set: true},
			"net_amount":  {Kind: export.KindAmount, Number: 19.99 * float64(j+1), Set: true},
		})
	}
	return r
}

// heapSampler records the peak of runtime heap in use while it runs.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func sampleHeap(every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > h.peak.Load() {
				h.peak.Store(m.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak.Load()
}

// TestMemoryBounded writes 100,000 documents in each format to io.Discard
// and checks heap in use, sampled during the run and after it.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 documents per format")
	}
	s := loadSpec()
	for _, format := range []string{"csv", "json", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			h := sampleHeap(2 * time.Millisecond)
			start := time.Now()
			w, err := export.New(format, io.Discard, s)
			if err != nil {
				t.Fatal(err)
			}
			for i := range loadRows {
				if err := w.Write(loadRow(s, i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			peak := h.Stop()
			runtime.GC()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(w) // a closed writer must not hold on to memory
			t.Logf("%s: %d rows in %v (%.0f rows/s); heap in use: before %.1f MiB, peak %.1f MiB, after %.1f MiB; %d GCs",
				format, loadRows, elapsed.Round(time.Millisecond), loadRows/elapsed.Seconds(),
				mib(before.HeapInuse), mib(peak), mib(after.HeapInuse), after.NumGC-before.NumGC)
			if limit := heapLimit[format]; peak >= limit || after.HeapInuse >= limit {
				t.Errorf("heap in use: peak %.1f MiB, after %.1f MiB; want under %.0f MiB", mib(peak), mib(after.HeapInuse), mib(limit))
			}
			if after.HeapInuse >= 16<<20 {
				t.Errorf("heap in use after Close and a GC: %.1f MiB; the writer keeps memory", mib(after.HeapInuse))
			}
		})
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func BenchmarkCSV(b *testing.B)  { benchmarkFormat(b, "csv") }
func BenchmarkJSON(b *testing.B) { benchmarkFormat(b, "json") }
func BenchmarkXLSX(b *testing.B) { benchmarkFormat(b, "xlsx") }

// benchmarkFormat writes b.N documents of the load into one file, Close
// included, and reports rows (documents) per second.
func benchmarkFormat(b *testing.B, format string) {
	s := loadSpec()
	pool := make([]export.Row, 1024)
	for i := range pool {
		pool[i] = loadRow(s, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		// A new file every loadRows documents keeps XLSX under its row limit.
		n := min(b.N-done, loadRows)
		w, err := export.New(format, io.Discard, s)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if err := w.Write(pool[(done+i)%len(pool)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
