package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/tetratelabs/wazero/sys"
)

// Document is an open PDF bound to one PDFium instance of its Reader. Its
// methods may be called from several goroutines but run one at a time.
// Close releases the instance; a Document that is not closed keeps a worker
// of the pool busy.
type Document struct {
	r     *Reader
	pages int
	src   *source
	file  *os.File // owned by the document, from OpenFile

	mu     sync.Mutex
	inst   pdfium.Pdfium // nil once closed or killed
	ref    references.FPDF_DOCUMENT
	broken error // why the instance was killed
}

// OpenFile opens the PDF at path; the file stays open until the Document
// is closed. See OpenDocument.
func (r *Reader) OpenFile(ctx context.Context, path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return r.open(ctx, f, fi.Size(), f)
}

// OpenDocument opens the size bytes of a PDF read from src, which must stay
// usable until the Document is closed: PDFium reads it on demand instead of
// copying the file into its memory. It waits for a free instance as long as
// ctx allows. It returns ErrEncrypted for a password-protected PDF,
// ErrCorrupt for one PDFium cannot open, the error of src if reading it
// failed, and ErrClosed after Reader.Close.
func (r *Reader) OpenDocument(ctx context.Context, src io.ReadSeeker, size int64) (*Document, error) {
	return r.open(ctx, src, size, nil)
}

// open opens src; the document owns file, if any, which open closes when it
// fails.
func (r *Reader) open(ctx context.Context, src io.ReadSeeker, size int64, file *os.File) (*Document, error) {
	if size <= 0 {
		closeFile(file)
		return nil, fmt.Errorf("pdf: %w: the file is empty", ErrCorrupt)
	}
	if err := r.acquire(); err != nil {
		closeFile(file)
		return nil, err
	}
	inst, err := r.pool.GetInstanceWithContext(ctx)
	if err != nil {
		closeFile(file)
		r.active.Done()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("pdf: waiting for a free PDFium instance: %w", ctxErr)
		}
		return nil, fmt.Errorf("pdf: get PDFium instance: %w", err)
	}
	d := &Document{r: r, inst: inst, src: &source{ReadSeeker: src}, file: file}
	err = d.do(ctx, "open", func() error {
		res, err := inst.OpenDocument(&requests.OpenDocument{FileReader: d.src, FileReaderSize: size})
		if err != nil {
			return openError(err)
		}
		d.ref = res.Document
		n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: d.ref})
		if err != nil {
			return fmt.Errorf("%w: counting pages: %v", ErrCorrupt, err)
		}
		if n.PageCount <= 0 {
			return fmt.Errorf("%w: the PDF has no pages", ErrCorrupt)
		}
		d.pages = n.PageCount
		return nil
	})
	if err == nil {
		err = r.register(d)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// openError maps PDFium's load errors to ours.
func openError(err error) error {
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return fmt.Errorf("%w: the PDF is password-protected; upload it without a password", ErrEncrypted)
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return fmt.Errorf("%w: the PDF uses an unsupported encryption", ErrEncrypted)
	case errors.Is(err, pdfiumerrors.ErrFile), errors.Is(err, pdfiumerrors.ErrFormat),
		errors.Is(err, pdfiumerrors.ErrPage), errors.Is(err, pdfiumerrors.ErrUnknown):
		return fmt.Errorf("%w: the file is not a PDF, or is truncated (%v)", ErrCorrupt, err)
	}
	return fmt.Errorf("%w: PDFium could not open the file: %v", ErrCorrupt, err)
}

// PageCount returns the number of pages, at least 1.
func (d *Document) PageCount() int { return d.pages }

// Close releases the document's instance to the pool and closes the file
// OpenFile opened. It waits for a call under way to end, and is
// idempotent.
func (d *Document) Close() error {
	d.mu.Lock()
	if errors.Is(d.broken, ErrClosed) {
		d.mu.Unlock()
		return nil
	}
	var err error
	if d.inst != nil { // nil if killed
		// The instance frees the document with itself.
		if cerr := d.inst.Close(); cerr != nil {
			err = fmt.Errorf("pdf: close instance: %w", cerr)
		}
		d.inst = nil
	}
	if d.file != nil {
		err = errors.Join(err, d.file.Close())
		d.file = nil
	}
	d.broken = ErrClosed
	d.mu.Unlock()
	d.r.release(d)
	return err
}

// checkPage returns an error unless 1 <= page <= PageCount.
func (d *Document) checkPage(page int) error {
	if page < 1 || page > d.pages {
		return fmt.Errorf("pdf: page %d out of range 1..%d", page, d.pages)
	}
	return nil
}

// pageReq returns the request for the 1-based page.
func (d *Document) pageReq(page int) requests.Page {
	return requests.Page{ByIndex: &requests.PageByIndex{Document: d.ref, Index: page - 1}}
}

// do runs fn on the document's instance under PageTimeout and ctx. If
// either ends first, the instance is killed, which stops PDFium where it
// is; the document is then unusable and do returns the context's error.
// A panic, a WebAssembly trap or a failed read of the file also retire the
// instance: PDFium's state is unknown after them. A failure after PDFium
// reached Config.MemoryLimit is reported as ErrTooLarge.
func (d *Document) do(ctx context.Context, what string, fn func() error) (err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if errors.Is(d.broken, ErrClosed) {
		return ErrClosed
	}
	if d.broken != nil {
		return fmt.Errorf("pdf: %s: the document is unusable after an earlier failure: %w", what, d.broken)
	}
	ctx, cancel := context.WithTimeout(ctx, d.r.cfg.PageTimeout)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pdf: %s: %w", what, err)
	}

	inst := d.inst
	// A refused allocation during a failed fn is taken to be this
	// document's; another document hitting its own limit at the same
	// moment would only change the message.
	hits := d.r.mem.hits.Load()
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(killed)
		inst.Kill()
	})
	defer func() {
		p := recover()
		if !stop() {
			// The deadline won, whatever fn returned.
			<-killed
			err = fmt.Errorf("pdf: %s: %w", what, ctx.Err())
			d.inst, d.broken = nil, err
			return
		}
		switch {
		case (p != nil || err != nil) && d.r.mem.hits.Load() != hits:
			// PDFium failed after an allocation was refused: the instance
			// is full, retire it.
			err = fmt.Errorf("pdf: %s: %w: the PDF needs more than %d MiB of memory to read", what, ErrTooLarge, d.r.cfg.MemoryLimit>>20)
		case p != nil:
			err = fmt.Errorf("pdf: %s: %w: PDFium failed (%v)", what, ErrCorrupt, p)
		case d.src.err != nil:
			err = fmt.Errorf("pdf: %s: reading the file: %w", what, d.src.err)
		case err != nil && fatal(err):
		default:
			return
		}
		inst.Kill()
		d.inst, d.broken = nil, err
	}()
	if err := fn(); err != nil {
		return fmt.Errorf("pdf: %s: %w", what, err)
	}
	return nil
}

// fatal reports whether err means the instance itself failed: a trap in the
// WebAssembly code, a panic go-pdfium recovered, or a closed module.
func fatal(err error) bool {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "wasm error") || strings.Contains(s, "panic occurred") ||
		strings.Contains(s, "instance is closed")
}

// source is the file PDFium reads through, remembering the first error so
// that a failed read is not reported as a damaged PDF.
type source struct {
	io.ReadSeeker
	err error
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.ReadSeeker.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

func (s *source) Seek(offset int64, whence int) (int64, error) {
	n, err := s.ReadSeeker.Seek(offset, whence)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}
