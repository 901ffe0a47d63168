package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// invoicesType is the process type id of "Invoices".
const invoicesType = "bbe7f45aea884e74bbd011a5f57e87f0"

// api talks to one server with one key.
type api struct {
	base string
	auth string // the Authorization header value
	http *http.Client
}

func newAPI(base, key string) *api {
	return &api{
		base: base,
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(key)),
		http: &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
	}
}

// do sends a request and decodes a JSON answer of the wanted status into
// out (when not nil). It fails with the status and body otherwise.
func (a *api) do(ctx context.Context, method, path, ctype string, body io.Reader, size int64, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
	}
	req.Header.Set("Authorization", a.auth)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// createProcess creates an Invoices process and returns its id.
func (a *api) createProcess(ctx context.Context, name string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "processTypeId": invoicesType})
	var p struct {
		ID string `json:"id"`
	}
	err := a.do(ctx, "POST", "/api/v0.3/processes", "application/json", bytes.NewReader(body), int64(len(body)), 201, &p)
	return p.ID, err
}

// collection is what the harness reads of a collection.
type collection struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
	NumberOfPages int    `json:"numberOfPages"`
}

// finished reports whether a collection reached a final status.
func (c collection) finished() bool {
	switch c.Status {
	case "Needs Review", "Accepted", "Failed", "Stopped":
		return true
	}
	return false
}

// upload sends path as the one file part of a multipart upload, streamed
// from disk with a known Content-Length, and returns the new collection.
func (a *api) upload(ctx context.Context, pid, path string) (collection, error) {
	f, err := os.Open(path)
	if err != nil {
		return collection{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return collection{}, err
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("priority", "false")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filepath.Base(path)))
	ctype := "application/pdf"
	if strings.HasSuffix(path, ".png") {
		ctype = "image/png"
	}
	h.Set("Content-Type", ctype)
	if _, err := mw.CreatePart(h); err != nil {
		return collection{}, err
	}
	trailer := "\r\n--" + mw.Boundary() + "--\r\n"
	size := int64(head.Len()) + st.Size() + int64(len(trailer))
	body := io.MultiReader(&head, f, strings.NewReader(trailer))
	var c collection
	err = a.do(ctx, "POST", "/api/v0.3/processes/"+pid+"/collections", mw.FormDataContentType(), body, size, 201, &c)
	return c, err
}

// get returns one collection.
func (a *api) get(ctx context.Context, cid string) (collection, error) {
	var c collection
	err := a.do(ctx, "GET", "/api/v0.3/collections/"+cid, "", nil, -1, 200, &c)
	return c, err
}

// list returns the newest page of up to 100 collections of a process.
func (a *api) list(ctx context.Context, pid string) ([]collection, error) {
	var out struct {
		Collections []collection `json:"collections"`
	}
	err := a.do(ctx, "GET", "/api/v0.3/processes/"+pid+"/collections?limit=100", "", nil, -1, 200, &out)
	return out.Collections, err
}

// waitAll polls the process's collection list every interval until every
// id in want is finished, and returns them by id. It fails after timeout.
func (a *api) waitAll(ctx context.Context, pid string, want map[string]bool, interval, timeout time.Duration) (map[string]collection, error) {
	deadline := time.Now().Add(timeout)
	for {
		cs, err := a.list(ctx, pid)
		if err != nil {
			return nil, err
		}
		got := map[string]collection{}
		for _, c := range cs {
			if want[c.ID] && c.finished() {
				got[c.ID] = c
			}
		}
		if len(got) == len(want) {
			return got, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d collections unfinished after %s", len(want)-len(got), len(want), timeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// waitOne polls one collection every interval until it is finished.
func (a *api) waitOne(ctx context.Context, cid string, interval, timeout time.Duration) (collection, error) {
	deadline := time.Now().Add(timeout)
	for {
		c, err := a.get(ctx, cid)
		if err != nil || c.finished() {
			return c, err
		}
		if time.Now().After(deadline) {
			return c, fmt.Errorf("collection %s still %s after %s", cid, c.Status, timeout)
		}
		select {
		case <-ctx.Done():
			return c, ctx.Err()
		case <-time.After(interval):
		}
	}
}
