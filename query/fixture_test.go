package query

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// newFixtureDB writes testdata/fixture.sql into a fresh database file, fills
// the columns ingest and attribution would (testdata/fill_columns.sql), and
// reopens it read-only, as the query command does. extra names more files
// of testdata to run after fixture.sql.
func newFixtureDB(t testing.TB, extra ...string) *store.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.duckdb")
	rw, err := store.Open(ctx, path, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(append([]string{"fixture.sql"}, extra...), "fill_columns.sql") {
		text, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rw.SQL.ExecContext(ctx, string(text)); err != nil {
			rw.Close()
			t.Fatalf("load %s: %v", name, err)
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
