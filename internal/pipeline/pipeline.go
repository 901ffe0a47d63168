// Package pipeline takes a queued collection through the processing
// stages: read each file (e-invoice XML, PDF text layer, OCR of scanned
// pages and images, plain text), split it into documents, classify,
// extract, convert and validate, then commit the results together with
// the final status.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/crescent-idp/crescent/internal/doc"
	"github.com/crescent-idp/crescent/internal/ocr"
	"github.com/crescent-idp/crescent/internal/pdf"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Blobs opens stored originals.
type Blobs interface {
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// Config tunes the pipeline.
type Config struct {
	TempDir     string
	RenderDPI   int           // pages without text are rendered at this resolution for OCR (300)
	PageTimeout time.Duration // one page's text, rendering or OCR
	MaxOCRPages int           // pages of one file OCRed at most; the rest are left unread
	// ReconcileGrace is how long a collection must have been unchanged
	// before the reconciler may end it for want of a job (30 s).
	ReconcileGrace time.Duration
}

// Pipeline processes collections; it is the jobs.Processor of the server.
type Pipeline struct {
	cfg     Config
	results workspace.ResultStore
	blobs   Blobs
	pdfOnce sync.Once
	pdfOpen func(context.Context) (*pdf.Reader, error)
	pdf     *pdf.Reader // nil until opened, or when it cannot be
	ocr     *ocr.Engine // nil: no OCR
	log     *slog.Logger
	now     func() time.Time
	learner Learner // nil: nothing learned is applied
	// stageHook, when set (by tests), runs at the start of every stage of
	// every file.
	stageHook func(stage string, f workspace.File)
}

// New returns the pipeline. openPDF starts the PDF reader on first need
// (compiling PDFium takes seconds, so a server that never sees a PDF never
// pays for it); ocrEngine may be nil. Files that need a missing reader
// fail with a clear status.
func New(cfg Config, results workspace.ResultStore, blobs Blobs, openPDF func(context.Context) (*pdf.Reader, error), ocrEngine *ocr.Engine, log *slog.Logger) *Pipeline {
	if cfg.RenderDPI == 0 {
		cfg.RenderDPI = 300
	}
	if cfg.PageTimeout == 0 {
		cfg.PageTimeout = 2 * time.Minute
	}
	if cfg.MaxOCRPages == 0 {
		cfg.MaxOCRPages = 100
	}
	if cfg.ReconcileGrace <= 0 {
		cfg.ReconcileGrace = 30 * time.Second
	}
	return &Pipeline{cfg: cfg, results: results, blobs: blobs, pdfOpen: openPDF, ocr: ocrEngine, log: log, now: time.Now}
}

// Learner applies what accepted documents of the same supplier taught.
type Learner interface {
	// Apply reads the document's fields (those of dataPoints) where
	// memories of its supplier in the organization place them; it fails
	// only when storage does.
	Apply(ctx context.Context, orgID string, dataPoints []workspace.DataPoint, pages []doc.Page, d *workspace.Document) error
}

// SetLearner makes the pipeline apply continuous learning, in processes
// that have it on.
func (p *Pipeline) SetLearner(l Learner) { p.learner = l }

// pdfReader returns the PDF reader, opening it on first use; nil if it
// cannot be opened (the error is logged once).
func (p *Pipeline) pdfReader(ctx context.Context) *pdf.Reader {
	p.pdfOnce.Do(func() {
		if p.pdfOpen == nil {
			return
		}
		r, err := p.pdfOpen(context.WithoutCancel(ctx))
		if err != nil {
			p.log.ErrorContext(ctx, "the PDF reader could not start; PDFs will fail", "err", err.Error())
			return
		}
		p.pdf = r
	})
	return p.pdf
}

// Close releases the PDF reader.
func (p *Pipeline) Close() error {
	if p.pdf != nil {
		return p.pdf.Close()
	}
	return nil
}

// ProcessCollection runs the stages for one collection. Problems with the
// documents themselves end in a status (Needs Review, Accepted, Failed);
// an infrastructure error is returned so the job is retried, except on
// the last attempt, when the collection is marked Failed.
func (p *Pipeline) ProcessCollection(ctx context.Context, id string, lastAttempt bool) error {
	col, proc, ok, err := p.results.ClaimCollection(ctx, id)
	if err != nil || !ok {
		return err
	}
	start := time.Now()
	o, err := p.run(ctx, col, proc)
	if err != nil {
		if !lastAttempt && ctx.Err() == nil {
			return err
		}
		p.log.ErrorContext(ctx, "processing failed", "collection_id", id, "err", err.Error())
		o = workspace.Outcome{CollectionID: id, Status: workspace.StatusFailed, Message: failureMessage(ctx, err)}
		for _, f := range col.Files {
			o.Files = append(o.Files, workspace.FileOutcome{FileID: f.ID, Status: workspace.FileFailed})
		}
	}
	done, err := p.results.FinishCollection(context.WithoutCancel(ctx), o, p.now().UTC())
	if err != nil {
		return err
	}
	p.log.InfoContext(ctx, "collection processed", "collection_id", id, "status", o.Status, "documents", len(o.Documents),
		"pages", o.UsagePages, "ms", time.Since(start).Milliseconds(), "kept", done)
	return nil
}

func failureMessage(ctx context.Context, err error) string {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "processing took longer than the job timeout"
	}
	return "processing failed: " + err.Error()
}

