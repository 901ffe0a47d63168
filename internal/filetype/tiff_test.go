package filetype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// tiffPageSpec is one page of a hand-built TIFF.
type tiffPageSpec struct{ w, h uint32 }

// buildTIFF returns an uncompressed 8-bit grayscale little-endian TIFF with
// one image file directory per page, chained in order. Each page's pixels
// are stored in one strip before its directory. If loop is true the last
// directory points back at the first.
func buildTIFF(pages []tiffPageSpec, loop bool) []byte {
	var b bytes.Buffer
	b.WriteString("II*\x00\x00\x00\x00\x00") // first IFD offset patched below
	le := binary.LittleEndian
	var prevNext int // where the previous "next IFD" offset is stored
	first := 0
	for i, p := range pages {
		strip := b.Len()
		b.Write(make([]byte, p.w*p.h))
		if b.Len()%2 == 1 {
			b.WriteByte(0)
		}
		ifd := b.Len()
		if i == 0 {
			first = ifd
			le.PutUint32(b.Bytes()[4:], uint32(ifd))
		} else {
			le.PutUint32(b.Bytes()[prevNext:], uint32(ifd))
		}
		entries := []struct {
			tag, typ uint16
			val      uint32
		}{
			{256, 4, p.w}, // ImageWidth
			{257, 4, p.h}, // ImageLength
			{258, 3, 8},   // BitsPerSample
			{259, 3, 1},   // Compression: none
			{262, 3, 1},   // PhotometricInterpretation: BlackIsZero
			{273, 4, uint32(strip)},
			{277, 3, 1},         // SamplesPerPixel
			{278, 4, p.h},       // RowsPerStrip
			{279, 4, p.w * p.h}, // StripByteCounts
		}
		var n [12]byte
		le.PutUint16(n[:2], uint16(len(entries)))
		b.Write(n[:2])
		for _, e := range entries {
			le.PutUint16(n[0:], e.tag)
			le.PutUint16(n[2:], e.typ)
			le.PutUint32(n[4:], 1)
			le.PutUint32(n[8:], 0)
			if e.typ == 3 {
				le.PutUint16(n[8:], uint16(e.val))
			} else {
				le.PutUint32(n[8:], e.val)
			}
			b.Write(n[:])
		}
		prevNext = b.Len()
		b.Write([]byte{0, 0, 0, 0})
	}
	if loop {
		le.PutUint32(b.Bytes()[prevNext:], uint32(first))
	}
	return b.Bytes()
}

func TestInspectMultiPageTIFF(t *testing.T) {
	data := buildTIFF([]tiffPageSpec{{20, 10}, {30, 15}, {8, 8}}, false)
	info, err := inspectBytes(data, DefaultLimits)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	want := Info{Kind: KindTIFF, ContentType: "image/tiff", Pages: 3, Width: 20, Height: 10}
	if info != want {
		t.Errorf("Inspect = %+v, want %+v", info, want)
	}
}

func TestInspectTIFFRefusals(t *testing.T) {
	three := buildTIFF([]tiffPageSpec{{20, 10}, {30, 15}, {8, 8}}, false)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"more pages than MaxPages", three, Limits{MaxPages: 2}, ErrTooLarge},
		{"second page over MaxDimension", buildTIFF([]tiffPageSpec{{20, 10}, {300, 1}}, false), Limits{MaxDimension: 100}, ErrTooLarge},
		{"directory loop", buildTIFF([]tiffPageSpec{{20, 10}, {30, 15}}, true), DefaultLimits, ErrCorrupt},
		{"cut inside the last page", three[:len(three)-20], DefaultLimits, ErrCorrupt},
		{"header only", three[:8], DefaultLimits, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inspectBytes(tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Inspect error = %v, want %v", err, tt.want)
			}
			t.Logf("%v", err)
		})
	}
}
