package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the crescent binary once for tests that need a
// separate process (to kill it).
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crescent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs "crescent serve" as a child process and waits for health.
func startProcess(t *testing.T, bin, addr string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--metrics-addr="}, args...)...)
	logf, _ := os.Create(filepath.Join(t.TempDir(), "server.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("server log (end):\n%s", b)
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
			r.Body.Close()
			return cmd
		}
	}
	t.Fatal("server not healthy within 60s")
	return nil
}

// TestKillDuringProcessingLosesNothing uploads 50 documents, kills the
// server with SIGKILL while they are being processed, restarts it and
// checks that every document ends in a final status with exactly one
// result.
func TestKillDuringProcessingLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: waits for the job rescuer")
	}
	pdfs := []string{fixturePDF}
	bin := buildBinary(t)
	dir := t.TempDir()
	// The deadline below follows from these settings: jobs left running by
	// the killed process are rescued a job timeout plus 10 s after they
	// started, and no attempt outlives a job timeout.
	const jobTimeout, workers = 45 * time.Second, 2
	flags := []string{"--data-dir", dir, "--workers", fmt.Sprint(workers), "--job-timeout", jobTimeout.String()}
	addr := freeAddr(t)
	base := "http://" + addr
	first := startProcess(t, bin, addr, flags...)
	key, pid := setup(t, base, []string{"--data-dir", dir})

	const n = 50
	var ids []string
	for i := range n {
		pdf, err := os.ReadFile(pdfs[i%len(pdfs)])
		if err != nil {
			t.Fatal(err)
		}
		body, ct := multipartPDF(t, pdf)
		st, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
		if st != 201 {
			t.Fatalf("upload %d: %d %s", i, st, b)
		}
		var c struct{ ID string }
		_ = json.Unmarshal(b, &c)
		ids = append(ids, c.ID)
	}
	counts := statusCounts(t, base, key, ids, false)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()
	t.Logf("just before kill -9: %v", counts)

	startProcess(t, bin, addr, flags...)
	deadline := time.Now().Add(jobTimeout + 10*time.Second + n/workers*jobTimeout)
	for {
		counts = statusCounts(t, base, key, ids, true)
		if counts["Needs Review"]+counts["Accepted"]+counts["Failed"] == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all documents finished after the restart: %v", counts)
		}
		time.Sleep(2 * time.Second)
	}
	t.Logf("after restart: %v", counts)
	for _, id := range ids {
		st, b := call(t, "GET", base+"/api/v0.3/results/"+id, key, "", nil)
		var res struct {
			Results []struct {
				Documents []json.RawMessage `json:"documents"`
			} `json:"results"`
		}
		if st != 200 || json.Unmarshal(b, &res) != nil || len(res.Results) != 1 {
			t.Fatalf("results of %s: %d %s", id, st, b)
		}
		if d := len(res.Results[0].Documents); d != 1 {
			_, cb := call(t, "GET", base+"/api/v0.3/collections/"+id, key, "", nil)
			t.Errorf("collection %s has %d documents, want exactly 1: %s\n%s", id, d, cb, b)
		}
	}
}

// statusCounts counts the collections by status; with wait it tolerates a
// server still starting.
func statusCounts(t *testing.T, base, key string, ids []string, wait bool) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, id := range ids {
		req, _ := http.NewRequest("GET", base+"/api/v0.3/collections/"+id, nil)
		req.SetBasicAuth(key[:32], key[33:])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if wait {
				counts["unreachable"]++
				continue
			}
			counts["down"]++
			continue
		}
		var c struct{ Status string }
		_ = json.NewDecoder(resp.Body).Decode(&c)
		resp.Body.Close()
		counts[c.Status]++
	}
	return counts
}

// TestKillBeforeDeliveryStillDelivers lets a webhook receiver refuse the
// first attempt, kills the server with SIGKILL, restarts it and expects
// the event to arrive after all: the event was committed with the status.
func TestKillBeforeDeliveryStillDelivers(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: kills and restarts the server")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	// The deadlines below follow from these settings: processing a text
	// invoice and one delivery attempt each take far less than a job
	// timeout, and a job left running by the killed process is rescued a
	// job timeout plus 10 s after it started.
	const jobTimeout = 15 * time.Second
	flags := []string{"--data-dir", dir, "--job-timeout", jobTimeout.String(), "--allow-private-destinations"}
	addr := freeAddr(t)
	base := "http://" + addr
	first := startProcess(t, bin, addr, flags...)
	key, pid := setup(t, base, []string{"--data-dir", dir})
	rx := newReceiver(t, 1)
	if st, d := createDestination(t, base, key, pid, rx.srv.URL+"/hook"); st != 201 {
		t.Fatalf("destination: %d %v", st, d)
	}
	body, ct := multipartText(t, "invoice.txt", "Invoice No: 2024-17\nTotal 119,00 EUR\n")
	_, b := call(t, "POST", base+"/api/v0.3/processes/"+pid+"/collections", key, ct, body)
	var col struct{ ID string }
	_ = json.Unmarshal(b, &col)
	waitFor(t, "the first, refused, attempt", 10*jobTimeout, func() bool { _, calls := rx.deliveries(); return calls >= 1 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()
	if got, _ := rx.deliveries(); len(got) != 0 {
		t.Fatal("delivered before the kill; the test proves nothing")
	}
	startProcess(t, bin, addr, flags...)
	waitFor(t, "delivery after the restart", 10*(jobTimeout+10*time.Second), func() bool { got, _ := rx.deliveries(); return len(got) == 1 })
	got, _ := rx.deliveries()
	if !bytes.Contains(got[0].body, []byte(col.ID)) {
		t.Fatal("the delivered event does not name the collection")
	}
}
