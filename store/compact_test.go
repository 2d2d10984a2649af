package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pruned makes a database whose table big had most of its rows deleted
// from every row group: the file keeps its size until it is compacted.
// It returns the path and the rows left.
func pruned(t *testing.T) (string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.duckdb")
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE big AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s FROM range(400000) r(i)`,
		`CREATE MACRO twice(x) AS x * 2`,
		`CHECKPOINT`,
		`DELETE FROM big WHERE i % 10 <> 0`,
		`CHECKPOINT`,
	} {
		if _, err := db.SQL.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path, 40000
}

func TestCompact(t *testing.T) {
	path, rows := pruned(t)
	// What an earlier compaction that crashed may have left.
	if err := os.WriteFile(path+compactSuffix, []byte("partial copy"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Compact(t.Context(), path, Options{MemoryLimit: "300MB"})
	if err != nil {
		t.Fatalf("Compact: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if res.After != fi.Size() {
		t.Errorf("After = %d, the file has %d bytes", res.After, fi.Size())
	}
	t.Logf("compacted %d -> %d bytes", res.Before, res.After)
	if res.After*2 > res.Before {
		t.Errorf("compacted %d -> %d bytes, want less than half: 90%% of the rows were deleted", res.Before, res.After)
	}
	for _, p := range []string{path + compactSuffix, path + compactSuffix + ".wal", path + ".wal"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left behind", filepath.Base(p))
		}
	}

	// The data, the schema and the migrations are all there, and the file
	// opens as before, for writing too.
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatalf("Open after Compact: %v", err)
	}
	defer db.Close()
	var n, sum, twice, migrations, events int64
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*), sum(i), twice(21),
		(SELECT count(*) FROM schema_migrations), (SELECT count(*) FROM events) FROM big`).Scan(&n, &sum, &twice, &migrations, &events); err != nil {
		t.Fatal(err)
	}
	if n != rows || sum != 10*(rows-1)*rows/2 || twice != 42 {
		t.Errorf("after Compact: %d rows summing to %d, twice(21) = %d; want %d rows summing to %d, 42", n, sum, twice, rows, 10*(rows-1)*rows/2)
	}
	entries, _ := migrationFS.ReadDir("migrations")
	if migrations != int64(len(entries)) {
		t.Errorf("after Compact: %d migrations recorded, want %d", migrations, len(entries))
	}
}

func TestCompactRefuses(t *testing.T) {
	path, _ := pruned(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("in use", func(t *testing.T) {
		db, err := Open(t.Context(), path, ReadOnly)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := Compact(t.Context(), path, Options{}); !errors.Is(err, ErrInUse) {
			t.Errorf("Compact while a reader has it open = %v, want ErrInUse", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "missing.duckdb")
		if _, err := Compact(t.Context(), missing, Options{}); !errors.Is(err, ErrNotExist) {
			t.Errorf("Compact(missing) = %v, want ErrNotExist", err)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Error("Compact(missing) created the file")
		}
	})
	t.Run("copy fails", func(t *testing.T) {
		// The copy's place is taken by a folder that cannot be removed.
		if err := os.MkdirAll(filepath.Join(path+compactSuffix, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(path + compactSuffix)
		_, err := Compact(t.Context(), path, Options{})
		if err == nil || !strings.Contains(err.Error(), "c.duckdb.compact") {
			t.Errorf("Compact with the copy's path taken = %v, want an error naming it", err)
		}
	})
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("a refused Compact changed the database file")
	}
}

func TestCompactKeepsAFileWithNothingToGiveBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.duckdb")
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(t.Context(), `CREATE TABLE big AS SELECT i, md5(i::VARCHAR) AS s FROM range(200000) r(i)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compact(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Compact: %v", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Kept || res.After != res.Before || res.Before != int64(len(before)) {
		t.Errorf("Compact = %+v, want Kept with After = Before = %d", res, len(before))
	}
	if len(after) != len(before) {
		t.Errorf("the file went from %d to %d bytes, want it left as it was", len(before), len(after))
	}
	if _, err := os.Stat(path + compactSuffix); err == nil {
		t.Errorf("%s left behind", compactSuffix)
	}
}
