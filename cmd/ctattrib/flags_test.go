package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// testAWSConfig is the AWS configuration of tests: static credentials, no
// shared config, and the endpoint --endpoint-url names, which the test must
// pass (a loopback fake), so that the flag's wiring is tested too.
func testAWSConfig(t *testing.T) awsConfigFunc {
	return func(_ context.Context, flags awsFlags) (aws.Config, error) {
		if flags.EndpointURL == "" {
			t.Error("test made AWS clients without --endpoint-url")
			return aws.Config{}, errors.New("no test endpoint")
		}
		region := flags.Region
		if region == "" {
			region = "us-east-1"
		}
		return aws.Config{
			Region:       region,
			Credentials:  credentials.NewStaticCredentialsProvider("AKIAFAKE", "secret", ""),
			BaseEndpoint: aws.String(flags.EndpointURL),
		}, nil
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-11-01T10:30:00Z", time.Date(2026, 11, 1, 10, 30, 0, 0, time.UTC), false},
		{"2026-11-01T10:30:00+02:00", time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC), false},
		{"7d", now.AddDate(0, 0, -7), false},
		{"36h", now.Add(-36 * time.Hour), false},
		{"-5h", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"7dd", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in, now)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v, want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-01", "7d", "36h", "2026-11-01T10:30:00Z", "", "1d2h"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s, now)
		if err != nil {
			return
		}
		if strings.TrimSpace(s) != "" && got.IsZero() {
			t.Fatalf("parseTime(%q) = zero time without error", s)
		}
		if got.Location() != time.UTC && !got.IsZero() {
			t.Fatalf("parseTime(%q) = %v, not UTC", s, got)
		}
	})
}

func TestScaleSize(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		wantErr  bool
	}{
		{"400MB", "300MiB", false}, // 240MB is under the floor
		{"1GB", "572MiB", false},
		{"4GiB", "2457MiB", false},
		{"512 MB", "300MiB", false},
		{"1.5TB", "858306MiB", false},
		{"lots", "", true},
		{"-1MB", "", true},
	} {
		got, err := scaleSize(tt.in, 0.6, 300<<20)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("scaleSize(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	// Without a floor (attribute), a size under a MiB is refused.
	for _, in := range []string{"0MB", "500KB"} {
		if got, err := scaleSize(in, 1, 0); err == nil {
			t.Errorf("scaleSize(%q, no floor) = %q, want an error", in, got)
		}
	}
}

// TestAWSConfigNeedsRegion checks that a configuration without a region is
// a usage error before any client is made.
func TestAWSConfigNeedsRegion(t *testing.T) {
	a := &app{AWSConfig: func(context.Context, awsFlags) (aws.Config, error) { return aws.Config{}, nil }}
	_, err := a.awsConfig(t.Context(), awsFlags{})
	if code := exitCode(err); code != exitUsage {
		t.Errorf("awsConfig without a region = %v (exit %d), want a usage error", err, code)
	}
}
