package ocr

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

func TestParseTSVSample(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.tsv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseTSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := doc.Page{Num: 1, Width: 1000, Height: 500, Source: doc.SourceOCR, Words: []doc.Word{
		{Text: "Rechnung", X0: 0.1, Y0: 0.1, X1: 0.3, Y1: 0.18, Conf: 0.965},
		{Text: "Nr.", X0: 0.32, Y0: 0.1, X1: 0.42, Y1: 0.18, Conf: 0.91},
		{Text: "2024-17", X0: 0.44, Y0: 0.1, X1: 0.6, Y1: 0.18, Conf: 0.8825},
		{Text: "Summe:", X0: 0.1, Y0: 0.22, X1: 0.3, Y1: 0.3, Conf: 0.93},
		{Text: "1.234,56", X0: 0.6, Y0: 0.22, X1: 0.9, Y1: 0.3, Conf: 1},
		{Text: "€", X0: 0.95, Y0: 0.22, X1: 0.99, Y1: 0.3, Conf: 1},
		{Text: "Zeichen", X0: 0.83, Y0: 0.8, X1: 1, Y1: 0.86, Conf: 0.4},
	}}
	if got.Num != want.Num || got.Width != want.Width || got.Height != want.Height || got.Source != want.Source {
		t.Errorf("page = %d %vx%v %q, want %d %vx%v %q", got.Num, got.Width, got.Height, got.Source, want.Num, want.Width, want.Height, want.Source)
	}
	if !slices.Equal(got.Words, want.Words) {
		t.Errorf("words:\n got %v\nwant %v", got.Words, want.Words)
	}
}

// TestParseTSVTesseract reads real output of tesseract 5.3.0 (FlipkartInvoice.png, -l eng --psm 3).
func TestParseTSVTesseract(t *testing.T) {
	data, err := os.ReadFile("testdata/flipkart.tsv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseTSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 789 || p.Height != 557 {
		t.Errorf("size = %vx%v, want 789x557", p.Width, p.Height)
	}
	// 157 word rows, 9 of them blank.
	if len(p.Words) != 148 {
		t.Errorf("%d words, want 148", len(p.Words))
	}
	text := pageText(p)
	for _, s := range []string{"Sold By : WS Retail Services", "Grand Total = 319.00"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	checkPage(t, p)
}

func TestParseTSVErrors(t *testing.T) {
	const page = "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
	tests := []struct{ name, tsv, want string }{
		{"empty", "", "no page row"},
		{"header only", "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n", "no page row"},
		{"not tsv", "hello world\n", "1 columns"},
		{"bad integer", page + "5\t1\t1\t1\t1\tone\t0\t0\t10\t10\t90\tx\n", `column 6: "one"`},
		{"bad conf", page + "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\thigh\tx\n", `confidence "high"`},
		{"word first", "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\tx\n" + page, "before the page row"},
		{"empty page", "1\t1\t0\t0\t0\t0\t0\t0\t0\t100\t-1\t\n", "page of 0×100 pixels"},
		{"long line", page + "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\t" + strings.Repeat("x", maxTSVLine) + "\n", "a line over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTSV(strings.NewReader(tt.tsv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseTSVNoWords(t *testing.T) {
	// A blank page: tesseract prints the page row only.
	p, err := parseTSV(strings.NewReader("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\r\n1\t1\t0\t0\t0\t0\t0\t0\t400\t300\t-1\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 400 || p.Height != 300 || p.Words == nil || len(p.Words) != 0 {
		t.Errorf("page = %+v, want 400x300 with an empty, non-nil word list", p)
	}
}

func FuzzParseTSV(f *testing.F) {
	for _, name := range []string{"testdata/sample.tsv", "testdata/flipkart.tsv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n5\t1\t1\t1\t1\t1\t-5\t3\t30\t2\tNaN\tx\n"))
	f.Add([]byte("1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n5\t1\t1\t1\t1\t1\t9\t9\t9\t9\t1e400\t\xff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseTSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		if p.Width <= 0 || p.Height <= 0 || p.Source != doc.SourceOCR || p.Words == nil {
			t.Fatalf("bad page %vx%v %q", p.Width, p.Height, p.Source)
		}
		checkPage(t, p)
	})
}

// checkPage checks the doc.Word invariants on every word of p.
func checkPage(t *testing.T, p doc.Page) {
	t.Helper()
	for i, w := range p.Words {
		if w.Text == "" || strings.TrimSpace(w.Text) != w.Text {
			t.Fatalf("word %d: text %q is blank or padded", i, w.Text)
		}
		if !(0 <= w.X0 && w.X0 < w.X1 && w.X1 <= 1 && 0 <= w.Y0 && w.Y0 < w.Y1 && w.Y1 <= 1) {
			t.Fatalf("word %d %q: box %v outside 0..1 or empty", i, w.Text, w.Box())
		}
		if !(0 <= w.Conf && w.Conf <= 1) {
			t.Fatalf("word %d %q: confidence %v outside 0..1", i, w.Text, w.Conf)
		}
	}
}

// pageText joins the words of p with spaces.
func pageText(p doc.Page) string {
	var b strings.Builder
	for i, w := range p.Words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	return b.String()
}
