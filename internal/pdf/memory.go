package pdf

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
)

// memoryLimiter allocates the linear memory of PDFium instances. It
// refuses to grow one past limit bytes, which PDFium sees as a failed
// allocation, and counts the refusals so that a failure can be told apart
// from a damaged file. The memory is a Go slice, as wazero's own: memory
// mapped outside the Go heap could be unmapped while a killed instance is
// still stopping.
type memoryLimiter struct {
	limit uint64
	hits  atomic.Uint64
}

// Allocate implements experimental.MemoryAllocator.
func (m *memoryLimiter) Allocate(_, max uint64) experimental.LinearMemory {
	return &linearMemory{limit: min(max, m.limit), hits: &m.hits}
}

// linearMemory is one instance's memory.
type linearMemory struct {
	limit uint64
	hits  *atomic.Uint64
	buf   []byte
}

// Reallocate implements experimental.LinearMemory: it returns the memory
// grown to size bytes, or nil past the limit.
func (l *linearMemory) Reallocate(size uint64) []byte {
	if size > l.limit {
		l.hits.Add(1)
		return nil
	}
	if size <= uint64(cap(l.buf)) {
		l.buf = l.buf[:size]
		return l.buf
	}
	// Grow by half again, as append would, up to the limit.
	grown := make([]byte, size, min(l.limit, max(size, uint64(cap(l.buf))*3/2)))
	copy(grown, l.buf)
	l.buf = grown
	return l.buf
}

// Free implements experimental.LinearMemory.
func (l *linearMemory) Free() { l.buf = nil }