// run reads and extracts every file; the error is for infrastructure only.
func (p *Pipeline) run(ctx context.Context, col workspace.Collection, proc workspace.Process) (workspace.Outcome, error) {
	o := workspace.Outcome{CollectionID: col.ID}
	for i, f := range col.Files {
		var read readResult
		err := p.guard(ctx, col.ID, f.ID, "reading", func() (err error) {
			read, err = p.readFile(ctx, f, proc.Config)
			return err
		})
		var sp *stagePanic
		if errors.As(err, &sp) {
			read, err = readResult{status: panicStatus(col.ID, sp)}, nil
		}
		if err != nil {
			return o, err
		}
		var docs []workspace.Document
		if err := p.guard(ctx, col.ID, f.ID, "extraction", func() error {
			docs = p.documents(col, f, read, proc.Config)
			return nil
		}); errors.As(err, &sp) {
			// The page text stays readable for review; the file has no results.
			docs, read.status = nil, panicStatus(col.ID, sp)
		}
		if p.learner != nil && proc.Config.LearningOn() {
			p.applyLearning(ctx, col, f, proc.Config.DataPoints, read.pages, docs)
		}
		o.Files = append(o.Files, workspace.FileOutcome{FileID: f.ID, Status: read.status})
		o.UsagePages += max(len(read.pages), f.NumberOfPages)
		o.Documents = append(o.Documents, docs...)
		o.Pages = append(o.Pages, pageTexts(f, read.pages, docs)...)
		_ = p.results.SetProgress(ctx, col.ID, (i+1)*90/len(col.Files))
	}
	o.Status, o.Message = finalStatus(o, proc.Config.AutoAccept)
	return o, nil
}

// finalStatus decides the collection status from its files and documents.
func finalStatus(o workspace.Outcome, autoAccept bool) (string, string) {
	readable := 0
	msg := ""
	for _, f := range o.Files {
		if f.Status.Code == workspace.FileCompleted.Code {
			readable++
		} else if msg == "" {
			msg = f.Status.Msg
		}
	}
	if readable == 0 {
		if msg == "" {
			msg = "no file could be read"
		}
		return workspace.StatusFailed, msg
	}
	if !autoAccept || readable < len(o.Files) {
		return workspace.StatusNeedsReview, ""
	}
	for _, d := range o.Documents {
		if d.Validation.Code != workspace.ValidOK.Code {
			return workspace.StatusNeedsReview, ""
		}
	}
	return workspace.StatusAccepted, ""
}

// spool copies a stored original to a temporary file for random access.
func (p *Pipeline) spool(ctx context.Context, f workspace.File) (*os.File, error) {
	rc, _, err := p.blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("open original %s: %w", f.ID, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(p.cfg.TempDir, "work-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("copy original %s: %w", f.ID, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return tmp, nil
}

// words is the number of words on pages, for logs and checks.
func words(pages []doc.Page) int {
	n := 0
	for _, pg := range pages {
		n += len(pg.Words)
	}
	return n
}

// applyLearning applies continuous learning to the documents read from
// the page text of one file. A failure leaves the documents as extracted.
func (p *Pipeline) applyLearning(ctx context.Context, col workspace.Collection, f workspace.File, dps []workspace.DataPoint, pages []doc.Page, docs []workspace.Document) {
	for i := range docs {
		d := &docs[i]
		if d.FirstPage < 1 || d.LastPage > len(pages) || d.FirstPage > d.LastPage || fromEInvoice(*d) {
			continue
		}
		err := p.guard(ctx, col.ID, f.ID, "learning", func() error {
			return p.learner.Apply(ctx, col.OrgID, dps, pages[d.FirstPage-1:d.LastPage], d)
		})
		if err != nil {
			p.log.WarnContext(ctx, "continuous learning not applied", "collection_id", col.ID, "err", err.Error())
		}
	}
}

func fromEInvoice(d workspace.Document) bool {
	for _, e := range d.Extractions {
		if e.Source == workspace.SourceEInvoice {
			return true
		}
	}
	return false
}
