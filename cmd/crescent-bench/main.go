// Command crescent-bench measures the real server: it builds ./cmd/crescent,
// starts it on a loopback port with a fresh data dir (SQLite, or a fresh
// schema of the PostgreSQL named by --database-url), generates its
// workload, and prints one report, also written as JSON.
//
// The phases: born-digital throughput against pdftotext, OCR throughput
// against the tesseract CLI, idle time to result of one page, the API at a
// fixed rate over 100,000 collections against a bare net/http handler, and
// the server's memory. docs/performance.md explains the figures.
//
//	go run ./cmd/crescent-bench            # about 4 minutes
//	go run ./cmd/crescent-bench -quick     # about 1 minute, smaller figures
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "crescent-bench:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	quick       bool
	dbURL       string
	out         string
	phases      string
	pages       int
	ocrPages    int
	samples     int
	collections int
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	uploadMB    int
	keep        bool
}

// run parses args and runs the harness, or one of the child modes the
// harness starts itself ("loadgen", "baseline").
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "loadgen":
			return loadgenMain(ctx, args[1:], getenv, stdout)
		case "baseline":
			return baselineMain(ctx, args[1:])
		}
	}
	var c config
	fs := flag.NewFlagSet("crescent-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.quick, "quick", false, "a short run (about a minute): fewer pages, 10,000 collections, 5 s of load, a 64 MB upload")
	fs.StringVar(&c.dbURL, "database-url", getenv("CRESCENT_BENCH_DATABASE_URL"), "postgres://… to run against PostgreSQL in a fresh schema (search_path=NAME, created and dropped); default SQLite")
	fs.StringVar(&c.out, "out", "bench/results/latest.json", "where to write the JSON report")
	fs.StringVar(&c.phases, "phases", "born,ocr,latency,api,upload", "phases to run, comma-separated")
	fs.IntVar(&c.pages, "pages", 40, "pages of born-digital invoices")
	fs.IntVar(&c.ocrPages, "ocr-pages", 16, "pages rendered to PNG and OCRed")
	fs.IntVar(&c.samples, "samples", 20, "one-page documents for the idle time to result")
	fs.IntVar(&c.collections, "collections", 100_000, "collections seeded for the API phase")
	fs.Float64Var(&c.rate, "rate", 500, "API requests per second")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "measured API load duration")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured API load before it, at the same rate")
	fs.IntVar(&c.uploadMB, "upload-mb", 200, "size of the large upload in MiB")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary folder (server logs, data, generated files)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("pages", func() { c.pages = 12 })
		def("ocr-pages", func() { c.ocrPages = 4 })
		def("samples", func() { c.samples = 8 })
		def("collections", func() { c.collections = 10_000 })
		def("duration", func() { c.duration = 5 * time.Second })
		def("warmup", func() { c.warmup = time.Second })
		def("upload-mb", func() { c.uploadMB = 64 })
	}
	h := &harness{cfg: c, log: stderr}
	return h.run(ctx, stdout)
}

// harness holds one run.
type harness struct {
	cfg        config
	log        io.Writer
	root       string // the module
	tmp        string
	serverBin  string
	taskset    string
	dataDir    string
	dbURL      string // "" for the SQLite default
	serverRuns int
	key        string
	res        results
}

func (h *harness) dbArgs() []string {
	args := []string{"--data-dir", h.dataDir}
	if h.dbURL != "" {
		args = append(args, "--database-url", h.dbURL)
	}
	return args
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.log, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (h *harness) ran(phase string) bool {
	for _, p := range strings.Split(h.cfg.phases, ",") {
		if strings.TrimSpace(p) == phase {
			return true
		}
	}
	return false
}

func (h *harness) note(format string, args ...any) {
	h.res.Notes = append(h.res.Notes, fmt.Sprintf(format, args...))
}

func (h *harness) run(ctx context.Context, stdout io.Writer) (err error) {
	started := time.Now()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return errors.New("run crescent-bench inside the crescent module (go run ./cmd/crescent-bench)")
	}
	h.root = filepath.Dir(strings.TrimSpace(string(out)))
	for _, tool := range []string{"pdftotext", "pdftoppm", "tesseract"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (apt-get install poppler-utils tesseract-ocr): %w", tool, err)
		}
	}
	if p, err := exec.LookPath("taskset"); err == nil {
		h.taskset = p
	}
	h.tmp, err = os.MkdirTemp("", "crescent-bench-")
	if err != nil {
		return err
	}
	if h.cfg.keep {
		h.logf("keeping %s", h.tmp)
	} else {
		defer os.RemoveAll(h.tmp)
	}
	h.dataDir = filepath.Join(h.tmp, "data")
	h.res = results{StartedAt: started.UTC().Format(time.RFC3339), Database: "sqlite", Quick: h.cfg.quick,
		Machine: describeMachine(h.taskset != ""), Memory: memory{PhasePeakRSSMB: map[string]float64{}}}
	h.res.Commit, h.res.Dirty = gitCommit(h.root)
	if h.taskset == "" {
		h.note("taskset is missing (apt-get install util-linux): the API phase ran unpinned, server and load generator sharing both cores")
	}
	if h.cfg.dbURL != "" {
		if !strings.HasPrefix(h.cfg.dbURL, "postgres://") && !strings.HasPrefix(h.cfg.dbURL, "postgresql://") {
			return fmt.Errorf("--database-url: want postgres://… (SQLite is the default)")
		}
		url, drop, err := postgresSchema(ctx, h.cfg.dbURL)
		if err != nil {
			return err
		}
		defer drop()
		h.dbURL, h.res.Database = url, "postgres"
		h.logf("PostgreSQL schema created: %s", redactURL(url))
	}

	h.logf("building ./cmd/crescent")
	if h.serverBin, err = buildServer(ctx, h.root, h.tmp); err != nil {
		return err
	}
	if h.key, err = h.createKey(ctx); err != nil {
		return err
	}
	if err := h.phases(ctx); err != nil {
		return err
	}
	h.res.DurationS = secs(time.Since(started))
	h.res.Machine.LoadAvgEnd = loadAvg()
	h.res.judge(h.ran)
	h.res.printTable(stdout, h.ran)
	path := h.cfg.out
	if !filepath.IsAbs(path) {
		path = filepath.Join(h.root, path)
	}
	if err := h.res.writeJSON(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nJSON report: %s\n", path)
	return nil
}

// redactURL hides a password in a database URL.
func redactURL(u string) string {
	if at := strings.Index(u, "@"); at > 0 {
		if colon := strings.LastIndex(u[:at], ":"); colon > strings.Index(u, "://")+2 {
			return u[:colon+1] + "***" + u[at:]
		}
	}
	return u
}
