package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// base64UploadSchema documents the JSON body of a base64 upload, which the
// handler streams itself: the framework would hold the whole body, and a
// 60 MiB body several times over, in memory.
var base64UploadSchema = &huma.RequestBody{
	Required: true,
	Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{
		Type: "object", Required: []string{"files", "priority"}, AdditionalProperties: false,
		Properties: map[string]*huma.Schema{
			"name": {Type: "string", MaxLength: ptr(200), Description: "Collection name; default: the first file's name."},
			"files": {Type: "array", MinItems: ptr(1), Items: &huma.Schema{
				Type: "object", Required: []string{"name", "content"}, AdditionalProperties: false,
				Properties: map[string]*huma.Schema{
					"name":    {Type: "string", MaxLength: ptr(255)},
					"content": {Type: "string", Description: "The file's bytes, base64."},
				}}},
			"priority": {Type: "boolean"},
			"split":    {Type: "boolean", Description: "Split a file holding several documents."},
			"metadata": {Type: "object"},
		},
	}}},
}

func ptr(n int) *int { return &n }

// Bounds of the parts of a base64 body read into memory.
const (
	maxB64Key      = 64
	maxB64Name     = 4 << 10
	maxB64Metadata = 64 << 10
)

// uploadBase64 reads the JSON body as a stream: each file's base64 content
// is decoded straight into its spool file, so memory does not grow with
// the upload. The body is checked as decodeJSON checks bodies: exact field
// names, each once, valid UTF-8, no unknown fields.
func (s *Server) uploadBase64(ctx context.Context, in *uploadInput) (*collectionOutput, error) {
	r := rawRequest(ctx)
	lim := s.deps.Collections.Limits
	up := service.UploadInput{ProcessID: in.PID, IdempotencyKey: in.IdempotencyKey, Route: idempotencyRoute(r)}
	var files []*service.Spooled
	defer func() { service.RemoveAll(files) }()
	b := base64Body{js: newJSONStream(http.MaxBytesReader(nil, r.Body, lim.MaxBase64Bytes)), up: &up, files: &files,
		dir: s.deps.Collections.TempDir, lim: lim}
	if err := b.read(); err != nil {
		return nil, bodyError(err)
	}
	return s.finishUpload(ctx, up, files)
}

// bodyError words a failure to read a streamed body as decoding it whole
// would have.
func bodyError(err error) error {
	var se *syntaxError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &se):
		return workspace.Invalid("body", se.Error())
	case errors.As(err, &mbe):
		return workspace.Errorf(workspace.CodeTooLarge, "the request is larger than the limit of %d bytes", mbe.Limit)
	}
	return err
}

// base64Body is the reading of one base64 upload body.
type base64Body struct {
	js    *jsonStream
	up    *service.UploadInput
	files *[]*service.Spooled
	dir   string
	lim   service.UploadLimits
}

var topFields = map[string]bool{"name": true, "files": true, "priority": true, "split": true, "metadata": true}

