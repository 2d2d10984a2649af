package store

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
)

// SetMemoryLimit caps DuckDB's buffer memory at limit, a size like 512MB or
// 2GiB; beyond it, joins and sorts spill to disk. It first hands the Go
// heap's free pages back to the system, because callers raise the limit
// when the Go side is done with its records (ingest's loading phase) and
// DuckDB is to have that memory instead.
func (db *DB) SetMemoryLimit(ctx context.Context, limit string) error {
	if !memoryLimitRe.MatchString(limit) {
		return fmt.Errorf("memory limit %q: want a size like 512MB or 2GB", limit)
	}
	debug.FreeOSMemory()
	// SET takes no parameters; limit matched memoryLimitRe, so it is a
	// number and a unit and nothing else.
	if _, err := db.SQL.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%s'", limit)); err != nil {
		return fmt.Errorf("set memory limit: %w", err)
	}
	return nil
}

// MemoryLimit returns DuckDB's memory limit as DuckDB prints it, e.g.
// "381.4 MiB".
func (db *DB) MemoryLimit(ctx context.Context) (string, error) {
	var limit string
	if err := db.SQL.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&limit); err != nil {
		return "", fmt.Errorf("read memory limit: %w", err)
	}
	return limit, nil
}

// loadingGoHeap is the soft limit TuneGoHeapForLoading puts on the Go heap.
// The heap then holds the batch being written, compressed, and the objects
// being decoded.
const loadingGoHeap = 300 << 20

// TuneGoHeapForLoading sets the Go runtime's collector for a process that
// streams records into DuckDB next to DuckDB's own buffers: the Go heap is
// mostly records passing through, so it collects at half the default growth
// (GOGC=50) and keeps a soft cap of loadingGoHeap. The GOGC and GOMEMLIMIT
// environment variables, when set, win.
func TuneGoHeapForLoading() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(loadingGoHeap)
	}
}
