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

// CheckDirectory validates the path of a directory destination: an
// absolute path to an existing directory that, after filepath.Clean, lies
// under one of allowedRoots (absolute paths), and still does after
// resolving symbolic links in both.
//
// CheckDirectory returns nil or an error whose message, safe to show to
// the caller, names dir and the reason; refusals because dir is outside
// every root (or no root is allowed) also match ErrBlocked. Nothing outside
// the roots is looked at, so the message tells nothing about it.
func CheckDirectory(allowedRoots []string, dir string) error {
	_, _, err := locate(allowedRoots, dir)
	return err
}

// WriteFile writes data to the file SafeName(name) in dir, atomically:
// into a temporary file in dir whose name starts with a dot, which is
// synced, renamed over the final name and followed by a sync of the
// directory. Readers see either the earlier file or the whole new one,
// never a partial file. dir must pass CheckDirectory; the file is created
// and renamed through an os.Root at the allowed root, so a symbolic link
// swapped in after the check cannot lead outside it, and an existing
// symbolic link at the final name is replaced, not followed.
//
// WriteFile returns the final path (with symbolic links resolved). It fails
// as CheckDirectory does, with a caller-safe error if name has no safe
// character, or with the I/O error, leaving no temporary file behind.
func WriteFile(allowedRoots []string, dir, name string, data []byte) (string, error) {
	safe := SafeName(name)
	if safe == "" {
		return "", refuse(nil, fmt.Sprintf("file name %q has no usable characters", name))
	}
	rootPath, rel, err := locate(allowedRoots, dir)
	if err != nil {
		return "", err
	}
	root, err := os.OpenRoot(rootPath)
	if err != nil {
		return "", fmt.Errorf("deliver: open root: %w", err)
	}
	defer root.Close()
	d, err := root.OpenRoot(rel)
	if err != nil {
		return "", fmt.Errorf("deliver: open directory: %w", err)
	}
	defer d.Close()
	if err := writeAtomic(d, safe, data); err != nil {
		return "", fmt.Errorf("deliver: write %s: %w", safe, err)
	}
	return filepath.Join(rootPath, rel, safe), nil
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

// locate resolves dir and returns the allowed root it lies under (with
// symbolic links resolved) and dir's path relative to it.
func locate(allowedRoots []string, dir string) (root, rel string, err error) {
	if len(allowedRoots) == 0 {
		return "", "", refuse(ErrBlocked, "directory destinations are not enabled on this server")
	}
	if dir == "" || strings.ContainsRune(dir, 0) || !filepath.IsAbs(dir) {
		return "", "", refuse(nil, fmt.Sprintf("directory %q must be an absolute path", dir))
	}
	clean := filepath.Clean(dir)
	outside := refuse(ErrBlocked, fmt.Sprintf("directory %q is not under a directory this server allows", dir))
	var roots []string
	for _, r := range allowedRoots {
		if r != "" && filepath.IsAbs(r) {
			if _, ok := within(filepath.Clean(r), clean); ok {
				roots = append(roots, filepath.Clean(r))
			}
		}
	}
	if len(roots) == 0 {
		return "", "", outside
	}
	real, err := filepath.EvalSymlinks(clean)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", refuse(err, fmt.Sprintf("directory %q does not exist", dir))
	}
	if err != nil {
		return "", "", refuse(err, fmt.Sprintf("directory %q cannot be read", dir))
	}
	for _, r := range roots {
		realRoot, err := filepath.EvalSymlinks(r)
		if err != nil {
			continue
		}
		if rel, ok := within(realRoot, real); ok {
			if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
				return "", "", refuse(err, fmt.Sprintf("%q is not a directory", dir))
			}
			return realRoot, rel, nil
		}
	}
	return "", "", outside
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
