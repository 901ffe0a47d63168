package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// outputHashesFile holds, per sample document and options, the sha256 of
// its pages and of Extract's full result. It holds hashes only, no corpus
// content.
const outputHashesFile = "testdata/output_hashes.json"

type outputHash struct {
	Input  string `json:"input"`
	Output string `json:"output"`
}

// outputVariants are the options each sample document is run with.
var outputVariants = []struct {
	name string
	opt  Options
}{
	{"default", Options{}},
	{"month_first", Options{MonthFirst: true}},
	{"receipts", Options{DataPoints: receiptDataPoints()}},
	{"hints", Options{DataPoints: []workspace.DataPoint{
		{Name: "invoice_number", Type: "string"},
		{Name: "ref", Type: "string", Hints: &workspace.Hints{Labels: []string{"Reference", "Referenz"}, Pattern: `[A-Z]{2,}-\d+`}},
		{Name: "paid", Type: "date", Hints: &workspace.Hints{Labels: []string{"Date"}}},
		{Name: "fee", Type: "amount", Hints: &workspace.Hints{Labels: []string{"Total", "Summe"}}},
	}}},
}

func receiptDataPoints() []workspace.DataPoint {
	for _, pt := range workspace.ProcessTypes {
		if pt.Name == "Receipts" {
			return pt.DataPoints
		}
	}
	return nil
}

// TestOutputUnchanged checks that Extract's full result (every candidate
// with its value, confidence, page and box, validity, tables) is the one
// recorded in testdata/output_hashes.json. It guards refactorings and
// speed-ups that must not change the output; a change meant to change it
// records the new hashes with EXTRACT_UPDATE_HASHES=1. Documents whose
// pages differ from the recorded ones (another pdftotext) are skipped.
// EXTRACT_DUMP_DIR=dir writes the serialised results there, to diff.
func TestOutputUnchanged(t *testing.T) {
	update := os.Getenv("EXTRACT_UPDATE_HASHES") != ""
	want := map[string]outputHash{}
	if b, err := os.ReadFile(outputHashesFile); err == nil {
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
	} else if !update {
		t.Fatal(err)
	}
	got := map[string]outputHash{}
	checked := 0
	for _, d := range sampleDocs(t) {
		in := hashPages(d.pages)
		for _, v := range outputVariants {
			key := d.name + " " + v.name
			out := serializeResult(Extract(d.pages, v.opt))
			if dir := os.Getenv("EXTRACT_DUMP_DIR"); dir != "" {
				name := strings.NewReplacer("/", "_", " ", "_").Replace(key)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			h := outputHash{Input: in, Output: hashString(out)}
			got[key] = h
			w, ok := want[key]
			switch {
			case update:
			case !ok:
				t.Errorf("%s: no recorded hash (EXTRACT_UPDATE_HASHES=1 records it)", key)
			case w.Input != h.Input:
				t.Logf("%s: pages differ from the recorded ones, skipped", key)
			case w.Output != h.Output:
				t.Errorf("%s: result changed", key)
			default:
				checked++
			}
		}
	}
	if update {
		for k, v := range want { // keep documents not available here
			if _, ok := got[k]; !ok {
				got[k] = v
			}
		}
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(outputHashesFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %d hashes", len(got))
		return
	}
	t.Logf("%d results unchanged", checked)
}

func hashString(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func hashPages(pages []doc.Page) string {
	var sb strings.Builder
	for _, p := range pages {
		fmt.Fprintf(&sb, "page %d %s %s %s\n", p.Num, exactFloat(p.Width), exactFloat(p.Height), p.Source)
		for _, w := range p.Words {
			fmt.Fprintf(&sb, "%q %s %s %s %s %s\n", w.Text, exactFloat(w.X0), exactFloat(w.Y0), exactFloat(w.X1), exactFloat(w.Y1), exactFloat(w.Conf))
		}
	}
	return hashString(sb.String())
}

// exactFloat writes a float so that it reads back to the same bits.
func exactFloat(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// serializeResult writes every part of a result in a fixed order.
func serializeResult(r Result) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "class %q\n", r.Class)
	for _, name := range sortedKeys(r.Fields) {
		f := r.Fields[name]
		if f == nil {
			fmt.Fprintf(&sb, "field %q nil\n", name)
			continue
		}
		valid := "nil"
		if f.Valid != nil {
			valid = strconv.FormatBool(*f.Valid)
		}
		fmt.Fprintf(&sb, "field %q name %q valid %s msg %q\n", name, f.Name, valid, f.ValidationMsg)
		for _, c := range f.Candidates {
			writeCandidate(&sb, "  ", c)
		}
	}
	for _, name := range sortedKeys(r.Tables) {
		tb := r.Tables[name]
		if tb == nil {
			fmt.Fprintf(&sb, "table %q nil\n", name)
			continue
		}
		fmt.Fprintf(&sb, "table %q columns %q rows %d\n", name, tb.Columns, len(tb.Rows))
		for i, row := range tb.Rows {
			for _, col := range sortedKeys(row) {
				fmt.Fprintf(&sb, "  row %d %q", i, col)
				writeCandidate(&sb, " ", row[col])
			}
		}
	}
	return sb.String()
}

func writeCandidate(sb *strings.Builder, indent string, c Candidate) {
	var v string
	switch x := c.Value.(type) {
	case float64:
		v = "float64 " + exactFloat(x)
	case string:
		v = "string " + strconv.Quote(x)
	default:
		v = fmt.Sprintf("%T %#v", x, x)
	}
	fmt.Fprintf(sb, "%scand %s raw %q conf %s page %d box %s %s %s %s conv %q format %q\n", indent, v, c.Raw,
		exactFloat(c.Confidence), c.Page, exactFloat(c.BBox[0]), exactFloat(c.BBox[1]), exactFloat(c.BBox[2]), exactFloat(c.BBox[3]), c.Converter, c.Format)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
