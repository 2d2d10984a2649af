package report

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestReportSizeBound draws the largest report the limits allow: every
// list at DefaultTop rows with long names, every bucket of every chart
// and strip filled with calls, errors and denials. The file must stay
// under 2 MB, however many events the database holds.
func TestReportSizeBound(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	r := &Report{Unit: "hour", Width: time.Hour, StripUnit: "3 hours", StripWidth: 3 * time.Hour,
		Headline: Headline{Events: 10_000_000, Accounts: 500, First: start, Last: start.Add(167 * time.Hour)},
		methodOf: map[string]string{}, seriesOf: map[string]string{}}
	for i := range maxBuckets {
		r.Buckets = append(r.Buckets, start.Add(time.Duration(i)*time.Hour))
	}
	for i := range maxStripBuckets {
		r.StripBuckets = append(r.StripBuckets, start.Add(time.Duration(i)*3*time.Hour))
	}
	long := func(prefix string, i int) string {
		return fmt.Sprintf("%s-%02d-%s", prefix, i, strings.Repeat("x", 40))
	}
	counts := map[string]int64{}
	for i := range 12 {
		m := long("method", i)
		r.Methods = append(r.Methods, Count{Name: m, N: int64(1_000_000 - i)})
		counts[m] = int64(1_000_000 - i)
	}
	r.MethodSeries, r.methodOf = series(counts)
	r.Series, r.seriesOf = series(counts)
	full := func() map[string]int64 {
		c := map[string]int64{}
		for _, s := range r.Series {
			c[s] = 123_456
		}
		return c
	}
	for _, b := range r.Buckets {
		r.Timeline = append(r.Timeline, Stack{Key: bucketKey(b), Counts: full()})
	}
	shares := make([]Share, maxStripBuckets)
	points := make([]Point, maxStripBuckets)
	for i := range shares {
		shares[i] = Share{Calls: 99_999, Attributed: 54_321}
		points[i] = Point{Calls: 99_999, Errors: 9_999, Denied: 999}
	}
	reason := strings.Repeat("default SageMaker session: no AssumeRole in the data links key ASIAXXXXXXXXXXXXXXXX ", 5)
	for i := range DefaultTop {
		account := fmt.Sprintf("%012d", i)
		r.Accounts = append(r.Accounts, Stack{Key: account, Counts: full()})
		r.AccountShares = append(r.AccountShares, shares)
		arn := "arn:aws:iam::" + account + ":role/service-role/" + long("AmazonSageMaker-ExecutionRole", i)
		r.Roles = append(r.Roles, Role{Account: account, ARN: arn, Calls: 999_999, Attributed: 500_000, Instances: 50,
			InstancesWithoutConfig: strings.Repeat(long("nb", i)+", ", 10), Top: reason, Shares: shares})
		c := Compute{Kind: "notebook-instance", Account: account, Region: "ap-southeast-2", Name: long("notebook", i),
			Calls: 999_999, Errors: 99_999, Denied: 9_999, Findings: 9, Strip: points, Lifecycle: "partly in effect", Finding: reason}
		r.Instances = append(r.Instances, c)
		c.Kind = "lambda-function"
		r.Others = append(r.Others, c)
		var ids []string
		for j := range 25 {
			ids = append(ids, fmt.Sprintf("%08d-1111-2222-3333-444455556666", j))
		}
		r.Findings = append(r.Findings, Finding{Kind: "credentials-used-off-compute", Severity: "high", Account: account,
			ActorKind: "notebook-instance", Actor: long("notebook", i), AccessKey: "ASIAXXXXXXXXXXXXXXXX", First: start, Last: start,
			Events: 25, SourceIPs: []string{"198.51.100.1", "198.51.100.2", "203.0.113.9"},
			UserAgents: []string{strings.Repeat("Boto3/1.34.0 md/Botocore#1.34.0 ", 4)}, EventIDs: ids, Reason: reason})
		r.Denials = append(r.Denials, Denial{Account: account, Actor: long("actor", i), Principal: arn, Action: "s3:GetObject",
			Resource: "arn:aws:s3:::" + long("bucket", i) + "/" + long("key", i), Reason: "unknown (bare message)", PolicyType: "unknown",
			Count: 99_999, First: start, Last: start, SuggestedPolicy: strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject"}`, 8),
			Checks: strings.Repeat("S3: check the bucket policy for a Deny; ", 15)})
	}
	for k := range fixes {
		r.Unattributed = append(r.Unattributed, Reason{Kind: k, Calls: 999_999, Roles: 99,
			TopRoles: []string{r.Roles[0].ARN, r.Roles[1].ARN, r.Roles[2].ARN}, Example: reason, Fix: fixes[k]})
	}
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	t.Logf("the largest report: %d bytes", b.Len())
	// REPORT_SIZE_OUT=FILE keeps it, to see where the bytes go.
	if p := os.Getenv("REPORT_SIZE_OUT"); p != "" {
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if b.Len() >= 2_000_000 {
		t.Errorf("the largest report is %d bytes, want under 2 MB", b.Len())
	}
}
