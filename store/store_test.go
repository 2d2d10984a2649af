package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestOpenSecondWriterIsInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Mode{ReadWrite, ReadOnly} {
		_, err := Open(t.Context(), path, mode)
		if !errors.Is(err, ErrInUse) {
			t.Errorf("second Open(mode %d) error = %v, want ErrInUse", mode, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Once closed, the file opens again, and readers share it.
	r1, err := Open(t.Context(), path, ReadOnly)
	if err != nil {
		t.Fatalf("Open(ReadOnly) after close: %v", err)
	}
	defer r1.Close()
	r2, err := Open(t.Context(), path, ReadOnly)
	if err != nil {
		t.Fatalf("second Open(ReadOnly): %v", err)
	}
	defer r2.Close()
	if _, err := Open(t.Context(), path, ReadWrite); !errors.Is(err, ErrInUse) {
		t.Errorf("Open(ReadWrite) while read = %v, want ErrInUse", err)
	}
}

func TestOpenRetryLockWaitsForTheHolder(t *testing.T) {
	for _, mode := range []Mode{ReadWrite, ReadOnly} {
		path := filepath.Join(t.TempDir(), "x.duckdb")
		holder, err := Open(t.Context(), path, ReadWrite)
		if err != nil {
			t.Fatal(err)
		}
		// The holder lets go only once Open has found it and said so.
		var released atomic.Bool
		var waits []error
		opts := Options{RetryLock: time.Minute, Waiting: func(err error) {
			waits = append(waits, err)
			go func() {
				released.Store(true)
				holder.Close()
			}()
		}}
		db, err := OpenWith(t.Context(), path, mode, opts)
		if err != nil {
			t.Fatalf("OpenWith(mode %d, RetryLock) = %v, want the database once the holder closed it", mode, err)
		}
		if !released.Load() {
			t.Errorf("OpenWith(mode %d) returned before the holder let go", mode)
		}
		if len(waits) != 1 || !errors.Is(waits[0], ErrInUse) || !strings.Contains(waits[0].Error(), "pid "+strconv.Itoa(os.Getpid())) {
			t.Errorf("Waiting got %v, want one ErrInUse naming pid %d", waits, os.Getpid())
		}
		db.Close()
	}
}

func TestOpenRetryLockGivesUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	holder, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	waits := 0
	_, err = OpenWith(t.Context(), path, ReadOnly, Options{RetryLock: 300 * time.Millisecond, Waiting: func(error) { waits++ }})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "retried for 300ms") {
		t.Errorf("OpenWith while held throughout = %v, want ErrInUse saying how long it retried", err)
	}
	if waits != 1 {
		t.Errorf("Waiting called %d times, want 1", waits)
	}

	// Ctrl-C while waiting ends the wait.
	ctx, cancel := context.WithCancel(t.Context())
	_, err = OpenWith(ctx, path, ReadWrite, Options{RetryLock: time.Hour, Waiting: func(error) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("OpenWith cancelled while waiting = %v, want context.Canceled", err)
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	_, err := Open(t.Context(), filepath.Join(t.TempDir(), "missing.duckdb"), ReadOnly)
	if !errors.Is(err, ErrNotExist) {
		t.Errorf("Open(missing, ReadOnly) error = %v, want ErrNotExist", err)
	}
	path := filepath.Join(t.TempDir(), "missing.duckdb")
	if _, err := OpenWith(t.Context(), path, ReadWrite, Options{Existing: true}); !errors.Is(err, ErrNotExist) {
		t.Errorf("OpenWith(missing, ReadWrite, Existing) error = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenWith(missing, ReadWrite, Existing) created %s (stat: %v)", path, err)
	}
}

func TestOpenInMissingFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "nope", "x.duckdb"), "folder " + filepath.Join(dir, "nope") + " does not exist"},
		{filepath.Join(file, "x.duckdb"), file + " is not a folder"},
	} {
		_, err := Open(t.Context(), tt.path, ReadWrite)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("Open(%s) error = %v, want it to name the file and say %q", tt.path, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open created the missing folder (stat: %v)", err)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := Open(t.Context(), path, ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for _, q := range []string{`DELETE FROM objects`, `DROP TABLE events`, `CREATE TABLE x (a INT)`} {
		if _, err := ro.SQL.ExecContext(t.Context(), q); err == nil {
			t.Errorf("read-only Exec(%q) succeeded", q)
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	migs, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		db, err := Open(t.Context(), path, ReadWrite)
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.Version(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if want := migs[len(migs)-1].version; v != want {
			t.Errorf("Version() = %d, want %d", v, want)
		}
		var n int
		if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(migs) {
			t.Errorf("schema_migrations rows = %d, want %d", n, len(migs))
		}
		db.Close()
	}
}

func TestOpenWithMemoryLimit(t *testing.T) {
	db, err := OpenWith(t.Context(), filepath.Join(t.TempDir(), "x.duckdb"), ReadWrite, Options{MemoryLimit: "256MB"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var limit string
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT current_setting('memory_limit')`).Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != "244.1 MiB" && limit != "256.0 MiB" {
		t.Errorf("memory_limit = %q, want 256MB", limit)
	}
	// Without its background threads, DuckDB's allocator kept freed pages
	// and an ingest's RSS grew with the number of batches (see Open).
	var background bool
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT current_setting('allocator_background_threads')`).Scan(&background); err != nil {
		t.Fatal(err)
	}
	if !background {
		t.Error("allocator_background_threads = false, want true")
	}
	if _, err := OpenWith(t.Context(), filepath.Join(t.TempDir(), "y.duckdb"), ReadWrite, Options{MemoryLimit: "1GB; DROP"}); err == nil {
		t.Error("OpenWith accepted a malformed memory limit")
	}
}
