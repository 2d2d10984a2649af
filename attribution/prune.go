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
	// Orphans is how many rows of attributions and of the tables derived
	// from events (notebook_events, assume_role_fields) were deleted
	// because their event is gone: this run's, and any a killed run left.
	Orphans int64
	// Stale says that attribution has not run since events were deleted
	// (by this prune, or by one killed before it attributed): Run must
	// follow to rewrite the attributions of events that lost evidence.
	Stale bool
}

// orphanSQL deletes the rows derived from events that are gone, in the
// transaction that deletes them, so that no kill leaves attributions of
// deleted events behind.
var orphanSQL = []string{
	`DELETE FROM attributions a WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = a.event_id)`,
	`DELETE FROM notebook_events n WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = n.event_id)`,
	`DELETE FROM assume_role_fields f WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = f.event_id)`,
}

// staleSQL is true when rows that attribution last saw (record_fields_state:
// how many, up to which rowid) have been deleted since, whatever was added
// after them.
const staleSQL = `SELECT coalesce(bool_or(stale), false) FROM (
	SELECT (SELECT count(*) FROM event_rows WHERE rowid <= s.last_rowid) < s.event_rows AS stale
	FROM record_fields_state s)`

// pruneClass sorts the events before $1 into what Prune deletes ('delete')
// and the evidence it keeps; $2 is $1 less MaxSessionDuration. Events
// without a time are never pruned.
const pruneClass = `CASE
	WHEN ` + isNotebookLifecycle + ` THEN 'notebook'
	WHEN ` + isAssumeRole + ` AND event_time >= $2::TIMESTAMPTZ THEN 'assume-role'
	ELSE 'delete' END`

// Prune deletes the events before before, except the evidence later events
// are attributed by (see PruneSummary), and with them their attributions
// and the rows derived from them, in one transaction: a kill leaves either
// all of them or none. The manifest keeps the objects they came from, so a
// later ingest does not load them again. It does not re-attribute: Run
// rewrites the attributions of events that lost evidence, and must follow
// whenever PruneSummary.Stale says so (ctattrib prune runs it straight
// after; a prune run again after a kill finds it still due). With dryRun
// it only counts.
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
	if !dryRun {
		for _, q := range orphanSQL {
			res, err := tx.ExecContext(ctx, q)
			if err != nil {
				return sum, fmt.Errorf("delete what deleted events left: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return sum, err
			}
			sum.Orphans += n
		}
		store.CrashPoint(store.PhasePruneDeleted)
	}
	if err := tx.QueryRowContext(ctx, staleSQL).Scan(&sum.Stale); err != nil {
		return sum, err
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
	if sum.Deleted > 0 || sum.Orphans > 0 {
		// Deleted row groups become free blocks that later loads reuse;
		// the file itself does not shrink.
		if _, err := db.SQL.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return sum, fmt.Errorf("checkpoint: %w", err)
		}
	}
	return sum, nil
}
