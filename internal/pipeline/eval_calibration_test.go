package pipeline

import (
	"fmt"
	"strings"
)

// confidenceBuckets are the lower bounds of the calibration buckets; the
// last bucket includes 1.
var confidenceBuckets = []float64{0, 0.5, 0.7, 0.9}

// highConfidence is the bound of the "right N of M" line: values at or
// above it are the ones a reviewer would be told to trust.
const highConfidence = 0.9

// rightValue is how the calibration decides a predicted value is right:
// as the per-field tables do, except addresses, compared by tokens as the
// corpus README asks.
func rightValue(d evalDoc, field string, got any) bool {
	for _, f := range addressFields {
		if f == field {
			return addressTokenMatch(d.item.Fields[field], got) || d.right(field, got)
		}
	}
	return d.right(field, got)
}

// calibrationTable buckets every predicted value of a scored field (the
// pipeline's best candidate, text only) by its confidence and prints the
// precision of each bucket: a calibrated scorer's 0.9 is right 9 times
// in 10.
func calibrationTable(docs []evalDoc) string {
	n := len(confidenceBuckets)
	right, total := make([]int, n), make([]int, n)
	sum := make([]float64, n)
	hiRight, hiTotal := 0, 0
	for _, d := range docs {
		d.scored(func(field string) {
			e, ok := bestCandidate(d, field)
			if !ok {
				return
			}
			i := n - 1
			for i > 0 && e.Confidence < confidenceBuckets[i] {
				i--
			}
			ok = rightValue(d, field, e.Value)
			total[i]++
			sum[i] += e.Confidence
			if ok {
				right[i]++
			}
			if e.Confidence >= highConfidence {
				hiTotal++
				if ok {
					hiRight++
				}
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Calibration, text only: every predicted value of a scored field by confidence\n")
	fmt.Fprintf(&b, "%-12s %6s %6s %10s %9s\n", "confidence", "values", "right", "precision", "mean conf")
	for i, lo := range confidenceBuckets {
		hi, closing := 1.0, "]"
		if i+1 < n {
			hi, closing = confidenceBuckets[i+1], ")"
		}
		label := fmt.Sprintf("[%.1f,%.1f%s", lo, hi, closing)
		if total[i] == 0 {
			fmt.Fprintf(&b, "%-12s %6d %6d %10s %9s\n", label, 0, 0, "-", "-")
			continue
		}
		fmt.Fprintf(&b, "%-12s %6d %6d %10.3f %9.3f\n", label, total[i], right[i], float64(right[i])/float64(total[i]), sum[i]/float64(total[i]))
	}
	pct := 0.0
	if hiTotal > 0 {
		pct = 100 * float64(hiRight) / float64(hiTotal)
	}
	fmt.Fprintf(&b, "confidence ≥ %.1f: right %d of %d (%.1f%%)\n", highConfidence, hiRight, hiTotal, pct)
	return b.String()
}
