package pdf

import (
	"bufio"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// textCorpus reads every page of every file once and returns the number of
// pages.
func textCorpus(tb testing.TB, files []string) int {
	pages := 0
	for _, f := range files {
		d, err := testReader.OpenFile(context.Background(), f)
		if err != nil {
			tb.Fatal(err)
		}
		for i := 1; i <= d.PageCount(); i++ {
			if _, err := d.Text(context.Background(), i); err != nil {
				tb.Fatal(err)
			}
			pages++
		}
		d.Close()
	}
	return pages
}

// BenchmarkText reads the whole corpus, opening each file, and reports
// pages per second; with pdftotext installed it also times
// `pdftotext -layout` on the same files and logs the ratio.
func BenchmarkText(b *testing.B) {
	files := corpus(b)
	pages := 0
	for b.Loop() {
		pages += textCorpus(b, files)
	}
	ours := float64(pages) / b.Elapsed().Seconds()
	b.ReportMetric(ours, "pages/s")
	if _, err := exec.LookPath("pdftotext"); err != nil {
		b.Logf("pdftotext not installed: %v", err)
		return
	}
	b.StopTimer()
	start, popplerPages := time.Now(), 0
	for range 3 {
		for _, f := range files {
			if err := exec.Command("pdftotext", "-layout", f, os.DevNull).Run(); err != nil {
				b.Fatal(err)
			}
		}
		popplerPages += pages / b.N
	}
	theirs := float64(popplerPages) / time.Since(start).Seconds()
	b.ReportMetric(theirs, "pdftotext-pages/s")
	b.Logf("%d files: %.0f pages/s here, %.0f pages/s with pdftotext -layout (a process per file): %.2fx",
		len(files), ours, theirs, ours/theirs)
}

// BenchmarkTextPage reads one page of an open document: the text layer
// and the word grouping, without opening.
func BenchmarkTextPage(b *testing.B) {
	d := openFile(b, corpusFile(b, "invoice2data/AzureInterior.pdf"))
	for b.Loop() {
		if _, err := d.Text(context.Background(), 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenDocument opens and closes a document: a fresh PDFium
// instance and the parse of the file.
func BenchmarkOpenDocument(b *testing.B) {
	f := corpusFile(b, "invoice2data/AzureInterior.pdf")
	for b.Loop() {
		d, err := testReader.OpenFile(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}

// BenchmarkRender300 renders an A4 invoice at 300 dpi, as for OCR.
func BenchmarkRender300(b *testing.B) {
	d := openFile(b, corpusFile(b, "invoice2data/AzureInterior.pdf"))
	for b.Loop() {
		if _, err := d.Render(context.Background(), 1, 300); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWordsAgreeWithPdftotext compares the words of every corpus page with
// the words of `pdftotext -bbox` as a multiset of strings.
func TestWordsAgreeWithPdftotext(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		testenv.Missing(t, "pdftotext (poppler-utils)")
	}
	var theirs, ours, matched int
	for _, f := range corpus(t) {
		out, err := exec.Command("pdftotext", "-bbox", f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", f, err)
		}
		var pd struct {
			Pages []struct {
				Words []string `xml:"word"`
			} `xml:"body>doc>page"`
		}
		if err := xml.Unmarshal(out, &pd); err != nil {
			t.Fatalf("pdftotext %s: %v", f, err)
		}
		d, err := testReader.OpenFile(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= d.PageCount() && i <= len(pd.Pages); i++ {
			p, err := d.Text(context.Background(), i)
			if err != nil {
				t.Fatal(err)
			}
			bag := map[string]int{}
			for _, w := range p.Words {
				bag[w.Text]++
			}
			ours += len(p.Words)
			for _, w := range pd.Pages[i-1].Words {
				// pdftotext keeps ligatures and some odd spaces.
				w = strings.TrimSpace(strings.NewReplacer("\u00a0", "", "\t", "", "\n", "").Replace(w))
				if w == "" {
					continue
				}
				theirs++
				if bag[w] > 0 {
					bag[w]--
					matched++
				}
			}
		}
		d.Close()
	}
	recall, precision := float64(matched)/float64(theirs), float64(matched)/float64(ours)
	t.Logf("pdftotext %d words, here %d, the same %d: %.1f%% of theirs, %.1f%% of ours", theirs, ours, matched, 100*recall, 100*precision)
	if recall < 0.98 || precision < 0.98 {
		t.Errorf("agreement with pdftotext below 98%%")
	}
}

// TestMemoryPerInstance logs what an instance with an open document costs
// the process, before and after rendering at 300 dpi.
func TestMemoryPerInstance(t *testing.T) {
	const n = 4
	f := corpusFile(t, "invoice2data/AzureInterior.pdf")
	r, err := Open(context.Background(), Config{Workers: n, CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	before := rss(t)
	var docs []*Document
	for range n {
		d, err := r.OpenFile(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Text(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	opened, openedLinear := rss(t), wasmMemory(docs[0])
	for _, d := range docs {
		if _, err := d.Render(context.Background(), 1, 300); err != nil {
			t.Fatal(err)
		}
	}
	rendered := rss(t)
	t.Logf("RSS per instance: %.1f MiB with a document open (linear memory %.1f MiB), %.1f MiB after rendering A4 at 300 dpi (linear memory %.1f MiB)",
		float64(opened-before)/n/(1<<20), float64(openedLinear)/(1<<20), float64(rendered-before)/n/(1<<20), float64(wasmMemory(docs[0]))/(1<<20))
}

// rss returns the resident set size of the process in bytes, after
// returning free Go memory to the system.
func rss(t *testing.T) int64 {
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// wasmMemory returns the size of an instance's linear memory, or 0 if
// go-pdfium's internals have changed.
func wasmMemory(d *Document) uint32 {
	v := reflect.ValueOf(d.inst.GetImplementation())
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	m := v.Elem().FieldByName("Module")
	if !m.IsValid() || !m.CanInterface() {
		return 0
	}
	return sizeOf(m.Interface())
}

// sizeOf calls Memory().Size() by reflection.
func sizeOf(mod any) uint32 {
	mem := reflect.ValueOf(mod).MethodByName("Memory")
	if !mem.IsValid() {
		return 0
	}
	out := mem.Call(nil)
	if len(out) != 1 {
		return 0
	}
	size := out[0].MethodByName("Size")
	if !size.IsValid() {
		return 0
	}
	if r := size.Call(nil); len(r) == 1 && r[0].CanUint() {
		return uint32(r[0].Uint())
	}
	return 0
}
