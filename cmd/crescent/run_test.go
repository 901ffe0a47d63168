package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// cli runs one subcommand to completion and returns its stdout.
func cli(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, os.Getenv, &out, &errb); err != nil {
		t.Fatalf("crescent %s: %v (%s)", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

// server runs "crescent serve" until the test ends and waits for health.
func server(t *testing.T, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		// No metrics listener unless asked: tests run side by side.
		done <- run(ctx, append([]string{"serve", "--addr", addr, "--metrics-addr="}, args...), os.Getenv, &bytes.Buffer{}, &logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s of cancellation")
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return base
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		default:
		}
	}
	t.Fatal("server not healthy within 20s")
	return ""
}

func get(t *testing.T, url, key string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestEndToEnd runs the binary's run: keys and orgs made offline, then
// served and used over HTTP, on SQLite and on PostgreSQL.
func TestEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		db := []string{"--data-dir", dir, "--database-url", dbURL}
		if out := cli(t, append([]string{"migrate"}, db...)...); !strings.Contains(string(out), "schema version") {
			t.Fatalf("migrate said %q", out)
		}
		var key map[string]any
		if err := json.Unmarshal(cli(t, append([]string{"keys", "create", "--name", "admin", "--all-scopes", "--expires", "720h"}, db...)...), &key); err != nil {
			t.Fatal(err)
		}
		var org map[string]any
		if err := json.Unmarshal(cli(t, append([]string{"orgs", "create", "--name", "Acme"}, db...)...), &org); err != nil {
			t.Fatal(err)
		}
		var otherKey map[string]any
		if err := json.Unmarshal(cli(t, append([]string{"keys", "create", "--name", "o", "--org", org["id"].(string), "--scope", "workspace.admin.api_key:manage"}, db...)...), &otherKey); err != nil {
			t.Fatal(err)
		}
		exp, _ := time.Parse(time.RFC3339, key["exp"].(string))
		if d := time.Until(exp); d < 719*time.Hour || d > 721*time.Hour {
			t.Fatalf("--expires 720h gave exp %s", key["exp"])
		}

		base := server(t, db...)
		st, me := get(t, base+"/api/v0.4/me", key["key"].(string))
		if st != 200 || me["keyId"] != key["id"] || len(me["scopes"].([]any)) != 28 {
			t.Fatalf("me: %d %v", st, me)
		}
		st, _ = get(t, base+"/api/v0.4/admin/api-keys/"+key["id"].(string), otherKey["key"].(string))
		if st != 404 {
			t.Fatalf("other organization saw the key: %d", st)
		}
		st, list := get(t, base+"/api/v0.4/admin/api-keys", otherKey["key"].(string))
		if st != 200 || list["pagination"].(map[string]any)["total"].(float64) != 1 {
			t.Fatalf("other organization's list: %d %v", st, list)
		}
	})
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	cases := [][]string{
		{"keys", "create", "--name", "x", "--data-dir", dir},                                       // no scope
		{"keys", "create", "--name", "x", "--scope", "workspace.nope:x", "--data-dir", dir},        // unknown scope
		{"keys", "create", "--name", "x", "--all-scopes", "--org", "nope", "--data-dir", dir},      // unknown org
		{"keys", "create", "--name", "x", "--all-scopes", "--expires", "9000h", "--data-dir", dir}, // too long
		{"serve", "--addr", "nonsense", "--data-dir", dir},
		{"serve", "--metrics-addr", "nonsense", "--data-dir", dir},
		{"serve", "--trusted-proxies", "10.0.0.0/99", "--data-dir", dir},
		{"serve", "--body-idle-timeout", "-1s", "--data-dir", dir},
		{"serve", "--database-url", "mysql://x", "--data-dir", dir},
		{"bogus"},
	}
	for _, args := range cases {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, os.Getenv, &out, &errb); err == nil {
			t.Errorf("crescent %s succeeded", strings.Join(args, " "))
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, os.Getenv, &out, &out); err != nil || !strings.HasPrefix(out.String(), "crescent ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}

func TestEnvironmentConfiguresAndFlagsOverride(t *testing.T) {
	envDir, flagDir := t.TempDir(), t.TempDir()
	getenv := func(k string) string {
		if k == "CRESCENT_DATA_DIR" {
			return envDir
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(envDir + "/crescent.db"); err != nil {
		t.Fatalf("CRESCENT_DATA_DIR ignored: %v", err)
	}
	if err := run(context.Background(), []string{"migrate", "--data-dir", flagDir}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(flagDir + "/crescent.db"); err != nil {
		t.Fatal(fmt.Errorf("--data-dir did not override the environment: %w", err))
	}
}
