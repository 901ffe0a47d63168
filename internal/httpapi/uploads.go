package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// rawRequest returns the request behind a handler's context, for the
// handlers that stream (uploads).
func rawRequest(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey).(*http.Request)
	return r
}

type uploadInput struct {
	PID            string `path:"pid" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"A retry with the same key and body returns the first response; another body gets 409."`
}

// maxFieldBytes bounds each non-file multipart field.
const maxFieldBytes = 64 << 10

// uploadFormSchema documents the multipart body, which the handler streams
// itself instead of letting the framework buffer it.
var uploadFormSchema = &huma.RequestBody{
	Required: true,
	Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
		Type: "object", Required: []string{"file"},
		Properties: map[string]*huma.Schema{
			"file":     {Type: "array", Items: &huma.Schema{Type: "string", Format: "binary"}, Description: "One or more files (repeat the part)."},
			"name":     {Type: "string", Description: "Collection name; default: the first file's name."},
			"priority": {Type: "boolean"},
			"split":    {Type: "boolean", Description: "Split a file holding several documents."},
			"metadata": {Type: "string", Description: "A JSON object, as text."},
		},
	}}},
}

// uploadMultipart streams each file part to a temporary file (hashing and
// checking it), then hands the set to the use case. A bad part refuses the
// whole request and leaves nothing behind.
func (s *Server) uploadMultipart(ctx context.Context, in *uploadInput) (*collectionOutput, error) {
	r := rawRequest(ctx)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, workspace.Errorf(workspace.CodeUnsupported, "send multipart/form-data with one or more 'file' parts, or use the /base64 route")
	}
	lim := s.deps.Collections.Limits
	mr := multipart.NewReader(http.MaxBytesReader(nil, r.Body, lim.MaxRequestBytes), params["boundary"])
	up := service.UploadInput{ProcessID: in.PID, IdempotencyKey: in.IdempotencyKey, Route: idempotencyRoute(r)}
	var files []*service.Spooled
	defer func() { service.RemoveAll(files) }()
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, multipartError(err)
		}
		if parts > lim.MaxFiles+8 {
			return nil, workspace.Errorf(workspace.CodeTooLarge, "too many parts: at most %d files per collection", lim.MaxFiles)
		}
		field, filename, err := partNames(p)
		if err != nil {
			return nil, err
		}
		switch field {
		case "file":
			if len(files) >= lim.MaxFiles {
				return nil, workspace.Errorf(workspace.CodeTooLarge, "at most %d files per collection", lim.MaxFiles)
			}
			loc := fmt.Sprintf("body: file[%d]", len(files))
			f, err := service.Spool(s.deps.Collections.TempDir, loc, filename, p, lim.MaxFileBytes, lim.File)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		case "name", "priority", "split", "metadata":
			v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
			if err != nil {
				return nil, multipartError(err)
			}
			if len(v) > maxFieldBytes {
				return nil, workspace.Invalid("body: "+field, fmt.Sprintf("at most %d bytes", maxFieldBytes))
			}
			if err := setUploadField(&up, field, string(v)); err != nil {
				return nil, err
			}
		default:
			return nil, workspace.Invalid("body: "+field, "extra fields not permitted")
		}
	}
	return s.finishUpload(ctx, up, files)
}

// idempotencyRoute names the route of r for idempotency records: the
// method and the path with its parameters, without the API version, so a
// retry under /api/v0.4 finds a request first sent under /api/v0.3.
func idempotencyRoute(r *http.Request) string {
	p := r.URL.Path
	for _, v := range versions {
		if rest, ok := strings.CutPrefix(p, "/api/"+v+"/"); ok {
			p = "/" + rest
			break
		}
	}
	return r.Method + " " + p
}

func (s *Server) finishUpload(ctx context.Context, up service.UploadInput, files []*service.Spooled) (*collectionOutput, error) {
	col, replayed, err := s.deps.Collections.Upload(ctx, principal(ctx), up, files)
	if err != nil {
		return nil, err
	}
	out := &collectionOutput{Status: http.StatusCreated, Body: collectionBody(col)}
	if replayed {
		out.Replayed = "true"
	}
	return out, nil
}

// partNames reads a part's field name and raw file name. The file name is
// taken from the header as sent (multipart.Part.FileName would strip a
// path silently; we refuse it instead).
func partNames(p *multipart.Part) (field, filename string, err error) {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return "", "", workspace.Invalid("body", "a part has a malformed Content-Disposition")
	}
	return params["name"], params["filename"], nil
}

func setUploadField(up *service.UploadInput, field, v string) error {
	switch field {
	case "name":
		up.Name = v
	case "priority", "split":
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return workspace.Invalid("body: "+field, "expected true or false")
		}
		if field == "priority" {
			up.Priority = b
		} else {
			up.Split = b
		}
	case "metadata":
		if err := decodeJSON([]byte(v), &up.Metadata); err != nil || up.Metadata == nil {
			msg := "metadata must be a JSON object"
			if err != nil {
				msg += ": " + err.Error()
			}
			return workspace.Invalid("body: metadata", msg)
		}
	}
	return nil
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return workspace.Errorf(workspace.CodeTooLarge, "the request is larger than the limit of %d bytes", mbe.Limit)
	}
	return &workspace.Error{Code: workspace.CodeInvalid, Message: "the multipart body is malformed or was cut short",
		Fields: []workspace.FieldError{{Location: "body", Message: "the multipart body is malformed or was cut short"}}, Err: err}
}
