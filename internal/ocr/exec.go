package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

const (
	// maxOutput bounds tesseract's stdout. A dense A4 page at 300 dpi is
	// about 100 KB of TSV.
	maxOutput = 32 << 20
	// maxStderr is how much of the end of tesseract's stderr is kept.
	maxStderr = 4 << 10
	// waitDelay bounds the wait for tesseract's pipes after it was killed.
	waitDelay = 2 * time.Second
)

// errOutputTooLarge is returned by boundedBuffer past its limit.
var errOutputTooLarge = fmt.Errorf("tesseract wrote more than %d MiB", maxOutput>>20)

// run runs the tesseract binary with args and one OpenMP thread (pages are
// parallelised by running several processes, which threads do not speed
// up). It returns stdout, the end of stderr and the error of the run.
func (e *Engine) run(ctx context.Context, args []string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, e.binary, args...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	out := &boundedBuffer{max: maxOutput}
	tail := &tailBuffer{max: maxStderr}
	cmd.Stdout, cmd.Stderr = out, tail
	cmd.WaitDelay = waitDelay
	err = cmd.Run()
	return out.buf.Bytes(), tail.buf, err
}

// runError describes a failed run. A binary that cannot be started gives
// an error wrapping ErrUnavailable; a failed run gives tesseract's last
// stderr line.
func (e *Engine) runError(err error, stderr []byte) error {
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		if line := lastLine(stderr); line != "" {
			return fmt.Errorf("tesseract failed (%v): %s", exitErr, line)
		}
		return fmt.Errorf("tesseract failed: %w", err)
	case errors.Is(err, errOutputTooLarge):
		return err
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: cannot run %s: %w", ErrUnavailable, e.binary, err)
	default:
		return fmt.Errorf("running %s: %w", e.binary, err)
	}
}

// genericLines are lines tesseract prints after the line that says what
// went wrong; lastLine skips them.
var genericLines = []string{"Error during processing."}

// lastLine returns the last non-empty line of tesseract's stderr that says
// more than a generic "Error during processing.", or "" if there is none.
func lastLine(stderr []byte) string {
	lines := strings.Split(strings.ToValidUTF8(string(stderr), "\uFFFD"), "\n")
	fallback := ""
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			continue
		}
		if !slices.Contains(genericLines, line) {
			return line
		}
		if fallback == "" {
			fallback = line
		}
	}
	return fallback
}

// boundedBuffer is a bytes.Buffer that refuses to grow past max bytes.
type boundedBuffer struct {
	buf bytes.Buffer
	max int
}

// Write appends p, or fails with errOutputTooLarge past the limit.
func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.max {
		return 0, errOutputTooLarge
	}
	return b.buf.Write(p)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

// Write appends p, dropping the oldest bytes past the limit. It never fails.
func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if drop := len(t.buf) + len(p) - t.max; drop > 0 {
		t.buf = append(t.buf[:0], t.buf[drop:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}
