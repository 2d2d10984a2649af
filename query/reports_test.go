package query

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/store"
)

// scenarioDBWith ingests and attributes the scenario, lets change alter the
// database, and reopens it read-only.
func scenarioDBWith(t *testing.T, change string) *store.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "scenario.duckdb")
	rw, err := store.Open(ctx, path, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	src, err := ingest.OpenSource(ctx, filepath.Join("..", "testdata", "scenario"), ingest.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(ctx, rw, src, ingest.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := attribution.Run(ctx, rw, attribution.Options{Full: true}); err != nil {
		t.Fatal(err)
	}
	if change != "" {
		if _, err := rw.SQL.ExecContext(ctx, change); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// coverageCSV runs coverage.sql rendered with pending as given (Coverage
// asks attribution.Pending instead) and returns the result as CSV.
func coverageCSV(t *testing.T, db *store.DB, pending bool) string {
	t.Helper()
	p := CoverageParams{}
	r, err := run(t.Context(), db, coverageSQL, coverageData{p, pending}, p.args())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	if _, err := Write(t.Context(), &buf, r, CSV, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestCoveragePending(t *testing.T) {
	full := scenarioDBWith(t, "")
	// With every event attributed, both forms of the SQL agree.
	attributedOnly := coverageCSV(t, full, false)
	if diff := cmp.Diff(attributedOnly, coverageCSV(t, full, true)); diff != "" {
		t.Errorf("coverage reading events too differs (-attributions +events):\n%s", diff)
	}

	const role = "arn:aws:iam::111111111111:role/AmazonSageMaker-ExecutionRole-Studio"
	db := scenarioDBWith(t, `DELETE FROM attributions WHERE role_arn = '`+role+`'`)
	r, err := Coverage(t.Context(), db, CoverageParams{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := Write(t.Context(), &buf, r, CSV, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	var got string
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, role+",") {
			got = line
		}
	}
	// The Studio role's 2 calls, both attributed by sourceIdentity before,
	// none a finding.
	if want := "111111111111," + role + ",2,0,2,0,0,0,,not attributed yet"; got != want {
		t.Errorf("coverage row of %s = %q, want %q", role, got, want)
	}
}
