package filetype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/crescent-idp/crescent/internal/testenv"
)

// corpusDir is the shared test corpus, relative to this package.
const corpusDir = "../../../shared/corpus"

// corpusFiles returns the files matching pattern under corpusDir, skipping
// the test if the corpus is missing.
func corpusFiles(t testing.TB, patterns ...string) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		testenv.Missing(t, "the corpus at "+corpusDir+": "+err.Error())
	}
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(corpusDir, p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		testenv.Missing(t, fmt.Sprintf("corpus files matching %v", patterns))
	}
	return files
}

// hugePNG returns a PNG whose IHDR declares w×h RGB pixels, followed by an
// empty IEND, with correct CRCs: a header-only bomb.
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	writeChunk(&b, "IHDR", ihdr)
	writeChunk(&b, "IEND", nil)
	return b.Bytes()
}

// writeChunk appends one PNG chunk to b.
func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}

func TestInspectCorpusPNG(t *testing.T) {
	for _, f := range corpusFiles(t, "*/*.png") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			info, err := inspectBytes(data, DefaultLimits)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if info.Kind != KindPNG || info.Pages != 1 || info.Width == 0 || info.Height == 0 {
				t.Errorf("Inspect = %+v, want a PNG with a size", info)
			}
			if _, err := inspectBytes(data[:len(data)/3], DefaultLimits); !errors.Is(err, ErrCorrupt) {
				t.Errorf("first third: error = %v, want ErrCorrupt", err)
			}
		})
	}
}
