package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

const (
	// s3MaxAttempts is how often a request is tried. The SDK's default of
	// 3 gives up too soon for a batch job that makes thousands of requests
	// and may meet S3's 503 SlowDown throttling.
	s3MaxAttempts = 8
	// s3DefaultRegion is where requests go when no region is configured;
	// the bucket's own region is then discovered from S3's answer.
	s3DefaultRegion = "us-east-1"
	// s3PageSize is the most keys ListObjectsV2 returns per request.
	s3PageSize = 1000
)

// s3Source reads log objects below a key prefix of an S3 bucket.
type s3Source struct {
	client *s3.Client
	bucket string
	root   string // key prefix: empty or ending in '/'
	// readTimeout fails a request that receives nothing for this long.
	readTimeout time.Duration
}

// parseS3URI splits s3://bucket[/prefix] into the bucket and a prefix that
// is empty or ends in '/': the prefix names a folder, so s3://b/logs does
// not also hold logs-old/.
func parseS3URI(uri string) (bucket, root string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%s: not an s3:// URI", uri)
	}
	bucket, root, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%s: no bucket name (want s3://bucket/prefix)", uri)
	}
	if root != "" && !strings.HasSuffix(root, "/") {
		root += "/"
	}
	return bucket, root, nil
}

// openS3Source opens s3://bucket[/prefix] with the standard AWS credential
// chain. When no region is configured anywhere, it asks S3 where the bucket
// is instead of failing, so a bucket in any region works without --region.
func openS3Source(ctx context.Context, uri string, opts SourceOptions) (Source, error) {
	bucket, root, err := parseS3URI(uri)
	if err != nil {
		return nil, err
	}
	cfg, err := sourceConfig(ctx, opts)
	if err != nil {
		return nil, err
	}
	discover := cfg.Region == ""
	if discover {
		cfg.Region = s3DefaultRegion
	}
	newClient := func(region string) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.Region = region
			if opts.HTTPClient != nil {
				// Set on the S3 client rather than the config: config
				// loading rejects a client it cannot add AWS_CA_BUNDLE to.
				o.HTTPClient = opts.HTTPClient
			}
			if opts.EndpointURL != "" {
				o.BaseEndpoint = aws.String(opts.EndpointURL)
			}
			// An endpoint from --endpoint-url or from AWS_ENDPOINT_URL[_S3]
			// (which the SDK's config loading applies) is an S3-compatible
			// server, and those rarely serve virtual-hosted buckets.
			if o.BaseEndpoint != nil {
				o.UsePathStyle = true
			}
			// CloudTrail's objects carry no checksum; without this the SDK
			// logs a line to stderr for every object read.
			o.DisableLogOutputChecksumValidationSkipped = true
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = s3MaxAttempts
				// Many downloads failing at once must not exhaust a
				// client-side retry budget and fail without retrying.
				so.RateLimiter = ratelimit.None
			})
		})
	}
	src := &s3Source{client: newClient(cfg.Region), bucket: bucket, root: root, readTimeout: opts.ReadTimeout}
	if src.readTimeout <= 0 {
		src.readTimeout = DefaultReadTimeout
	}
	if discover {
		region, err := src.bucketRegion(ctx)
		if err != nil {
			return nil, err
		}
		if region != "" && region != cfg.Region {
			src.client = newClient(region)
		}
	}
	return src, nil
}

// sourceConfig is opts.Config, or the standard AWS credential chain and
// shared config with opts.Profile and opts.Region on top.
func sourceConfig(ctx context.Context, opts SourceOptions) (aws.Config, error) {
	if opts.Config != nil {
		return opts.Config.Copy(), nil
	}
	var loadOpts []func(*config.LoadOptions) error
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}

// bucketRegion asks S3 for the bucket's region. S3 names it in the
// x-amz-bucket-region header of the HeadBucket answer, and also of the 301
// redirect or 403 it sends when asked in the wrong region.
func (s *s3Source) bucketRegion(ctx context.Context) (string, error) {
	out, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	if err == nil {
		return aws.ToString(out.BucketRegion), nil
	}
	if region := regionHeader(err); region != "" {
		return region, nil
	}
	return "", s.errorf(ctx, "open", "", err)
}

// regionHeader returns the x-amz-bucket-region header of the response an
// error came from, if any.
func regionHeader(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

func (s *s3Source) String() string {
	return "s3://" + s.bucket + "/" + s.root
}

func (s *s3Source) List(ctx context.Context, prefix string, fn func(Object) error) error {
	return s.ListAfter(ctx, prefix, "", fn)
}

func (s *s3Source) ListAfter(ctx context.Context, prefix, startAfter string, fn func(Object) error) error {
	in := &s3.ListObjectsV2Input{
		Bucket:  aws.String(s.bucket),
		Prefix:  aws.String(s.root + prefix),
		MaxKeys: aws.Int32(s3PageSize),
	}
	if startAfter != "" {
		in.StartAfter = aws.String(s.root + startAfter)
	}
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := s.nextPage(ctx, p, prefix)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if err := ctx.Err(); err != nil {
				return err
			}
			obj, ok := s.toObject(aws.ToString(o.Key), o.ETag, o.Size)
			if !ok {
				continue
			}
			obj.LastModified = aws.ToTime(o.LastModified).UTC()
			if err := fn(obj); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *s3Source) ListDirs(ctx context.Context, prefix string) ([]string, []Object, error) {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(s.bucket),
		Prefix:    aws.String(s.root + prefix),
		Delimiter: aws.String("/"),
		MaxKeys:   aws.Int32(s3PageSize),
	})
	var dirs []string
	var objs []Object
	for p.HasMorePages() {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		page, err := s.nextPage(ctx, p, prefix)
		if err != nil {
			return nil, nil, err
		}
		for _, cp := range page.CommonPrefixes {
			dirs = append(dirs, strings.TrimPrefix(aws.ToString(cp.Prefix), s.root))
		}
		for _, o := range page.Contents {
			obj, ok := s.toObject(aws.ToString(o.Key), o.ETag, o.Size)
			if !ok {
				continue
			}
			obj.LastModified = aws.ToTime(o.LastModified).UTC()
			objs = append(objs, obj)
		}
	}
	return dirs, objs, nil
}

