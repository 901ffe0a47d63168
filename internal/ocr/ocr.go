// Package ocr is the adapter for the tesseract command-line program: it
// turns a page image into a doc.Page of positioned words.
//
// Each page is one tesseract process, run with exec.CommandContext, one
// OpenMP thread and a per-page timeout, so that a slow or crashing page
// cannot take the worker down; parallelism comes from running several pages
// at once. The server must start without tesseract: Check reports whether
// OCR can be used, and every method fails with an error wrapping
// ErrUnavailable while it cannot.
package ocr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The kinds of failure callers act on; match with errors.Is. Errors of
// these kinds start with the sentinel's text ("OCR unavailable: …"); other
// errors start with "ocr: " and, for a failed run (a page tesseract cannot
// read, a crash), quote tesseract's last stderr line.
var (
	// ErrUnavailable means tesseract is not installed, cannot run, or has
	// no language data. Retrying later may help; the page is not at fault.
	ErrUnavailable = errors.New("OCR unavailable")
	// ErrLanguage means a requested language is not installed. The message
	// lists the installed ones; retrying does not help.
	ErrLanguage = errors.New("OCR language not installed")
	// ErrTimeout means a page took longer than Config.PageTimeout.
	ErrTimeout = errors.New("OCR page timed out")
)

// Defaults applied by New to a zero Config field.
const (
	DefaultBinary      = "tesseract"
	DefaultPageTimeout = 60 * time.Second
)

const (
	// checkTTL is how long a Check or Languages answer, good or bad, is reused.
	checkTTL = 30 * time.Second
	// probeTimeout bounds one "tesseract --list-langs" run.
	probeTimeout = 10 * time.Second
	// defaultLanguage is used when Recognize is given no languages.
	defaultLanguage = "eng"
)

// Config configures an Engine.
type Config struct {
	// Binary is the tesseract program: a name looked up on PATH or a path.
	// Empty means DefaultBinary.
	Binary string
	// PageTimeout bounds the recognition of one page. Zero means
	// DefaultPageTimeout.
	PageTimeout time.Duration
	// DPI is passed to tesseract as --dpi when positive. Set it when the
	// caller knows the resolution (a PDF page rasterized at 300 dpi). Leave
	// it zero for images of unknown resolution: tesseract then reads the
	// PNG's pHYs chunk or estimates the resolution from the text height,
	// which recognizes low-resolution scans and screenshots better than a
	// wrong fixed value.
	DPI int
}

// Engine runs tesseract. It is safe for concurrent use; each Recognize call
// is one process.
type Engine struct {
	binary   string
	timeout  time.Duration
	dpi      int
	checkTTL time.Duration
	now      func() time.Time

	mu        sync.Mutex // guards the fields below and serializes probes
	checkedAt time.Time
	langs     []string
	checkErr  error
}

// New returns an Engine for cfg, applying the defaults to zero fields. It
// does not run tesseract: call Check to find out whether OCR is available.
func New(cfg Config) *Engine {
	e := &Engine{binary: cfg.Binary, timeout: cfg.PageTimeout, dpi: cfg.DPI, checkTTL: checkTTL, now: time.Now}
	if e.binary == "" {
		e.binary = DefaultBinary
	}
	if e.timeout <= 0 {
		e.timeout = DefaultPageTimeout
	}
	return e
}

// Check reports whether tesseract is present, runs, and has at least one
// language installed. It returns nil if so, and otherwise an error wrapping
// ErrUnavailable whose text starts with "OCR unavailable". The answer is
// cached for 30 seconds, so that /readyz can call it on every request.
func (e *Engine) Check(ctx context.Context) error {
	_, err := e.Languages(ctx)
	return err
}

// Languages returns the installed recognition languages, as tesseract
// --list-langs prints them ("deu", "eng", …) in sorted order. The "osd"
// data (orientation and script detection) recognizes no text and is left
// out. It fails with an error wrapping ErrUnavailable when tesseract cannot
// run or has no language installed. The answer is cached like Check's.
func (e *Engine) Languages(ctx context.Context) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.checkedAt.IsZero() && e.now().Sub(e.checkedAt) < e.checkTTL {
		return slices.Clone(e.langs), e.checkErr
	}
	langs, err := e.listLanguages(ctx)
	if err != nil && ctx.Err() != nil {
		// The caller gave up; that says nothing about tesseract.
		return nil, err
	}
	e.langs, e.checkErr, e.checkedAt = langs, err, e.now()
	return slices.Clone(langs), err
}

// listLanguages runs tesseract --list-langs.
func (e *Engine) listLanguages(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out, stderr, err := e.run(ctx, []string{"--list-langs"})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: tesseract --list-langs: %w", ErrUnavailable, ctx.Err())
		}
		if err = e.runError(err, stderr); !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return nil, err
	}
	langs := parseLanguages(out)
	if len(langs) == 0 {
		// Tesseract 3 printed the list on stderr.
		langs = parseLanguages(stderr)
	}
	if len(langs) == 0 {
		return nil, fmt.Errorf("%w: %s lists no installed languages (install a package such as tesseract-ocr-eng)", ErrUnavailable, e.binary)
	}
	return langs, nil
}

// parseLanguages reads the output of tesseract --list-langs: a heading,
// then one language per line.
func parseLanguages(out []byte) []string {
	var langs []string
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSpace(line)
		if line == "" || line == "osd" || strings.ContainsAny(line, " \t:\"") {
			continue // the heading, or not a language name
		}
		langs = append(langs, line)
	}
	slices.Sort(langs)
	return slices.Compact(langs)
}

// languageArg checks langs against the installed languages and returns the
// value of tesseract's -l flag ("eng+deu"), keeping the caller's order
// (the first language is the primary one) and dropping repeats.
func (e *Engine) languageArg(ctx context.Context, langs []string) (string, error) {
	installed, err := e.Languages(ctx)
	if err != nil {
		return "", err
	}
	if len(langs) == 0 {
		langs = []string{defaultLanguage}
	}
	var use, missing []string
	for _, l := range langs {
		switch {
		case slices.Contains(use, l):
		case slices.Contains(installed, l):
			use = append(use, l)
		default:
			missing = append(missing, fmt.Sprintf("%q", l))
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%w: %s requested; installed: %s", ErrLanguage,
			strings.Join(missing, ", "), strings.Join(installed, ", "))
	}
	return strings.Join(use, "+"), nil
}
