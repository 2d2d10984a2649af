package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestIngestS3UsesAppConfig ingests from an S3 server on loopback: the S3
// client comes from app.AWSConfig like every other AWS client, so the
// test's configuration (static credentials, the --endpoint-url it is
// given) is what reaches S3, and a missing --endpoint-url fails the test
// instead of reaching for real AWS.
func TestIngestS3UsesAppConfig(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAFAKE", "secret", ""),
	})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	body := `{"Records":[{"eventVersion":"1.08","eventID":"s3-1","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:00:00Z",` +
		`"userIdentity":{"type":"IAMUser","userName":"ana","accountId":"111122223333"}}]}`
	key := "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0000Z_a.json"
	if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("trail"), Key: aws.String(key), Body: bytes.NewReader([]byte(body))}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		args []string
	}{
		{"region flag", []string{"--region", "us-east-1"}},
		{"region from the configuration", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, out, errb := testApp(t)
			args := append([]string{"ingest", "--endpoint-url", srv.URL}, tt.args...)
			if code := execute(t, a, append(args, "s3://trail")...); code != exitOK {
				t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
			}
			if !strings.Contains(out.String(), "objects: 1 loaded") || !strings.Contains(out.String(), "events:  1 new") {
				t.Errorf("ingest output:\n%s", out)
			}
		})
	}
}
