package einvoice

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// knownAttachmentNames are the file names the e-invoice standards give the
// embedded XML, lower case: ZUGFeRD 1 and 2.0 (ZUGFeRD-invoice.xml,
// zugferd-invoice.xml), ZUGFeRD 2.1+ / Factur-X and XRechnung. They are
// tried first; any other attachment is tried after them, XML-named ones
// first.
var knownAttachmentNames = []string{"zugferd-invoice.xml", "factur-x.xml", "xrechnung.xml"}

// attachment is an embedded file found in a PDF, not yet decoded: its
// name, stream and the stream's object number (0 for a direct object).
type attachment struct {
	name  string
	sd    *types.StreamDict
	objNr int
}

// FromPDF reads the e-invoice embedded in the PDF r. It returns
// ErrNotEInvoice when no attachment holds a CII, ZUGFeRD 1 or UBL document,
// ErrMalformed when the PDF cannot be read or the XML found is damaged, and
// ErrTooLarge when the embedded XML is over the size limit.
func FromPDF(r io.ReadSeeker) (inv *Invoice, err error) {
	defer func() {
		if p := recover(); p != nil {
			inv, err = nil, malformedf("the PDF reader failed on the file (%v)", p)
		}
	}()
	ctx, err := pdfcpu.Read(r, pdfConfig())
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, malformedf("the PDF is password-protected")
		}
		return nil, malformedf("the PDF cannot be read: %w", err)
	}
	atts := attachments(ctx)
	var firstErr error
	for _, a := range atts {
		if rank(a.name) == rankOther && !sniffXML(a) {
			continue
		}
		data, err := decodeAttachment(a)
		if err != nil {
			if firstErr == nil && isXMLName(a.name) {
				firstErr = err
			}
			continue
		}
		inv, err := ParseXML(bytes.NewReader(data))
		if err == nil {
			return inv, nil
		}
		if !errors.Is(err, ErrNotEInvoice) && firstErr == nil {
			firstErr = fmt.Errorf("%w (in attachment %q)", err, a.name)
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, notEInvoicef("the PDF has no e-invoice attachment (%d attachments)", len(atts))
}

// attachments returns the PDF's embedded files in the order they are tried:
// known e-invoice names, other .xml files, the rest. It walks the catalog's
// EmbeddedFiles name tree itself: pdfcpu fills its name-tree cache only
// while validating the whole file, which is slow and refuses files that are
// readable (ZUGFeRD 1 files declaring PDF 1.3 use /AFRelationship). Every
// other stream of type EmbeddedFile follows, unnamed: that finds files
// attached only through an /AF array or below a damaged tree.
func attachments(ctx *model.Context) []attachment {
	xt := ctx.XRefTable
	var atts []attachment
	named := map[int]bool{} // object numbers of the streams found by name
	if cat, err := xt.Catalog(); err == nil && cat != nil {
		if names, err := xt.DereferenceDict(cat["Names"]); err == nil && names != nil {
			walkNameTree(xt, names["EmbeddedFiles"], 0, map[int]bool{}, func(id string, o types.Object) {
				if a, ok := fileSpec(xt, id, o); ok && len(atts) < maxAttachments {
					atts = append(atts, a)
					named[a.objNr] = true
				}
			})
		}
	}
	for _, a := range embeddedFileStreams(xt) {
		if !named[a.objNr] && len(atts) < maxAttachments {
			atts = append(atts, a)
		}
	}
	sort.SliceStable(atts, func(i, j int) bool { return rank(atts[i].name) < rank(atts[j].name) })
	return atts
}

// maxNameTreeDepth bounds the recursion into a name tree's /Kids.
const maxNameTreeDepth = 32

// maxAttachments bounds how many embedded files are collected.
const maxAttachments = 256

// walkNameTree calls fn for each key and value in the name tree node o:
// the pairs of its /Names array, then those of its /Kids. seen holds the
// object numbers of the nodes visited, so that a hostile cyclic or shared
// tree is walked once.
func walkNameTree(xt *model.XRefTable, o types.Object, depth int, seen map[int]bool, fn func(key string, v types.Object)) {
	if depth > maxNameTreeDepth {
		return
	}
	if ref, ok := o.(types.IndirectRef); ok {
		nr := ref.ObjectNumber.Value()
		if seen[nr] {
			return
		}
		seen[nr] = true
	}
	d, err := xt.DereferenceDict(o)
	if err != nil || d == nil {
		return
	}
	if arr, err := xt.DereferenceArray(d["Names"]); err == nil {
		for i := 0; i+1 < len(arr); i += 2 {
			k, err := xt.DereferenceStringOrHexLiteral(arr[i], model.V10, nil)
			if err != nil {
				continue
			}
			fn(k, arr[i+1])
		}
	}
	if kids, err := xt.DereferenceArray(d["Kids"]); err == nil {
		for _, k := range kids {
			walkNameTree(xt, k, depth+1, seen, fn)
		}
	}
}

// fileSpec returns the embedded file of the file specification o, named by
// its /UF or /F entry (id when it has neither).
func fileSpec(xt *model.XRefTable, id string, o types.Object) (attachment, bool) {
	d, err := xt.DereferenceDict(o)
	if err != nil || d == nil {
		return attachment{}, false
	}
	name := id
	for _, k := range []string{"UF", "F"} {
		if v, ok := d.Find(k); ok {
			if s, err := xt.DereferenceStringOrHexLiteral(v, model.V10, nil); err == nil && s != "" {
				name = s
				break
			}
		}
	}
	ef, err := xt.DereferenceDict(d["EF"])
	if err != nil || ef == nil {
		return attachment{}, false
	}
	for _, k := range []string{"F", "UF"} {
		if v, ok := ef.Find(k); ok {
			if sd, _, err := xt.DereferenceStreamDict(v); err == nil && sd != nil {
				a := attachment{name: name, sd: sd}
				if ref, ok := v.(types.IndirectRef); ok {
					a.objNr = ref.ObjectNumber.Value()
				}
				return a, true
			}
		}
	}
	return attachment{}, false
}

// embeddedFileStreams returns every stream of /Type /EmbeddedFile in the
// cross-reference table, unnamed.
func embeddedFileStreams(xt *model.XRefTable) []attachment {
	var atts []attachment
	nrs := make([]int, 0, len(xt.Table))
	for nr := range xt.Table {
		nrs = append(nrs, nr)
	}
	sort.Ints(nrs)
	for _, nr := range nrs {
		e := xt.Table[nr]
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		sd, ok := e.Object.(types.StreamDict)
		if !ok || sd.Type() == nil || *sd.Type() != "EmbeddedFile" {
			continue
		}
		atts = append(atts, attachment{name: fmt.Sprintf("object %d", nr), sd: &sd, objNr: nr})
	}
	return atts
}

// The ranks of attachment names, in the order they are tried.
const (
	rankStandard = iota // a standard e-invoice name
	rankXML             // another .xml file
	rankOther           // anything else, tried only if its content looks like XML
)

// rank returns the rank of an attachment name.
func rank(name string) int {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	for _, k := range knownAttachmentNames {
		if base == k {
			return rankStandard
		}
	}
	if isXMLName(name) {
		return rankXML
	}
	return rankOther
}

// sniffLen is how much of an attachment sniffXML decodes.
const sniffLen = 512

// sniffXML reports whether a's content may be XML: after a byte order mark
// and white space it starts with '<', or it starts with a UTF-16 byte
// order mark. It decodes only the first sniffLen bytes, so that images and
// other large attachments are not decoded whole; a stream shorter than
// that, or one that fails to decode, counts as maybe XML and is left to
// decodeAttachment.
func sniffXML(a attachment) bool {
	sd := *a.sd
	sd.Content = nil
	head := sd.Raw
	if sd.FilterPipeline != nil {
		var err error
		if head, err = sd.DecodeLengthWithLimit(sniffLen, MaxXMLBytes); err != nil {
			return true
		}
	}
	if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return true
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(head) > 0 && head[0] == '<'
}

// isXMLName reports whether name ends in .xml.
func isXMLName(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".xml")
}

