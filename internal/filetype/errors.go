package filetype

import (
	"errors"
	"fmt"
	"strconv"
)

// The three kinds of refusal. Every error Inspect returns about the file
// wraps exactly one of them; match with errors.Is. The HTTP layer maps
// ErrUnsupported to 415, ErrCorrupt to 422 or 400 and ErrTooLarge to 413.
var (
	// ErrUnsupported means the bytes are not an accepted format, or use a
	// feature of it that Crescent refuses (an XML DOCTYPE, an encrypted PDF).
	ErrUnsupported = errors.New("unsupported file")
	// ErrCorrupt means the file is empty, truncated or damaged.
	ErrCorrupt = errors.New("damaged file")
	// ErrTooLarge means the file has more pages or pixels than the Limits allow.
	ErrTooLarge = errors.New("file over a limit")
)

// errNotSupported is the refusal for bytes of no accepted format.
var errNotSupported = unsupportedf("the bytes are not a supported format (PDF, PNG, JPEG, TIFF, WebP, BMP, GIF, CII or UBL XML)")

// unsupportedf returns an error wrapping ErrUnsupported with a message.
func unsupportedf(format string, args ...any) error {
	return wrapf(ErrUnsupported, format, args...)
}

// corruptf returns an error wrapping ErrCorrupt with a message.
func corruptf(format string, args ...any) error {
	return wrapf(ErrCorrupt, format, args...)
}

// tooLargef returns an error wrapping ErrTooLarge with a message.
func tooLargef(format string, args ...any) error {
	return wrapf(ErrTooLarge, format, args...)
}

// wrapf returns "<kind>: <message>" wrapping kind and any %w in format.
func wrapf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}

// checkSize refuses an image or page of w×h pixels that is empty or over
// lim. what names it in the message, as in "PNG" or "TIFF page 3".
func checkSize(what string, w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return corruptf("%s declares an empty image of %d×%d pixels", what, w, h)
	}
	if px := int64(w) * int64(h); px > lim.MaxPixels {
		return tooLargef("%s declares %d×%d pixels, more than the limit of %s megapixels",
			what, w, h, strconv.FormatFloat(float64(lim.MaxPixels)/1e6, 'f', -1, 64))
	}
	if w > lim.MaxDimension || h > lim.MaxDimension {
		return tooLargef("%s declares %d×%d pixels, more than the limit of %d pixels a side",
			what, w, h, lim.MaxDimension)
	}
	return nil
}
