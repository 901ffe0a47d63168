package pipeline

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// lineColumns are the numeric line-item columns and the tolerance each is
// compared with (corpus README: amounts and rates to 2 decimals, quantity
// to 4).
var lineColumns = []struct {
	name string
	tol  float64
}{{"quantity", 0.00005}, {"unit_price", 0.005}, {"net_amount", 0.005}, {"vat_rate", 0.005}}

// minDescriptionSim is the description overlap below which a predicted
// row is not matched to a true row.
const minDescriptionSim = 0.5

// lineTally counts line-item rows: a row is right when its description
// matches a true row and every numeric column the truth gives is equal.
type lineTally struct {
	docs, truth, predicted, matched, right int
	cells, cellsRight                      int
}

// add scores the predicted line_items table of d against its truth. Rows
// are paired greedily by description similarity, best pair first; each
// row is used once; unpaired rows count on both sides.
func (l *lineTally) add(d evalDoc) {
	want, _ := d.item.Fields["line_items"].([]any)
	got := d.doc.Tables["line_items"].Rows
	l.docs++
	l.truth += len(want)
	l.predicted += len(got)
	type pair struct {
		w, g int
		sim  float64
	}
	var pairs []pair
	for i, w := range want {
		wr, _ := w.(map[string]any)
		wt := normTokens(fmt.Sprint(wr["description"]))
		for j, g := range got {
			desc, _ := g["description"].Value.(string)
			if sim := dice(wt, normTokens(desc)); sim >= minDescriptionSim {
				pairs = append(pairs, pair{i, j, sim})
			}
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].sim > pairs[b].sim })
	usedW, usedG := map[int]bool{}, map[int]bool{}
	for _, p := range pairs {
		if usedW[p.w] || usedG[p.g] {
			continue
		}
		usedW[p.w], usedG[p.g] = true, true
		l.matched++
		wr, _ := want[p.w].(map[string]any)
		ok := true
		for _, c := range lineColumns {
			wv, has := wr[c.name].(float64)
			if !has {
				continue
			}
			l.cells++
			gv, found := cellNumber(got[p.g][c.name])
			if found && math.Abs(gv-wv) < c.tol {
				l.cellsRight++
			} else {
				ok = false
			}
		}
		if ok {
			l.right++
		}
	}
}

// cellNumber reads a numeric cell.
func cellNumber(c workspace.Cell) (float64, bool) {
	switch v := c.Value.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// lineTable prints row-level P/R/F1 of line items per folder, text only,
// over the documents whose truth has line items.
func lineTable(docs []evalDoc) string {
	per := map[string]*lineTally{}
	var folders []string
	for _, d := range docs {
		if _, ok := d.item.Fields["line_items"].([]any); !ok {
			continue
		}
		for _, g := range []string{d.folder, "all"} {
			if per[g] == nil {
				per[g] = &lineTally{}
			}
			if g != "all" {
				folders = appendNew(folders, g)
			}
			per[g].add(d)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Line items, text only: a row is right when its description matches (overlap >= %.1f) and every numeric column is equal\n", minDescriptionSim)
	fmt.Fprintf(&b, "%-14s %4s %6s %6s %6s  %s\n", "folder", "docs", "P", "R", "F1", "right/predicted/truth rows; rows matched by description; numeric cells right")
	for _, g := range append(folders, "all") {
		l := per[g]
		if l == nil {
			continue
		}
		p, r, f := tally{l.right, l.predicted, l.truth}.scores()
		fmt.Fprintf(&b, "%-14s %4d %6.3f %6.3f %6.3f  %d/%d/%d; %d matched; cells %d/%d\n", g, l.docs, p, r, f, l.right, l.predicted, l.truth, l.matched, l.cellsRight, l.cells)
	}
	return b.String()
}
