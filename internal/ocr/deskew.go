package ocr

import (
	"image"
	"image/color"
	"math"

	xdraw "golang.org/x/image/draw"
)

// Skew estimation: a photographed or scanned receipt is often turned by a
// degree or two, and tesseract then merges or splits its lines. The angle
// is found on a small grey copy of the page: ink pixels are projected onto
// the vertical axis along each candidate angle, and the angle whose row
// profile is sharpest (largest sum of squared row counts) wins.

const (
	// skewSide is the longest side of the copy the angle is searched on.
	skewSide = 1000
	// maxSkew is the largest angle searched, in degrees, either way.
	maxSkew = 6.0
	// minSkew is the smallest angle worth a rotation, in degrees, and
	// minSkewGain the least the profile must sharpen: on the receipts
	// Crescent was measured on, turning pages by as little as 0.2° made
	// tesseract read more of their fields.
	minSkew     = 0.15
	minSkewGain = 0.005
	// MaxDeskewPixels bounds the image Deskew turns; larger ones are left
	// as they are.
	MaxDeskewPixels = 60 << 20
)

// Grey returns img as a grey image with bounds starting at (0, 0).
func Grey(img image.Image) *image.Gray {
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok && b.Min == (image.Point{}) {
		return g
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	xdraw.Draw(g, g.Bounds(), img, b.Min, xdraw.Src)
	return g
}

// SkewAngle returns the angle in degrees by which the text lines of g
// run clockwise from horizontal (positive when a line's right end is
// lower), between -maxSkew and maxSkew, and the share of the profile's
// sharpness the best angle gains over 0°. It returns 0, 0 for an image
// with too little ink.
func SkewAngle(g *image.Gray) (float64, float64) {
	b := g.Bounds()
	if b.Dx() < 16 || b.Dy() < 16 {
		return 0, 0
	}
	small := g
	if s := max(b.Dx(), b.Dy()); s > skewSide {
		w, h := b.Dx()*skewSide/s, b.Dy()*skewSide/s
		small = image.NewGray(image.Rect(0, 0, max(w, 1), max(h, 1)))
		xdraw.ApproxBiLinear.Scale(small, small.Bounds(), g, b, xdraw.Src, nil)
	}
	ink := inkPoints(small)
	if len(ink) < 200 {
		return 0, 0
	}
	h := small.Bounds().Dy()
	w := small.Bounds().Dx()
	bins := make([]int, h+w+2)
	score := func(deg float64) float64 {
		t := math.Tan(deg * math.Pi / 180)
		clear(bins)
		off := float64(w) // keeps y - x·t non-negative for |t| < 1
		for _, p := range ink {
			y := int(float64(p.Y) - float64(p.X)*t + off*math.Abs(t) + 0.5)
			if y >= 0 && y < len(bins) {
				bins[y]++
			}
		}
		s := 0.0
		for _, c := range bins {
			s += float64(c) * float64(c)
		}
		return s
	}
	best, bestS := 0.0, score(0)
	zero := bestS
	for d := -maxSkew; d <= maxSkew+1e-9; d += 0.25 {
		if s := score(d); s > bestS {
			best, bestS = d, s
		}
	}
	for d := best - 0.2; d <= best+0.2+1e-9; d += 0.05 {
		if s := score(d); s > bestS {
			best, bestS = d, s
		}
	}
	if zero == 0 {
		return 0, 0
	}
	return best, bestS/zero - 1
}

// inkPoints returns the dark pixels of g: darker than the midpoint between
// its darkest half-percent and its median grey, the paper.
func inkPoints(g *image.Gray) []image.Point {
	var hist [256]int
	for _, p := range g.Pix {
		hist[p]++
	}
	n := len(g.Pix)
	lo, hi, acc := -1, 255, 0
	for i := 0; i < 256; i++ {
		acc += hist[i]
		if lo < 0 && acc > n/200 {
			lo = i
		}
		if acc > n/2 {
			hi = i
			break
		}
	}
	if hi-lo < 40 {
		return nil
	}
	thr := uint8((lo + hi) / 2)
	b := g.Bounds()
	var pts []image.Point
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := g.Pix[(y-b.Min.Y)*g.Stride : (y-b.Min.Y)*g.Stride+b.Dx()]
		for x, v := range row {
			if v < thr {
				pts = append(pts, image.Point{X: x, Y: y})
			}
		}
	}
	return pts
}

// Rotate returns g turned counter-clockwise by deg degrees about its
// centre, on a white background, at the same size.
func Rotate(g *image.Gray, deg float64) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		dy := float64(y) - cy
		for x := 0; x < w; x++ {
			dx := float64(x) - cx
			// The source pixel that lands on (x, y).
			sx := cos*dx - sin*dy + cx
			sy := sin*dx + cos*dy + cy
			out.Pix[y*out.Stride+x] = bilinear(g, sx, sy)
		}
	}
	return out
}

// bilinear samples g at (x, y), white outside it.
func bilinear(g *image.Gray, x, y float64) uint8 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= g.Rect.Dx() || y >= g.Rect.Dy() {
			return 255
		}
		return float64(g.Pix[y*g.Stride+x])
	}
	v := at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
	return color.Gray{Y: uint8(v + 0.5)}.Y
}

// Deskew returns img turned so that its text lines run horizontally, and
// the angle it was turned by in degrees; an image that is straight (under
// minSkew), has too little ink, or has more than maxDeskewPixels is
// returned as it is with angle 0.
func Deskew(img image.Image) (image.Image, float64) {
	b := img.Bounds()
	if b.Dx()*b.Dy() > MaxDeskewPixels {
		return img, 0
	}
	g := Grey(img)
	a, gain := SkewAngle(g)
	if math.Abs(a) < minSkew || gain < minSkewGain {
		return img, 0
	}
	return Rotate(g, a), a
}
