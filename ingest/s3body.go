package ingest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// DefaultReadTimeout is how long a read of an S3 object, or a listing
// page, may go without receiving a byte before it fails.
const DefaultReadTimeout = time.Minute

// ErrStalled is wrapped by the error of a read that received nothing for
// the read timeout (SourceOptions.ReadTimeout). The object is recorded as
// failed and retried by the next run.
var ErrStalled = errors.New("stalled")

// ErrCorrupt is wrapped by the error of an object whose body does not
// match what S3 said of it: fewer or more bytes than its Content-Length
// or its listed size, or content that does not hash to its ETag.
var ErrCorrupt = errors.New("object body does not match its size or checksum")

// idleTimer cancels a context when it is not reset for the timeout: the
// deadline of a request whose answer may arrive slowly but must not stop.
type idleTimer struct {
	timeout time.Duration
	timer   *time.Timer
	cancel  context.CancelCauseFunc
}

// newIdleTimer returns a context that is cancelled, with ErrStalled as its
// cause, once the timer has not been reset for timeout; stop releases it.
func newIdleTimer(ctx context.Context, timeout time.Duration) (context.Context, *idleTimer) {
	ctx, cancel := context.WithCancelCause(ctx)
	t := &idleTimer{timeout: timeout, cancel: cancel}
	t.timer = time.AfterFunc(timeout, func() { cancel(ErrStalled) })
	return ctx, t
}

func (t *idleTimer) reset() { t.timer.Reset(t.timeout) }

func (t *idleTimer) stop() {
	t.timer.Stop()
	t.cancel(nil)
}

// stalled returns the error to report for err, a request's error under
// ctx: a plain message when the idle timer fired, err otherwise.
func (t *idleTimer) stalled(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), ErrStalled) {
		return fmt.Errorf("%w: nothing received for %s (--read-timeout)", ErrStalled, t.timeout)
	}
	return err
}

// s3Body is an object's body that fails, rather than ends, when it is cut
// short or does not hash to its ETag, and that fails when no byte arrives
// for the read timeout.
type s3Body struct {
	ctx  context.Context
	body io.ReadCloser
	idle *idleTimer
	// size is the Content-Length, or -1.
	size int64
	n    int64
	// md5 hashes the body when its ETag is its MD5, else nil.
	md5  hash.Hash
	etag string
	once sync.Once
}

func newS3Body(ctx context.Context, idle *idleTimer, out *s3.GetObjectOutput) *s3Body {
	b := &s3Body{ctx: ctx, body: out.Body, idle: idle, size: -1}
	if out.ContentLength != nil {
		b.size = *out.ContentLength
	}
	if etag := strings.Trim(stringOr(out.ETag), `"`); etagIsMD5(etag, out) {
		b.md5, b.etag = md5.New(), etag
	}
	return b
}

func stringOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// etagIsMD5 reports whether an object's ETag is the MD5 of its body: for a
// single-part upload stored unencrypted or with SSE-S3. Multipart ETags
// end in "-PARTS"; SSE-KMS and SSE-C ETags are not digests of the body.
func etagIsMD5(etag string, out *s3.GetObjectOutput) bool {
	if len(etag) != 32 || out.SSECustomerAlgorithm != nil {
		return false
	}
	if sse := out.ServerSideEncryption; sse != "" && sse != types.ServerSideEncryptionAes256 {
		return false
	}
	_, err := hex.DecodeString(etag)
	return err == nil
}

func (b *s3Body) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if n > 0 {
		b.idle.reset()
		b.n += int64(n)
		if b.md5 != nil {
			b.md5.Write(p[:n])
		}
	}
	switch {
	case err == io.EOF:
		if b.size >= 0 && b.n != b.size {
			return n, fmt.Errorf("%w: read %d bytes, Content-Length is %d", ErrCorrupt, b.n, b.size)
		}
		if b.md5 != nil {
			if sum := hex.EncodeToString(b.md5.Sum(nil)); !strings.EqualFold(sum, b.etag) {
				return n, fmt.Errorf("%w: body's MD5 is %s, its ETag %s", ErrCorrupt, sum, b.etag)
			}
		}
	case err != nil:
		err = b.idle.stalled(b.ctx, err)
	}
	return n, err
}

func (b *s3Body) Close() error {
	b.once.Do(b.idle.stop)
	return b.body.Close()
}
