package deliver

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("a", 300)
	for in, want := range map[string]string{
		"export-2026-01-02.json":       "export-2026-01-02.json",
		"Rechnung März 2026.pdf":       "Rechnung_M_rz_2026.pdf",
		"a  /\\ b":                     "a_b",
		"../../etc/passwd":             "_.._etc_passwd",
		"..":                           "",
		".":                            "",
		"":                             "",
		".hidden":                      "hidden",
		"...json":                      "json",
		"日本語":                          "_",
		"a\x00b\nc":                    "a_b_c",
		long + ".json":                 strings.Repeat("a", 195) + ".json",
		long:                           strings.Repeat("a", 200),
		long + "." + long:              strings.Repeat("a", 200),
		"x." + strings.Repeat("e", 20): "x." + strings.Repeat("e", 20),
	} {
		got := SafeName(in)
		if got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
		if len(got) > 200 || strings.HasPrefix(got, ".") || strings.ContainsAny(got, "/\\\x00") {
			t.Errorf("SafeName(%q) = %q is not safe", in, got)
		}
	}
}

// tree makes base/{root/sub, outside} and returns base (with symbolic
// links resolved, as t.TempDir may be under one).
func tree(t *testing.T) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"root/sub", "root2", "outside"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return base
}

func TestCheckDirectory(t *testing.T) {
	base := tree(t)
	root := filepath.Join(base, "root")
	must(t, os.Symlink(filepath.Join(base, "outside"), filepath.Join(root, "out")))
	must(t, os.Symlink("sub", filepath.Join(root, "in")))
	must(t, os.Symlink(root, filepath.Join(base, "rootlink")))
	must(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))

	const ok, blocked, bad = "ok", "blocked", "invalid"
	for _, c := range []struct {
		roots []string
		dir   string
		want  string
	}{
		{[]string{root}, root, ok},
		{[]string{root}, root + "/", ok},
		{[]string{root}, filepath.Join(root, "sub"), ok},
		{[]string{root}, root + "/./sub//", ok},
		{[]string{root}, filepath.Join(root, "in"), ok}, // a link that stays inside
		{[]string{"", "relative", root}, filepath.Join(root, "sub"), ok},
		{[]string{filepath.Join(base, "rootlink")}, filepath.Join(base, "rootlink", "sub"), ok},
		{[]string{base + "/root/"}, filepath.Join(root, "sub"), ok},

		{[]string{root}, root + "/../outside", blocked},
		{[]string{root}, root + "/sub/../../outside", blocked},
		{[]string{root}, filepath.Join(root, "out"), blocked}, // a link out of the root
		{[]string{root}, filepath.Join(base, "root2"), blocked},
		{[]string{root}, base, blocked},
		{[]string{root}, "/", blocked},
		{[]string{filepath.Join(base, "rootlink")}, filepath.Join(root, "sub"), blocked}, // not lexically under the root
		{[]string{filepath.Join(base, "nosuchroot")}, filepath.Join(root, "sub"), blocked},
		{nil, root, blocked},
		{[]string{root}, "/nonexistent/dir", blocked}, // says nothing about what exists outside

		{[]string{root}, "", bad},
		{[]string{root}, "root/sub", bad},
		{[]string{root}, filepath.Join(root, "missing"), bad},
		{[]string{root}, filepath.Join(root, "file"), bad},
		{[]string{root}, root + "\x00", bad},
	} {
		err := CheckDirectory(c.roots, c.dir)
		got := ok
		if err != nil {
			got = bad
			if errors.Is(err, ErrBlocked) {
				got = blocked
			}
		}
		if got != c.want {
			t.Errorf("CheckDirectory(%q, %q) = %s (%v), want %s", c.roots, c.dir, got, err, c.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	base := tree(t)
	root := filepath.Join(base, "root")
	roots := []string{root}
	sub := filepath.Join(root, "sub")

	p, err := WriteFile(roots, sub, "result 1.json", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(sub, "result_1.json"); p != want {
		t.Fatalf("path = %q, want %q", p, want)
	}
	p, err = WriteFile(roots, sub, "result 1.json", []byte("two")) // replaces
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Fatalf("content = %q, want two", b)
	}

	// A name cannot climb out: it is made safe, and lands in dir.
	p, err = WriteFile(roots, sub, "../../outside/x", []byte("x"))
	if err != nil || filepath.Dir(p) != sub {
		t.Fatalf("WriteFile(../../outside/x) = %q, %v", p, err)
	}
	if _, err := WriteFile(roots, sub, "..", []byte("x")); err == nil || err.Error() != `file name ".." has no usable characters` {
		t.Fatalf("WriteFile(..) err = %v", err)
	}

	// An existing link at the final name is replaced, not written through.
	victim := filepath.Join(base, "outside", "victim")
	must(t, os.WriteFile(victim, []byte("untouched"), 0o644))
	must(t, os.Symlink(victim, filepath.Join(sub, "link.json")))
	if _, err := WriteFile(roots, sub, "link.json", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "untouched" {
		t.Fatalf("wrote through a symbolic link: victim = %q", b)
	}
	if fi, err := os.Lstat(filepath.Join(sub, "link.json")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("link.json is not a regular file: %v %v", fi, err)
	}

	// Refusals write nothing.
	must(t, os.Symlink(filepath.Join(base, "outside"), filepath.Join(root, "out")))
	for _, dir := range []string{filepath.Join(root, "out"), root + "/../outside"} {
		if _, err := WriteFile(roots, dir, "escape.json", []byte("x")); !errors.Is(err, ErrBlocked) {
			t.Errorf("WriteFile(%q) err = %v, want ErrBlocked", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "outside", "escape.json")); !os.IsNotExist(err) {
		t.Fatalf("escape.json written outside the root: %v", err)
	}
	assertNoTemp(t, sub)
}

// TestWriteFileAtomic rewrites a file while readers check that they only
// ever see a whole version of it.
func TestWriteFileAtomic(t *testing.T) {
	root := filepath.Join(tree(t), "root")
	versions := [][]byte{bytes.Repeat([]byte("A"), 1<<20), bytes.Repeat([]byte("B"), 1<<20+17)}
	p, err := WriteFile([]string{root}, root, "data.bin", versions[0])
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var bad atomic.Value
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				b, err := os.ReadFile(p)
				if err != nil {
					bad.Store(err.Error())
					return
				}
				if !bytes.Equal(b, versions[0]) && !bytes.Equal(b, versions[1]) {
					bad.Store(fmt.Sprintf("partial file of %d bytes", len(b)))
					return
				}
			}
		})
	}
	for i := range 100 {
		if _, err := WriteFile([]string{root}, root, "data.bin", versions[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if v := bad.Load(); v != nil {
		t.Fatalf("reader saw: %v", v)
	}
	assertNoTemp(t, root)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
