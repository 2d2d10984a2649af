package attribution

import (
	"context"
	"database/sql"
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
	// KeptNotebookEvents are notebook (and other SageMaker compute)
	// lifecycle events before Before that stay: the inventory is built
	// from them, and a notebook created before the cutoff still makes
	// calls after it.
	KeptNotebookEvents int64
	// KeptAssumeRole are AssumeRole calls within MaxSessionDuration before
	// Before that stay: the keys they issued may be used after it.
	KeptAssumeRole int64
	// Remaining is how many events the database holds afterwards.
	Remaining int64
	// Orphans is how many rows of attributions and of the tables derived
	// from events (notebook_events, compute_events, assume_role_fields) were deleted
	// because their event is gone: this run's, and any a killed run left.
	Orphans int64
	// Stale says that attribution has not run since events were deleted
	// (by this prune, or by one killed before it attributed): Run must
	// follow to rewrite the attributions of events that lost evidence.
	Stale bool
}

// The steps of Prune; _prune.sql holds the class of an event they share.
var (
	stepPruneCount     = newStep("prune_count.sql")
	stepPruneDelete    = newStep("prune_delete.sql")
	stepPruneOrphans   = []step{newStep("prune_orphan_attributions.sql"), newStep("prune_orphan_notebook_events.sql"), newStep("prune_orphan_compute_events.sql"), newStep("prune_orphan_assume_role_fields.sql")}
	stepPruneStale     = newStep("prune_stale.sql")
	stepPruneRemaining = newStep("prune_remaining.sql")
)

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
	r := quiet(tx)
	bounds := []any{sql.Named("before", before), sql.Named("keep_from", before.Add(-MaxSessionDuration))}
	rows, err := r.query(ctx, stepPruneCount, bounds...)
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
		res, err := r.exec(ctx, stepPruneDelete, bounds...)
		if err != nil {
			return sum, fmt.Errorf("delete events before %s: %w", before.Format(time.RFC3339), err)
		}
		if sum.Deleted, err = res.RowsAffected(); err != nil {
			return sum, err
		}
	}
	if !dryRun {
		for _, st := range stepPruneOrphans {
			res, err := r.exec(ctx, st)
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
	if err := r.scan(ctx, stepPruneStale, nil, &sum.Stale); err != nil {
		return sum, err
	}
	if err := r.scan(ctx, stepPruneRemaining, nil, &sum.Remaining); err != nil {
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
