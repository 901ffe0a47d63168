package deliver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// maxNameBytes bounds a file name written by WriteFile.
const maxNameBytes = 200

// maxExtBytes is the longest extension SafeName keeps when it shortens a
// name.
const maxExtBytes = 16

// dirMode is the mode of the folders PrepareDirectory creates.
const dirMode = 0o750

// PrepareDirectory validates the path of a directory destination of the
// organization orgID and creates what is missing. Each organization has
// its own folder, named by its id, under each of allowedRoots (absolute
// paths): <root>/<orgID>. dir is a path relative to that folder ("" or "."
// for the folder itself) with no ".." element; it is looked for under each
// root in turn, and created (with the organization's folder, mode 0750)
// under the first root if it exists under none. Symbolic links are
// followed only while they stay inside the organization's folder, and the
// organization's folder itself must not be one.
//
// PrepareDirectory returns dir cleaned, to be stored and given to
// WriteFile, or an error whose message, safe to show to the caller, names
// dir and the reason, never a server path. Refusals because dir is
// absolute, climbs with "..", leads out of the organization's folder
// through a symbolic link, or because no root is allowed, also match
// ErrBlocked.
func PrepareDirectory(allowedRoots []string, orgID, dir string) (string, error) {
	rel, err := cleanDir(dir)
	if err != nil {
		return "", err
	}
	if _, _, err := locate(allowedRoots, orgID, rel, true); err != nil {
		return "", err
	}
	return rel, nil
}

