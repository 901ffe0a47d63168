package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// results is the report, written as JSON to bench/results/latest.json.
type results struct {
	StartedAt   string      `json:"started_at"`
	DurationS   float64     `json:"duration_s"`
	Commit      string      `json:"commit"`
	Dirty       bool        `json:"dirty"`
	Database    string      `json:"database"`
	Quick       bool        `json:"quick"`
	Machine     machine     `json:"machine"`
	BornDigital bornDigital `json:"born_digital"`
	OCR         ocrResult   `json:"ocr"`
	Latency     latency     `json:"latency"`
	API         apiResult   `json:"api"`
	Memory      memory      `json:"memory"`
	Goals       []goal      `json:"goals"`
	Notes       []string    `json:"notes,omitempty"`
}

type machine struct {
	Cores     int    `json:"cores"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	Tesseract string `json:"tesseract"`
	Pdftotext string `json:"pdftotext"`
	Taskset   bool   `json:"taskset"`
	// LoadAvg is /proc/loadavg when the run started and ended: other work
	// on the machine makes every figure noisier.
	LoadAvgStart string `json:"loadavg_start"`
	LoadAvgEnd   string `json:"loadavg_end"`
}

type bornDigital struct {
	Documents             int      `json:"documents"`
	Pages                 int      `json:"pages"`
	PipelinePagesPerS     float64  `json:"pipeline_pages_per_s"` // --workers 2
	PipelineDocsPerS      float64  `json:"pipeline_docs_per_s"`
	Workers1PagesPerS     float64  `json:"workers1_pages_per_s"`
	Workers1DocsPerS      float64  `json:"workers1_docs_per_s"`
	PdftotextPagesPerS    float64  `json:"pdftotext_pages_per_s"` // 2 in parallel
	PdftotextSeqPagesPerS float64  `json:"pdftotext_seq_pages_per_s"`
	RatioWorkers1         float64  `json:"ratio_workers1_vs_pdftotext_seq"`
	RatioWorkers2         float64  `json:"ratio_workers2_vs_pdftotext_2"`
	FirstDocMS            float64  `json:"first_doc_ms"`
	Failed                []string `json:"failed,omitempty"`
}

type ocrResult struct {
	Pages              int      `json:"pages"`
	Concurrency        int      `json:"concurrency"`
	PipelinePagesPerS  float64  `json:"pipeline_pages_per_s"`
	TesseractPagesPerS float64  `json:"tesseract_pages_per_s"`
	Ratio              float64  `json:"ratio"`
	Failed             []string `json:"failed,omitempty"`
}

type latency struct {
	Samples        int     `json:"samples"`
	OneDocP50MS    float64 `json:"one_doc_p50_ms"`
	OneDocP95MS    float64 `json:"one_doc_p95_ms"`
	OneDocMinMS    float64 `json:"one_doc_min_ms"`
	OneDocMaxMS    float64 `json:"one_doc_max_ms"`
	PollIntervalMS float64 `json:"queue_poll_interval_ms"`
}

type apiResult struct {
	Collections    int      `json:"collections"`
	SeedS          float64  `json:"seed_s"`
	RateRPS        float64  `json:"rate_rps"`
	DurationS      float64  `json:"duration_s"`
	AchievedRPS    float64  `json:"achieved_rps"`
	P50MS          float64  `json:"p50_ms"`
	P90MS          float64  `json:"p90_ms"`
	P99MS          float64  `json:"p99_ms"`
	MaxMS          float64  `json:"max_ms"`
	Errors         int      `json:"errors"`
	ErrorSamples   []string `json:"error_samples,omitempty"`
	BodyBytes      int      `json:"body_bytes"`
	BaselineP50MS  float64  `json:"baseline_p50_ms"`
	BaselineP99MS  float64  `json:"baseline_p99_ms"`
	BaselineErrors int      `json:"baseline_errors"`
	Pinned         bool     `json:"pinned"`
}

type memory struct {
	UploadBytes       int64              `json:"upload_bytes"`
	UploadRSSBeforeMB float64            `json:"upload_rss_before_mb"`
	UploadRSSGrowthMB float64            `json:"upload_rss_growth_mb"`
	UploadS           float64            `json:"upload_s"`
	UploadResult      string             `json:"upload_result"`
	PeakRSSMB         float64            `json:"peak_rss_mb"`
	PhasePeakRSSMB    map[string]float64 `json:"phase_peak_rss_mb"`
}

// goal is one target of docs/performance.md and whether this run met it.
type goal struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
}

func mb(b int64) float64 { return round(float64(b)/(1<<20), 1) }

func round(v float64, digits int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// describeMachine fills what the report says about the machine.
func describeMachine(hasTaskset bool) machine {
	m := machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), Taskset: hasTaskset, LoadAvgStart: loadAvg()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if out, err := exec.Command("tesseract", "--version").CombinedOutput(); err == nil {
		m.Tesseract = firstLine(string(out))
	}
	if out, err := exec.Command("pdftotext", "-v").CombinedOutput(); err == nil {
		m.Pdftotext = firstLine(string(out))
	}
	return m
}

// loadAvg returns the first three fields of /proc/loadavg.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// gitCommit returns HEAD of the repository at root and whether the tree
// has uncommitted changes.
func gitCommit(root string) (string, bool) {
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown", false
	}
	st, _ := exec.Command("git", "-C", root, "status", "--porcelain").Output()
	return strings.TrimSpace(string(out)), len(strings.TrimSpace(string(st))) > 0
}

// judge fills r.Goals from the measurements of the phases that ran.
func (r *results) judge(ran func(string) bool) {
	add := func(name, target, measured string, met bool) {
		r.Goals = append(r.Goals, goal{name, target, measured, met})
	}
	if ran("born") {
		b := r.BornDigital
		add("born-digital throughput", "≥ 1/3 of pdftotext -layout per core",
			fmt.Sprintf("%.2f× (1 worker vs 1 pdftotext), %.2f× (2 vs 2)", b.RatioWorkers1, b.RatioWorkers2),
			b.RatioWorkers1 >= 1.0/3 && b.RatioWorkers2 >= 1.0/3)
	}
	if ran("ocr") {
		add("OCR throughput", "≥ 0.9 of tesseract alone", fmt.Sprintf("%.2f×", r.OCR.Ratio), r.OCR.Ratio >= 0.9)
	}
	if ran("latency") {
		add("idle one-page time to result", "p50 < 300 ms", fmt.Sprintf("p50 %.0f ms, p95 %.0f ms", r.Latency.OneDocP50MS, r.Latency.OneDocP95MS),
			r.Latency.OneDocP50MS < 300)
	}
	if ran("api") {
		add("API list at 500 rps, 100k collections", "p99 < 20 ms, 0 errors",
			fmt.Sprintf("p99 %.1f ms at %.0f rps over %d collections, %d errors", r.API.P99MS, r.API.RateRPS, r.API.Collections, r.API.Errors),
			r.API.P99MS < 20 && r.API.Errors == 0 && r.API.RateRPS >= 500 && r.API.Collections >= 100_000)
	}
	if ran("upload") {
		add("large upload memory", "RSS growth < 32 MB for 200 MB",
			fmt.Sprintf("%.0f MB for %.0f MB", r.Memory.UploadRSSGrowthMB, float64(r.Memory.UploadBytes)/(1<<20)),
			r.Memory.UploadRSSGrowthMB < 32 && r.Memory.UploadBytes >= 200<<20 && strings.HasPrefix(r.Memory.UploadResult, "201"))
	}
}

// writeJSON writes r to path, creating its folder.
func (r *results) writeJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// printTable prints the report as a text table.
func (r *results) printTable(w io.Writer, ran func(string) bool) {
	fmt.Fprintf(w, "\nCrescent benchmark  %s  commit %.12s%s  database %s%s\n", r.StartedAt, r.Commit, map[bool]string{true: " (dirty)"}[r.Dirty],
		r.Database, map[bool]string{true: "  (quick run)"}[r.Quick])
	fmt.Fprintf(w, "machine: %d cores, %s; %s; %s; load average %s at start, %s at end\n\n", r.Machine.Cores, r.Machine.CPUModel,
		r.Machine.Tesseract, r.Machine.Pdftotext, r.Machine.LoadAvgStart, r.Machine.LoadAvgEnd)
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(t, "phase\tmeasure\tcrescent\treference\tratio")
	b := r.BornDigital
	if ran("born") {
		fmt.Fprintf(t, "born-digital (%d docs, %d pages)\tpages/s, 1 worker\t%.1f\t%.1f (pdftotext, 1)\t%.2f\n", b.Documents, b.Pages, b.Workers1PagesPerS, b.PdftotextSeqPagesPerS, b.RatioWorkers1)
		fmt.Fprintf(t, "\tpages/s, 2 workers\t%.1f\t%.1f (pdftotext, 2)\t%.2f\n", b.PipelinePagesPerS, b.PdftotextPagesPerS, b.RatioWorkers2)
		fmt.Fprintf(t, "\tdocs/s, 1 | 2 workers\t%.2f | %.2f\t\t\n", b.Workers1DocsPerS, b.PipelineDocsPerS)
		fmt.Fprintf(t, "\tfirst document after start\t%.0f ms\t\t\n", b.FirstDocMS)
	}
	if ran("ocr") {
		fmt.Fprintf(t, "OCR (%d pages, 300 dpi PNG)\tpages/s, %d at once\t%.2f\t%.2f (tesseract CLI)\t%.2f\n", r.OCR.Pages, r.OCR.Concurrency, r.OCR.PipelinePagesPerS, r.OCR.TesseractPagesPerS, r.OCR.Ratio)
	}
	if ran("latency") {
		l := r.Latency
		fmt.Fprintf(t, "idle time to result (%d × 1 page)\tp50 / p95 ms\t%.0f / %.0f\tqueue poll %.0f ms\t\n", l.Samples, l.OneDocP50MS, l.OneDocP95MS, l.PollIntervalMS)
	}
	if ran("api") {
		a := r.API
		fmt.Fprintf(t, "API list ?limit=100 (%d collections)\tp50 / p99 ms at %.0f rps, %.0fs\t%.2f / %.2f\t%.2f / %.2f (bare net/http)\t\n", a.Collections, a.RateRPS, a.DurationS, a.P50MS, a.P99MS, a.BaselineP50MS, a.BaselineP99MS)
		fmt.Fprintf(t, "\terrors (achieved rps)\t%d (%.0f)\t%d\t\n", a.Errors, a.AchievedRPS, a.BaselineErrors)
	}
	if ran("upload") {
		m := r.Memory
		fmt.Fprintf(t, "memory\tRSS growth, %.0f MB upload\t%.1f MB (from %.1f MB)\t%s in %.1fs\t\n", float64(m.UploadBytes)/(1<<20), m.UploadRSSGrowthMB, m.UploadRSSBeforeMB, m.UploadResult, m.UploadS)
	}
	var phases []string
	for _, p := range []string{"born", "ocr", "latency", "api", "upload"} {
		if v, ok := r.Memory.PhasePeakRSSMB[p]; ok {
			phases = append(phases, fmt.Sprintf("%s %.0f", p, v))
		}
	}
	fmt.Fprintf(t, "\tpeak RSS MB\t%.1f\t%s\t\n", r.Memory.PeakRSSMB, strings.Join(phases, ", "))
	t.Flush()
	fmt.Fprintln(w, "\ngoals:")
	for _, g := range r.Goals {
		mark := "MISSED"
		if g.Met {
			mark = "met"
		}
		fmt.Fprintf(w, "  %-6s %s: %s (target %s)\n", mark, g.Name, g.Measured, g.Target)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

func secs(d time.Duration) float64 { return round(d.Seconds(), 2) }
