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

// runSQL runs a named query's SQL built with p as given (Run sets
// p.pending itself) and returns the result as CSV.
func runSQL(t *testing.T, db *store.DB, name string, p Params) string {
	t.Helper()
	spec, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	text, args, err := spec.build(p)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := db.SQL.QueryContext(t.Context(), text, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	r, err := fromSQL(rs)
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

// TestCoveragePending checks coverage on a database where some events
// have no attribution yet: it reads attributions alone unless events
// outnumber them, and then counts the events without one as unattributed.
func TestCoveragePending(t *testing.T) {
	full := scenarioDBWith(t, "")
	if pending, err := pendingEvents(t.Context(), full); err != nil || pending {
		t.Fatalf("pendingEvents after a full attribution = %v, %v; want false", pending, err)
	}
	// With every event attributed, both forms of the SQL agree.
	attributedOnly := runSQL(t, full, "coverage", Params{})
	if diff := cmp.Diff(attributedOnly, runSQL(t, full, "coverage", Params{pending: true})); diff != "" {
		t.Errorf("coverage reading events too differs (-attributions +events):\n%s", diff)
	}

	const role = "arn:aws:iam::111111111111:role/AmazonSageMaker-ExecutionRole-Studio"
	db := scenarioDBWith(t, `DELETE FROM attributions WHERE role_arn = '`+role+`'`)
	if pending, err := pendingEvents(t.Context(), db); err != nil || !pending {
		t.Fatalf("pendingEvents with attributions deleted = %v, %v; want true", pending, err)
	}
	r, err := Run(t.Context(), db, "coverage", Params{})
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
	// The Studio role's 2 calls, both attributed by sourceIdentity before.
	if want := "111111111111," + role + ",2,0,2,0,0,,not attributed yet"; got != want {
		t.Errorf("coverage row of %s = %q, want %q", role, got, want)
	}
}
