package deliver

import (
	"math/rand/v2"
	"time"
)

// retryDelays is the nominal wait after each failed attempt. The delays
// grow about fivefold, then double, up to 8 h; they add up to 31 h 42 min.
var retryDelays = [...]time.Duration{
	5 * time.Second,
	30 * time.Second,
	2 * time.Minute,
	10 * time.Minute,
	30 * time.Minute,
	1 * time.Hour,
	2 * time.Hour,
	4 * time.Hour,
	8 * time.Hour,
	8 * time.Hour,
	8 * time.Hour,
}

// MaxAttempts is how many times one event is sent to one destination: a
// first attempt and one retry for each delay of the schedule.
const MaxAttempts = len(retryDelays) + 1

// Jitter spreads each delay uniformly over [jitterLow, jitterHigh) times
// its nominal value. Jitter over the whole [0, d) range ("full jitter")
// could not promise that retries go on for 24 hours; this band does:
// even the shortest schedule lasts 0.8 × 31 h 42 min ≈ 25 h 22 min.
const (
	jitterLow  = 0.8
	jitterHigh = 1.2
)

// NextRetry returns how long to wait before the next attempt, given the
// number of attempts already made (counting the one that just failed; less
// than 1 counts as 1). It returns false when attempt reaches MaxAttempts:
// the delivery is then abandoned. rnd draws the jitter; nil means the
// math/rand/v2 global source.
//
// The delays follow 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h,
// 8 h, 8 h, each scaled by a random factor in [0.8, 1.2), so that the
// retries of many deliveries that failed together spread out, and every
// schedule spans more than 24 hours. A receiver's Retry-After (see
// Attempt.RetryAfter) may lengthen a delay; the caller takes the larger.
func NextRetry(attempt int, rnd *rand.Rand) (time.Duration, bool) {
	if attempt < 1 {
		attempt = 1
	}
	if attempt >= MaxAttempts {
		return 0, false
	}
	var f float64
	if rnd != nil {
		f = rnd.Float64()
	} else {
		f = rand.Float64()
	}
	d := retryDelays[attempt-1]
	return time.Duration(float64(d) * (jitterLow + (jitterHigh-jitterLow)*f)), true
}
