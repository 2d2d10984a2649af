package attribution

import (
	"context"
	"fmt"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// MaxSessionDuration is the longest an assumed-role session lasts (an IAM
// role's MaxSessionDuration is at most 12 hours): an AssumeRole call older
// than that before a time issued no key still in use at it.
const MaxSessionDuration = 12 * time.Hour

// PruneSummary is what Prune deleted and kept.
type PruneSummary struct {
	Before time.Time
	// Deleted is how many events were deleted (or would be, in a dry run).
	Deleted int64
	// KeptNotebookEvents are notebook lifecycle events before Before that
	// stay: the inventory is built from them, and a notebook created
	// before the cutoff still makes calls after it.
	KeptNotebookEvents int64
	// KeptAssumeRole are AssumeRole calls within MaxSessionDuration before
	// Before that stay: the keys they issued may be used after it.
	KeptAssumeRole int64
	// Remaining is how many events the database holds afterwards.
	Remaining int64
}

// pruneClass sorts the events before $1 into what Prune deletes ('delete')
// and the evidence it keeps; $2 is $1 less MaxSessionDuration. Events
// without a time are never pruned.
const pruneClass = `CASE
	WHEN ` + isNotebookLifecycle + ` THEN 'notebook'
	WHEN ` + isAssumeRole + ` AND event_time >= $2::TIMESTAMPTZ THEN 'assume-role'
	ELSE 'delete' END`

// Prune deletes the events before before, except the evidence later events
// are attributed by (see PruneSummary), in one transaction. The manifest
// keeps the objects they came from, so a later ingest does not load them
// again. It does not re-attribute: the next Run finds that events are gone
// and drops their attributions, and rewrites those of events that lost
// evidence; ctattrib prune runs it straight after. With dryRun it only
// counts.
func Prune(ctx context.Context, db *store.DB, before time.Time, dryRun bool) (PruneSummary, error) {
	sum := PruneSummary{Before: before}
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	rows, err := tx.QueryContext(ctx, `SELECT `+pruneClass+` AS class, count(*) FROM event_rows
		WHERE event_time < $1::TIMESTAMPTZ GROUP BY class`, before, before.Add(-MaxSessionDuration))
	if err != nil {
		return sum, fmt.Errorf("count events before %s: %w", before.Format(time.RFC3339), err)
	}
	for rows.Next() {
		var class string
		var n int64
		if err := rows.Scan(&class, &n); err != nil {
			rows.Close()
			return sum, err
		}
		switch class {
		case "delete":
			sum.Deleted = n
		case "notebook":
			sum.KeptNotebookEvents = n
		case "assume-role":
			sum.KeptAssumeRole = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, err
	}
	if !dryRun && sum.Deleted > 0 {
		res, err := tx.ExecContext(ctx, `DELETE FROM event_rows
			WHERE event_time < $1::TIMESTAMPTZ AND `+pruneClass+` = 'delete'`, before, before.Add(-MaxSessionDuration))
		if err != nil {
			return sum, fmt.Errorf("delete events before %s: %w", before.Format(time.RFC3339), err)
		}
		if sum.Deleted, err = res.RowsAffected(); err != nil {
			return sum, err
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_rows`).Scan(&sum.Remaining); err != nil {
		return sum, err
	}
	if dryRun {
		return sum, nil
	}
	if err := tx.Commit(); err != nil {
		return sum, err
	}
	if sum.Deleted > 0 {
		// Deleted row groups become free blocks that later loads reuse;
		// the file itself does not shrink.
		if _, err := db.SQL.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return sum, fmt.Errorf("checkpoint: %w", err)
		}
	}
	return sum, nil
}
