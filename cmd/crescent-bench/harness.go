package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// phases runs the phases that were asked for, in an order that keeps the
// references (pdftotext, tesseract) on an otherwise idle machine.
func (h *harness) phases(ctx context.Context) error {
	gen := filepath.Join(h.tmp, "workload")
	if err := os.MkdirAll(gen, 0o755); err != nil {
		return err
	}
	h.logf("generating %d pages of invoices", h.cfg.pages)
	docs, err := writeInvoices(gen, "invoice", 1, workloadPages(h.cfg.pages))
	if err != nil {
		return err
	}
	paths, pages := docPaths(docs)
	b := &h.res.BornDigital
	b.Documents, b.Pages = len(docs), pages

	var pngs []string
	if h.ran("ocr") {
		h.logf("rendering %d pages to 300 dpi PNG", h.cfg.ocrPages)
		if pngs, err = renderPNGs(ctx, gen, docs, h.cfg.ocrPages); err != nil {
			return err
		}
	}
	if h.ran("born") {
		h.logf("pdftotext -layout on %d files, 1 and 2 at once", len(docs))
		seq, par, err := pdftotext(ctx, docs)
		if err != nil {
			return err
		}
		b.PdftotextSeqPagesPerS, b.PdftotextPagesPerS = round(seq, 1), round(par, 1)
	}

	peak := func(phase string, bytes int64) {
		h.res.Memory.PhasePeakRSSMB[phase] = max(h.res.Memory.PhasePeakRSSMB[phase], mb(bytes))
		h.res.Memory.PeakRSSMB = max(h.res.Memory.PeakRSSMB, mb(bytes))
	}
	warm := filepath.Join(gen, "warm-up.pdf")
	if err := writeInvoice(warm, 9999, 1); err != nil {
		return err
	}

	if h.ran("born") {
		s, err := h.startServer(ctx, serverOpts{Workers: 1})
		if err != nil {
			return err
		}
		a := newAPI(s.base, h.key)
		first, err := warmUp(ctx, a, warm)
		if err != nil {
			s.stop()
			return err
		}
		b.FirstDocMS = round(ms(first), 0)
		h.logf("born-digital, --workers 1: first document %s; %d documents", first.Round(time.Millisecond), len(docs))
		s.rss.reset()
		r1, err := throughput(ctx, a, "born-digital w1", paths)
		peak("born", s.rss.peak())
		s.stop()
		if err != nil {
			return err
		}
		b.Workers1PagesPerS, b.Workers1DocsPerS = round(r1.pagesPerS(), 1), round(r1.docsPerS(), 2)
		b.Failed = append(b.Failed, r1.Failed...)
		if r1.Pages != pages {
			h.note("born-digital, 1 worker: the server counted %d pages, the workload has %d", r1.Pages, pages)
		}
	}

	if h.ran("born") || h.ran("ocr") || h.ran("latency") {
		s, err := h.startServer(ctx, serverOpts{Workers: 2})
		if err != nil {
			return err
		}
		err = h.workers2(ctx, s, docs, paths, pngs, warm, peak)
		s.stop()
		if err != nil {
			return err
		}
	}
	if h.ran("api") {
		if err := h.apiPhase(ctx, peak); err != nil {
			return err
		}
	}
	if h.ran("upload") {
		if err := h.uploadPhase(ctx, peak); err != nil {
			return err
		}
	}
	return nil
}

// workers2 runs the phases on a server with two workers: born-digital and
// OCR throughput, then idle time to result.
func (h *harness) workers2(ctx context.Context, s *server, docs []docFile, paths, pngs []string, warm string, peak func(string, int64)) error {
	a := newAPI(s.base, h.key)
	if _, err := warmUp(ctx, a, warm); err != nil {
		return err
	}
	b := &h.res.BornDigital
	if h.ran("born") {
		h.logf("born-digital, --workers 2: %d documents", len(docs))
		s.rss.reset()
		r2, err := throughput(ctx, a, "born-digital w2", paths)
		peak("born", s.rss.peak())
		if err != nil {
			return err
		}
		b.PipelinePagesPerS, b.PipelineDocsPerS = round(r2.pagesPerS(), 1), round(r2.docsPerS(), 2)
		b.Failed = append(b.Failed, r2.Failed...)
		b.RatioWorkers1 = round(b.Workers1PagesPerS/b.PdftotextSeqPagesPerS, 3)
		b.RatioWorkers2 = round(b.PipelinePagesPerS/b.PdftotextPagesPerS, 3)
	}
	if h.ran("ocr") {
		// The reference runs right before, on the same machine state (the
		// server idle), so that both see the same background load.
		h.logf("tesseract alone on %d PNGs, 2 at once", len(pngs))
		t, err := tesseractAlone(ctx, pngs, 2)
		if err != nil {
			return err
		}
		h.res.OCR.TesseractPagesPerS, h.res.OCR.Pages, h.res.OCR.Concurrency = round(t, 2), len(pngs), 2
		h.logf("OCR through the server, --workers 2: %d PNGs", len(pngs))
		s.rss.reset()
		r, err := throughput(ctx, a, "ocr", pngs)
		peak("ocr", s.rss.peak())
		if err != nil {
			return err
		}
		o := &h.res.OCR
		o.PipelinePagesPerS = round(r.pagesPerS(), 2)
		o.Ratio = round(o.PipelinePagesPerS/o.TesseractPagesPerS, 3)
		o.Failed = r.Failed
	}
	if h.ran("latency") {
		gen := filepath.Join(h.tmp, "latency")
		if err := os.MkdirAll(gen, 0o755); err != nil {
			return err
		}
		ones := make([]int, h.cfg.samples)
		for i := range ones {
			ones[i] = 1
		}
		lat, err := writeInvoices(gen, "one-page", 5000, ones)
		if err != nil {
			return err
		}
		lp, _ := docPaths(lat)
		h.logf("idle time to result: %d one-page documents, one at a time", len(lp))
		s.rss.reset()
		times, err := oneDocLatency(ctx, a, lp)
		peak("latency", s.rss.peak())
		if err != nil {
			return err
		}
		h.res.Latency = latency{Samples: len(times), OneDocP50MS: round(quantile(times, 0.5), 1), OneDocP95MS: round(quantile(times, 0.95), 1),
			OneDocMinMS: round(ms(times[0]), 1), OneDocMaxMS: round(ms(times[len(times)-1]), 1), PollIntervalMS: ms(queuePollInterval)}
	}
	return nil
}

