package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crescent-idp/crescent/internal/store/storetest"
)

// createDirectory asks for a directory destination at path and returns the
// status and the decoded body.
func createDirectory(t *testing.T, base, key, path string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": "drop", "type": "directory", "config": map[string]any{"path": path},
		"events": []string{"collection.processed"}})
	st, b := call(t, "POST", base+"/api/v0.4/destinations", key, "application/json", bytes.NewReader(body))
	var d map[string]any
	_ = json.Unmarshal(b, &d)
	return st, d
}

// testDelivery sends the test event to a destination and returns the
// delivery record.
func testDelivery(t *testing.T, base, key, id string) map[string]any {
	t.Helper()
	st, b := call(t, "POST", base+"/api/v0.4/destinations/"+id+"/test", key, "", nil)
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); st != 200 || err != nil {
		t.Fatalf("test delivery: %d %s", st, b)
	}
	return rec
}

// filesUnder lists the regular files under dir, relative to it.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestDirectoryDestinationsStayInTheirOrganization runs two organizations
// on one server with one --directory-root: each writes only under
// <root>/<its id>, and organization B cannot name A's folder by any
// spelling, at creation or at delivery.
func TestDirectoryDestinationsStayInTheirOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		root, err := filepath.EvalSymlinks(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		db := []string{"--data-dir", dir, "--database-url", dbURL}
		base := server(t, append(db, "--directory-root", root)...)
		keyA, _ := setup(t, base, db)
		_, me := get(t, base+"/api/v0.4/me", keyA)
		orgA, _ := me["orgId"].(string)
		var org, kb map[string]any
		if err := json.Unmarshal(cli(t, append([]string{"orgs", "create", "--name", "B"}, db...)...), &org); err != nil {
			t.Fatal(err)
		}
		orgB := org["id"].(string)
		if err := json.Unmarshal(cli(t, append([]string{"keys", "create", "--name", "b", "--org", orgB, "--all-scopes"}, db...)...), &kb); err != nil {
			t.Fatal(err)
		}
		keyB := kb["key"].(string)
		if orgA == "" || orgA == orgB {
			t.Fatalf("organizations %q and %q", orgA, orgB)
		}
		dirA, dirB := filepath.Join(root, orgA), filepath.Join(root, orgB)

		// A's destinations: its own folder and a folder in it, created.
		st, destA := createDirectory(t, base, keyA, "")
		if st != 201 {
			t.Fatalf("A's destination: %d %v", st, destA)
		}
		if st, d := createDirectory(t, base, keyA, "inbox"); st != 201 || d["config"].(map[string]any)["path"] != "inbox" {
			t.Fatalf("A's inbox: %d %v", st, d)
		}
		if fi, err := os.Stat(filepath.Join(dirA, "inbox")); err != nil || !fi.IsDir() {
			t.Fatalf("A's inbox was not created under %s: %v", dirA, err)
		}
		st, destB := createDirectory(t, base, keyB, "out")
		if st != 201 {
			t.Fatalf("B's destination: %d %v", st, destB)
		}

		// Links in B's folder that lead to A's, by absolute and relative targets.
		must(t, os.Symlink(dirA, filepath.Join(dirB, "abslink")))
		must(t, os.Symlink(filepath.Join("..", orgA), filepath.Join(dirB, "rellink")))
		must(t, os.Symlink("..", filepath.Join(dirB, "up")))
		for _, p := range []string{
			dirA, dirA + "/inbox", dirA + "/", root + "/./" + orgA, "/" + orgA, root, "/",
			"../" + orgA, "../" + orgA + "/inbox", "out/../../" + orgA, "./../" + orgA, "..", "../",
			"abslink", "abslink/inbox", "rellink", "rellink/inbox", "up/" + orgA, "up", "up/" + orgA + "/new",
		} {
			st, body := createDirectory(t, base, keyB, p)
			errs, _ := body["errors"].([]any)
			if st != 400 || body["status"] != 400.0 || len(errs) == 0 {
				t.Errorf("B created a destination at %q: %d %v", p, st, body)
				continue
			}
			msg, _ := errs[0].(map[string]any)["message"].(string)
			if loc := errs[0].(map[string]any)["location"]; loc != "body: config.path" || strings.Contains(msg, root) && !strings.Contains(p, root) {
				t.Errorf("refusal of %q: location %v, message %q", p, loc, msg)
			}
		}
		if _, err := os.Stat(filepath.Join(dirA, "new")); !os.IsNotExist(err) {
			t.Fatalf("B created a folder in A's: %v", err)
		}

		// Deliveries land in each organization's own folder.
		for _, c := range []struct{ key, id string }{{keyA, destA["id"].(string)}, {keyB, destB["id"].(string)}} {
			if rec := testDelivery(t, base, c.key, c.id); rec["status"] != "Succeeded" {
				t.Fatalf("test delivery: %v", rec)
			}
		}
		if pdf, err := os.ReadFile(fixturePDF); err == nil {
			st, b := call(t, "POST", base+"/api/v0.3/processes", keyB, "application/json",
				bytes.NewReader([]byte(`{"name":"Invoices","processTypeId":"bbe7f45aea884e74bbd011a5f57e87f0"}`)))
			var p struct{ ID string }
			if err := json.Unmarshal(b, &p); st != 201 || err != nil {
				t.Fatalf("B's process: %d %s", st, b)
			}
			body, ct := multipartPDF(t, pdf)
			_, b = call(t, "POST", base+"/api/v0.3/processes/"+p.ID+"/collections", keyB, ct, body)
			var col struct{ ID string }
			_ = json.Unmarshal(b, &col)
			waitFinal(t, base, keyB, col.ID)
			want := filepath.Join(dirB, "out", col.ID+"-collection.processed.json")
			waitFor(t, "B's collection.processed file", 60*time.Second, func() bool { _, err := os.Stat(want); return err == nil })
		}

		// A folder swapped for a link to A's after creation is refused at delivery.
		st, destSwap := createDirectory(t, base, keyB, "swap")
		if st != 201 {
			t.Fatalf("B's swap destination: %d %v", st, destSwap)
		}
		must(t, os.Remove(filepath.Join(dirB, "swap")))
		must(t, os.Symlink(dirA, filepath.Join(dirB, "swap")))
		rec := testDelivery(t, base, keyB, destSwap["id"].(string))
		if rec["status"] != "Abandoned" || !strings.Contains(rec["error"].(string), "outside this organization's folder") {
			t.Fatalf("delivery through a swapped link: %v", rec)
		}

		if got := filesUnder(t, dirA); strings.Join(got, ",") != "test-destination.test.json" {
			t.Errorf("files in A's folder: %v", got)
		}
		for _, f := range filesUnder(t, root) {
			if !strings.HasPrefix(f, orgA+"/") && !strings.HasPrefix(f, orgB+"/out/") {
				t.Errorf("file outside the organizations' folders: %s", f)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
