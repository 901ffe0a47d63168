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

// Organization ids of the tests.
const orgA, orgB = "0190a1b2c3d4e5f60718293a4b5c6d7e", "0190a1b2c3d4e5f60718293a4b5c6d7f"

// tree makes base/{root/<orgA>/sub, root2, outside} and returns base (with
// symbolic links resolved, as t.TempDir may be under one).
func tree(t *testing.T) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"root/" + orgA + "/sub", "root2", "outside"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return base
}

func TestPrepareDirectory(t *testing.T) {
	base := tree(t)
	root := filepath.Join(base, "root")
	a := filepath.Join(root, orgA)
	must(t, os.Symlink(filepath.Join(base, "outside"), filepath.Join(a, "out")))
	must(t, os.Symlink("sub", filepath.Join(a, "in")))
	must(t, os.Symlink(root, filepath.Join(base, "rootlink")))
	must(t, os.Symlink("..", filepath.Join(a, "up")))
	must(t, os.WriteFile(filepath.Join(a, "file"), nil, 0o644))
	must(t, os.MkdirAll(filepath.Join(base, "root2", orgA, "only2"), 0o755))

	const blocked, bad = "blocked", "invalid"
	for _, c := range []struct {
		roots []string
		org   string
		dir   string
		want  string // the stored path, or blocked or invalid
	}{
		{[]string{root}, orgA, "", "."},
		{[]string{root}, orgA, ".", "."},
		{[]string{root}, orgA, "sub", "sub"},
		{[]string{root}, orgA, "./sub//", "sub"},
		{[]string{root}, orgA, "in", "in"}, // a link that stays inside
		{[]string{root}, orgA, "new/deeper", "new/deeper"},
		{[]string{root}, orgB, "", "."},          // B's folder is made
		{[]string{root}, orgB, "inbox", "inbox"}, // and a folder in it
		{[]string{"", "relative", root}, orgA, "sub", "sub"},
		{[]string{filepath.Join(base, "rootlink")}, orgA, "sub", "sub"},
		{[]string{root, filepath.Join(base, "root2")}, orgA, "only2", "only2"},

		{[]string{root}, orgB, "../" + orgA, blocked},
		{[]string{root}, orgB, "x/../../" + orgA, blocked},
		{[]string{root}, orgB, a, blocked},
		{[]string{root}, orgB, filepath.Join(a, "sub"), blocked},
		{[]string{root}, orgA, "..", blocked},
		{[]string{root}, orgA, "/", blocked},
		{[]string{root}, orgA, "out", blocked},     // a link out of the folder
		{[]string{root}, orgA, "out/new", blocked}, // and nothing made through it
		{[]string{root}, orgA, "up", blocked},      // a link to the root
		{[]string{root}, orgA, "up/" + orgB, blocked},
		{nil, orgA, "", blocked},
		{[]string{"relative"}, orgA, "", blocked},
		{[]string{root}, "", "", blocked},
		{[]string{root}, "../x", "", blocked},

		{[]string{root}, orgA, "file", bad},
		{[]string{root}, orgA, "sub\x00", bad},
	} {
		got, err := PrepareDirectory(c.roots, c.org, c.dir)
		if err != nil {
			got = bad
			if errors.Is(err, ErrBlocked) {
				got = blocked
			}
			if strings.Contains(err.Error(), base) && !strings.Contains(c.dir, base) {
				t.Errorf("PrepareDirectory(%q, %q) error names a server path: %v", c.org, c.dir, err)
			}
		}
		if got != c.want {
			t.Errorf("PrepareDirectory(%q, %q, %q) = %s (%v), want %s", c.roots, c.org, c.dir, got, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "outside", "new")); !os.IsNotExist(err) {
		t.Errorf("a folder was made through a link: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(root, orgB, "inbox")); err != nil || !fi.IsDir() {
		t.Errorf("B's inbox was not made: %v", err)
	}

	// An organization's folder that is a link (here to A's) is refused.
	const orgC = "0190a1b2c3d4e5f60718293a4b5c6d80"
	must(t, os.Symlink(orgA, filepath.Join(root, orgC)))
	if _, err := PrepareDirectory([]string{root}, orgC, "sub"); !errors.Is(err, ErrBlocked) {
		t.Errorf("a linked organization folder: %v, want ErrBlocked", err)
	}
}

func TestWriteFile(t *testing.T) {
	base := tree(t)
	root := filepath.Join(base, "root")
	roots := []string{root}
	sub := filepath.Join(root, orgA, "sub")

	p, err := WriteFile(roots, orgA, "sub", "result 1.json", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(sub, "result_1.json"); p != want {
		t.Fatalf("path = %q, want %q", p, want)
	}
	p, err = WriteFile(roots, orgA, "sub", "result 1.json", []byte("two")) // replaces
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Fatalf("content = %q, want two", b)
	}

	// A name cannot climb out: it is made safe, and lands in dir.
	p, err = WriteFile(roots, orgA, "sub", "../../outside/x", []byte("x"))
	if err != nil || filepath.Dir(p) != sub {
		t.Fatalf("WriteFile(../../outside/x) = %q, %v", p, err)
	}
	if _, err := WriteFile(roots, orgA, "sub", "..", []byte("x")); err == nil || err.Error() != `file name ".." has no usable characters` {
		t.Fatalf("WriteFile(..) err = %v", err)
	}

	// An existing link at the final name is replaced, not written through.
	victim := filepath.Join(base, "outside", "victim")
	must(t, os.WriteFile(victim, []byte("untouched"), 0o644))
	must(t, os.Symlink(victim, filepath.Join(sub, "link.json")))
	if _, err := WriteFile(roots, orgA, "sub", "link.json", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "untouched" {
		t.Fatalf("wrote through a symbolic link: victim = %q", b)
	}
	if fi, err := os.Lstat(filepath.Join(sub, "link.json")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("link.json is not a regular file: %v %v", fi, err)
	}

	// Refusals write nothing: B cannot reach A's folder, nor anyone outside.
	must(t, os.MkdirAll(filepath.Join(root, orgB), 0o755))
	must(t, os.Symlink(filepath.Join(base, "outside"), filepath.Join(root, orgA, "out")))
	must(t, os.Symlink(filepath.Join(root, orgA), filepath.Join(root, orgB, "toA")))
	for _, c := range []struct{ org, dir string }{
		{orgA, "out"}, {orgA, "../../outside"}, {orgB, "../" + orgA + "/sub"}, {orgB, sub}, {orgB, "toA/sub"},
	} {
		if _, err := WriteFile(roots, c.org, c.dir, "escape.json", []byte("x")); !errors.Is(err, ErrBlocked) {
			t.Errorf("WriteFile(%q, %q) err = %v, want ErrBlocked", c.org, c.dir, err)
		}
	}
	if _, err := WriteFile(roots, orgB, "missing", "x.json", []byte("x")); err == nil || errors.Is(err, ErrBlocked) {
		t.Errorf("WriteFile to a missing folder: %v", err)
	}
	for _, f := range []string{filepath.Join(base, "outside", "escape.json"), filepath.Join(sub, "escape.json")} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Fatalf("%s written: %v", f, err)
		}
	}
	assertNoTemp(t, sub)
}

// TestWriteFileAtomic rewrites a file while readers check that they only
// ever see a whole version of it.
func TestWriteFileAtomic(t *testing.T) {
	root := filepath.Join(tree(t), "root")
	dir := filepath.Join(root, orgA)
	versions := [][]byte{bytes.Repeat([]byte("A"), 1<<20), bytes.Repeat([]byte("B"), 1<<20+17)}
	p, err := WriteFile([]string{root}, orgA, "", "data.bin", versions[0])
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
		if _, err := WriteFile([]string{root}, orgA, "", "data.bin", versions[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if v := bad.Load(); v != nil {
		t.Fatalf("reader saw: %v", v)
	}
	assertNoTemp(t, dir)
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
