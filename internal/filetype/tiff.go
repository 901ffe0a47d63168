package filetype

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/image/tiff"
)

// TIFF tags read while walking the pages.
const (
	tagImageWidth      = 256
	tagImageLength     = 257
	tagStripOffsets    = 273
	tagStripByteCounts = 279
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
)

// maxTIFFChunks bounds how many strip or tile offsets of one page are read,
// so that the pages of a hostile file cannot make Inspect read much more
// than lim.MaxPages times 256 KiB.
const maxTIFFChunks = 1 << 16

// errTooManyChunks is returned by tiffReader.array for more than
// maxTIFFChunks values.
var errTooManyChunks = errors.New("too many strips or tiles")

// inspectTIFF checks a classic TIFF: x/image/tiff must read the first page's
// header, and the chain of image file directories (one per page) is walked
// by hand, at most lim.MaxPages+1 of them, checking each page's size and
// that its image data lies inside the file. It returns ErrUnsupported for a
// variant x/image/tiff cannot read, ErrCorrupt for a damaged or truncated
// file and ErrTooLarge for too many pages or pixels.
func inspectTIFF(r io.ReaderAt, size int64, lim Limits) (Info, error) {
	if _, err := tiff.DecodeConfig(io.NewSectionReader(r, 0, size)); err != nil {
		var unsupported tiff.UnsupportedError
		if errors.As(err, &unsupported) {
			return Info{}, unsupportedf("the TIFF uses a variant that is not supported: %w", err)
		}
		return Info{}, corruptf("the TIFF header is truncated or damaged: %w", err)
	}
	head, err := readAt(r, 0, 8)
	if err != nil {
		return Info{}, corruptf("the TIFF header is truncated")
	}
	t := tiffReader{r: r, size: size, order: binary.LittleEndian}
	if head[0] == 'M' {
		t.order = binary.BigEndian
	}
	info := Info{Kind: KindTIFF, ContentType: "image/tiff"}
	seen := make(map[uint32]bool)
	for off := t.order.Uint32(head[4:8]); off != 0; info.Pages++ {
		if info.Pages == lim.MaxPages {
			return Info{}, tooLargef("the TIFF has more than %d pages, the limit", lim.MaxPages)
		}
		if seen[off] {
			return Info{}, corruptf("the TIFF is damaged: its page directories form a loop")
		}
		seen[off] = true
		page, err := t.page(off, info.Pages+1)
		if err != nil {
			return Info{}, err
		}
		if err := checkSize(fmt.Sprintf("TIFF page %d", info.Pages+1), page.width, page.height, lim); err != nil {
			return Info{}, err
		}
		if info.Pages == 0 {
			info.Width, info.Height = page.width, page.height
		}
		off = page.next
	}
	if info.Pages == 0 {
		return Info{}, corruptf("the TIFF is damaged: it has no pages")
	}
	return info, nil
}

// tiffReader reads the image file directories of a classic TIFF.
type tiffReader struct {
	r     io.ReaderAt
	size  int64
	order binary.ByteOrder
}

// tiffPage is what is kept of one image file directory.
type tiffPage struct {
	width, height int
	next          uint32 // offset of the next directory, 0 for none
}

// page reads the directory at off, the n-th page, and checks that its image
// data lies inside the file. It returns ErrCorrupt otherwise.
func (t tiffReader) page(off uint32, n int) (tiffPage, error) {
	damaged := func(what string) error {
		return corruptf("the TIFF is truncated or damaged: page %d %s", n, what)
	}
	countBytes, err := readAt(t.r, int64(off), 2)
	if err != nil {
		return tiffPage{}, damaged("lies past the end of the file")
	}
	count := int64(t.order.Uint16(countBytes))
	if count == 0 {
		return tiffPage{}, damaged("has an empty directory")
	}
	if int64(off)+2+count*12+4 > t.size {
		return tiffPage{}, damaged("has a directory cut short by the end of the file")
	}
	dir, err := readAt(t.r, int64(off)+2, count*12+4)
	if err != nil {
		return tiffPage{}, damaged("has a directory cut short by the end of the file")
	}
	var p tiffPage
	entries := make(map[uint16][]byte, count)
	for i := range count {
		e := dir[i*12 : i*12+12]
		entries[t.order.Uint16(e[:2])] = e
	}
	p.next = t.order.Uint32(dir[count*12:])
	w, okW := t.scalar(entries[tagImageWidth])
	h, okH := t.scalar(entries[tagImageLength])
	if !okW || !okH {
		return tiffPage{}, damaged("has no valid width or height")
	}
	p.width, p.height = int(w), int(h)
	offTag, countTag := tagStripOffsets, tagStripByteCounts
	if entries[tagStripOffsets] == nil {
		offTag, countTag = tagTileOffsets, tagTileByteCounts
	}
	offsets, err1 := t.array(entries[uint16(offTag)])
	counts, err2 := t.array(entries[uint16(countTag)])
	if errors.Is(err1, errTooManyChunks) || errors.Is(err2, errTooManyChunks) {
		return tiffPage{}, tooLargef("the TIFF page %d is split into more than %d strips or tiles, the limit", n, maxTIFFChunks)
	}
	if err1 != nil || err2 != nil || len(offsets) == 0 || len(offsets) != len(counts) {
		return tiffPage{}, damaged("has missing or invalid image data offsets")
	}
	for i := range offsets {
		if int64(offsets[i])+int64(counts[i]) > t.size {
			return tiffPage{}, damaged("has image data past the end of the file")
		}
	}
	return p, nil
}

// scalar returns the single SHORT or LONG value of entry e.
func (t tiffReader) scalar(e []byte) (uint32, bool) {
	if e == nil || t.order.Uint32(e[4:8]) != 1 {
		return 0, false
	}
	switch t.order.Uint16(e[2:4]) {
	case 3: // SHORT
		return uint32(t.order.Uint16(e[8:10])), true
	case 4: // LONG
		return t.order.Uint32(e[8:12]), true
	}
	return 0, false
}

// array returns the SHORT or LONG values of entry e, reading them from the
// file when they do not fit in the entry. It fails for a missing entry, an
// unexpected type, more than maxTIFFChunks values (errTooManyChunks) or values past the end.
func (t tiffReader) array(e []byte) ([]uint32, error) {
	if e == nil {
		return nil, errors.New("missing entry")
	}
	width := int64(0)
	switch t.order.Uint16(e[2:4]) {
	case 3:
		width = 2
	case 4:
		width = 4
	default:
		return nil, errors.New("unexpected type")
	}
	n := int64(t.order.Uint32(e[4:8]))
	if n == 0 {
		return nil, errors.New("no values")
	}
	if n > maxTIFFChunks {
		return nil, errTooManyChunks
	}
	raw := e[8:12]
	if n*width > 4 {
		off := int64(t.order.Uint32(e[8:12]))
		if off+n*width > t.size {
			return nil, errors.New("values past the end of the file")
		}
		var err error
		if raw, err = readAt(t.r, off, n*width); err != nil {
			return nil, err
		}
	}
	vals := make([]uint32, n)
	for i := range vals {
		if width == 2 {
			vals[i] = uint32(t.order.Uint16(raw[i*2:]))
		} else {
			vals[i] = t.order.Uint32(raw[i*4:])
		}
	}
	return vals, nil
}
