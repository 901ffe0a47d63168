package extract

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
)

// pdfPages turns a PDF into pages of words by running
// `pdftotext -bbox-layout` and reading its XHTML word boxes. It stands in
// for the project's PDF reader in tests.
func pdfPages(t testing.TB, path string) []doc.Page {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	pages, err := parseBBoxLayout(out)
	if err != nil {
		t.Fatalf("parse pdftotext output of %s: %v", path, err)
	}
	return pages
}

// parseBBoxLayout reads pdftotext's -bbox-layout XHTML.
func parseBBoxLayout(data []byte) ([]doc.Page, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var pages []doc.Page
	var cur *doc.Page
	attr := func(se xml.StartElement, name string) float64 {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				v, _ := strconv.ParseFloat(a.Value, 64)
				return v
			}
		}
		return 0
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "page":
			pages = append(pages, doc.Page{Num: len(pages) + 1, Width: attr(se, "width"), Height: attr(se, "height"), Source: doc.SourceText})
			cur = &pages[len(pages)-1]
		case "word":
			if cur == nil || cur.Width == 0 || cur.Height == 0 {
				continue
			}
			var text string
			if err := dec.DecodeElement(&text, &se); err != nil {
				return nil, err
			}
			cur.Words = append(cur.Words, doc.Word{
				Text: text,
				X0:   attr(se, "xMin") / cur.Width, Y0: attr(se, "yMin") / cur.Height,
				X1: attr(se, "xMax") / cur.Width, Y1: attr(se, "yMax") / cur.Height,
				Conf: 1,
			})
		}
	}
	return pages, nil
}

// textFilePages lays out a text file as pages of words.
func textFilePages(t testing.TB, path string) []doc.Page {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return TextPages(string(b))
}

func havePdftotext() bool {
	_, err := exec.LookPath("pdftotext")
	return err == nil
}
