package query

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// ExportOptions narrow an export.
type ExportOptions struct {
	// Since and Until bound event_time: Since <= event_time < Until.
	Since, Until time.Time
	// Append adds files to a folder that already holds an export, for
	// exporting each night's new days; otherwise the folder must be empty.
	Append bool
}

// ErrExportExists is returned by Export when the folder already holds files
// and Append is not set.
var ErrExportExists = errors.New("export folder is not empty")

// exportSQL joins every event with its attribution. Partition columns come
// last: DuckDB writes them as account_id=…/region=…/day=… folders (Hive
// style), which Athena, Spark and Trino read as partitions.
const exportSQL = `
SELECT e.* EXCLUDE (record, recipient_account_id, aws_region),
       a.actor_kind, a.actor, a.method, a.confidence, a.reason,
       e.record,
       ` + partitionSQL + `
FROM events e
LEFT JOIN attributions a USING (event_id)
WHERE ($1::TIMESTAMPTZ IS NULL OR e.event_time >= $1::TIMESTAMPTZ)
  AND ($2::TIMESTAMPTZ IS NULL OR e.event_time < $2::TIMESTAMPTZ)`

// partitionSQL computes the partition columns of an exported event e.
const partitionSQL = `coalesce(e.recipient_account_id, e.identity_account_id, 'unknown') AS account_id,
       coalesce(e.aws_region, 'unknown') AS region,
       coalesce(strftime(e.event_time, '%Y-%m-%d'), 'unknown') AS day`

// Export writes events and their attributions as zstd Parquet files under
// dir, partitioned by account, region and day, and returns how many rows it
// wrote. File names carry a random part, so appended exports never
// overwrite each other.
func Export(ctx context.Context, db *store.DB, dir string, opts ExportOptions) (int64, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 && !opts.Append {
		return 0, fmt.Errorf("%s: %w (use --append to add to it)", dir, ErrExportExists)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var since, until any
	if !opts.Since.IsZero() {
		since = opts.Since.UTC()
	}
	if !opts.Until.IsZero() {
		until = opts.Until.UTC()
	}
	// COPY takes no parameters in its target, so the folder is quoted as
	// an SQL string literal; the filters stay bound parameters.
	q := fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, COMPRESSION zstd,
		PARTITION_BY (account_id, region, day), FILENAME_PATTERN 'events_{uuid}', APPEND)`,
		exportSQL, strings.ReplaceAll(dir, "'", "''"))
	res, err := db.SQL.ExecContext(ctx, q, since, until)
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", dir, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, nil
}
