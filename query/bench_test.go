package query

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// benchEvents is the size of the generated database:
// CTATTRIB_BENCH_EVENTS=10000000 for the figure the issue asks for.
func benchEvents(b *testing.B) int {
	n := 200_000
	if v := os.Getenv("CTATTRIB_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("CTATTRIB_BENCH_EVENTS=%q: want a positive number", v)
		}
	}
	return n
}

// benchSQL generates n events over 30 days from 500 notebook instances in 4
// accounts and 3 regions, 60 event names (CreateEndpoint one of them), 2%
// errors, half of them denials, and one attribution per event (a tenth
// unattributed), all in DuckDB.
const benchSQL = `
INSERT INTO notebook_instances (account_id, region, name, role_arn, lifecycle_config_name, created_at, last_started_at, source)
SELECT '1111222233' || lpad((i % 4)::VARCHAR, 2, '0'),
	['us-east-1', 'eu-west-1', 'us-west-2'][i % 3 + 1],
	'nb-' || i,
	'arn:aws:iam::1111222233' || lpad((i % 4)::VARCHAR, 2, '0') || ':role/service-role/Exec-' || (i % 20),
	CASE WHEN i % 5 <> 0 THEN 'session-name' END,
	'2024-01-01T00:00:00Z'::TIMESTAMPTZ,
	'2024-01-01T00:00:00Z'::TIMESTAMPTZ + to_days((i % 15)::INTEGER),
	'api'
FROM range(500) t(i);

INSERT INTO event_rows (event_id, event_time, event_source, event_name, aws_region, recipient_account_id,
	identity_type, principal_arn, role_arn, session_name, error_code, error_message, record,
	request_bucket, request_key)
SELECT 'ev-' || i,
	'2024-01-01T00:00:00Z'::TIMESTAMPTZ + to_seconds((i * 2592000 // $1)::BIGINT),
	['sagemaker.amazonaws.com', 's3.amazonaws.com', 'kms.amazonaws.com', 'ec2.amazonaws.com'][i % 4 + 1],
	CASE WHEN i % 997 = 0 THEN 'CreateEndpoint' ELSE 'Op' || (i % 59) END,
	['us-east-1', 'eu-west-1', 'us-west-2'][(i % 500) % 3 + 1],
	'1111222233' || lpad(((i % 500) % 4)::VARCHAR, 2, '0'),
	'AssumedRole',
	'arn:aws:sts::1111222233' || lpad(((i % 500) % 4)::VARCHAR, 2, '0') || ':assumed-role/Exec-' || ((i % 500) % 20) || '/nb-' || (i % 500),
	'arn:aws:iam::1111222233' || lpad(((i % 500) % 4)::VARCHAR, 2, '0') || ':role/service-role/Exec-' || ((i % 500) % 20),
	CASE WHEN i % 7 = 0 THEN 'SageMaker' ELSE 'nb-' || (i % 500) END,
	CASE WHEN i % 50 = 0 THEN 'AccessDenied' WHEN i % 50 = 1 THEN 'ThrottlingException' END,
	CASE WHEN i % 50 = 0 THEN 'Access Denied' END,
	CASE WHEN i % 4 = 1 THEN '{"requestParameters":{"bucketName":"bucket-' || (i % 13) || '","key":"k/' || (i % 101) || '"}}' END,
	CASE WHEN i % 4 = 1 THEN 'bucket-' || (i % 13) END,
	CASE WHEN i % 4 = 1 THEN 'k/' || (i % 101) END
FROM range($1) t(i);

-- As attribute writes them: the event columns the reports read copied
-- from each event.
INSERT INTO attributions (event_id, actor_kind, actor, method, confidence, account_id, region,
	event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
	recipient_account_id, aws_region)
SELECT event_id,
	CASE WHEN i % 10 = 0 THEN 'unattributed' ELSE 'notebook-instance' END,
	CASE WHEN i % 10 <> 0 THEN 'nb-' || (i % 500) END,
	CASE WHEN i % 10 = 0 THEN 'none' WHEN i % 7 = 0 THEN 'access-key-chain' ELSE 'session-name' END,
	CASE WHEN i % 10 = 0 THEN 'low' ELSE 'high' END,
	recipient_account_id,
	aws_region,
	event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
	recipient_account_id, aws_region
FROM (SELECT *, substr(event_id, 4)::BIGINT AS i FROM event_rows);
`

func benchDB(b *testing.B, n int) *store.DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.duckdb")
	rw, err := store.Open(ctx, path, store.ReadWrite)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for _, stmt := range strings.Split(benchSQL, ";\n\n") {
		var args []any
		if strings.Contains(stmt, "$1") {
			args = []any{n}
		}
		if _, err := rw.SQL.ExecContext(ctx, stmt, args...); err != nil {
			rw.Close()
			b.Fatalf("generate: %v", err)
		}
	}
	if err := rw.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events in %v", n, time.Since(start).Round(time.Millisecond))
	db, err := store.Open(ctx, path, store.ReadOnly)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkQueries times the named queries end to end, rows written as
// CSV to io.Discard, on a generated database:
//
//	CTATTRIB_BENCH_EVENTS=10000000 go test -run '^$' -bench Queries -benchtime 5x ./query
func BenchmarkQueries(b *testing.B) {
	n := benchEvents(b)
	db := benchDB(b, n)
	for _, bc := range []struct {
		name string
		q    namedQuery
	}{
		{"instances", instances(InstancesParams{})},
		{"whodid", whodid(WhodidParams{EventName: "CreateEndpoint"})},
		{"whodid-filtered", whodid(WhodidParams{EventName: "CreateEndpoint", Filter: Filter{Account: "111122223301", Since: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}})},
		{"activity", activity(ActivityParams{Actor: "nb-51", ErrorsOnly: true})},
		{"denied", denied(DeniedParams{})},
		{"coverage", coverage(CoverageParams{})},
	} {
		name := bc.name
		b.Run(fmt.Sprintf("%s/events=%d", name, n), func(b *testing.B) {
			var rows int64
			for b.Loop() {
				r, err := bc.q.run(b.Context(), db)
				if err != nil {
					b.Fatal(err)
				}
				sum, err := Write(b.Context(), io.Discard, r, CSV, WriteOptions{})
				r.Close()
				if err != nil {
					b.Fatal(err)
				}
				rows = sum.Rows
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
