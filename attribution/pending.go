package attribution

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/ctattrib/ctattrib/store"
)

//go:embed sql/pending.sql
var pendingSQL string

// Pending reports whether some events in db have no attribution yet: they
// were loaded with ingest --no-attribute, or attribution was interrupted.
// It costs two row counts, where even an incremental Run reads the whole
// inventory, so callers can skip Run when nothing is pending.
func Pending(ctx context.Context, db *store.DB) (bool, error) {
	var pending bool
	if err := db.SQL.QueryRowContext(ctx, pendingSQL).Scan(&pending); err != nil {
		return false, fmt.Errorf("count events without attribution: %w", err)
	}
	return pending, nil
}
