package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/testenv"
)

// The shared corpus of real invoices, relative to this directory.
const corpusDir = "../../../shared/corpus"

var (
	testReader   *Reader       // opened by TestMain, 2 workers
	testCacheDir string        // its compilation cache
	coldOpen     time.Duration // how long its Open took, compiling PDFium
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crescent-pdf-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testCacheDir = filepath.Join(dir, "wazero")
	start := time.Now()
	testReader, err = Open(context.Background(), Config{Workers: 2, CacheDir: testCacheDir, PageTimeout: 30 * time.Second})
	coldOpen = time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	testReader.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// corpus returns the corpus PDFs, skipping the test if there are none.
func corpus(t testing.TB) []string {
	t.Helper()
	a, _ := filepath.Glob(filepath.Join(corpusDir, "invoice2data", "*.pdf"))
	b, _ := filepath.Glob(filepath.Join(corpusDir, "zugferd-v1", "*", "*.pdf"))
	files := append(a, b...)
	if len(files) == 0 {
		testenv.Missing(t, "PDFs under "+corpusDir)
	}
	return files
}

// corpusFile returns one corpus file, skipping the test if it is missing.
func corpusFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(corpusDir, rel)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, "a corpus file: "+err.Error())
	}
	return p
}

// openFile opens path with the shared reader and closes it with the test.
func openFile(t testing.TB, path string) *Document {
	t.Helper()
	d, err := testReader.OpenFile(context.Background(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close %s: %v", path, err)
		}
	})
	return d
}

// find returns the first word with text s, or fails the test.
func find(t *testing.T, p doc.Page, s string) doc.Word {
	t.Helper()
	for _, w := range p.Words {
		if w.Text == s {
			return w
		}
	}
	t.Fatalf("page %d has no word %q", p.Num, s)
	return doc.Word{}
}

// index returns the position of the first word with text s, or -1.
func index(p doc.Page, s string) int {
	return slices.IndexFunc(p.Words, func(w doc.Word) bool { return w.Text == s })
}

// checkPage checks what every page of a text layer promises.
func checkPage(t *testing.T, name string, p doc.Page) {
	t.Helper()
	if p.Source != doc.SourceText || !(p.Width > 0 && p.Height > 0) {
		t.Errorf("%s p%d: source %q size %gx%g", name, p.Num, p.Source, p.Width, p.Height)
	}
	for i, w := range p.Words {
		if w.Text == "" || strings.ContainsFunc(w.Text, func(r rune) bool { return r == ' ' || r < 0x20 }) {
			t.Errorf("%s p%d: word %d is %q", name, p.Num, i, w.Text)
		}
		if !(0 <= w.X0 && w.X0 < w.X1 && w.X1 <= 1 && 0 <= w.Y0 && w.Y0 < w.Y1 && w.Y1 <= 1) {
			t.Errorf("%s p%d: word %q has box %v outside the page", name, p.Num, w.Text, w.Box())
		}
		if w.Conf != 1 {
			t.Errorf("%s p%d: word %q has Conf %g", name, p.Num, w.Text, w.Conf)
		}
		if strings.ContainsFunc(w.Text, func(r rune) bool { return r >= 0xFB00 && r <= 0xFB06 }) {
			t.Errorf("%s p%d: word %q keeps a ligature", name, p.Num, w.Text)
		}
		if i == 0 {
			continue
		}
		// Reading order: a word left of the one before starts a lower
		// line; one to its right is on the same line or lower.
		a, b := p.Words[i-1], w
		ca, cb := (a.Y0+a.Y1)/2, (b.Y0+b.Y1)/2
		if b.X0 < a.X0 && cb <= ca || cb < ca-math.Max(a.Y1-a.Y0, b.Y1-b.Y0) {
			t.Errorf("%s p%d: %q %v comes after %q %v", name, p.Num, b.Text, b.Box(), a.Text, a.Box())
		}
	}
}

func TestOpenUsesCompilationCache(t *testing.T) {
	start := time.Now()
	r, err := Open(context.Background(), Config{Workers: 1, CacheDir: testCacheDir})
	warm := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := r.OpenFile(context.Background(), "x.pdf"); err == nil {
		t.Fatal("OpenFile after Close succeeded")
	}
	t.Logf("Open: first (compiling PDFium into %s) %v, second (from the cache) %v, %.0fx faster",
		testCacheDir, coldOpen.Round(time.Millisecond), warm.Round(time.Millisecond), float64(coldOpen)/float64(warm))
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, Config{CacheDir: testCacheDir}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open with a cancelled context: %v", err)
	}
}

