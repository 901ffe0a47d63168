// Package pdf reads PDFs with PDFium compiled to WebAssembly and run by
// wazero (github.com/klippa-app/go-pdfium/webassembly): no cgo and no system
// library, and every document is parsed inside a sandbox that can only see
// the bytes it is given.
//
// A Reader owns a pool of PDFium instances; an instance is not safe for
// concurrent use, so every open Document holds one instance until it is
// closed, and at most Config.Workers documents are open at a time. Each
// document gets a fresh instance, so nothing of one upload survives into the
// next. Every call runs under a timeout; when it expires the instance is
// killed and the document becomes unusable.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// The kinds of failure callers act on. Every error this package returns
// about a document wraps at most one of them; match with errors.Is. A call
// that ran out of time wraps context.DeadlineExceeded (or
// context.Canceled) instead.
var (
	// ErrEncrypted means the PDF needs a password, or uses an encryption
	// PDFium does not support.
	ErrEncrypted = errors.New("encrypted PDF")
	// ErrCorrupt means the file is not a PDF, or is truncated or damaged
	// beyond what PDFium repairs, or PDFium failed on it.
	ErrCorrupt = errors.New("damaged PDF")
	// ErrTooLarge means a page would render to more than MaxRenderPixels,
	// or reading the PDF needs more than Config.MemoryLimit.
	ErrTooLarge = errors.New("PDF page over a limit")
	// ErrClosed means the Reader or Document was closed.
	ErrClosed = errors.New("pdf: closed")
)

// MaxRenderPixels is the largest image Render produces: 60 megapixels, an
// A4 page at about 1100 dpi or an A0 poster at about 280 dpi.
const MaxRenderPixels = 60_000_000

// DefaultMemoryLimit is the most linear memory one PDFium instance may
// use when Config.MemoryLimit is zero: enough for a page rendered at
// MaxRenderPixels (one byte a pixel) beside its decoded images, and small
// enough that a few instances at once do not exhaust the host.
const DefaultMemoryLimit = 512 << 20

// minMemoryLimit is the smallest MemoryLimit: PDFium needs about this much
// to start.
const minMemoryLimit = 16 << 20

// wasmPage is the size of a WebAssembly memory page.
const wasmPage = 64 << 10

// Config configures a Reader.
type Config struct {
	// Workers is the number of PDFium instances, and so of documents open at
	// once; OpenDocument waits for a free one. Zero means GOMAXPROCS.
	Workers int
	// CacheDir keeps wazero's compiled machine code for PDFium, so that
	// only the first Open of a version compiles it (seconds) and later
	// ones load it (tens of milliseconds). Empty means no disk cache.
	CacheDir string
	// PageTimeout bounds every call on a document: opening it, reading a
	// page's text, rendering a page. Zero means one minute.
	PageTimeout time.Duration
	// MemoryLimit caps the linear memory of each PDFium instance, in bytes
	// (rounded down to 64 KiB pages, at least 16 MiB). A document that
	// needs more fails with ErrTooLarge instead of taking the host down.
	// Zero means DefaultMemoryLimit.
	MemoryLimit int64
}

// Reader opens PDFs. It is safe for concurrent use.
type Reader struct {
	cfg   Config
	mem   *memoryLimiter
	pool  pdfium.Pool
	cache wazero.CompilationCache // nil without CacheDir

	mu     sync.Mutex
	closed bool
	docs   map[*Document]struct{} // open documents
	active sync.WaitGroup         // open documents and OpenDocument calls
}

// Open compiles PDFium, or loads it from cfg.CacheDir, and starts the pool.
// Compiling cannot be interrupted: when ctx ends first, Open returns
// ctx.Err() and the compiled pool is closed in the background.
func Open(ctx context.Context, cfg Config) (*Reader, error) {
	if cfg.Workers < 0 || cfg.PageTimeout < 0 || cfg.MemoryLimit < 0 {
		return nil, fmt.Errorf("pdf: negative Workers (%d), PageTimeout (%s) or MemoryLimit (%d)", cfg.Workers, cfg.PageTimeout, cfg.MemoryLimit)
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.PageTimeout == 0 {
		cfg.PageTimeout = time.Minute
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	cfg.MemoryLimit = max(cfg.MemoryLimit, minMemoryLimit)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	type result struct {
		r   *Reader
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := start(cfg)
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		return res.r, res.err
	case <-ctx.Done():
		go func() {
			if res := <-done; res.r != nil {
				res.r.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// start builds the runtime and the pool and checks that an instance starts.
func start(cfg Config) (*Reader, error) {
	r := &Reader{cfg: cfg, mem: &memoryLimiter{limit: uint64(cfg.MemoryLimit) / wasmPage * wasmPage}, docs: map[*Document]struct{}{}}
	rc := wazero.NewRuntimeConfig().
		// PDFium lowers setjmp/longjmp to WebAssembly exceptions.
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		// Kill cancels an instance's context; this makes running code stop.
		// It has a price: wazero then starts a goroutine for every call
		// into PDFium, and go-pdfium makes three per character, so reading
		// text takes about 2.3 times as long (7 ms instead of 2 ms for an
		// invoice page already loaded). A PDF that loops forever would
		// otherwise keep a worker for good.
		// The memory limit is r.mem's, which counts the hits.
		WithCloseOnContextDone(true)
	if cfg.CacheDir != "" {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("pdf: cache dir: %w", err)
		}
		cache, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("pdf: cache dir: %w", err)
		}
		r.cache = cache
		rc = rc.WithCompilationCache(cache)
	}
	pool, err := webassembly.Init(webassembly.Config{
		// Instances are created under this context, which carries the
		// allocator of their memory.
		Context:  experimental.WithMemoryAllocator(context.Background(), r.mem),
		MinIdle:  0,
		MaxIdle:  cfg.Workers,
		MaxTotal: cfg.Workers,
		// Documents are passed as readers: the sandbox sees no host files.
		FSConfig:      wazero.NewFSConfig(),
		RuntimeConfig: rc,
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		r.closeCache()
		return nil, fmt.Errorf("pdf: start PDFium: %w", err)
	}
	r.pool = pool

	// Fail at start, not on the first upload, if an instance cannot run.
	inst, err := pool.GetInstance(cfg.PageTimeout)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("pdf: start PDFium instance: %w", err)
	}
	inst.Close()
	return r, nil
}

// Close closes every document still open, waiting for calls on them to
// end, then stops the pool. It is idempotent; later calls return nil.
func (r *Reader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	docs := make([]*Document, 0, len(r.docs))
	for d := range r.docs {
		docs = append(docs, d)
	}
	r.mu.Unlock()

	var errs []error
	for _, d := range docs {
		errs = append(errs, d.Close())
	}
	// OpenDocument calls under way see closed and give their instance back.
	r.active.Wait()
	if r.pool != nil {
		errs = append(errs, r.pool.Close())
	}
	return errors.Join(append(errs, r.closeCache())...)
}

// acquire registers an OpenDocument call, or returns ErrClosed.
func (r *Reader) acquire() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.active.Add(1)
	return nil
}

// register adds an opened document, or returns ErrClosed if Close began
// meanwhile.
func (r *Reader) register(d *Document) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.docs[d] = struct{}{}
	return nil
}

// release removes a closed document.
func (r *Reader) release(d *Document) {
	r.mu.Lock()
	delete(r.docs, d)
	r.mu.Unlock()
	r.active.Done()
}

func (r *Reader) closeCache() error {
	if r.cache == nil {
		return nil
	}
	return r.cache.Close(context.Background())
}
