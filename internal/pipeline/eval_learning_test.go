package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/crescent-idp/crescent/internal/extract"
	"github.com/crescent-idp/crescent/internal/filetype"
	"github.com/crescent-idp/crescent/internal/learn"
	"github.com/crescent-idp/crescent/internal/testenv"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// TestLearningGain measures continuous learning on the visible corpus: in
// every run of documents from one supplier (the same VAT id, or the same
// name where there is none), the first document is accepted with its true
// values, as a reviewer would leave it, and the others are read before
// and after applying what it taught. Memories are found through the
// supplier identity the extractor reads on the new document, as in the
// server. It prints the table and fails if learning loses any field.
func TestLearningGain(t *testing.T) {
	sets := corpusSets(t)
	ctx := context.Background()
	p := evalPipeline(t)
	var gained, lost, before, after, scored int
	var lines []string
	for _, set := range sets {
		items := readExpected(t, set)
		dir := filepath.Dir(set)
		typeID, fields := workspace.ProcessTypeInvoices, coreFields
		if len(items) > 0 && items[0].DocType == "Receipts" {
			typeID, fields = workspace.ProcessTypeReceipts, receiptFields
			if p.ocr == nil || p.ocr.Check(ctx) != nil {
				testenv.Missing(t, "tesseract, to read the receipts in "+dir)
				continue
			}
		}
		pt, _ := workspace.ProcessTypeByID(typeID)
		cfg := workspace.ProcessConfig{DataPoints: pt.DataPoints, OCRLanguages: []string{"eng"}}
		groups := map[string][]expectedDoc{}
		for _, it := range items {
			if it.XMLPDFMismatch {
				continue
			}
			k := fmt.Sprint(it.Fields["seller_id"])
			if it.Fields["seller_id"] == nil {
				k = strings.ToLower(fmt.Sprint(it.Fields["seller_name"]))
			}
			groups[k] = append(groups[k], it)
		}
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			docs := groups[k]
			if len(docs) < 2 {
				continue
			}
			sort.Slice(docs, func(i, j int) bool { return docs[i].File < docs[j].File })
			teacher := p.evalRead(ctx, t, filepath.Join(dir, docs[0].File), cfg)
			mems := learn.Remember(teacher.pages, acceptedTruth(docs[0], fields))
			if os.Getenv("CRESCENT_LEARN_DEBUG") != "" {
				t.Logf("teacher %s: %d memories %+v; keys %v", docs[0].File, len(mems), mems, learn.SupplierKeys(truthValues(docs[0])))
			}
			var g, l, b, a, n int
			for _, it := range docs[1:] {
				read := p.evalRead(ctx, t, filepath.Join(dir, it.File), cfg)
				got := firstValues(p.documents(workspace.Collection{ID: "eval"}, workspace.File{ID: "f"}, read, cfg))
				learned := map[string]any{}
				if os.Getenv("CRESCENT_LEARN_DEBUG") != "" {
					t.Logf("  %s keys %v", it.File, learn.DocumentKeys(got, read.pages))
				}
				if sameSupplier(learn.DocumentKeys(got, read.pages), learn.SupplierKeys(truthValues(docs[0]))) {
					for _, f := range learn.Apply(read.pages, mems) {
						// As the server merges: first when sure or the field is empty.
						if f.Confidence >= learn.Sure || got[f.Field] == nil || sameValueEval(got[f.Field], f.Value) {
							learned[f.Field] = f.Value
						}
					}
				}
				for _, field := range fields {
					want, ok := it.Fields[field]
					if !ok || contains(it.NotInPDFText, field) {
						continue
					}
					n++
					was := same(field, want, got[field])
					now := was
					if v, ok := learned[field]; ok {
						now = same(field, want, normalizeFound(field, v))
					}
					if was {
						b++
					}
					if now {
						a++
					}
					if now && !was {
						g++
					}
					if was && !now {
						l++
						if os.Getenv("CRESCENT_LEARN_DEBUG") != "" {
							t.Logf("loss %s %s: want %v, had %v, learned %v", it.File, field, want, got[field], learned[field])
						}
					}
				}
			}
			lines = append(lines, fmt.Sprintf("%-14s %-40.40s %4d %6d %6d %5d %5d", filepath.Base(dir), k, len(docs)-1, b, a, g, l))
			gained, lost, before, after, scored = gained+g, lost+l, before+b, after+a, scored+n
		}
	}
	t.Logf("\ncontinuous learning: the first document of each supplier accepted, the others read before/after\n%-14s %-40s %4s %6s %6s %5s %5s\n%s\nall: %d fields of repeat-supplier documents, right before %d (%.3f), after %d (%.3f); gained %d, lost %d",
		"folder", "supplier", "docs", "before", "after", "gain", "loss", strings.Join(lines, "\n"),
		scored, before, ratio(before, scored), after, ratio(after, scored), gained, lost)
	if lost > 0 {
		t.Errorf("learning lost %d fields (and gained %d): a learned value must never replace a right one", lost, gained)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sameSupplier reports whether two documents share a supplier identity.
func sameSupplier(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func truthValues(it expectedDoc) map[string]any {
	out := map[string]any{}
	for f, v := range it.Fields {
		out[f] = v
	}
	return out
}

// acceptedTruth is what a reviewer leaves on an accepted document: the
// true values, typed without a box.
func acceptedTruth(it expectedDoc, fields []string) []learn.Accepted {
	var out []learn.Accepted
	for _, f := range append(append([]string{}, fields...), "seller_address", "account_number") {
		v, ok := it.Fields[f]
		if !ok || contains(it.NotInPDFText, f) {
			continue
		}
		conv := "string"
		switch {
		case strings.HasSuffix(f, "_amount"):
			conv = "amount"
		case strings.HasSuffix(f, "date") || f == "date":
			conv = "date"
		case f == "seller_id" || f == "buyer_id":
			conv = "vat_id"
		case f == "account_number":
			conv = "iban"
		}
		out = append(out, learn.Accepted{Field: f, Value: v, Raw: fmt.Sprint(v), Converter: conv})
	}
	return out
}

// normalizeFound writes learned ids as the extractor does.
func normalizeFound(field string, v any) any {
	s, _ := v.(string)
	switch field {
	case "seller_id", "buyer_id":
		if id, ok := extract.NormalizeVATID(s); ok {
			return id
		}
	case "account_number":
		if iban, ok := extract.NormalizeIBAN(strings.ReplaceAll(s, " ", "")); ok {
			return iban
		}
	}
	return v
}

func firstValues(docs []workspace.Document) map[string]any {
	out := map[string]any{}
	if len(docs) == 0 {
		return out
	}
	for _, e := range docs[0].Extractions {
		if _, seen := out[e.Field]; !seen {
			out[e.Field] = e.Value
		}
	}
	return out
}

// ocrCache keeps what OCR read from each corpus image per process type, so
// that the tests of this package that score receipts OCR each image once.
var ocrCache sync.Map

// evalRead reads a corpus file as the pipeline does.
func (p *Pipeline) evalRead(ctx context.Context, t *testing.T, path string, cfg workspace.ProcessConfig) readResult {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	info, err := filetype.Inspect(f, st.Size(), filetype.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var names []string
	for _, dp := range cfg.DataPoints {
		names = append(names, dp.Name)
	}
	key := path + "|" + strings.Join(names, ",") + "|" + strings.Join(cfg.OCRLanguages, ",")
	var read readResult
	switch info.Kind {
	case filetype.KindPDF:
		read, err = p.readPDF(ctx, f, cfg)
	case filetype.KindText:
		var b []byte
		b, err = os.ReadFile(path)
		read = readText(b)
	case filetype.KindPNG, filetype.KindJPEG, filetype.KindGIF, filetype.KindBMP, filetype.KindWebP, filetype.KindTIFF:
		if r, ok := ocrCache.Load(key); ok {
			return r.(readResult)
		}
		asIs := info.Kind == filetype.KindPNG || info.Kind == filetype.KindJPEG
		if read, err = p.readImage(ctx, f, cfg, asIs); err == nil {
			ocrCache.Store(key, read)
		}
	default:
		t.Fatalf("%s: unexpected kind %s", path, info.Kind)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return read
}

func sameValueEval(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }
