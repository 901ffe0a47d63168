package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildServer builds ./cmd/crescent of the module at root into dir, as
// `make build` does, and returns the binary's path.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "crescent")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", bin, "./cmd/crescent")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/crescent: %w\n%s", err, out)
	}
	return bin, nil
}

// serverOpts is how one server process is started.
type serverOpts struct {
	Workers      int
	CPUs         string // taskset -c list; "" runs unpinned
	MaxFileBytes int64
}

// server is one running `crescent serve` process.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	pid  int
	log  string
	rss  *rssSampler
	done chan error
}

// startServer starts the server binary on a free loopback port with the
// harness's data dir and database and waits until /healthz answers.
func (h *harness) startServer(ctx context.Context, o serverOpts) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(port), "--metrics-addr=", "--workers", strconv.Itoa(o.Workers), "--log-level", "warn"}
	args = append(args, h.dbArgs()...)
	if o.MaxFileBytes > 0 {
		args = append(args, "--max-file-bytes", strconv.FormatInt(o.MaxFileBytes, 10))
	}
	name := h.serverBin
	if o.CPUs != "" && h.taskset != "" {
		args = append([]string{"-c", o.CPUs, name}, args...)
		name = h.taskset // taskset execs the server: same pid
	}
	h.serverRuns++
	logPath := filepath.Join(h.tmp, fmt.Sprintf("server-%d.log", h.serverRuns))
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group (a terminal's ^C reaches the harness, which
	// stops it in order); killed with the harness if that dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &server{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), pid: cmd.Process.Pid, log: logPath, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	s.rss = startRSS(s.pid)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r, err := http.Get(s.base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			s.rss.stop()
			return nil, fmt.Errorf("server exited at start: %v (log %s: %s)", err, logPath, tail(logPath))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("server did not answer /healthz within 60s (log %s)", logPath)
		}
	}
}

// stop sends SIGTERM, waits up to 30 s (then SIGKILL) and returns the
// server's lifetime peak RSS in bytes.
func (s *server) stop() int64 {
	hwm := s.rss.hwm()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.rss.stop()
	return max(hwm, s.rss.peak())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// createKey runs `crescent keys create --all-scopes` against the harness's
// data dir and database and returns the key.
func (h *harness) createKey(ctx context.Context) (string, error) {
	args := append([]string{"keys", "create", "--name", "bench", "--all-scopes"}, h.dbArgs()...)
	out, err := exec.CommandContext(ctx, h.serverBin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("keys create: %w: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("keys create: %w", err)
	}
	var k struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(out, &k); err != nil || k.Key == "" {
		return "", fmt.Errorf("keys create printed no key: %s", out)
	}
	return k.Key, nil
}

// rssSampler polls /proc/PID/status for VmRSS and VmHWM.
type rssSampler struct {
	pid     int
	mu      sync.Mutex
	max     int64 // highest VmRSS seen since the last reset
	lastHWM int64
	quit    chan struct{}
	wg      sync.WaitGroup
}

func startRSS(pid int) *rssSampler {
	r := &rssSampler{pid: pid, quit: make(chan struct{})}
	r.wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			r.sample()
			select {
			case <-r.quit:
				return
			case <-t.C:
			}
		}
	})
	return r
}

// readStatus returns VmRSS and VmHWM of pid in bytes (0, 0 once it exited).
func readStatus(pid int) (rss, hwm int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		for _, k := range []struct {
			prefix string
			dst    *int64
		}{{"VmRSS:", &rss}, {"VmHWM:", &hwm}} {
			if v, ok := bytes.CutPrefix(line, []byte(k.prefix)); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
				*k.dst = kb << 10
			}
		}
	}
	return rss, hwm
}

func (r *rssSampler) sample() int64 {
	rss, hwm := readStatus(r.pid)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.max = max(r.max, rss)
	if hwm > 0 {
		r.lastHWM = hwm
	}
	return rss
}

// reset starts a new peak window and returns the current RSS.
func (r *rssSampler) reset() int64 {
	rss, _ := readStatus(r.pid)
	r.mu.Lock()
	r.max = rss
	r.mu.Unlock()
	return rss
}

// peak returns the highest RSS sampled since the last reset.
func (r *rssSampler) peak() int64 {
	r.sample()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.max
}

// hwm returns the process's lifetime peak RSS as the kernel counts it.
func (r *rssSampler) hwm() int64 {
	r.sample()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastHWM
}

func (r *rssSampler) stop() {
	select {
	case <-r.quit:
	default:
		close(r.quit)
	}
	r.wg.Wait()
}