// WriteFile writes data to the file SafeName(name) in the directory dir of
// the organization orgID (see PrepareDirectory), atomically: into a
// temporary file in dir whose name starts with a dot, which is synced,
// renamed over the final name and followed by a sync of the directory.
// Readers see either the earlier file or the whole new one, never a
// partial file. The file is created and renamed through an os.Root at the
// organization's folder, so a symbolic link swapped in after the check
// cannot lead outside it, and an existing symbolic link at the final name
// is replaced, not followed. WriteFile creates no folder.
//
// WriteFile returns the final path (with symbolic links resolved). It fails
// as PrepareDirectory does, also if dir does not exist, with a
// caller-safe error if name has no safe character, or with the I/O error,
// leaving no temporary file behind.
func WriteFile(allowedRoots []string, orgID, dir, name string, data []byte) (string, error) {
	safe := SafeName(name)
	if safe == "" {
		return "", refuse(nil, fmt.Sprintf("file name %q has no usable characters", name))
	}
	rel, err := cleanDir(dir)
	if err != nil {
		return "", err
	}
	orgDir, real, err := locate(allowedRoots, orgID, rel, false)
	if err != nil {
		return "", err
	}
	root, err := openOrgDir(orgDir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	d, err := root.OpenRoot(real)
	if err != nil {
		return "", refuse(err, fmt.Sprintf("directory %q cannot be opened", dir))
	}
	defer d.Close()
	if err := writeAtomic(d, safe, data); err != nil {
		return "", fmt.Errorf("deliver: write %s: %w", safe, err)
	}
	return filepath.Join(orgDir, real, safe), nil
}

// writeAtomic writes data to name in d through a synced temporary file.
func writeAtomic(d *os.Root, name string, data []byte) (err error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := ".crescent-" + hex.EncodeToString(rnd[:]) + ".tmp"
	f, err := d.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = d.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := d.Rename(tmp, name); err != nil {
		return err
	}
	df, err := d.Open(".")
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer df.Close()
	if err := df.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// cleanDir checks the form of a destination's directory, relative to its
// organization's folder, and returns it cleaned ("." for the folder).
func cleanDir(dir string) (string, error) {
	switch {
	case strings.ContainsRune(dir, 0):
		return "", refuse(nil, fmt.Sprintf("directory %q contains a NUL byte", dir))
	case filepath.IsAbs(dir):
		return "", refuse(ErrBlocked, fmt.Sprintf("directory %q must be a path relative to this organization's folder, not an absolute path", dir))
	}
	for _, elem := range strings.Split(filepath.ToSlash(dir), "/") {
		if elem == ".." {
			return "", refuse(ErrBlocked, fmt.Sprintf("directory %q must not contain \"..\"", dir))
		}
	}
	if dir == "" {
		return ".", nil
	}
	return filepath.Clean(dir), nil
}

// locate finds the clean relative directory rel of organization orgID
// under the allowed roots, creating it under the first root if it exists
// under none and create is set. It returns the organization's folder (with
// symbolic links resolved) and rel relative to it with links resolved.
func locate(allowedRoots []string, orgID, rel string, create bool) (orgDir, real string, err error) {
	var roots []string
	for _, r := range allowedRoots {
		if r != "" && filepath.IsAbs(r) {
			roots = append(roots, filepath.Clean(r))
		}
	}
	if len(roots) == 0 {
		return "", "", refuse(ErrBlocked, "directory destinations are not enabled on this server")
	}
	if orgID == "" || !filepath.IsLocal(orgID) || strings.ContainsAny(orgID, `/\.`) {
		return "", "", refuse(ErrBlocked, "directory destinations need an organization")
	}
	shown := rel
	if rel == "." {
		shown = ""
	}
	for _, r := range roots {
		realRoot, err := filepath.EvalSymlinks(r)
		if err != nil {
			continue
		}
		orgDir := filepath.Join(realRoot, orgID)
		if err := plainDir(orgDir); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", err
		}
		real, err := inside(orgDir, rel, shown)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return orgDir, real, err
	}
	if !create {
		return "", "", refuse(fs.ErrNotExist, fmt.Sprintf("directory %q does not exist in this organization's folder", shown))
	}
	realRoot, err := filepath.EvalSymlinks(roots[0])
	if err != nil {
		return "", "", refuse(err, "the directory root of this server cannot be read; ask the operator")
	}
	orgDir = filepath.Join(realRoot, orgID)
	if err := os.Mkdir(orgDir, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", "", refuse(err, "this organization's folder cannot be created; ask the operator")
	}
	if err := plainDir(orgDir); err != nil {
		return "", "", err
	}
	// Refuse a link out before creating anything through it.
	existing := rel
	for existing != "." {
		if _, err := os.Lstat(filepath.Join(orgDir, existing)); err == nil {
			break
		}
		existing = filepath.Dir(existing)
	}
	if _, err := inside(orgDir, existing, shown); err != nil {
		return "", "", err
	}
	root, err := openOrgDir(orgDir)
	if err != nil {
		return "", "", err
	}
	defer root.Close()
	if err := root.MkdirAll(rel, dirMode); err != nil {
		return "", "", refuse(err, fmt.Sprintf("directory %q cannot be created", shown))
	}
	real, err = inside(orgDir, rel, shown)
	return orgDir, real, err
}

// plainDir checks that the organization's folder p is a directory and not
// a symbolic link, which could make two organizations share one folder.
func plainDir(p string) error {
	fi, err := os.Lstat(p)
	switch {
	case err != nil: // still matches fs.ErrNotExist
		return refuse(err, "this organization's folder cannot be read; ask the operator")
	case !fi.IsDir():
		return refuse(ErrBlocked, "this organization's folder is not a directory; ask the operator")
	}
	return nil
}

// openOrgDir opens an os.Root at the organization's folder and checks it
// is still the directory plainDir looked at.
func openOrgDir(orgDir string) (*os.Root, error) {
	before, err := os.Lstat(orgDir)
	if err != nil || !before.IsDir() {
		return nil, refuse(ErrBlocked, "this organization's folder is not a directory; ask the operator")
	}
	root, err := os.OpenRoot(orgDir)
	if err != nil {
		return nil, refuse(err, "this organization's folder cannot be opened; ask the operator")
	}
	if after, err := root.Stat("."); err != nil || !os.SameFile(before, after) {
		root.Close()
		return nil, refuse(ErrBlocked, "this organization's folder changed while it was opened")
	}
	return root, nil
}

// inside resolves the symbolic links of the relative path rel in orgDir
// and returns it relative to orgDir, or a refusal if it leads outside or
// is not a directory. It returns an error matching fs.ErrNotExist if rel
// does not exist. shown is rel as the caller named it.
func inside(orgDir, rel, shown string) (string, error) {
	real, err := filepath.EvalSymlinks(filepath.Join(orgDir, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return "", refuse(err, fmt.Sprintf("directory %q does not exist in this organization's folder", shown))
	}
	if err != nil {
		return "", refuse(err, fmt.Sprintf("directory %q cannot be read", shown))
	}
	r, ok := within(orgDir, real)
	if !ok {
		return "", refuse(ErrBlocked, fmt.Sprintf("directory %q leads outside this organization's folder", shown))
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", refuse(err, fmt.Sprintf("%q is not a directory", shown))
	}
	return r, nil
}

// within reports whether the clean absolute path p is root or lies under
// it, and returns p relative to root.
func within(root, p string) (string, bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// SafeName returns s made safe as a file name: every run of characters
// other than ASCII letters, digits, '.', '_' and '-' becomes one '_',
// leading dots are removed, and a result longer than 200 bytes is cut,
// keeping an extension of up to 16 bytes. It returns "" if nothing usable
// is left, as for "", "." and "..".
func SafeName(s string) string {
	var b strings.Builder
	replaced := false
	for _, r := range s {
		if r < utf8.RuneSelf && safeByte(byte(r)) {
			b.WriteRune(r)
			replaced = false
		} else if !replaced {
			b.WriteByte('_')
			replaced = true
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if len(out) > maxNameBytes {
		ext := filepath.Ext(out)
		if len(ext) > maxExtBytes {
			ext = ""
		}
		out = out[:maxNameBytes-len(ext)] + ext
	}
	return out
}

func safeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}
