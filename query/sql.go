package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctattrib/ctattrib/store"
)

// ErrNotReadOnly is returned by SQL when db was not opened with
// store.ReadOnly: analyst SQL must not be able to change the data.
var ErrNotReadOnly = errors.New("raw SQL needs the database opened read-only")

// SQL runs an analyst's SQL on db, which must have been opened with
// store.ReadOnly, after locking it down. The caller must Close the result.
//
// What stops a statement from changing anything, in order:
//   - DuckDB's read-only access mode refuses INSERT, UPDATE, DELETE, CREATE,
//     DROP and ALTER on the database file;
//   - enable_external_access=false refuses every file system and network
//     access: COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL and LOAD, and
//     also reading other files (read_parquet, read_csv, read_json, glob);
//   - lock_configuration=true refuses SET and RESET, so none of the above
//     can be switched back on.
//
// Temporary tables and macros still work: they live in memory and vanish
// with the process.
func SQL(ctx context.Context, db *store.DB, text string) (*Rows, error) {
	// One connection for the lockdown and the statement: once the
	// configuration is locked, a new pooled connection cannot run the
	// session setup store gives it.
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if err := lockdown(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	rs, err := conn.QueryContext(ctx, text)
	if err != nil {
		conn.Close()
		return nil, err
	}
	r, err := fromSQL(rs)
	if err != nil {
		conn.Close()
		return nil, err
	}
	closeRows := r.close
	r.close = func() error {
		err := closeRows()
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return r, nil
}

// lockdown makes the DuckDB instance behind conn unable to touch anything
// but the read-only database: it turns off external access and locks the
// configuration (both global settings). It fails with ErrNotReadOnly unless
// the database was opened with store.ReadOnly. It is idempotent.
func lockdown(ctx context.Context, conn *sql.Conn) error {
	var readOnly bool
	if err := conn.QueryRowContext(ctx,
		`SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&readOnly); err != nil {
		return fmt.Errorf("check access mode: %w", err)
	}
	if !readOnly {
		return ErrNotReadOnly
	}
	var locked bool
	if err := conn.QueryRowContext(ctx, `SELECT current_setting('lock_configuration')`).Scan(&locked); err != nil {
		return fmt.Errorf("check configuration lock: %w", err)
	}
	if locked {
		return nil
	}
	for _, stmt := range []string{
		`SET GLOBAL enable_external_access = false`,
		`SET GLOBAL lock_configuration = true`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("lock down: %s: %w", stmt, err)
		}
	}
	return nil
}
