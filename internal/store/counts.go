package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// countTTL bounds how stale a cached total may be when another process
// (a second server on the same PostgreSQL) changed the rows; changes made
// through this Store invalidate at once.
const countTTL = 2 * time.Second

// maxCachedCounts bounds the cache; past it, it starts over.
const maxCachedCounts = 10_000

// countCache remembers list totals (COUNT(*) over a filtered queue), which
// cost milliseconds on 100,000 rows while the page itself costs
// microseconds. Any committed write transaction of this Store clears it.
type countCache struct {
	mu         sync.Mutex
	generation uint64
	entries    map[string]countEntry
}

type countEntry struct {
	n          int
	generation uint64
	at         time.Time
}

func (c *countCache) invalidate() {
	c.mu.Lock()
	c.generation++
	c.entries = nil
	c.mu.Unlock()
}

// get returns the cached count for the query, or computes and caches it. A
// count computed while a write committed is not cached.
func (c *countCache) get(_ context.Context, cond string, args []any, compute func() (int, error)) (int, error) {
	key := cond + fmt.Sprint(args...)
	c.mu.Lock()
	gen := c.generation
	if e, ok := c.entries[key]; ok && e.generation == gen && time.Since(e.at) < countTTL {
		c.mu.Unlock()
		return e.n, nil
	}
	c.mu.Unlock()
	n, err := compute()
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.generation == gen {
		if c.entries == nil || len(c.entries) >= maxCachedCounts {
			c.entries = map[string]countEntry{}
		}
		c.entries[key] = countEntry{n: n, generation: gen, at: time.Now()}
	}
	c.mu.Unlock()
	return n, nil
}
