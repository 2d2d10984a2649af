package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// newSuffix names the file a new database is created and migrated in
// before it is renamed into place.
const newSuffix = ".new"

// setAsideSuffix is added to a write-ahead log that DuckDB cannot replay
// and that holds nothing but what a crashed first run wrote.
const setAsideSuffix = ".unreplayable"

// prepare makes sure, under the write lock, that path is a database file
// any later open can read: it removes what a crashed creation left, and
// creates a missing database complete (migrated and checkpointed) under
// another name before renaming it into place. DuckDB keeps the schema a
// new file is given only in its write-ahead log until the first
// checkpoint, and fails to replay some of that DDL (ALTER TABLE on a table
// with generated columns), so a kill in the first seconds of the first
// ingest used to leave a file that no open could read.
func prepare(ctx context.Context, path string, opts Options) error {
	tmp := path + newSuffix
	for _, left := range []string{tmp, path + compactSuffix} {
		if err := removeCopy(left); err != nil {
			return fmt.Errorf("remove what an interrupted run left: %w", err)
		}
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// A log without its database belongs to a file that was deleted: it
	// would be replayed into the new one.
	if err := os.Remove(path + ".wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := create(ctx, tmp, opts); err != nil {
		removeCopy(tmp) //nolint:errcheck // the error that stopped the creation is the one to report
		return fmt.Errorf("create %s: %w", path, err)
	}
	CrashPoint(PhaseCreate)
	if err := os.Rename(tmp, path); err != nil {
		removeCopy(tmp) //nolint:errcheck // the rename's error is the one to report
		return fmt.Errorf("create %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// create writes a new, migrated and checkpointed database at path.
func create(ctx context.Context, path string, opts Options) error {
	connector, err := duckdb.NewConnector(dsn(path, ReadWrite, opts), initConn)
	if err != nil {
		return err
	}
	db := &DB{path: path, mode: ReadWrite, connector: connector, SQL: sql.OpenDB(connector)}
	if err := db.migrate(ctx); err != nil {
		// The migration's error is the one that matters; a failure to
		// close is reported with it.
		return errors.Join(err, db.closeDuckDB())
	}
	if err := db.closeDuckDB(); err != nil {
		return err
	}
	if _, err := os.Stat(path + ".wal"); err == nil {
		return fmt.Errorf("%s.wal is still there after closing", path)
	}
	return nil
}

// recoverFirstRun handles a database whose write-ahead log DuckDB cannot
// replay (ErrUnreplayable). When the file itself holds no table, the log
// holds everything since the file was created: what an earlier version
// left when it was killed during its first ingest. Nothing in it is lost
// for good, since the manifest of loaded objects is in the same log, so
// the log is set aside (renamed, not deleted) and the database created
// again. It returns the name the log was set aside under, or an error
// when the file holds tables, which is not a state a crash leaves.
func recoverFirstRun(ctx context.Context, path string) (string, error) {
	aside := path + ".wal" + setAsideSuffix + "-" + strconv.FormatInt(time.Now().Unix(), 10)
	if err := os.Rename(path+".wal", aside); err != nil {
		return "", err
	}
	tables, err := countTables(ctx, path)
	if err == nil && tables == 0 {
		if err = os.Remove(path); err == nil {
			return aside, nil
		}
	}
	if rerr := os.Rename(aside, path+".wal"); rerr != nil {
		return "", fmt.Errorf("%s was set aside as %s and could not be put back: %w", path+".wal", aside, rerr)
	}
	if err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s holds %d tables: not what an interrupted first run leaves", path, tables)
}

// countTables opens path read-only, without its log, and counts its
// tables.
func countTables(ctx context.Context, path string) (int, error) {
	connector, err := duckdb.NewConnector(path+"?access_mode=READ_ONLY", nil)
	if err != nil {
		return 0, err
	}
	db := sql.OpenDB(connector)
	defer connector.Close()
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE NOT internal`).Scan(&n)
	return n, err
}
