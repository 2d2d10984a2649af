package store

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ctattrib/ctattrib/internal/tmpfs"
)

// brick writes at path what a kill during the first ingest of an earlier
// version left: a file with no table, and a write-ahead log holding every
// migration, which DuckDB cannot replay.
func brick(t *testing.T, path string) {
	t.Helper()
	connector, err := duckdb.NewConnector(dsn(path, ReadWrite, Options{}), initConn)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{path: path, connector: connector, SQL: sql.OpenDB(connector)}
	// As if killed: no checkpoint when the database closes.
	if _, err := db.SQL.Exec(`PRAGMA disable_checkpoint_on_shutdown`); err != nil {
		t.Fatal(err)
	}
	migs, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if err := db.apply(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.closeDuckDB(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".wal"); err != nil {
		t.Fatalf("brick: %v, want a write-ahead log left", err)
	}
}

func TestOpenRecoversADatabaseKilledInItsFirstRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	brick(t, path)
	if _, err := Open(t.Context(), path, ReadOnly); !errors.Is(err, ErrUnreplayable) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Open(ReadOnly) of the broken file = %q, want ErrUnreplayable on one line", err)
	}
	var aside string
	db, err := OpenWith(t.Context(), path, ReadWrite, Options{Recovered: func(name string) { aside = name }})
	if err != nil {
		t.Fatalf("Open(ReadWrite) of the broken file = %v, want it recovered", err)
	}
	defer db.Close()
	if v, err := db.Version(t.Context()); err != nil || v != SchemaVersion() {
		t.Errorf("Version() = %d, %v, want %d", v, err, SchemaVersion())
	}
	if !strings.HasPrefix(aside, path+".wal"+setAsideSuffix) {
		t.Errorf("Recovered(%q), want the log set aside as %s...", aside, path+".wal"+setAsideSuffix)
	}
	if _, err := os.Stat(aside); err != nil {
		t.Errorf("the set-aside log: %v", err)
	}
}

func TestOpenKeepsAnUnreplayableLogOfADatabaseWithTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Only the log of a file with no table is set aside; a broken log of
	// a database with data is an error to report, not to repair.
	connector, err := duckdb.NewConnector(dsn(path, ReadWrite, Options{}), initConn)
	if err != nil {
		t.Fatal(err)
	}
	raw := sql.OpenDB(connector)
	for _, q := range []string{`PRAGMA disable_checkpoint_on_shutdown`,
		`CREATE TABLE g (a INTEGER, c INTEGER, b INTEGER GENERATED ALWAYS AS (a + 1))`,
		`CHECKPOINT`,
		`ALTER TABLE g DROP COLUMN c`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	connector.Close()
	_, err = Open(t.Context(), path, ReadWrite)
	if _, serr := os.Stat(path + ".wal"); serr != nil {
		t.Errorf("the log is gone (%v) after Open = %v; want it kept", serr, err)
	}
	if !errors.Is(err, ErrUnreplayable) {
		t.Errorf("Open = %v, want ErrUnreplayable", err)
	}
}

func TestNewDatabaseHasNoLogToReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.duckdb")
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A kill now must leave a file that opens: the schema is in it, not
	// in a log.
	if fi, err := os.Stat(path + ".wal"); err == nil && fi.Size() > 0 {
		t.Errorf("%s.wal holds %d bytes right after creation, want none", path, fi.Size())
	}
	if _, err := os.Stat(path + newSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the creation's temporary file: %v, want it gone", err)
	}
}

func TestOpenRemovesWhatACrashLeft(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.duckdb")
	left := []string{path + newSuffix, path + newSuffix + ".wal", path + compactSuffix, path + compactSuffix + ".wal", path + ".wal", path + ".lock"}
	for _, p := range left {
		if err := os.WriteFile(p, []byte("left by a killed run"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := Open(t.Context(), path, ReadWrite)
	if err != nil {
		t.Fatalf("Open with leftovers = %v", err)
	}
	defer db.Close()
	for _, p := range left[:5] {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want it removed", filepath.Base(p), err)
		}
	}
	if v, err := db.Version(t.Context()); err != nil || v != SchemaVersion() {
		t.Errorf("Version() = %d, %v, want %d", v, err, SchemaVersion())
	}
}

// TestDuckDBWording fails when DuckDB changes the words the helpers in
// errors.go match, where its error type alone does not tell.
func TestDuckDBWording(t *testing.T) {
	t.Run("replaying a log", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.duckdb")
		brick(t, path)
		_, err := duckdb.NewConnector(dsn(path, ReadWrite, Options{}), initConn)
		if !isUnreplayable(err) {
			t.Errorf("isUnreplayable(%v) = false", err)
		}
	})
	t.Run("lock held by another process", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.duckdb")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHoldDatabase$")
		cmd.Env = append(os.Environ(), "STORE_TEST_HOLD="+path)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Wait() //nolint:errcheck // the holder exits when stdin closes; how it exits is not under test
		defer stdin.Close()
		buf := make([]byte, 64)
		if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "holding") {
			t.Fatalf("holder said %q", buf[:n])
		}
		_, err = duckdb.NewConnector(path, nil)
		if !isLockConflict(err) {
			t.Errorf("isLockConflict(%v) = false", err)
		}
	})
	t.Run("disk full", func(t *testing.T) {
		dir := tmpfs.Mount(t, "4m")
		connector, err := duckdb.NewConnector(filepath.Join(dir, "x.duckdb"), nil)
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(connector)
		defer connector.Close()
		defer db.Close()
		_, err = db.Exec(`CREATE TABLE t AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s FROM range(500000) r(i)`)
		if err == nil {
			_, err = db.Exec(`CHECKPOINT`)
		}
		if !IsDiskFull(err) {
			t.Errorf("IsDiskFull(%v) = false", err)
		}
	})
}

// TestHoldDatabase is a helper process for TestDuckDBWording: it opens the
// database STORE_TEST_HOLD names with DuckDB alone, says so, and holds it
// until its standard input closes.
func TestHoldDatabase(t *testing.T) {
	path := os.Getenv("STORE_TEST_HOLD")
	if path == "" {
		t.Skip("helper process")
	}
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer connector.Close()
	db := sql.OpenDB(connector)
	defer db.Close()
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("holding\n")
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // holds until the parent closes stdin, however the read ends
}