func (b *base64Body) read() error {
	if err := b.js.expect('{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	err := b.object(func(key string) error {
		at := "body: " + key
		if !topFields[key] {
			return extraField(at, key, topFields)
		}
		if seen[key] {
			return workspace.Invalid(at, "the field appears twice")
		}
		seen[key] = true
		var err error
		switch key {
		case "name":
			b.up.Name, err = b.js.readString(maxB64Name, workspace.Invalid(at, "name must be at most 200 characters"))
		case "priority":
			b.up.Priority, err = b.bool(at)
		case "split":
			b.up.Split, err = b.bool(at)
		case "metadata":
			err = b.metadata(at)
		case "files":
			err = b.readFiles()
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := b.js.end(); err != nil {
		return err
	}
	var missing []workspace.FieldError
	for _, f := range []string{"files", "priority"} {
		if !seen[f] {
			missing = append(missing, workspace.FieldError{Location: "body: " + f, Message: "field required"})
		}
	}
	if len(missing) > 0 {
		return &workspace.Error{Code: workspace.CodeInvalid, Message: missing[0].Message, Fields: missing}
	}
	return nil
}

// object reads the members of an object whose "{" was read, calling field
// with each key when the stream is at its value.
func (b *base64Body) object(field func(key string) error) error {
	if done, err := b.js.empty('}'); done || err != nil {
		return err
	}
	for {
		key, err := b.js.readString(maxB64Key, workspace.Invalid("body", "a field name is too long"))
		if err != nil {
			return err
		}
		if err := b.js.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		if more, err := b.js.more('}'); !more || err != nil {
			return err
		}
	}
}

func (b *base64Body) bool(at string) (bool, error) {
	v, err := b.js.readBool()
	if errors.Is(err, errNotBool) {
		return false, workspace.Invalid(at, "expected boolean")
	}
	return v, err
}

func (b *base64Body) metadata(at string) error {
	raw, err := b.js.rawValue(maxB64Metadata, workspace.Invalid(at, fmt.Sprintf("metadata is at most %d bytes", maxB64Metadata)))
	if err != nil {
		return err
	}
	if err := decodeJSON(raw, &b.up.Metadata); err != nil || b.up.Metadata == nil {
		msg := "metadata must be a JSON object"
		if err != nil {
			msg += ": " + err.Error()
		}
		return workspace.Invalid(at, msg)
	}
	return nil
}

var fileFields = map[string]bool{"name": true, "content": true}

// readFiles reads the files array, spooling each file's content as it
// streams by.
func (b *base64Body) readFiles() error {
	if err := b.js.expect('['); err != nil {
		return err
	}
	if done, err := b.js.empty(']'); err != nil {
		return err
	} else if done {
		return workspace.Invalid("body: files", "at least one file is required")
	}
	for i := 0; ; i++ {
		if i >= b.lim.MaxFiles {
			return workspace.Errorf(workspace.CodeTooLarge, "at most %d files per collection", b.lim.MaxFiles)
		}
		if err := b.readFile(i); err != nil {
			return err
		}
		if more, err := b.js.more(']'); !more || err != nil {
			return err
		}
	}
}

func (b *base64Body) readFile(i int) error {
	if err := b.js.expect('{'); err != nil {
		return err
	}
	var name string
	var sp *service.Spooled
	seen := map[string]bool{}
	err := b.object(func(key string) error {
		at := fmt.Sprintf("body: files[%d].%s", i, key)
		if !fileFields[key] {
			return extraField(at, key, fileFields)
		}
		if seen[key] {
			return workspace.Invalid(at, "the field appears twice")
		}
		seen[key] = true
		if key == "name" {
			var err error
			name, err = b.js.readString(maxB64Name, workspace.Invalid(at, "file names are at most 255 bytes"))
			return err
		}
		sr, err := b.js.stringValue()
		if err != nil {
			return err
		}
		sp, err = service.SpoolContent(b.dir, at, name, base64.NewDecoder(base64.StdEncoding, sr), b.lim.MaxFileBytes)
		if err != nil {
			var corrupt base64.CorruptInputError
			var se *syntaxError
			switch {
			case errors.As(err, &se):
				return se
			case errors.As(err, &corrupt):
				return workspace.Invalid(at, "content is not valid base64")
			}
			return err
		}
		*b.files = append(*b.files, sp)
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range []string{"name", "content"} {
		if !seen[f] {
			return workspace.Invalid(fmt.Sprintf("body: files[%d].%s", i, f), "field required")
		}
	}
	return sp.Identify(fmt.Sprintf("body: files[%d].name", i), name, b.lim.File)
}

// extraField refuses an unknown field, naming the one meant when only the
// case differs.
func extraField(at, key string, known map[string]bool) error {
	return workspace.Invalid(at, fieldHint(key, maps.Keys(known)))
}
