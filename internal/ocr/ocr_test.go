package ocr

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeTesseract writes a shell script standing in for tesseract: it
// answers --list-langs with eng, deu and osd (counting the calls in the
// file "probes" of its directory), and runs body for anything else.
func fakeTesseract(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake tesseract is a shell script")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\n" +
		"dir=$(dirname \"$0\")\n" +
		"if [ \"$1\" = --list-langs ]; then\n" +
		"  echo probe >> \"$dir/probes\"\n" +
		"  printf 'List of available languages in \"/fake/\" (3):\\ndeu\\neng\\nosd\\n'\n" +
		"  exit 0\n" +
		"fi\n" + body + "\n"
	path := filepath.Join(dir, "tesseract")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseLanguages(t *testing.T) {
	tests := []struct {
		name, out string
		want      []string
	}{
		{"tesseract 5", "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (5):\ndeu\neng\nfra\nosd\npol\n", []string{"deu", "eng", "fra", "pol"}},
		{"tesseract 3", "List of available languages (2):\r\neng\r\nchi_sim\r\n", []string{"chi_sim", "eng"}},
		{"none", "List of available languages in \"/nonexistent/\" (0):\n", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseLanguages([]byte(tt.out)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLastLine(t *testing.T) {
	tests := []struct{ stderr, want string }{
		{"", ""},
		{"\n\n", ""},
		{"Estimating resolution as 124\nImage file x.png cannot be read!\nError during processing.\n", "Image file x.png cannot be read!"},
		{"Error during processing.\n", "Error during processing."},
		{"Failed loading language 'xyz'\nTesseract couldn't load any languages!\nCould not initialize tesseract.\n", "Could not initialize tesseract."},
		{"bad \xff byte", "bad \uFFFD byte"},
	}
	for _, tt := range tests {
		if got := lastLine([]byte(tt.stderr)); got != tt.want {
			t.Errorf("lastLine(%q) = %q, want %q", tt.stderr, got, tt.want)
		}
	}
}

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{max: 8}
	for _, s := range []string{"abc", "defgh", "ij", "0123456789", "xy"} {
		if n, err := tb.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := string(tb.buf); got != "456789xy" {
		t.Errorf("tail = %q, want %q", got, "456789xy")
	}
}

func TestBoundedBuffer(t *testing.T) {
	bb := &boundedBuffer{max: 4}
	if _, err := bb.Write([]byte("abcd")); err != nil {
		t.Fatal(err)
	}
	if _, err := bb.Write([]byte("e")); !errors.Is(err, errOutputTooLarge) {
		t.Errorf("err = %v, want errOutputTooLarge", err)
	}
}

func TestMissingBinary(t *testing.T) {
	e := New(Config{Binary: filepath.Join(t.TempDir(), "tesseract")})
	err := e.Check(t.Context())
	if !errors.Is(err, ErrUnavailable) || !strings.HasPrefix(err.Error(), "OCR unavailable") {
		t.Errorf("Check = %v, want an error wrapping ErrUnavailable", err)
	}
	if _, err := e.Recognize(t.Context(), image.NewGray(image.Rect(0, 0, 10, 10)), nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Recognize = %v, want an error wrapping ErrUnavailable", err)
	}
	e = New(Config{Binary: "crescent-no-such-tesseract"})
	if err := e.Check(t.Context()); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Check = %v, want ErrUnavailable saying not found", err)
	}
}

func TestCheckCachesTheAnswer(t *testing.T) {
	bin := fakeTesseract(t, "exit 1")
	e := New(Config{Binary: bin})
	now := time.Unix(1e9, 0)
	e.now = func() time.Time { return now }
	probes := func() int {
		data, _ := os.ReadFile(filepath.Join(filepath.Dir(bin), "probes"))
		return strings.Count(string(data), "probe")
	}
	for range 3 {
		if err := e.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	langs, err := e.Languages(t.Context())
	if err != nil || !slices.Equal(langs, []string{"deu", "eng"}) {
		t.Errorf("Languages = %q, %v, want deu, eng (osd left out)", langs, err)
	}
	if n := probes(); n != 1 {
		t.Errorf("%d probes within the TTL, want 1", n)
	}
	now = now.Add(checkTTL)
	if err := e.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := probes(); n != 2 {
		t.Errorf("%d probes after the TTL, want 2", n)
	}

	// A caller's cancelled context is not cached as "unavailable".
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	now = now.Add(checkTTL)
	if err := e.Check(ctx); err == nil {
		t.Error("Check with a cancelled context = nil")
	}
	if err := e.Check(t.Context()); err != nil {
		t.Errorf("Check after a cancelled probe = %v", err)
	}
}

func TestCheckNoLanguages(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "tesseract")
	script := "#!/bin/sh\nprintf 'List of available languages in \"/nonexistent/\" (0):\\n'\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	err := New(Config{Binary: bin}).Check(t.Context())
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no installed languages") {
		t.Errorf("Check = %v, want ErrUnavailable saying no languages", err)
	}
}

func TestRecognizeRunsTesseract(t *testing.T) {
	// The fake records its arguments and environment, keeps a copy of the
	// input image and prints one word.
	bin := fakeTesseract(t, `printf '%s\n' "$@" > "$dir/args"
cp "$1" "$dir/input.png"
printf 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n'
printf '1\t1\t0\t0\t0\t0\t0\t0\t40\t20\t-1\t\n'
printf '5\t1\t1\t1\t1\t1\t4\t2\t20\t10\t90.5\tthreads=%s\n' "$OMP_THREAD_LIMIT"`)
	dir := filepath.Dir(bin)
	e := New(Config{Binary: bin, DPI: 300})
	img := image.NewGray(image.Rect(10, 10, 50, 30))
	img.SetGray(20, 15, color.Gray{Y: 7})
	p, err := e.Recognize(t.Context(), img, []string{"eng", "deu", "eng"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "args"))
	args := strings.Fields(string(data))
	want := []string{"stdout", "-l", "eng+deu", "--psm", "3", "--dpi", "300", "tsv"}
	if len(args) == 0 || !slices.Equal(args[1:], want) {
		t.Errorf("args = %q, want <png> %q", args, want)
	}
	if len(args) > 0 {
		if _, err := os.Stat(args[0]); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the temporary PNG %s was not removed (stat: %v)", args[0], err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "input.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if in.Bounds().Dx() != 40 || in.Bounds().Dy() != 20 || in.At(10, 5) != (color.Gray{Y: 7}) {
		t.Errorf("tesseract was given a %v image that differs from the input", in.Bounds())
	}
	if len(p.Words) != 1 || p.Words[0].Text != "threads=1" || p.Words[0].Conf != 0.905 ||
		p.Words[0].Box() != [4]float64{0.1, 0.1, 0.6, 0.6} || p.Width != 40 || p.Height != 20 {
		t.Errorf("page = %+v", p)
	}

	// Without DPI, tesseract is left to find the resolution.
	if _, err := New(Config{Binary: bin}).Recognize(t.Context(), img, nil); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "args"))
	if args := strings.Fields(string(data)); slices.Contains(args, "--dpi") || !slices.Contains(args, "eng") {
		t.Errorf("args = %q, want -l eng and no --dpi", args)
	}
}

func TestRecognizeFailures(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 10, 10))
	t.Run("last stderr line", func(t *testing.T) {
		bin := fakeTesseract(t, "printf 'Estimating resolution as 70\\nImage file %s cannot be read!\\nError during processing.\\n' \"$1\" >&2\nexit 1")
		_, err := New(Config{Binary: bin}).Recognize(t.Context(), img, nil)
		if err == nil || !strings.Contains(err.Error(), "cannot be read!") || !strings.Contains(err.Error(), "exit status 1") {
			t.Errorf("err = %v, want the exit status and the last stderr line", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		bin := fakeTesseract(t, "exec sleep 10")
		start := time.Now()
		_, err := New(Config{Binary: bin, PageTimeout: 100 * time.Millisecond}).Recognize(t.Context(), img, nil)
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("err = %v, want ErrTimeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Recognize took %v after a 100ms timeout", d)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		bin := fakeTesseract(t, "exec sleep 10")
		e := New(Config{Binary: bin})
		if err := e.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		if _, err := e.Recognize(ctx, img, nil); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
			t.Errorf("err = %v, want the caller's context error", err)
		}
	})
	t.Run("language", func(t *testing.T) {
		bin := fakeTesseract(t, "exit 1")
		_, err := New(Config{Binary: bin}).Recognize(t.Context(), img, []string{"eng", "pol", "osd"})
		if !errors.Is(err, ErrLanguage) || !strings.Contains(err.Error(), `"pol", "osd" requested; installed: deu, eng`) {
			t.Errorf("err = %v, want ErrLanguage naming pol, osd and the installed languages", err)
		}
	})
	t.Run("garbage output", func(t *testing.T) {
		bin := fakeTesseract(t, "echo 'not tsv'")
		_, err := New(Config{Binary: bin}).Recognize(t.Context(), img, nil)
		if err == nil || !strings.Contains(err.Error(), "reading tesseract output") {
			t.Errorf("err = %v, want a TSV error", err)
		}
	})
	t.Run("empty image", func(t *testing.T) {
		_, err := New(Config{Binary: "unused"}).Recognize(t.Context(), image.NewGray(image.Rect(0, 0, 0, 5)), nil)
		if err == nil || !strings.Contains(err.Error(), "empty image") {
			t.Errorf("err = %v, want an empty-image error", err)
		}
	})
	t.Run("no file", func(t *testing.T) {
		_, err := New(Config{Binary: "unused"}).RecognizeFile(t.Context(), filepath.Join(t.TempDir(), "x.png"), nil)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})
}
