package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what one open-loop run measured. Latencies are from the
// time a request was scheduled to the time its whole answer was read, so
// that a slow server delays the measurement, not the schedule.
type loadResult struct {
	Rate      float64  `json:"rate_rps"`
	Achieved  float64  `json:"achieved_rps"`
	Sent      int      `json:"sent"`
	OK        int      `json:"ok"`
	Errors    int      `json:"errors"`
	P50       float64  `json:"p50_ms"`
	P90       float64  `json:"p90_ms"`
	P99       float64  `json:"p99_ms"`
	Max       float64  `json:"max_ms"`
	ErrorHint []string `json:"error_samples,omitempty"`
}

// maxInFlight bounds the requests outstanding at once; a request that
// would exceed it is counted as an error rather than sent late.
const maxInFlight = 2000

// openLoop sends GET url at rate requests per second for d, each on its
// own schedule (request i at start + i/rate), and measures them.
func openLoop(ctx context.Context, url, auth string, rate float64, d time.Duration) loadResult {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: maxInFlight, MaxIdleConnsPerHost: maxInFlight, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}}
	defer client.CloseIdleConnections()
	n := int(rate * d.Seconds())
	lat := make([]time.Duration, n)
	var errs atomic.Int64
	var mu sync.Mutex
	var samples []string
	fail := func(i int, msg string) {
		lat[i] = -1
		if errs.Add(1) <= 5 {
			mu.Lock()
			samples = append(samples, msg)
			mu.Unlock()
		}
	}
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	start := time.Now().Add(20 * time.Millisecond)
	for i := range n {
		sched := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if w := time.Until(sched); w > 0 {
			time.Sleep(w)
		}
		if ctx.Err() != nil {
			fail(i, "cancelled")
			continue
		}
		select {
		case sem <- struct{}{}:
		default:
			fail(i, "over the in-flight bound")
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := client.Do(req)
			if err != nil {
				fail(i, err.Error())
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				fail(i, fmt.Sprintf("status %d %v", resp.StatusCode, err))
				return
			}
			lat[i] = time.Since(sched)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	ok := slices.DeleteFunc(lat, func(l time.Duration) bool { return l < 0 })
	slices.Sort(ok)
	r := loadResult{Rate: rate, Achieved: float64(n) / elapsed.Seconds(), Sent: n, OK: len(ok), Errors: int(errs.Load()), ErrorHint: samples}
	if len(ok) > 0 {
		q := func(p float64) float64 { return ms(ok[min(len(ok)-1, int(p*float64(len(ok))))]) }
		r.P50, r.P90, r.P99, r.Max = q(0.50), q(0.90), q(0.99), ms(ok[len(ok)-1])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadgenMain is the child process that generates load (pinned to its own
// core by the parent): a warm-up at the same rate, then the measured run,
// printed as JSON on stdout. The Authorization header comes from the
// environment, not the command line.
func loadgenMain(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	url := fs.String("url", "", "URL to GET")
	rate := fs.Float64("rate", 500, "requests per second")
	dur := fs.Duration("duration", 20*time.Second, "measured duration")
	warm := fs.Duration("warmup", 2*time.Second, "unmeasured warm-up at the same rate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	auth := getenv("BENCH_AUTHORIZATION")
	if *warm > 0 {
		openLoop(ctx, *url, auth, *rate, *warm)
	}
	return json.NewEncoder(stdout).Encode(openLoop(ctx, *url, auth, *rate, *dur))
}

// baselineMain is the child process serving the baseline: a bare net/http
// handler answering every request with the same JSON body.
func baselineMain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	bodyFile := fs.String("body", "", "file holding the JSON body to answer with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// runLoadgen runs the load generator as a child process of this program,
// pinned to cpus when taskset is available, and returns its result.
func (h *harness) runLoadgen(ctx context.Context, url, auth string, rate float64, d time.Duration) (loadResult, error) {
	self, err := os.Executable()
	if err != nil {
		return loadResult{}, err
	}
	args := []string{"loadgen", "-url", url, "-rate", fmt.Sprint(rate), "-duration", d.String(), "-warmup", h.cfg.warmup.String()}
	name := self
	if h.taskset != "" {
		args = append([]string{"-c", "1", self}, args...)
		name = h.taskset
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "BENCH_AUTHORIZATION="+auth)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return loadResult{}, fmt.Errorf("load generator: %w: %s", err, stderr.String())
	}
	var r loadResult
	if err := json.Unmarshal(out, &r); err != nil {
		return loadResult{}, fmt.Errorf("load generator printed %q: %w", out, err)
	}
	return r, nil
}

// startBaseline starts the baseline server as a child process pinned to
// core 0 and returns its URL and a function that stops it.
func (h *harness) startBaseline(ctx context.Context, bodyFile string) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"baseline", "-addr", addr, "-body", bodyFile}
	name := self
	if h.taskset != "" {
		args = append([]string{"-c", "0", self}, args...)
		name = h.taskset
	}
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}
	for range 200 {
		if r, err := http.Get("http://" + addr + "/"); err == nil {
			r.Body.Close()
			return "http://" + addr + "/", stop, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("baseline server did not start")
}
