package httpapi

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/crescent-idp/crescent/internal/workspace"
)

type fileDownloadInput struct {
	CID string `path:"cid" maxLength:"64"`
	FID string `path:"fid" maxLength:"64"`
}

// contentDisposition names a download safely: an ASCII fallback with
// quotes, backslashes and controls replaced, and the exact UTF-8 name in
// filename* (RFC 6266).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

func (s *Server) downloadFile(ctx context.Context, in *fileDownloadInput) (*huma.StreamResponse, error) {
	f, rc, err := s.deps.Collections.OpenFile(ctx, principal(ctx), in.CID, in.FID)
	if err != nil {
		return nil, err
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer rc.Close()
		hctx.SetHeader("Content-Type", f.ContentType)
		hctx.SetHeader("Content-Length", strconv.FormatInt(f.Size, 10))
		hctx.SetHeader("Content-Disposition", contentDisposition(f.Name))
		hctx.SetHeader("X-Content-Type-Options", "nosniff")
		if _, err := io.Copy(hctx.BodyWriter(), rc); err != nil {
			s.log.WarnContext(ctx, "download cut short", "request_id", requestID(ctx), "err", err.Error())
		}
	}}, nil
}

// zipName makes each entry name unique within the archive.
func zipName(name string, seen map[string]int) string {
	seen[name]++
	if n := seen[name]; n > 1 {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			name, ext = name[:i], name[i:]
		}
		return fmt.Sprintf("%s (%d)%s", name, n, ext)
	}
	return name
}

func (s *Server) downloadCollection(ctx context.Context, in *collectionIDInput) (*huma.StreamResponse, error) {
	p := principal(ctx)
	col, err := s.deps.Collections.Get(ctx, p, in.CID)
	if err != nil {
		return nil, err
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		hctx.SetHeader("Content-Type", "application/zip")
		hctx.SetHeader("Content-Disposition", contentDisposition(col.Name+".zip"))
		zw := zip.NewWriter(hctx.BodyWriter())
		seen := map[string]int{}
		for _, f := range col.Files {
			if err := s.zipOne(ctx, zw, f, zipName(f.Name, seen)); err != nil {
				s.log.WarnContext(ctx, "zip download cut short", "request_id", requestID(ctx), "err", err.Error())
				return
			}
		}
		if err := zw.Close(); err != nil {
			s.log.WarnContext(ctx, "zip download cut short", "request_id", requestID(ctx), "err", err.Error())
		}
	}}, nil
}

func (s *Server) zipOne(ctx context.Context, zw *zip.Writer, f workspace.File, name string) error {
	rc, err := s.deps.Collections.Open(ctx, f)
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: f.CreatedAt})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, rc)
	return err
}
