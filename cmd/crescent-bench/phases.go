package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// queuePollInterval is the job queue's idle poll interval on both
// databases (internal/jobs: River's FetchPollInterval, 100 ms by default;
// the server runs River over database/sql, which has no LISTEN/NOTIFY).
const queuePollInterval = 100 * time.Millisecond

// parallel runs fn on every path with conc at once and returns the wall
// time from the first start to the last end.
func parallel(paths []string, conc int, fn func(string) error) (time.Duration, error) {
	next := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for p := range next {
				if err := fn(p); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	return time.Since(start), first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// pdftotext runs `pdftotext -layout` on each file, seq and 2 in parallel,
// and returns pages per second of each.
func pdftotext(ctx context.Context, docs []docFile) (seq, par float64, err error) {
	paths, pages := docPaths(docs)
	run := func(p string) error {
		if out, err := exec.CommandContext(ctx, "pdftotext", "-layout", p, os.DevNull).CombinedOutput(); err != nil {
			return fmt.Errorf("pdftotext %s: %w %s", p, err, out)
		}
		return nil
	}
	// The whole set takes a fraction of a second: repeat it for at least
	// two seconds so that the rate is not noise.
	rate := func(conc int) (float64, error) {
		var total time.Duration
		rounds := 0
		for total < 2*time.Second || rounds < 3 {
			d, err := parallel(paths, conc, run)
			if err != nil {
				return 0, err
			}
			total += d
			rounds++
		}
		return float64(pages*rounds) / total.Seconds(), nil
	}
	if seq, err = rate(1); err != nil {
		return 0, 0, err
	}
	par, err = rate(2)
	return seq, par, err
}

// tesseractAlone runs the tesseract CLI as the server does (one OpenMP
// thread, --psm 3, TSV to stdout) on each image, conc at once, and returns
// pages per second.
func tesseractAlone(ctx context.Context, pngs []string, conc int) (float64, error) {
	d, err := parallel(pngs, conc, func(p string) error {
		cmd := exec.CommandContext(ctx, "tesseract", p, "stdout", "-l", "eng", "--psm", "3", "tsv")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		cmd.Stderr = nil
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("tesseract %s: %w", p, err)
		}
		return nil
	})
	return float64(len(pngs)) / d.Seconds(), err
}

// renderPNGs renders every page of docs to a 300 dpi PNG with pdftoppm and
// returns up to limit of them, in document order.
func renderPNGs(ctx context.Context, dir string, docs []docFile, limit int) ([]string, error) {
	var out []string
	for i, d := range docs {
		if len(out) >= limit {
			break
		}
		prefix := filepath.Join(dir, fmt.Sprintf("page-%03d", i))
		if b, err := exec.CommandContext(ctx, "pdftoppm", "-r", "300", "-png", d.Path, prefix).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("pdftoppm: %w %s", err, b)
		}
		got, _ := filepath.Glob(prefix + "-*.png")
		sort.Strings(got)
		out = append(out, got...)
	}
	return out[:min(limit, len(out))], nil
}

func docPaths(docs []docFile) ([]string, int) {
	var paths []string
	pages := 0
	for _, d := range docs {
		paths = append(paths, d.Path)
		pages += d.Pages
	}
	return paths, pages
}

// pipelineRun is one throughput measurement through the server.
type pipelineRun struct {
	Elapsed time.Duration
	Docs    int
	Pages   int
	Failed  []string
}

func (r pipelineRun) pagesPerS() float64 { return float64(r.Pages) / r.Elapsed.Seconds() }
func (r pipelineRun) docsPerS() float64  { return float64(r.Docs) / r.Elapsed.Seconds() }

// throughput creates a process, uploads every file into it one after
// the other and waits for all results: the time from the first upload to
// the last result. Pages are the pages the server counted.
func throughput(ctx context.Context, a *api, name string, paths []string) (pipelineRun, error) {
	pid, err := a.createProcess(ctx, name)
	if err != nil {
		return pipelineRun{}, err
	}
	want := map[string]bool{}
	start := time.Now()
	for _, p := range paths {
		c, err := a.upload(ctx, pid, p)
		if err != nil {
			return pipelineRun{}, err
		}
		want[c.ID] = true
	}
	got, err := a.waitAll(ctx, pid, want, 50*time.Millisecond, 30*time.Minute)
	if err != nil {
		return pipelineRun{}, err
	}
	r := pipelineRun{Elapsed: time.Since(start), Docs: len(paths)}
	for _, c := range got {
		r.Pages += c.NumberOfPages
		if c.Status == "Failed" {
			r.Failed = append(r.Failed, c.StatusMessage)
		}
	}
	return r, nil
}

// warmUp processes one file and returns how long it took: the first
// document pays for starting the PDF reader (compiling PDFium).
func warmUp(ctx context.Context, a *api, path string) (time.Duration, error) {
	pid, err := a.createProcess(ctx, "warm-up")
	if err != nil {
		return 0, err
	}
	start := time.Now()
	c, err := a.upload(ctx, pid, path)
	if err != nil {
		return 0, err
	}
	c, err = a.waitOne(ctx, c.ID, 20*time.Millisecond, 5*time.Minute)
	if err == nil && c.Status == "Failed" {
		err = fmt.Errorf("warm-up document failed: %s", c.StatusMessage)
	}
	return time.Since(start), err
}

// oneDocLatency uploads each file alone into an idle server and measures
// the time from the start of the upload to the result being visible,
// polling every 5 ms. It returns the sorted times.
func oneDocLatency(ctx context.Context, a *api, paths []string) ([]time.Duration, error) {
	pid, err := a.createProcess(ctx, "latency")
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for _, p := range paths {
		time.Sleep(300 * time.Millisecond) // idle: the workers are back to polling
		start := time.Now()
		c, err := a.upload(ctx, pid, p)
		if err != nil {
			return nil, err
		}
		c, err = a.waitOne(ctx, c.ID, 5*time.Millisecond, time.Minute)
		if err != nil {
			return nil, err
		}
		if c.Status == "Failed" {
			return nil, fmt.Errorf("latency document failed: %s", c.StatusMessage)
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out, nil
}

// quantile returns the q-quantile (nearest rank) of sorted durations in ms.
func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return ms(sorted[max(0, min(len(sorted)-1, i))])
}

// uploadGrowth uploads path into a fresh process and returns the server's
// RSS before, the growth of its peak RSS during the upload, the time the
// upload took and the error the server answered, if any.
func uploadGrowth(ctx context.Context, a *api, s *server, path string) (before, growth int64, took time.Duration, uerr error, err error) {
	pid, err := a.createProcess(ctx, "large upload")
	if err != nil {
		return 0, 0, 0, nil, err
	}
	time.Sleep(time.Second) // let the start-up garbage be collected
	before = s.rss.reset()
	hwmBefore := s.rss.hwm()
	start := time.Now()
	_, uerr = a.upload(ctx, pid, path)
	took = time.Since(start)
	peak := s.rss.peak()
	if hwm := s.rss.hwm(); hwm > hwmBefore {
		peak = max(peak, hwm)
	}
	return before, peak - before, took, uerr, nil
}

// firstLine returns s up to its first newline, at most 200 bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
