package store

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrUnreplayable is returned by Open when DuckDB cannot replay the
// database's write-ahead log and the file is not one Open can recover
// (see recoverFirstRun).
var ErrUnreplayable = errors.New("write-ahead log cannot be replayed")

// ErrDiskFull is matched (errors.Is) by the errors of operations that ran
// out of disk space: a DiskFullError, or a DuckDB write that failed for
// want of space.
var ErrDiskFull = errors.New("disk full")

// DiskFullError says which file system ran short, and how much it had.
type DiskFullError struct {
	// Dir is the folder of the database on that file system.
	Dir string
	// Free and Need are bytes: what was free, and the reserve ctattrib
	// keeps so that DuckDB never runs out in the middle of a write.
	Free, Need uint64
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("disk full: %s has %s free, ctattrib needs at least %s", e.Dir, mib(e.Free), mib(e.Need))
}

// Is makes a DiskFullError match ErrDiskFull.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// duckError returns the DuckDB error in err's chain, if any.
func duckError(err error) (*duckdb.Error, bool) {
	var de *duckdb.Error
	if errors.As(err, &de) {
		return de, true
	}
	return nil, false
}

// The checks below are by DuckDB error type first. Where the type alone
// does not say what happened, the wording DuckDB uses is matched here and
// only here; TestDuckDBWording fails when a DuckDB upgrade changes it.
const (
	// lockConflictText is in the IO error DuckDB gives when another
	// process (one that does not take our lock file, such as the duckdb
	// shell) holds the file.
	lockConflictText = "Could not set lock on file"
	// walReplayText starts the internal error of a log that cannot be
	// replayed.
	walReplayText = "Failure while replaying WAL"
	// noSpaceText is strerror(ENOSPC), in DuckDB's IO errors.
	noSpaceText = "No space left on device"
)

// isLockConflict reports whether err is DuckDB refusing a file that
// another process holds.
func isLockConflict(err error) bool {
	de, ok := duckError(err)
	return ok && de.Type == duckdb.ErrorTypeIO && strings.Contains(de.Msg, lockConflictText)
}

// isUnreplayable reports whether err is DuckDB failing to replay a
// write-ahead log.
func isUnreplayable(err error) bool {
	de, ok := duckError(err)
	return ok && de.Type == duckdb.ErrorTypeInternal && strings.Contains(de.Msg, walReplayText)
}

// IsDiskFull reports whether err is, or was caused by, a full disk:
// ErrDiskFull, ENOSPC from the operating system, or a DuckDB write that
// failed for want of space.
func IsDiskFull(err error) bool {
	if errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) {
		return true
	}
	de, ok := duckError(err)
	if !ok {
		return false
	}
	switch de.Type {
	case duckdb.ErrorTypeIO, duckdb.ErrorTypeFatal, duckdb.ErrorTypeTransaction:
		// A failed commit is a transaction error that quotes the IO error.
		return strings.Contains(de.Msg, noSpaceText)
	}
	return false
}

// translate maps the DuckDB errors Open's callers act on to this
// package's sentinels.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case isLockConflict(err):
		return fmt.Errorf("%v: %w", err, ErrInUse)
	case isUnreplayable(err):
		// DuckDB follows the reason with a stack trace.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return fmt.Errorf("%s: %w", msg, ErrUnreplayable)
	case IsDiskFull(err) && !errors.Is(err, ErrDiskFull):
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
