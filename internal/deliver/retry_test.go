package deliver

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestNextRetrySpansADay(t *testing.T) {
	var nominal time.Duration
	for _, d := range retryDelays {
		nominal += d
	}
	if low := time.Duration(float64(nominal) * jitterLow); low <= 24*time.Hour {
		t.Fatalf("shortest schedule %v, want more than 24h", low)
	}
	for seed := range uint64(200) {
		rnd := rand.New(rand.NewPCG(seed, 7))
		var total time.Duration
		attempts := 1
		for {
			d, ok := NextRetry(attempts, rnd)
			if !ok {
				break
			}
			nom := retryDelays[attempts-1]
			if d < time.Duration(float64(nom)*jitterLow) || d >= time.Duration(float64(nom)*jitterHigh) {
				t.Fatalf("seed %d attempt %d: delay %v outside [0.8, 1.2) × %v", seed, attempts, d, nom)
			}
			total += d
			attempts++
		}
		if attempts != MaxAttempts {
			t.Fatalf("seed %d: %d attempts, want %d", seed, attempts, MaxAttempts)
		}
		if total <= 24*time.Hour || total > 40*time.Hour {
			t.Fatalf("seed %d: retries span %v, want more than 24h (and less than 40h)", seed, total)
		}
	}
}

func TestNextRetryExhausted(t *testing.T) {
	for _, n := range []int{MaxAttempts, MaxAttempts + 1, 1000} {
		if d, ok := NextRetry(n, nil); ok || d != 0 {
			t.Errorf("NextRetry(%d) = %v, %v; want 0, false", n, d, ok)
		}
	}
	for _, n := range []int{-1, 0, 1} {
		if d, ok := NextRetry(n, nil); !ok || d < 4*time.Second || d >= 6*time.Second {
			t.Errorf("NextRetry(%d) = %v, %v; want about 5s", n, d, ok)
		}
	}
}

func TestNextRetryJittered(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	seen := map[time.Duration]bool{}
	var lo, hi time.Duration = time.Hour, 0
	for range 1000 {
		d, _ := NextRetry(5, rnd) // nominal 30 min
		seen[d] = true
		lo, hi = min(lo, d), max(hi, d)
	}
	if len(seen) < 990 {
		t.Fatalf("%d distinct delays of 1000, want them spread", len(seen))
	}
	if lo > 25*time.Minute || hi < 35*time.Minute {
		t.Fatalf("delays span [%v, %v], want most of [24m, 36m)", lo, hi)
	}
	// Nominal delays grow, so jittered ones grow on average.
	for i := 1; i < len(retryDelays); i++ {
		if retryDelays[i] < retryDelays[i-1] {
			t.Fatalf("delay %d (%v) shorter than delay %d", i, retryDelays[i], i-1)
		}
	}
}
