package blob

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// abortTimeout bounds the cleanup of a failed upload, which runs after the
// caller's context may have ended.
const abortTimeout = 30 * time.Second

// multipartUploads finds and aborts the multipart uploads a failed Put
// started on S3. The SDK's transfer manager aborts them with the upload's
// own context, which Put has cancelled by then, so without this they would
// stay in the bucket (invisible, but stored and billed) until a lifecycle
// rule removes them.
type multipartUploads struct {
	client *s3.Client
	bucket string
}

// uploadIDs collects the ids of the multipart uploads created under one
// context.
type uploadIDs struct {
	mu  sync.Mutex
	ids []uploadID
}

type uploadID struct{ key, id string }

type uploadIDsKey struct{}

// withUploadIDs returns a context under which recordUploads notes every
// multipart upload created.
func withUploadIDs(ctx context.Context) (context.Context, *uploadIDs) {
	ids := &uploadIDs{}
	return context.WithValue(ctx, uploadIDsKey{}, ids), ids
}

// recordUploads is an S3 client option that notes the id of each
// successful CreateMultipartUpload in the request context's *uploadIDs.
func recordUploads(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("crescentRecordMultipartUpload",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				ids, _ := ctx.Value(uploadIDsKey{}).(*uploadIDs)
				res, ok := out.Result.(*s3.CreateMultipartUploadOutput)
				if err == nil && ok && ids != nil && res.UploadId != nil {
					ids.mu.Lock()
					ids.ids = append(ids.ids, uploadID{key: aws.ToString(res.Key), id: *res.UploadId})
					ids.mu.Unlock()
				}
				return out, md, err
			}), middleware.After)
	})
}

// abort aborts the uploads in ids, with a context that outlives ctx's
// cancellation. It returns the errors of the aborts that failed for a
// reason other than the upload being gone already.
func (m *multipartUploads) abort(ctx context.Context, ids *uploadIDs) error {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if len(ids.ids) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	var errs []error
	for _, u := range ids.ids {
		_, err := m.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket:   aws.String(m.bucket),
			Key:      aws.String(u.key),
			UploadId: aws.String(u.id),
		})
		var gone interface{ ErrorCode() string }
		if err != nil && !(errors.As(err, &gone) && gone.ErrorCode() == "NoSuchUpload") {
			errs = append(errs, fmt.Errorf("abort multipart upload %s of %s: %w", u.id, u.key, err))
		}
	}
	return errors.Join(errs...)
}
