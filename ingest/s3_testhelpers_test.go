package ingest

// Helpers for tests that need an S3 server. Two serve, both on loopback
// and spoken to by the real SDK client:
//
//   - newFakeS3 runs gofakes3 in-process: fast, always available.
//   - startVersityGW (versitygw_test.go) runs the versitygw gateway
//     binary with its posix backend: a real S3 implementation, for the
//     integration suite.
//
// Either way, fill a bucket with putObjects and open it as a Source with
// openTestS3Source, or directly with OpenSource after setS3TestEnv.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"golang.org/x/sync/errgroup"
)

// Credentials and region of the test servers. gofakes3 accepts any
// credentials; versitygw is started with these as its root account.
const (
	testAccessKey = "ctattrib-test-access"
	testSecretKey = "ctattrib-test-secret"
	testRegion    = "us-east-1"
)

// newFakeS3 starts an in-process gofakes3 server (memory backend) on
// loopback, stopped when the test ends. It returns the server's endpoint
// URL, for SourceOptions.EndpointURL, and a path-style SDK client for it.
func newFakeS3(t *testing.T) (endpoint string, client *s3.Client) {
	t.Helper()
	return newFakeS3Wrapped(t, nil)
}

// newFakeS3Wrapped is newFakeS3 with wrap (if not nil) placed in front of
// the fake, to answer some requests the way real S3 does and gofakes3
// doesn't (errors, other regions).
func newFakeS3Wrapped(t *testing.T, wrap func(http.Handler) http.Handler) (endpoint string, client *s3.Client) {
	t.Helper()
	h := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, newTestS3Client(srv.URL)
}

// newTestS3Client returns an SDK client for a loopback S3 server that
// uses the test credentials and path-style addressing. It reads no AWS
// configuration from the environment.
func newTestS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
	})
}

var bucketSeq atomic.Int64

// newBucketName returns a bucket name no other test in this process uses.
func newBucketName() string {
	return fmt.Sprintf("ctattrib-test-%d", bucketSeq.Add(1))
}

// putObjects uploads files (S3 key -> content) to bucket, creating the
// bucket first if it does not exist yet. Uploads run concurrently, so a
// tree of a few thousand objects takes well under a second on gofakes3.
func putObjects(t *testing.T, client *s3.Client, bucket string, files map[string][]byte) {
	t.Helper()
	ctx := t.Context()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	var exists *types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, key := range slices.Sorted(maps.Keys(files)) {
		g.Go(func() error {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket),
				Key:    aws.String(key),
				Body:   bytes.NewReader(files[key]),
			})
			if err != nil {
				return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// setS3TestEnv makes the SDK's configuration loading (which OpenSource
// uses) hermetic for the rest of the test: no shared config or
// credentials files, the test credentials in the environment, and no
// region, profile or endpoint from the developer's shell. Tests that call
// it cannot run in parallel.
func setS3TestEnv(t *testing.T) {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CA_BUNDLE",
	} {
		t.Setenv(k, "")    // restores the old value when the test ends
		_ = os.Unsetenv(k) // the SDK tells unset from empty for some
	}
}

// openTestS3Source calls setS3TestEnv and opens uri (s3://bucket/prefix)
// on the S3 server at endpoint through OpenSource, as the CLI would with
// --endpoint-url and --region us-east-1.
func openTestS3Source(t *testing.T, endpoint, uri string) Source {
	t.Helper()
	setS3TestEnv(t)
	src, err := OpenSource(t.Context(), uri, SourceOptions{EndpointURL: endpoint, Region: testRegion})
	if err != nil {
		t.Fatalf("OpenSource(%q) = %v", uri, err)
	}
	return src
}

// readAll opens key in src and returns its content.
func readAll(ctx context.Context, src Source, key string) ([]byte, error) {
	rc, err := src.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