// apiPhase seeds the collections, then loads the list endpoint of the
// server pinned to core 0 from a load generator pinned to core 1, then
// the same load against a bare net/http server pinned the same way.
func (h *harness) apiPhase(ctx context.Context, peak func(string, int64)) error {
	s, err := h.startServer(ctx, serverOpts{Workers: 2})
	if err != nil {
		return err
	}
	pid, err := newAPI(s.base, h.key).createProcess(ctx, "API load")
	s.stop()
	if err != nil {
		return err
	}
	h.logf("seeding %d collections", h.cfg.collections)
	start := time.Now()
	if err := seedCollections(ctx, h.databaseURL(), pid, h.cfg.collections); err != nil {
		return err
	}
	api := &h.res.API
	api.Collections, api.SeedS = h.cfg.collections, secs(time.Since(start))
	api.Pinned = h.taskset != ""

	s, err = h.startServer(ctx, serverOpts{Workers: 2, CPUs: "0"})
	if err != nil {
		return err
	}
	a := newAPI(s.base, h.key)
	url := s.base + "/api/v0.3/processes/" + pid + "/collections?limit=100"
	body, err := getBody(ctx, a, url)
	if err != nil {
		s.stop()
		return err
	}
	bodyFile := filepath.Join(h.tmp, "list-body.json")
	if err := os.WriteFile(bodyFile, body, 0o644); err != nil {
		s.stop()
		return err
	}
	api.BodyBytes = len(body)
	h.logf("API: GET …/collections?limit=100 at %.0f/s for %s (after %s of warm-up)", h.cfg.rate, h.cfg.duration, h.cfg.warmup)
	s.rss.reset()
	r, err := h.runLoadgen(ctx, url, a.auth, h.cfg.rate, h.cfg.duration)
	peak("api", s.rss.peak())
	s.stop()
	if err != nil {
		return err
	}
	api.RateRPS, api.DurationS, api.AchievedRPS = r.Rate, h.cfg.duration.Seconds(), round(r.Achieved, 1)
	api.P50MS, api.P90MS, api.P99MS, api.MaxMS = r.P50, r.P90, r.P99, r.Max
	api.Errors, api.ErrorSamples = r.Errors, r.ErrorHint

	burl, stop, err := h.startBaseline(ctx, bodyFile)
	if err != nil {
		return err
	}
	h.logf("baseline: the same load against a bare net/http handler")
	br, err := h.runLoadgen(ctx, burl, "", h.cfg.rate, h.cfg.duration)
	stop()
	if err != nil {
		return err
	}
	api.BaselineP50MS, api.BaselineP99MS, api.BaselineErrors = br.P50, br.P99, br.Errors
	return nil
}

// databaseURL is the URL the server uses.
func (h *harness) databaseURL() string {
	if h.dbURL != "" {
		return h.dbURL
	}
	return "sqlite:" + filepath.Join(h.dataDir, "crescent.db")
}

func getBody(ctx context.Context, a *api, url string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", a.auth)
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d %s %v", url, resp.StatusCode, firstLine(string(b)), err)
	}
	return b, nil
}

// uploadPhase generates a large valid PDF and uploads it, streamed from
// disk, to a server without workers (so that only the upload path is
// measured, not the processing that would follow), and records the
// growth of the server's RSS.
func (h *harness) uploadPhase(ctx context.Context, peak func(string, int64)) error {
	size := int64(h.cfg.uploadMB) << 20
	path := filepath.Join(h.tmp, "large.pdf")
	h.logf("writing a %d MiB PDF", h.cfg.uploadMB)
	n, pages, err := writeLargePDF(path, size)
	if err != nil {
		return err
	}
	s, err := h.startServer(ctx, serverOpts{Workers: 0, MaxFileBytes: max(n+(64<<20), 256<<20)})
	if err != nil {
		return err
	}
	a := newAPI(s.base, h.key)
	h.logf("uploading it (%d pages of random image data, %.0f MiB)", pages, float64(n)/(1<<20))
	before, growth, took, uerr, err := uploadGrowth(ctx, a, s, path)
	peak("upload", s.stop())
	if err != nil {
		return err
	}
	m := &h.res.Memory
	m.UploadBytes, m.UploadRSSBeforeMB, m.UploadRSSGrowthMB, m.UploadS = n, mb(before), mb(growth), secs(took)
	m.UploadResult = "201 Created"
	if uerr != nil {
		m.UploadResult = "refused: " + firstLine(uerr.Error())
	}
	_ = os.Remove(path)
	return nil
}