// decodeAttachment returns the decoded bytes of a, refusing more than
// MaxXMLBytes so that a compressed bomb stops early.
func decodeAttachment(a attachment) ([]byte, error) {
	sd := *a.sd // decode a copy: pdfcpu caches the content in the dict
	sd.Content = nil
	if sd.FilterPipeline == nil && len(sd.Raw) > MaxXMLBytes {
		return nil, tooLargef("attachment %q is larger than %d MiB", a.name, MaxXMLBytes>>20)
	}
	data, err := sd.DecodeLengthWithLimit(-1, MaxXMLBytes)
	if errors.Is(err, filter.ErrDecodeLimitExceeded) {
		return nil, tooLargef("attachment %q is larger than %d MiB", a.name, MaxXMLBytes>>20)
	}
	if err != nil {
		return nil, malformedf("attachment %q cannot be decoded: %w", a.name, err)
	}
	if len(data) > MaxXMLBytes {
		return nil, tooLargef("attachment %q is larger than %d MiB", a.name, MaxXMLBytes>>20)
	}
	return data, nil
}

// pdfConfig returns the pdfcpu configuration for reading attachments:
// relaxed validation, no network, pdfcpu's default resource limits. It is
// built here rather than with model.NewDefaultConfiguration, which reads
// and writes a config.yml in the user's configuration directory.
func pdfConfig() *model.Configuration {
	return &model.Configuration{
		Version:                   model.VersionStr,
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       types.EolLF,
		Cmd:                       model.EXTRACTATTACHMENTS,
		Offline:                   true,
		Timeout:                   5,
		TimestampFormat:           "2006-01-02 15:04",
		DateFormat:                "2006-01-02",
		Limits:                    model.DefaultResourceLimits(),
	}
}
