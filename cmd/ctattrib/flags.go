package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ctattrib/ctattrib/store"
)

// Helpers for the flags several commands share: times (--since, --until),
// sizes (--memory-limit) and AWS (--profile, --region, --endpoint-url).

// stringFlags is the part of a cobra flag set the bind helpers use.
type stringFlags interface {
	StringVar(p *string, name, value, usage string)
}

// bindTimeFlags binds --since and --until; what names the things they
// keep ("events").
func bindTimeFlags(f stringFlags, since, until *string, what string) {
	f.StringVar(since, "since", "", "only "+what+" from this `time` on: RFC 3339, YYYY-MM-DD, or a duration ago like 36h or 7d")
	f.StringVar(until, "until", "", "only "+what+" before this `time` (same forms as --since)")
}

// parseTimeFlags reads --since and --until, as parseTimeFlag does.
func parseTimeFlags(since, until string, now time.Time) (time.Time, time.Time, error) {
	s, err := parseTimeFlag("--since", since, now)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	u, err := parseTimeFlag("--until", until, now)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return s, u, nil
}

// parseTimeFlag reads the flag called name as parseTime does, or returns a
// usage error.
func parseTimeFlag(name, v string, now time.Time) (time.Time, error) {
	t, err := parseTime(v, now)
	if err != nil {
		return time.Time{}, usageErrorf("%s: %v", name, err)
	}
	return t, nil
}

// parseTime parses the time forms --since and --until accept: RFC 3339, a
// date, or a duration before now ("36h", "7d"). An empty string is the
// zero time.
func parseTime(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == days {
			return now.UTC().AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.UTC().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (want RFC 3339, YYYY-MM-DD, or a duration ago like 36h or 7d)", v)
}

// defaultMemoryLimit is DuckDB's memory limit in ingest and attribute
// unless --memory-limit says otherwise.
const defaultMemoryLimit = "400MB"

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// scaleSize returns f times a size like 512MB or 2GiB in MiB, or floor
// bytes if that is more (DuckDB's insert runs out of memory below about
// 300MB rather than spill).
func scaleSize(size string, f float64, floor int64) (string, error) {
	m := sizeRe.FindStringSubmatch(strings.TrimSpace(size))
	if m == nil {
		return "", fmt.Errorf("%q: want a size like 512MB or 2GB", size)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return "", fmt.Errorf("%q: %w", size, err)
	}
	unit := map[string]float64{"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[m[2]]
	mib := max(int64(n*f*unit), floor) >> 20
	if mib < 1 {
		// DuckDB would take it, then fail to open the file.
		return "", fmt.Errorf("%q: want at least 1MiB", size)
	}
	return strconv.FormatInt(mib, 10) + "MiB", nil
}

// memoryLimitFlag is the --memory-limit flag's value as DuckDB takes it,
// or a usage error.
func memoryLimitFlag(flag string) (string, error) {
	limit, err := scaleSize(flag, 1, 0)
	if err != nil {
		return "", usageErrorf("--memory-limit: %v", err)
	}
	return limit, nil
}

// openForAttribution opens an existing database for writing, with
// DuckDB's memory capped at the --memory-limit flag's value.
func openForAttribution(ctx context.Context, a *app, memoryLimit string) (*store.DB, error) {
	limit, err := memoryLimitFlag(memoryLimit)
	if err != nil {
		return nil, err
	}
	return a.open(ctx, store.ReadWrite, store.Options{MemoryLimit: limit, Existing: true})
}

// awsFlags say which AWS profile, region and endpoint a command's clients
// use.
type awsFlags struct {
	Profile, Region, EndpointURL string
}

// bind binds --profile, --endpoint-url and, unless regionUsage is empty,
// --region, with the command's own wording for the last two.
func (o *awsFlags) bind(f stringFlags, regionUsage, endpointUsage string) {
	f.StringVar(&o.Profile, "profile", "", "AWS shared-config `profile`")
	if regionUsage != "" {
		f.StringVar(&o.Region, "region", "", regionUsage)
	}
	f.StringVar(&o.EndpointURL, "endpoint-url", "", endpointUsage)
}

// awsConfigFunc returns the AWS configuration for flags: the one place
// S3, SageMaker, IAM and STS clients come from (NewFromConfig). main uses
// loadAWSConfig; tests return static credentials and a loopback endpoint.
type awsConfigFunc func(ctx context.Context, flags awsFlags) (aws.Config, error)

// loadAWSConfig is the real awsConfigFunc: the SDK's default credential
// chain and shared config, with --profile, --region and --endpoint-url on
// top.
func loadAWSConfig(ctx context.Context, flags awsFlags) (aws.Config, error) {
	var load []func(*config.LoadOptions) error
	if flags.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(flags.Profile))
	}
	if flags.Region != "" {
		load = append(load, config.WithRegion(flags.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if flags.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(flags.EndpointURL)
	}
	return cfg, nil
}

// awsConfig returns the AWS configuration for flags from a.AWSConfig,
// which must name a region.
func (a *app) awsConfig(ctx context.Context, flags awsFlags) (aws.Config, error) {
	cfg, err := a.AWSConfig(ctx, flags)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		return aws.Config{}, usageErrorf("no AWS region: pass --region or set one in the profile")
	}
	return cfg, nil
}
