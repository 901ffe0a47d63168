package blob

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/s3blob"
)

// Open opens the bucket named by rawURL, which is one of:
//
//   - "file:///abs/path": a directory, created (mode 0750) if missing. Each
//     object is written to a temporary file beside its final path and
//     renamed into place on success, so readers never see a partial
//     object; the content type is kept in a ".attrs" sidecar file.
//   - "s3://bucket?region=R&endpoint=URL&use_path_style=true": an S3 or
//     S3-compatible bucket, reached with the AWS SDK v2. The query may also
//     hold access_key_id and secret_access_key (both or neither); without
//     them credentials come from the environment (AWS_ACCESS_KEY_ID, …).
//     disable_https, and gocloud's AWS parameters (profile,
//     request_checksum_calculation, …) are also accepted.
//
// Open fails if the URL cannot be parsed, has another scheme or an unknown
// query parameter, or if a file:// directory cannot be created. It does not
// contact S3; call Ping for that. Errors never contain the secret key.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	return OpenWith(ctx, rawURL, Options{})
}

// Options changes how OpenWith reaches an S3 bucket; the zero value is
// Open's behaviour. They do not apply to file:// stores.
type Options struct {
	// HTTPClient, if not nil, sends every S3 request. It does not fetch
	// ambient credentials (instance metadata, STS).
	HTTPClient *http.Client
	// NoAmbient takes nothing from the server: not the environment, nor
	// the shared AWS files, nor instance metadata. The URL must then hold
	// access_key_id and secret_access_key, and may hold only region
	// (default us-east-1), endpoint, use_path_style and disable_https.
	NoAmbient bool
	// Permanent, if not nil, reports errors that retrying a request
	// cannot mend; the S3 client does not retry them.
	Permanent func(error) bool
}

// OpenWith is Open with options. It fails as Open does, and also if
// opts.NoAmbient is set and an s3 URL has no credentials or another
// parameter.
func OpenWith(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, which may hold a secret key.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("blob: open: invalid URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		return openFile(u)
	case "s3":
		return openS3(ctx, u, opts)
	default:
		return nil, fmt.Errorf("blob: open: unsupported URL scheme %q (want file or s3)", u.Scheme)
	}
}

// openFile opens a fileblob bucket rooted at u's absolute path.
func openFile(u *url.URL) (*Store, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("blob: open: file URL must have no host, got %q", u.Host)
	}
	if u.Opaque != "" || !path.IsAbs(u.Path) {
		return nil, errors.New("blob: open: file URL needs an absolute path, as in file:///var/lib/crescent/blobs")
	}
	if len(u.Query()) > 0 {
		return nil, errors.New("blob: open: file URL takes no query parameters")
	}
	dir := path.Clean(u.Path)
	b, err := fileblob.OpenBucket(dir, &fileblob.Options{
		CreateDir:   true,
		DirFileMode: 0o750,
		NoTempDir:   true, // temp file beside the target: rename never crosses devices
		Metadata:    fileblob.MetadataInSidecar,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", dir, err)
	}
	return &Store{bucket: b, dir: dir}, nil
}

// openS3 opens an s3blob bucket. The credentials and the S3 client options
// are taken out of the query; the rest goes to gocloud's AWS config loader,
// which rejects parameters it does not know.
func openS3(ctx context.Context, u *url.URL, opts Options) (*Store, error) {
	if u.Host == "" {
		return nil, errors.New("blob: open: s3 URL needs a bucket name, as in s3://my-bucket?region=us-east-1")
	}
	q := u.Query()
	keyID, secret := take(q, "access_key_id"), take(q, "secret_access_key")
	if (keyID == "") != (secret == "") {
		return nil, errors.New("blob: open: s3 URL needs both access_key_id and secret_access_key, or neither")
	}
	if keyID != "" && q.Has("role") {
		return nil, errors.New("blob: open: s3 URL cannot have both access_key_id and role")
	}
	clientOpts := []func(*s3.Options){recordUploads, func(o *s3.Options) {
		// S3-compatible stores often send no checksum; do not log each GET.
		o.DisableLogOutputChecksumValidationSkipped = true
	}}
	for _, p := range []string{"use_path_style", "disable_https"} {
		v := take(q, p)
		if v == "" {
			continue
		}
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("blob: open: invalid %s %q: %w", p, v, err)
		}
		switch p {
		case "use_path_style":
			clientOpts = append(clientOpts, func(o *s3.Options) { o.UsePathStyle = on })
		case "disable_https":
			clientOpts = append(clientOpts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = on })
		}
	}
	var cfg aws.Config
	var err error
	if opts.NoAmbient {
		cfg, err = explicitConfig(q, keyID)
	} else {
		cfg, err = gcaws.V2ConfigFromURLParams(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open s3 bucket %s: %w", u.Host, err)
	}
	if keyID != "" {
		creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, Source: "crescent blob URL"}
		cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		})
	}
	if opts.HTTPClient != nil {
		cfg.HTTPClient = opts.HTTPClient
	}
	if opts.Permanent != nil {
		permanent := retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if opts.Permanent(err) {
				return aws.FalseTernary
			}
			return aws.UnknownTernary
		})
		clientOpts = append(clientOpts, func(o *s3.Options) {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.Retryables = append([]retry.IsErrorRetryable{permanent}, so.Retryables...)
			})
		})
	}
	client := s3.NewFromConfig(cfg, clientOpts...)
	b, err := s3blob.OpenBucket(ctx, client, u.Host, &s3blob.Options{
		// The transfer manager ignores the client's setting; pass it on, as
		// s3blob's own URL opener does.
		RequestChecksumCalculation: cfg.RequestChecksumCalculation,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: open s3 bucket %s: %w", u.Host, err)
	}
	return &Store{bucket: b, uploads: &multipartUploads{client: client, bucket: u.Host}}, nil
}

// explicitConfig is the AWS configuration of an s3 URL that takes nothing
// from the server: the region and endpoint of q (use_path_style and
// disable_https are already taken out), credentials set by the caller.
func explicitConfig(q url.Values, keyID string) (aws.Config, error) {
	if keyID == "" {
		return aws.Config{}, errors.New("the URL has no credentials, and the server's own may not be used")
	}
	cfg := aws.Config{Region: take(q, "region")}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if ep := take(q, "endpoint"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	if len(q) > 0 {
		names := slices.Sorted(maps.Keys(q))
		return aws.Config{}, fmt.Errorf("query parameters %s are not accepted (only region, endpoint, use_path_style and disable_https)", strings.Join(names, ", "))
	}
	return cfg, nil
}

// take removes the parameter name from q and returns its first value.
func take(q url.Values, name string) string {
	v := q.Get(name)
	q.Del(name)
	return v
}
