// Package doc is the document model shared by the readers (PDF text layer,
// OCR, e-invoice XML) and the extractor: pages of positioned words. It
// imports only the standard library.
package doc

// Source says where a page's words came from.
type Source string

// The sources of page text.
const (
	SourceText Source = "text" // the PDF's own text layer
	SourceOCR  Source = "ocr"  // recognised from pixels
)

// Word is one word on a page. The box is relative to the page: 0..1 on
// both axes, origin at the top left, X0 < X1 and Y0 < Y1.
type Word struct {
	Text string  `json:"text"`
	X0   float64 `json:"x0"`
	Y0   float64 `json:"y0"`
	X1   float64 `json:"x1"`
	Y1   float64 `json:"y1"`
	Conf float64 `json:"conf"` // 0..1; 1 for a text layer
}

// Box returns the word's box as [x0, y0, x1, y1].
func (w Word) Box() [4]float64 { return [4]float64{w.X0, w.Y0, w.X1, w.Y1} }

// Page is one page of a document.
type Page struct {
	Num    int     `json:"pageNum"` // 1-based
	Width  float64 `json:"width"`   // in points (1/72 inch) for PDFs, pixels for images
	Height float64 `json:"height"`
	Source Source  `json:"source"`
	Words  []Word  `json:"words"` // in reading order: top to bottom, left to right
}
