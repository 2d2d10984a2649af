package query

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExport(t *testing.T) {
	db := newFixtureDB(t)
	dir := filepath.Join(t.TempDir(), "parquet")
	n, err := Export(t.Context(), db, dir, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var events int64
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if n != events {
		t.Errorf("Export() = %d rows, want %d", n, events)
	}

	// Partitions are Hive-style folders a distributed engine reads as
	// columns.
	var parts []string
	err = filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".parquet") {
			rel, err := filepath.Rel(dir, filepath.Dir(p))
			if err != nil {
				return err
			}
			parts = append(parts, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) == 0 || !strings.HasPrefix(parts[0], "account_id=") || !strings.Contains(parts[0], "/region=") || !strings.Contains(parts[0], "/day=") {
		t.Errorf("partition folders = %v, want account_id=…/region=…/day=…", parts)
	}

	// Reading it back gives every event with its attribution.
	var rows, attributed int64
	var actor string
	err = db.SQL.QueryRowContext(t.Context(), `SELECT count(*), count(actor_kind), max(actor) FILTER (WHERE event_id = 'e1')
		FROM read_parquet(? || '/**/*.parquet', hive_partitioning = true)`, dir).Scan(&rows, &attributed, &actor)
	if err != nil {
		t.Fatal(err)
	}
	if rows != events || attributed == 0 || actor != "nb-alpha" {
		t.Errorf("read back %d rows, %d attributed, e1 by %q; want %d rows and e1 by nb-alpha", rows, attributed, actor, events)
	}

	// A second export into the same folder is refused without --append, and
	// appends a disjoint range with it.
	if _, err := Export(t.Context(), db, dir, ExportOptions{}); !errors.Is(err, ErrExportExists) {
		t.Errorf("second Export() error = %v, want ErrExportExists", err)
	}
	if n, err := Export(t.Context(), db, dir, ExportOptions{Append: true, Since: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil || n != 0 {
		t.Errorf("Export(append, future) = %d, %v; want 0 rows", n, err)
	}
}
