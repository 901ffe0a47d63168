package ocr

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/crescent-idp/crescent/internal/doc"
)

// TSV levels (the first column of tesseract's TSV output).
const (
	levelPage = 1
	levelWord = 5
)

// maxTSVLine bounds one line of TSV; a word is never near it.
const maxTSVLine = 1 << 20

// tsvWord is a word row with the keys that give its reading order.
type tsvWord struct {
	block, par, line, num int
	left, top, w, h       int
	conf                  float64
	text                  string
}

// parseTSV reads tesseract's TSV output (tesseract … tsv) into a page. The
// page size comes from the first page row (level 1); words (level 5) of
// that page become doc.Words with boxes relative to it, in the order
// (block, paragraph, line, word). Words that are empty or blank, have a
// negative confidence or an empty box are left out. Rows of other levels
// and pages are ignored. It fails on a row that is not TSV of 11 or 12
// columns with integer fields, and on words with no page row.
func parseTSV(r io.Reader) (doc.Page, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxTSVLine)
	var (
		words        []tsvWord
		page, pw, ph int
		havePage     bool
	)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(line) == 0 || (n == 1 && bytes.HasPrefix(line, []byte("level\t"))) {
			continue
		}
		f := strings.SplitN(string(line), "\t", 12)
		if len(f) < 11 {
			return doc.Page{}, fmt.Errorf("tsv line %d: %d columns, want 12", n, len(f))
		}
		var v [10]int
		for i := range v {
			x, err := strconv.Atoi(f[i])
			if err != nil {
				return doc.Page{}, fmt.Errorf("tsv line %d: column %d: %q is not an integer", n, i+1, f[i])
			}
			v[i] = x
		}
		level, pageNum := v[0], v[1]
		if level == levelPage && !havePage {
			page, pw, ph, havePage = pageNum, v[8], v[9], true
			if pw <= 0 || ph <= 0 {
				return doc.Page{}, fmt.Errorf("tsv line %d: page of %d×%d pixels", n, pw, ph)
			}
			continue
		}
		if level != levelWord {
			continue
		}
		if !havePage {
			return doc.Page{}, fmt.Errorf("tsv line %d: a word before the page row", n)
		}
		if pageNum != page {
			continue
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil {
			return doc.Page{}, fmt.Errorf("tsv line %d: confidence %q is not a number", n, f[10])
		}
		text := ""
		if len(f) == 12 {
			text = strings.TrimSpace(strings.ToValidUTF8(f[11], "\uFFFD"))
		}
		if text == "" || !(conf >= 0) { // !(>=) also drops NaN
			continue
		}
		words = append(words, tsvWord{block: v[2], par: v[3], line: v[4], num: v[5],
			left: v[6], top: v[7], w: v[8], h: v[9], conf: conf, text: text})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return doc.Page{}, fmt.Errorf("tsv: a line over %d bytes", maxTSVLine)
		}
		return doc.Page{}, fmt.Errorf("tsv: %w", err)
	}
	if !havePage {
		return doc.Page{}, errors.New("tsv: no page row (level 1)")
	}
	slices.SortStableFunc(words, func(a, b tsvWord) int {
		return cmp.Or(cmp.Compare(a.block, b.block), cmp.Compare(a.par, b.par),
			cmp.Compare(a.line, b.line), cmp.Compare(a.num, b.num))
	})
	p := doc.Page{Num: 1, Width: float64(pw), Height: float64(ph), Source: doc.SourceOCR, Words: make([]doc.Word, 0, len(words))}
	for _, w := range words {
		x0, x1 := span(w.left, w.w, pw)
		y0, y1 := span(w.top, w.h, ph)
		if !(x0 < x1 && y0 < y1) {
			continue
		}
		p.Words = append(p.Words, doc.Word{Text: w.text, X0: x0, Y0: y0, X1: x1, Y1: y1, Conf: math.Min(w.conf/100, 1)})
	}
	return p, nil
}

// span returns the interval [start, start+length] of a page side of size
// pixels as fractions of it, clamped to 0..1.
func span(start, length, size int) (lo, hi float64) {
	s := float64(size)
	lo = float64(start) / s
	hi = (float64(start) + float64(length)) / s
	return min(max(lo, 0), 1), min(max(hi, 0), 1)
}
