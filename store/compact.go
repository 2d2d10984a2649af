package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CompactResult is what Compact did: the file's size before and after.
type CompactResult struct {
	Before, After int64
	// Free is what DuckDB counted as free blocks in the file before.
	Free int64
	// Kept says the file was left as it was, because there was nothing to
	// give back: no free blocks, or a copy that was not smaller (DuckDB
	// lays a copy out anew, and it can take more room than the original).
	Kept bool
	// Copy is the size of the copy that was not kept (zero otherwise).
	Copy int64
}

// compactSuffix names the file Compact writes next to the database
// before it takes the database's place.
const compactSuffix = ".compact"

// Compact rewrites the database at path into a new file holding only what
// is live, and puts it in the old one's place. DuckDB reuses the blocks
// that deleted rows free but never gives them back to the file system:
// after a large prune, this is how the file shrinks.
//
// It holds the database's lock throughout, so no ingest or query sees the
// file half-replaced. The copy is written to path+".compact" and renamed
// over path only once it is complete and checkpointed: a crash or an error
// (a full disk, say) leaves the old file as it was, and the next Compact
// removes the partial copy. It needs free space for the copy, about the
// size of the live data.
//
// When the file has no free blocks, or the copy is not smaller than the
// file, Compact leaves the file as it was and says so (CompactResult.Kept).
func Compact(ctx context.Context, path string, opts Options) (CompactResult, error) {
	var res CompactResult
	opts.Existing = true
	db, err := OpenWith(ctx, path, ReadWrite, opts)
	if err != nil {
		return res, err
	}
	defer db.Close()
	// Flush the WAL into the file first, so that its size is the file's.
	if _, err := db.SQL.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	if res.Before, err = fileSize(path); err != nil {
		return res, err
	}
	res.After = res.Before
	if err := db.SQL.QueryRowContext(ctx, `SELECT free_blocks * block_size FROM pragma_database_size()
		WHERE database_name = current_database()`).Scan(&res.Free); err != nil {
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	if res.Free == 0 {
		res.Kept = true
		return res, nil
	}
	tmp := path + compactSuffix
	if err := removeCopy(tmp); err != nil {
		return res, err
	}
	if err := db.copyTo(ctx, tmp); err != nil {
		removeCopy(tmp) //nolint:errcheck // the error that stopped the copy is the one to report
		return res, fmt.Errorf("compact %s: %w", path, translate(err))
	}
	if res.Copy, err = fileSize(tmp); err != nil {
		removeCopy(tmp) //nolint:errcheck // the error that stopped the compaction is the one to report
		return res, err
	}
	if res.Copy >= res.Before {
		res.Kept = true
		return res, removeCopy(tmp)
	}
	res.Copy = 0
	// DuckDB must let go of the old file before it is replaced; the lock
	// stays held until the new one is in place.
	if err := db.closeDuckDB(); err != nil {
		removeCopy(tmp) //nolint:errcheck // the error that stopped the compaction is the one to report
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	if _, err := os.Stat(path + ".wal"); err == nil {
		// A log left after a clean close would be replayed into the new
		// file, which does not match it.
		removeCopy(tmp) //nolint:errcheck // the error that stopped the compaction is the one to report
		return res, fmt.Errorf("compact %s: %s.wal is still there after closing; the database was left as it was", path, path)
	}
	CrashPoint(PhaseCompactCopied)
	if err := os.Rename(tmp, path); err != nil {
		removeCopy(tmp) //nolint:errcheck // the error that stopped the compaction is the one to report
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return res, fmt.Errorf("compact %s: %w", path, err)
	}
	if res.After, err = fileSize(path); err != nil {
		return res, err
	}
	return res, nil
}

// copyTo writes every table, view and macro of db into a new database file
// at dst, in the same storage format, and checkpoints it.
func (db *DB) copyTo(ctx context.Context, dst string) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var name string
	if err := conn.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		return err
	}
	steps := []string{
		`ATTACH '` + strings.ReplaceAll(dst, "'", "''") + `' AS ctattrib_compact (STORAGE_VERSION '` + storageVersion + `')`,
		`COPY FROM DATABASE "` + strings.ReplaceAll(name, `"`, `""`) + `" TO ctattrib_compact`,
		`CHECKPOINT ctattrib_compact`,
		`DETACH ctattrib_compact`,
	}
	for _, q := range steps {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			if !strings.HasPrefix(q, "ATTACH") {
				conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE IF EXISTS ctattrib_compact`) //nolint:errcheck // best effort before the copy is removed
			}
			return err
		}
	}
	return nil
}

// removeCopy removes what an earlier Compact may have left at tmp.
func removeCopy(tmp string) error {
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