func TestAzureInterior(t *testing.T) {
	d := openFile(t, corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if d.PageCount() != 1 {
		t.Fatalf("PageCount = %d", d.PageCount())
	}
	p, err := d.Text(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, "AzureInterior", p)
	if p.Num != 1 || math.Abs(p.Width-595) > 1 || math.Abs(p.Height-842) > 1 {
		t.Errorf("page %d is %gx%g points, want A4", p.Num, p.Width, p.Height)
	}
	if !HasUsableText(p) {
		t.Error("HasUsableText = false")
	}
	inv := find(t, p, "INV/2023/03/0008")
	total := find(t, p, "279.84")
	label := find(t, p, "Total")
	// Where pdftotext -bbox puts them, in points.
	near := func(w doc.Word, x0, y0 float64) {
		t.Helper()
		if math.Abs(w.X0*p.Width-x0) > 3 || math.Abs(w.Y0*p.Height-y0) > 6 {
			t.Errorf("%q at %.1f,%.1f points, want about %.1f,%.1f", w.Text, w.X0*p.Width, w.Y0*p.Height, x0, y0)
		}
	}
	near(inv, 98.8, 206.2)
	near(total, 532.4, 579.5)
	if !(label.X1 < total.X0 && label.Y0 < total.Y1 && total.Y0 < label.Y1) {
		t.Errorf("Total %v and 279.84 %v are not on one line", label.Box(), total.Box())
	}
	if i, j := index(p, "Invoice"), index(p, "INV/2023/03/0008"); !(i >= 0 && i < j) {
		t.Errorf("Invoice at %d, INV/2023/03/0008 at %d", i, j)
	}
	if i, j := index(p, "Total"), index(p, "279.84"); !(i >= 0 && i < j) {
		t.Errorf("Total at %d, 279.84 at %d", i, j)
	}
	if i, j := index(p, "Subtotal"), index(p, "Total"); !(i >= 0 && i < j) {
		t.Errorf("Subtotal at %d, Total at %d", i, j)
	}
	for _, s := range []string{"azure.Interior24@example.com", "communication", "03/20/2023", "US1234567890"} {
		find(t, p, s)
	}
}

func TestCorpusText(t *testing.T) {
	pages := 0
	for _, f := range corpus(t) {
		name := filepath.Base(f)
		d, err := testReader.OpenFile(context.Background(), f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for i := 1; i <= d.PageCount(); i++ {
			p, err := d.Text(context.Background(), i)
			if err != nil {
				t.Errorf("%s p%d: %v", name, i, err)
				continue
			}
			pages++
			checkPage(t, name, p)
			if i == 1 && !HasUsableText(p) {
				t.Errorf("%s p1: HasUsableText = false for a digital invoice (%d words)", name, len(p.Words))
			}
		}
		if err := d.Close(); err != nil {
			t.Errorf("%s: close: %v", name, err)
		}
	}
	t.Logf("%d pages", pages)
}

func TestNonASCII(t *testing.T) {
	p, err := openFile(t, corpusFile(t, "zugferd-v1/4s4u/additional-data-sample-1.pdf")).Text(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Käufer", "Rechnungsempfänger", "spätestens", "Rückfragen:"} {
		find(t, p, s)
	}
}

func TestRender(t *testing.T) {
	d := openFile(t, corpusFile(t, "invoice2data/AzureInterior.pdf"))
	p, err := d.Text(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, dpi := range []int{150, 300} {
		start := time.Now()
		img, err := d.Render(context.Background(), 1, dpi)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Render at %d dpi: %v, %v pixels", dpi, time.Since(start).Round(time.Millisecond), img.Bounds().Size())
		g, ok := img.(*image.Gray)
		if !ok {
			t.Fatalf("Render gave a %T", img)
		}
		want := image.Pt(int(math.Ceil(p.Width*float64(dpi)/72)), int(math.Ceil(p.Height*float64(dpi)/72)))
		if g.Bounds() != (image.Rectangle{Max: want}) {
			t.Fatalf("image bounds %v, want %v", g.Bounds(), want)
		}
		// The page is mostly white, and there is ink where the text layer
		// says 279.84 is.
		page, _ := meanMin(g, g.Bounds())
		if page < 200 {
			t.Errorf("page mean gray %.0f, want mostly white", page)
		}
		w := find(t, p, "279.84")
		box := image.Rect(int(w.X0*float64(want.X)), int(w.Y0*float64(want.Y)), int(math.Ceil(w.X1*float64(want.X))), int(math.Ceil(w.Y1*float64(want.Y))))
		if m, darkest := meanMin(g, box); m > page-20 || darkest > 80 {
			t.Errorf("mean gray %.0f, darkest %d in the box of 279.84 %v (page mean %.0f), want ink", m, darkest, box, page)
		}
	}
}

// meanMin returns the mean and the darkest gray level of img within r.
func meanMin(img *image.Gray, r image.Rectangle) (float64, uint8) {
	r = r.Intersect(img.Bounds())
	var sum, n float64
	darkest := uint8(255)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := img.GrayAt(x, y).Y
			sum += float64(v)
			n++
			darkest = min(darkest, v)
		}
	}
	return sum / n, darkest
}

func TestRenderLimits(t *testing.T) {
	d := openFile(t, corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if _, err := d.Render(context.Background(), 1, 1200); !errors.Is(err, ErrTooLarge) {
		t.Errorf("A4 at 1200 dpi (139 megapixels): %v, want ErrTooLarge", err)
	}
	for _, dpi := range []int{0, -1, MaxDPI + 1} {
		if _, err := d.Render(context.Background(), 1, dpi); err == nil {
			t.Errorf("Render at %d dpi succeeded", dpi)
		}
	}
	for _, page := range []int{0, 2} {
		if _, err := d.Render(context.Background(), page, 72); err == nil {
			t.Errorf("Render of page %d of 1 succeeded", page)
		}
		if _, err := d.Text(context.Background(), page); err == nil {
			t.Errorf("Text of page %d of 1 succeeded", page)
		}
	}
	// The document is still usable after refusals.
	if _, err := d.Render(context.Background(), 1, 72); err != nil {
		t.Errorf("Render at 72 dpi after refusals: %v", err)
	}
}

func TestFitDPI(t *testing.T) {
	for _, c := range []struct {
		w, h float64
		dpi  int
		want int
	}{
		{595, 842, 300, 300},  // A4
		{595, 842, 1200, 787}, // A4 at 1200 dpi would be 139 megapixels
		{2480, 3508, 300, 189},
		{1e6, 1e6, 300, 1},
	} {
		got := FitDPI(c.w, c.h, c.dpi)
		if got != c.want {
			t.Errorf("FitDPI(%g, %g, %d) = %d, want %d", c.w, c.h, c.dpi, got, c.want)
		}
		if px := math.Ceil(c.w*float64(got)/72) * math.Ceil(c.h*float64(got)/72); got > 1 && px > MaxRenderPixels {
			t.Errorf("FitDPI(%g, %g, %d) = %d gives %.0f pixels", c.w, c.h, c.dpi, got, px)
		}
	}
}

func TestDamaged(t *testing.T) {
	good, err := os.ReadFile(corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(good)
	for i := len(corrupt) / 10; i < len(corrupt); i += 7 {
		corrupt[i] ^= 0x5a
	}
	cases := map[string][]byte{
		"not a PDF":         []byte("this is not a PDF file, just text"),
		"header only":       []byte("%PDF-1.7\n"),
		"first 300 bytes":   good[:300],
		"first half":        good[:len(good)/2],
		"last byte cut":     good[:len(good)-1],
		"bytes overwritten": corrupt,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := testReader.OpenDocument(context.Background(), bytes.NewReader(data), int64(len(data)))
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("error %v does not wrap ErrCorrupt", err)
				}
				t.Logf("refused: %v", err)
				return
			}
			defer d.Close()
			// PDFium repairs what it can; whatever it kept must read without
			// a panic and give errors of our kinds.
			for i := 1; i <= d.PageCount(); i++ {
				p, err := d.Text(context.Background(), i)
				if err != nil && !errors.Is(err, ErrCorrupt) {
					t.Errorf("Text p%d: %v", i, err)
				}
				if _, err := d.Render(context.Background(), i, 72); err != nil && !errors.Is(err, ErrCorrupt) {
					t.Errorf("Render p%d: %v", i, err)
				}
				t.Logf("repaired: %d pages, page %d has %d words (err %v)", d.PageCount(), i, len(p.Words), err)
			}
		})
	}
	if _, err := testReader.OpenDocument(context.Background(), bytes.NewReader(nil), 0); !errors.Is(err, ErrCorrupt) {
		t.Errorf("empty file: %v", err)
	}
	if _, err := testReader.OpenFile(context.Background(), filepath.Join(t.TempDir(), "missing.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// failingReader fails every read after the first n bytes of the file.
type failingReader struct {
	*bytes.Reader
	n int64
}

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if pos, _ := f.Seek(0, io.SeekCurrent); pos+int64(len(p)) > f.n {
		return 0, errDisk
	}
	return f.Reader.Read(p)
}

func TestReadError(t *testing.T) {
	data, err := os.ReadFile(corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = testReader.OpenDocument(context.Background(), &failingReader{bytes.NewReader(data), 1000}, int64(len(data)))
	if !errors.Is(err, errDisk) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("open with a failing reader: %v, want the read error", err)
	}
	t.Log(err)
	// The pool is still whole: both workers can be had.
	a, b := openFile(t, corpusFile(t, "invoice2data/AzureInterior.pdf")), openFile(t, corpusFile(t, "invoice2data/oyo.pdf"))
	if a.PageCount() != 1 || b.PageCount() != 1 {
		t.Fatal("page counts")
	}
}

func TestTimeoutKillsInstance(t *testing.T) {
	f := corpusFile(t, "invoice2data/AzureInterior.pdf")
	r, err := Open(context.Background(), Config{Workers: 1, CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, err := r.OpenFile(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	// Rendering at 600 dpi takes far longer than a millisecond.
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = d.Render(ctx, 1, 600)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Render with a 1ms deadline: %v", err)
	}
	t.Logf("stopped after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if _, err := d.Text(context.Background(), 1); err == nil {
		t.Error("Text on a killed document succeeded")
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close of a killed document: %v", err)
	}
	// The pool replaced the killed instance.
	d, err = r.OpenFile(context.Background(), f)
	if err != nil {
		t.Fatalf("open after a kill: %v", err)
	}
	defer d.Close()
	if _, err := d.Text(context.Background(), 1); err != nil {
		t.Fatalf("Text after a kill: %v", err)
	}

	// With the only worker busy, OpenDocument waits as long as ctx allows.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.OpenFile(ctx, f); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("open with no free worker: %v", err)
	}
}

func TestPageTimeout(t *testing.T) {
	r, err := Open(context.Background(), Config{Workers: 1, CacheDir: testCacheDir, PageTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, err := r.OpenFile(context.Background(), corpusFile(t, "invoice2data/AzureInterior.pdf"))
	if err != nil {
		// Opening may itself take longer than a millisecond.
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
		return
	}
	defer d.Close()
	if _, err := d.Render(context.Background(), 1, 600); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Render beyond PageTimeout: %v", err)
	}
}

func TestCloseReaderWithOpenDocuments(t *testing.T) {
	f := corpusFile(t, "invoice2data/AzureInterior.pdf")
	r, err := Open(context.Background(), Config{Workers: 2, CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	var docs []*Document
	for range 2 {
		d, err := r.OpenFile(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	// A third open waits for a worker; Close ends it.
	waiting := make(chan error, 1)
	go func() {
		_, err := r.OpenFile(context.Background(), f)
		waiting <- err
	}()
	// Calls race with Close and either finish or see ErrClosed.
	var wg sync.WaitGroup
	for _, d := range docs {
		wg.Go(func() {
			for range 20 {
				if _, err := d.Text(context.Background(), 1); err != nil && !errors.Is(err, ErrClosed) {
					t.Errorf("Text during Close: %v", err)
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait()
	if err := <-waiting; !errors.Is(err, ErrClosed) {
		t.Errorf("OpenFile waiting during Close: %v", err)
	}
	for _, d := range docs {
		if _, err := d.Text(context.Background(), 1); !errors.Is(err, ErrClosed) {
			t.Errorf("Text after Close: %v", err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("Document.Close after Reader.Close: %v", err)
		}
	}
}

func TestConcurrentDocuments(t *testing.T) {
	files := corpus(t)
	var wg sync.WaitGroup
	errs := make(chan error, len(files))
	for _, f := range files {
		wg.Go(func() {
			d, err := testReader.OpenFile(context.Background(), f)
			if err != nil {
				errs <- err
				return
			}
			defer d.Close()
			p, err := d.Text(context.Background(), 1)
			if err == nil && len(p.Words) == 0 {
				err = fmt.Errorf("%s: no words", f)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
