package filetype

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// imageFormat says how to read one single-image format's header.
type imageFormat struct {
	name        string
	contentType string
	decode      func(io.Reader) (image.Config, error)
}

// imageFormats maps each single-image kind to its header reader.
var imageFormats = map[Kind]imageFormat{
	KindPNG:  {"PNG", "image/png", png.DecodeConfig},
	KindJPEG: {"JPEG", "image/jpeg", jpeg.DecodeConfig},
	KindGIF:  {"GIF", "image/gif", gif.DecodeConfig},
	KindWebP: {"WebP", "image/webp", webp.DecodeConfig},
	KindBMP:  {"BMP", "image/bmp", bmp.DecodeConfig},
}

// inspectImage reads the header of a PNG, JPEG, GIF, WebP or BMP with the
// format's DecodeConfig, checks its size against lim and checks that the
// file is not cut short. It returns ErrUnsupported for a variant the Go
// decoders cannot read, ErrCorrupt for a damaged or truncated file and
// ErrTooLarge for an image over lim.
func inspectImage(r io.ReaderAt, size int64, kind Kind, lim Limits) (Info, error) {
	f := imageFormats[kind]
	if kind == KindPNG && size >= 24 {
		// The declared size decides before the header's checksum does: a
		// pixel flood is refused as too large whatever else is wrong.
		if ihdr, err := readAt(r, 16, 8); err == nil {
			w, h := int(binary.BigEndian.Uint32(ihdr[:4])), int(binary.BigEndian.Uint32(ihdr[4:]))
			if w > 0 && h > 0 {
				if err := checkSize(f.name, w, h, lim); err != nil {
					return Info{}, err
				}
			}
		}
	}
	cfg, err := f.decode(io.NewSectionReader(r, 0, size))
	if err != nil {
		if isUnsupportedVariant(err) {
			return Info{}, unsupportedf("the %s uses a variant that is not supported: %w", f.name, err)
		}
		return Info{}, corruptf("the %s header is truncated or damaged: %w", f.name, err)
	}
	if err := checkSize(f.name, cfg.Width, cfg.Height, lim); err != nil {
		return Info{}, err
	}
	if err := checkComplete(r, size, kind, cfg); err != nil {
		return Info{}, err
	}
	return Info{Kind: kind, ContentType: f.contentType, Pages: 1, Width: cfg.Width, Height: cfg.Height}, nil
}

// isUnsupportedVariant reports whether a decoder refused a valid file it
// cannot read, as opposed to a damaged one.
func isUnsupportedVariant(err error) bool {
	var pngErr png.UnsupportedError
	var jpegErr jpeg.UnsupportedError
	return errors.As(err, &pngErr) || errors.As(err, &jpegErr) || errors.Is(err, bmp.ErrUnsupported)
}

// The end markers looked for in the last tailLen bytes of a file.
var (
	pngEnd  = []byte("IEND\xaeB`\x82") // the IEND chunk type and its fixed CRC
	jpegEnd = []byte("\xff\xd9")       // the EOI marker
)

// tailLen is how far from the end an end marker may lie; a little trailing
// padding after it is common and harmless.
const tailLen = 1024

// checkComplete returns ErrCorrupt if the file ends before the data its
// header promises: a PNG without its IEND chunk, a JPEG without its EOI
// marker, a WebP shorter than its RIFF size or a BMP shorter than its
// pixel rows. GIF has no reliable end marker and is not checked.
func checkComplete(r io.ReaderAt, size int64, kind Kind, cfg image.Config) error {
	switch kind {
	case KindPNG, KindJPEG:
		end, name := pngEnd, "PNG"
		if kind == KindJPEG {
			end, name = jpegEnd, "JPEG"
		}
		t, err := tail(r, size, tailLen)
		if err != nil || !bytes.Contains(t, end) {
			return corruptf("the %s is truncated: its end marker is missing", name)
		}
	case KindWebP:
		h, err := readAt(r, 0, 8)
		if err != nil || int64(le32(h[4:8]))+8 > size {
			return corruptf("the WebP is truncated: the file is shorter than its RIFF header declares")
		}
	case KindBMP:
		h, err := readAt(r, 0, 30)
		if err != nil {
			return corruptf("the BMP header is truncated")
		}
		offset, bpp := int64(le32(h[10:14])), int64(h[28])|int64(h[29])<<8
		stride := (int64(cfg.Width)*bpp + 31) / 32 * 4
		if offset+stride*int64(cfg.Height) > size {
			return corruptf("the BMP is truncated: the file is shorter than its %d×%d pixel rows", cfg.Width, cfg.Height)
		}
	}
	return nil
}
