package deliver

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// bucketParams are the query parameters an S3 destination's bucket URL may
// hold. Others (profile, role, web_identity_token_file, …) would make the
// server load its own AWS configuration or files for a destination.
var bucketParams = map[string]bool{"region": true, "endpoint": true, "use_path_style": true, "disable_https": true}

// BucketURL parses the bucket URL of an S3 destination without resolving
// anything: the scheme must be s3 (never file), there must be a bucket
// name and no user information, and the query may hold only region,
// endpoint, use_path_style and disable_https, each once. Credentials
// belong in the destination's accessKeyId and secretAccessKey, not in the
// URL.
//
// BucketURL returns the parsed URL, or an error whose message, safe to
// show to the caller, starts with "bucket URL refused: " and never quotes
// the URL, which may hold a secret.
func BucketURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxURLLen || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, refuse(nil, "bucket URL refused: want s3://bucket?region=…&endpoint=…")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, refuse(nil, "bucket URL refused: the query cannot be parsed")
	}
	var extra []string
	for k, v := range q {
		switch {
		case k == "access_key_id" || k == "secret_access_key":
			return nil, refuse(nil, "bucket URL refused: give credentials as accessKeyId and secretAccessKey, not in the URL")
		case !bucketParams[k]:
			extra = append(extra, k)
		case len(v) != 1:
			return nil, refuse(nil, "bucket URL refused: parameter "+k+" is repeated")
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, refuse(nil, "bucket URL refused: parameters "+strings.Join(extra, ", ")+" are not allowed (allowed: region, endpoint, use_path_style, disable_https)")
	}
	return u, nil
}

// HTTPClient returns an HTTP client, for an S3 destination's requests,
// that dials only through g as Webhook.Send does: every address a host
// resolves to is checked, and each address again just before connecting,
// so a name that rebinds to a refused address after CheckBucketURL cannot
// be reached, and the refusal matches ErrBlocked. No proxy is used,
// redirects are not followed, each connection and TLS handshake is bounded
// by connectTimeout (0 means DefaultConnectTimeout), and response headers
// by 64 KiB. The caller bounds each request with its context and calls
// CloseIdleConnections when done.
func (g Guard) HTTPClient(connectTimeout time.Duration) *http.Client {
	return &http.Client{
		Transport: g.transport(orDefault(connectTimeout, DefaultConnectTimeout)),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// transport is an http.Transport that dials through g.
func (g Guard) transport(connect time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: connect, Control: g.control}
	return &http.Transport{
		Proxy:                  nil, // a proxy would connect for us, unchecked
		DialContext:            g.dialContext(d),
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    connect,
		MaxResponseHeaderBytes: 64 << 10,
	}
}
