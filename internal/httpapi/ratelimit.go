package httpapi

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiterEntries bounds the memory the limiters may take: past it, entries
// idle for longer than limiterIdle are dropped, and if that is not enough
// (many addresses at once) arbitrary ones, down to nine tenths, so that the
// sweep is not paid again on every new key.
const (
	maxLimiterEntries = 100_000
	limiterIdle       = 10 * time.Minute
)

// limiters is a token bucket per key (an API key id, or a client address).
type limiters struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	entries map[string]*limiterEntry
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiters(perSecond float64, burst int) *limiters {
	return &limiters{every: rate.Limit(perSecond), burst: burst, entries: map[string]*limiterEntry{}}
}

func (ls *limiters) get(key string, now time.Time) *rate.Limiter {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	e, ok := ls.entries[key]
	if !ok {
		if len(ls.entries) >= maxLimiterEntries {
			for k, v := range ls.entries {
				if now.Sub(v.seen) > limiterIdle {
					delete(ls.entries, k)
				}
			}
			for k := range ls.entries {
				if len(ls.entries) < maxLimiterEntries*9/10 {
					break
				}
				delete(ls.entries, k)
			}
		}
		e = &limiterEntry{l: rate.NewLimiter(ls.every, ls.burst)}
		ls.entries[key] = e
	}
	e.seen = now
	return e.l
}

// take consumes one token for key; when none is left it reports how long
// until one is.
func (ls *limiters) take(key string) (ok bool, retryAfter time.Duration) {
	if ls == nil || ls.every <= 0 {
		return true, 0
	}
	now := time.Now()
	l := ls.get(key, now)
	if l.AllowN(now, 1) {
		return true, 0
	}
	return false, l.ReserveN(now, 0).DelayFrom(now) + time.Duration(float64(time.Second)/float64(ls.every))
}

// exhausted reports whether key has no token left, without consuming one.
func (ls *limiters) exhausted(key string) (bool, time.Duration) {
	if ls == nil || ls.every <= 0 {
		return false, 0
	}
	now := time.Now()
	l := ls.get(key, now)
	if l.TokensAt(now) >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - l.TokensAt(now)) / float64(ls.every) * float64(time.Second))
}
