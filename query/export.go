package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
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

var (
	exportSQL           = mustTemplate("export.sql")
	athenaColumnsSQL    = mustTemplate("athena_columns.sql")
	athenaPartitionsSQL = mustTemplate("athena_partitions.sql")
)

// exportArgs are the bound parameters of the export SELECT: $since and
// $until, NULL when unset.
func exportArgs(since, until time.Time) []any {
	var s, u any
	if !since.IsZero() {
		s = since.UTC()
	}
	if !until.IsZero() {
		u = until.UTC()
	}
	return []any{sql.Named("since", s), sql.Named("until", u)}
}

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
	q, err := render(exportSQL, nil)
	if err != nil {
		return 0, err
	}
	res, err := db.SQL.ExecContext(ctx, q, append(exportArgs(opts.Since, opts.Until), sql.Named("dir", dir))...)
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", dir, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, nil
}
