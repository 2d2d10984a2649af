package query

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSQLRefusesSideEffects checks the statements DuckDB's read-only mode
// and locked configuration let through: each must be refused before it
// runs, and none may write the file it names (CALL enable_logging with a
// file storage aborted the process).
func TestSQLRefusesSideEffects(t *testing.T) {
	db := newFixtureDB(t)
	out := filepath.Join(t.TempDir(), "x")
	refused := []string{
		`CALL enable_logging(storage='file', storage_path='` + out + `'); SELECT 1`,
		`CALL enable_logging()`,
		`SELECT * FROM enable_logging(storage = 'file', storage_path = '` + out + `')`,
		`select * from ENABLE_LOGGING ()`,
		`SELECT * FROM main."enable_logging"()`,
		`CALL disable_logging()`,
		`CALL truncate_duckdb_logs()`,
		`PRAGMA enable_profiling`,
		`PRAGMA enable_profiling = 'json'`,
		`PRAGMA profile_output = '` + out + `'`,
		`PRAGMA memory_limit = '1GB'`,
		`pragma disable_checkpoint_on_shutdown`,
		`CALL checkpoint()`,
		`SELECT * FROM force_checkpoint()`,
		`CALL enable_peg_parser()`,
		`SELECT * FROM query('CALL enable_logging()')`,
		`SELECT * FROM query_table('events')`,
		`SELECT 1; /* a comment */ CALL enable_profiling()`,
		`SELECT 1 -- a comment
		; PRAGMA enable_profiling`,
		// An escape string whose quote is escaped by a backslash ends
		// where DuckDB ends it.
		`SELECT E'\''; CALL enable_logging() --'`,
		`SELECT e'a\'b'; PRAGMA enable_profiling`,
	}
	for _, q := range refused {
		t.Run(q, func(t *testing.T) {
			r, err := SQL(t.Context(), db, q)
			if err == nil {
				r.Close()
			}
			if !errors.Is(err, ErrRefused) {
				t.Errorf("SQL(%q) = %v, want ErrRefused", q, err)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written", out)
	}
	allowed := []string{
		`SELECT count(*) FROM events`,
		`PRAGMA table_info('events')`,
		`CALL pragma_table_info('events')`,
		`PRAGMA show_tables`,
		`PRAGMA database_size`,
		`CALL pragma_version()`,
		`SELECT 'CALL enable_logging' AS s`,
		`SELECT 'it''s; PRAGMA enable_profiling' AS s`,
		`SELECT $$; CALL checkpoint$$ AS s`,
		`SELECT "query" FROM (SELECT 1 AS "query")`,
		`-- PRAGMA enable_profiling
		SELECT 1`,
		`WITH q AS (SELECT 1 AS a) SELECT a FROM q`,
	}
	for _, q := range allowed {
		t.Run(q, func(t *testing.T) {
			r, err := SQL(t.Context(), db, q)
			if err != nil {
				t.Fatalf("SQL(%q) = %v, want success", q, err)
			}
			r.Close()
		})
	}
}
