package extract

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/crescent-idp/crescent/internal/doc"
)

// Scorer is a learned scorer of candidates: one logistic regression per
// group of fields (amounts, dates, ids, names) over the features of
// featureNames. `make train` fits it on the visible corpus and writes it
// to model/scorer.json, which is embedded.
type Scorer struct {
	Features []string             `json:"features"`
	Weights  map[string][]float64 `json:"weights"` // per group
	Lambda   float64              `json:"lambda"`
	Docs     int                  `json:"docs"`
	Examples int                  `json:"examples"`
}

// Example is one labelled candidate: its field, its features and whether
// it is the field's true value.
type Example struct {
	Field    string
	Features []float64
	Positive bool
}

// FeaturedCandidate is a candidate of a field with the features the
// scorer reads, as CandidateFeatures returns it.
type FeaturedCandidate struct {
	Value      any
	Confidence float64
	Features   []float64
}

//go:embed model/scorer.json
var scorerJSON []byte

var (
	embeddedOnce   sync.Once
	embeddedScorer *Scorer
)

// EmbeddedScorer returns the scorer committed in model/scorer.json, or
// nil when the file is empty, unreadable or fitted on other features.
func EmbeddedScorer() *Scorer {
	embeddedOnce.Do(func() {
		s, err := ParseScorer(scorerJSON)
		if err == nil {
			embeddedScorer = s
		}
	})
	return embeddedScorer
}

// ParseScorer reads a scorer written by Scorer.JSON. It fails on invalid
// JSON, on features other than this version's and on weight vectors of
// the wrong length.
func ParseScorer(b []byte) (*Scorer, error) {
	var s Scorer
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if !slices.Equal(s.Features, featureNames) {
		return nil, errors.New("scorer: fitted on other features")
	}
	for g, w := range s.Weights {
		if len(w) != len(featureNames) {
			return nil, fmt.Errorf("scorer: group %s has %d weights, want %d", g, len(w), len(featureNames))
		}
	}
	return &s, nil
}

// JSON is the scorer as model/scorer.json holds it.
func (s *Scorer) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	return append(b, '\n'), err
}

// Score is the probability that a candidate of field with these features
// is the field's value; 0 when the scorer has no weights for the field's
// group.
func (s *Scorer) Score(field string, features []float64) float64 {
	w := s.Weights[scorerGroup(field)]
	if len(w) != len(features) {
		return 0
	}
	z := 0.0
	for i, f := range features {
		z += w[i] * f
	}
	return 1 / (1 + math.Exp(-z))
}

// FitScorer fits one L2-regularised logistic regression per group of
// fields on the examples (full-batch gradient descent, deterministic).
// lambda weighs the penalty on every weight but the bias; examples with
// features of another length are ignored.
func FitScorer(examples []Example, lambda float64, docs int) *Scorer {
	s := &Scorer{Features: slices.Clone(featureNames), Weights: map[string][]float64{}, Lambda: lambda, Docs: docs}
	groups := map[string][]Example{}
	for _, e := range examples {
		if len(e.Features) == len(featureNames) {
			g := scorerGroup(e.Field)
			groups[g] = append(groups[g], e)
			s.Examples++
		}
	}
	for g, ex := range groups {
		s.Weights[g] = fitLogistic(ex, lambda)
	}
	return s
}

func fitLogistic(ex []Example, lambda float64) []float64 {
	n := len(featureNames)
	w := make([]float64, n)
	grad := make([]float64, n)
	const steps, rate = 4000, 0.5
	for range steps {
		clear(grad)
		for _, e := range ex {
			z := 0.0
			for i, f := range e.Features {
				z += w[i] * f
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if e.Positive {
				y = 1
			}
			for i, f := range e.Features {
				grad[i] += (p - y) * f
			}
		}
		for i := range w {
			g := grad[i] / float64(len(ex))
			if i > 0 {
				g += lambda * w[i]
			}
			w[i] -= rate * g
		}
	}
	for i := range w {
		w[i] = math.Round(w[i]*1e4) / 1e4
	}
	return w
}

// CandidateFeatures returns every candidate of every scalar data point of
// opt, duplicates merged and best first by the hand rules, with the
// features the scorer reads: the training data of `make train`.
func CandidateFeatures(pages []doc.Page, opt Options) map[string][]FeaturedCandidate {
	out := map[string][]FeaturedCandidate{}
	extractWith(pages, opt, func(x *extractor, name string, cs []cand) *Field {
		cs = x.ranked(name, cs, true)
		for _, c := range cs {
			out[name] = append(out[name], FeaturedCandidate{Value: c.value, Confidence: round2(c.conf), Features: c.feat})
		}
		return finish(name, cs)
	})
	return out
}

// rerank orders cs, ranked by the hand rules, by the scorer's
// probability; ties keep the hand order.
func rerank(s *Scorer, field string, cs []cand) {
	idx := make([]int, len(cs))
	score := make([]float64, len(cs))
	for i := range cs {
		idx[i], score[i] = i, s.Score(field, cs[i].feat)
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	sorted := make([]cand, len(cs))
	for i, j := range idx {
		sorted[i] = cs[j]
	}
	copy(cs, sorted)
}
