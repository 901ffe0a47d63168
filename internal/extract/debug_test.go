package extract

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestDebugDump prints the lines and candidates of one document:
// EXTRACT_DEBUG=path/to/file.pdf go test -run TestDebugDump -v
func TestDebugDump(t *testing.T) {
	path := os.Getenv("EXTRACT_DEBUG")
	if path == "" {
		t.Skip("set EXTRACT_DEBUG to a file")
	}
	pages := textFilePages
	if strings.HasSuffix(path, ".pdf") {
		pages = pdfPages
	}
	ps := pages(t, path)
	x := newExtractor(ps, false)
	for _, ln := range x.l.lines {
		var parts []string
		for _, s := range ln.segs {
			p := "[" + s.text() + "]"
			for _, h := range x.hits[s] {
				p += "{" + strings.Join(h.lab.fields, ",") + ":" + string(s.orig[h.a:h.b]) + "}"
			}
			parts = append(parts, p)
		}
		t.Logf("%d p%d y%.3f %s", ln.idx, ln.page, ln.box[1], strings.Join(parts, " "))
	}
	x.run()
	var fs []string
	for f := range x.cands {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	for _, f := range fs {
		cs := mergeCands(append([]cand{}, x.cands[f]...))
		for i, c := range cs {
			if i >= 5 {
				break
			}
			t.Logf("%-15s %.2f %-10v %q %s", f, c.conf, c.value, c.raw, c.format)
		}
	}
}