func (s *s3Source) URI(key string) string { return "s3://" + s.bucket + "/" + s.root + key }

// toObject converts a listed key. Keys ending in '/' are the empty
// "folder" markers the S3 console creates; they hold no logs (and a local
// folder cannot hold such a file), so they are skipped.
func (s *s3Source) toObject(key string, etag *string, size *int64) (Object, bool) {
	rel, ok := strings.CutPrefix(key, s.root)
	if !ok || rel == "" || strings.HasSuffix(rel, "/") {
		return Object{}, false
	}
	return Object{
		Key:  rel,
		URI:  s.URI(rel),
		ETag: strings.Trim(aws.ToString(etag), `"`),
		Size: aws.ToInt64(size),
	}, true
}

// nextPage returns the next listing page, or fails when it does not
// arrive within the read timeout (retries included) or cannot be
// trusted to hold every key it should: a page that says more follow but
// gives no token to ask for them would end the listing early, silently.
func (s *s3Source) nextPage(ctx context.Context, p *s3.ListObjectsV2Paginator, prefix string) (*s3.ListObjectsV2Output, error) {
	pctx, idle := newIdleTimer(ctx, s.readTimeout)
	defer idle.stop()
	page, err := p.NextPage(pctx)
	if err != nil {
		return nil, s.errorf(ctx, "list", prefix, idle.stalled(pctx, err))
	}
	if aws.ToBool(page.IsTruncated) && aws.ToString(page.NextContinuationToken) == "" {
		return nil, s.errorf(ctx, "list", prefix, fmt.Errorf("%w: a page says more keys follow but gives no continuation token", ErrBrokenListing))
	}
	if kc := page.KeyCount; kc != nil && int(*kc) != len(page.Contents)+len(page.CommonPrefixes) {
		return nil, s.errorf(ctx, "list", prefix, fmt.Errorf("%w: a page says it holds %d keys but lists %d", ErrBrokenListing, *kc, len(page.Contents)+len(page.CommonPrefixes)))
	}
	return page, nil
}

// ErrBrokenListing is wrapped by the error of a listing page that cannot
// be trusted to name every key it should.
var ErrBrokenListing = errors.New("broken listing")

// Open streams the object's body; the caller closes it. The body fails
// rather than ends when it is cut short or does not hash to its ETag,
// and fails when nothing arrives for the read timeout.
func (s *s3Source) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	octx, idle := newIdleTimer(ctx, s.readTimeout)
	out, err := s.client.GetObject(octx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.root + key),
	})
	if err != nil {
		idle.stop()
		return nil, s.errorf(ctx, "get", key, idle.stalled(octx, err))
	}
	return newS3Body(octx, idle, out), nil
}

// errorf names the bucket and key in an SDK error and replaces the SDK's
// long "operation error S3: ..., https response error StatusCode: ...,
// RequestID: ..." text with S3's own code and message.
func (s *s3Source) errorf(ctx context.Context, op, key string, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Cancelled: say so plainly rather than through the SDK's layers.
		err = ctx.Err()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg := ae.ErrorCode(), ae.ErrorMessage()
		if alias, ok := s3CodeAliases[code]; ok {
			code = alias
		}
		if msg == "" || msg == ae.ErrorCode() {
			msg = s3Messages[code]
		}
		err = &s3Error{
			Code:         code,
			Message:      strings.TrimSuffix(msg, "."),
			BucketRegion: regionHeader(err),
			region:       s.client.Options().Region,
			err:          err,
		}
	}
	return fmt.Errorf("%s s3://%s/%s%s: %w", op, s.bucket, s.root, key, err)
}

// s3CodeAliases name the S3 codes behind the codes the SDK derives from
// the HTTP status of an answer without a body, as HeadBucket's are.
var s3CodeAliases = map[string]string{
	"NotFound":  "NoSuchBucket",
	"Forbidden": "AccessDenied",
}

// s3Messages are S3's messages for the codes a user most often meets, for
// answers without one (HEAD requests, and some S3-compatible servers).
var s3Messages = map[string]string{
	"NoSuchKey":    "The specified key does not exist",
	"NoSuchBucket": "The specified bucket does not exist",
	"AccessDenied": "Access Denied",
}

// s3Error is an error answer from S3. It wraps the SDK's error, so
// errors.As still finds the SDK's types, and it matches fs.ErrNotExist for
// a missing key (not a missing bucket) and fs.ErrPermission for access
// denied, as a local folder's errors do.
type s3Error struct {
	Code, Message string
	// BucketRegion is the bucket's region when S3 names it, which it
	// does when a request went to the wrong region.
	BucketRegion string
	region       string // the region the request went to
	err          error
}

func (e *s3Error) Error() string {
	if e.BucketRegion != "" && e.BucketRegion != e.region {
		return fmt.Sprintf("bucket is in region %s, not %s (%s)", e.BucketRegion, e.region, e.Code)
	}
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

func (e *s3Error) Unwrap() error { return e.err }

func (e *s3Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.Code == "NoSuchKey"
	case fs.ErrPermission:
		return e.Code == "AccessDenied"
	}
	return false
}
