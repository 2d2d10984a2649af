package attribution

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// maxRounds bounds how many times key links are re-resolved through the
// sessions that called AssumeRole. Each round follows one more hop of a
// role chain; real chains are two or three hops long.
const maxRounds = 8

// Options tune a Run. The zero value attributes incrementally.
type Options struct {
	// Full recomputes every event's attribution instead of only new events
	// and the events whose key, session name or address gained evidence.
	Full bool
	// Incremental keeps an incremental run incremental even when it would
	// redo more than a quarter of the events, which a full run does
	// faster (tests use it to exercise the incremental path).
	Incremental bool
	Log         *slog.Logger
	Now         func() time.Time
}

// Count is the number of events attributed one way.
type Count struct {
	ActorKind, Method, Confidence string
	Events                        int64
}

// Summary is the outcome of a Run.
type Summary struct {
	// Events is the number of events in the database, each with one
	// attributions row.
	Events int64
	// Recomputed is how many attributions this run wrote.
	Recomputed int64
	// Unattributed is how many events have actor_kind 'unattributed'.
	Unattributed int64
	// Counts break Events down by kind, method and confidence, most first.
	Counts []Count
	// Rounds is how many times key links were resolved.
	Rounds int
	// Full is whether the run recomputed every event: asked to, or the
	// first run, or one in which most events' evidence changed.
	Full bool
	// Findings is the outcome of the findings step that ends the run; its
	// Elapsed is part of the run's.
	Findings FindingsSummary
	Elapsed  time.Duration
}

// The steps of a run, in the order Run executes them; each is a file in
// the sql folder.
var (
	stepSession          = newStep("00_session.sql")
	stepCTJ              = newStep("10_ctj_macro.sql")
	stepFieldsState      = newStep("11_record_fields_state.sql")
	stepFieldsRows       = newStep("12_record_fields_rows.sql")
	stepFieldsClear      = newStep("13_record_fields_clear.sql")
	stepFieldsNotebook   = newStep("14_record_fields_notebook.sql")
	stepFieldsCompute    = newStep("14_record_fields_compute.sql")
	stepFieldsAssumeRole = newStep("15_record_fields_assume_role.sql")
	stepFieldsSave       = newStep("16_record_fields_save.sql")
	stepInventory        = newStep("20_inventory.sql")
	stepComputeInventory = newStep("21_compute_inventory.sql")
	stepKeysInit         = newStep("40_keys_init.sql")
	stepKeys             = newStep("41_keys.sql")
	stepKeysChanged      = newStep("42_keys_changed.sql")
	stepKeysSpans        = newStep("43_keys_spans.sql")
	stepKeysAssumeRoles  = newStep("44_keys_attribute_assume_roles.sql").on("ar")
	stepAttributedAny    = newStep("50_attributed_any.sql")
	stepChanged          = newStep("51_changed.sql")
	stepAttributedCount  = newStep("52_attributed_count.sql")
	stepNewest           = newStep("53_newest.sql")
	stepNewEvents        = newStep("54_new_events.sql")
	stepNewEventsCount   = newStep("55_new_events_count.sql")
	stepNewestDrop       = newStep("56_newest_drop.sql")
	stepNewEventsAll     = newStep("57_new_events_all.sql")
	stepDeletedEvents    = newStep("58_deleted_events.sql")
	stepTargets          = newStep("59_targets.sql")
	stepTargetShare      = newStep("60_target_share.sql")
	stepClearAll         = newStep("61_clear_all.sql")
	stepClearTargets     = newStep("62_clear_targets.sql")
	stepSubject          = newStep("63_subject.sql")
	stepClassify         = newStep("70_classify.sql")
	stepSummary          = newStep("90_summary.sql")
)

// prepareSteps build the small tables attribution joins events with (after
// the macros that read federated sessions): the inventory, the roles notebooks run as, the addresses people used, the
// AssumeRole events and the key links they make.
var prepareSteps = []step{
	newStep("17_federation_macros.sql"),
	stepInventory,
	stepComputeInventory,
	newStep("30_prepare_inv.sql"),
	newStep("31_prepare_hip.sql"),
	newStep("32_prepare_ar.sql"),
	newStep("33_prepare_seen_keys.sql"),
	newStep("34_prepare_links.sql"),
	newStep("35_prepare_compute.sql"),
}

// afterClassify run in order once the events of a run are attributed, in
// the same transaction, rendered with no data. A step that reads the new
// attributions and the run's temporary tables (keys, inv, hip; target
// and subject only in an incremental run) goes before the state is
// saved, since saving it is what the next run compares with.
var afterClassify = []step{
	newStep("80_save_state.sql"),
}

// Run (re)computes attribution in one transaction. Incrementally (the
// default) it writes rows for events that have none, and rewrites those
// whose evidence changed since the last run: an access key with a new or
// different link, a notebook name or role the inventory gained or lost, a
// source address a person was newly seen at. The result is the same as a
// full run on the same database.
func Run(ctx context.Context, db *store.DB, opts Options) (Summary, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	start := opts.Now()
	var sum Summary
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return sum, err
	}
	defer conn.Close()
	if _, err := (runner{db: conn, log: opts.Log}).exec(ctx, stepSession); err != nil {
		return sum, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	r := runner{db: tx, log: opts.Log}

	if err := r.run(ctx, stepCTJ); err != nil {
		return sum, err
	}
	rows, err := r.updateRecordFields(ctx, opts.Full)
	if err != nil {
		return sum, err
	}
	if err := r.run(ctx, prepareSteps...); err != nil {
		return sum, err
	}
	if sum.Rounds, err = r.resolveKeys(ctx); err != nil {
		return sum, err
	}
	full := opts.Full
	if !full {
		// Nothing attributed yet (a first ingest): every event is new.
		var attributed bool
		if err := r.scan(ctx, stepAttributedAny, nil, &attributed); err != nil {
			return sum, err
		}
		full = !attributed
	}
	if !full {
		if full, err = r.selectTargets(ctx, rows, opts.Incremental); err != nil {
			return sum, err
		}
	}
	sum.Full = full
	clearStep, classify := stepClearAll, stepClassify.on("events")
	if !full {
		clearStep, classify = stepClearTargets, stepClassify.on("subject")
	}
	if err := r.run(ctx, clearStep); err != nil {
		return sum, err
	}
	if !full {
		if err := r.run(ctx, stepSubject); err != nil {
			return sum, err
		}
	}
	res, err := r.exec(ctx, classify)
	if err != nil {
		return sum, err
	}
	sum.Recomputed, _ = res.RowsAffected()
	if err := r.run(ctx, afterClassify...); err != nil {
		return sum, err
	}
	store.CrashPoint(store.PhaseAttribute)
	if err := tx.Commit(); err != nil {
		return sum, err
	}
	if sum.Findings, err = Findings(ctx, db, FindingsOptions{Log: opts.Log}); err != nil {
		return sum, err
	}
	if err := summarize(ctx, runner{db: conn, log: opts.Log}, &sum); err != nil {
		return sum, err
	}
	sum.Elapsed = opts.Now().Sub(start)
	return sum, nil
}

// resolveKeys alternates between resolving keys and attributing the
// AssumeRole events that issued them, until the keys stop changing: the
// key an AssumeRole returns belongs to whoever called it, which may itself
// be known only through an earlier key.
func (r runner) resolveKeys(ctx context.Context) (int, error) {
	if err := r.run(ctx, stepKeysInit); err != nil {
		return 0, err
	}
	for round := 1; ; round++ {
		if err := r.run(ctx, stepKeys); err != nil {
			return round, err
		}
		var changed int64
		if err := r.scan(ctx, stepKeysChanged, nil, &changed); err != nil {
			return round, err
		}
		if err := r.run(ctx, stepKeysSpans); err != nil {
			return round, err
		}
		// The AssumeRole calls are attributed once even when the links
		// alone gave no key: a call attributed by its own identity (a
		// compute alone on its role, a person) issues keys too, and
		// whether it was looked at must not depend on other data.
		if (changed == 0 && round > 1) || round == maxRounds {
			return round, nil
		}
		if err := r.run(ctx, stepKeysAssumeRoles); err != nil {
			return round, err
		}
	}
}

// updateRecordFields brings notebook_events, compute_events and
// assume_role_fields up to
// date with event_rows, which only grows: it adds the events among the
// rows after the last one they covered. With all, or when event_rows is no
// longer those rows and new ones (rows were deleted by hand), it reads
// every event again. It returns what it found of event_rows.
func (r runner) updateRecordFields(ctx context.Context, all bool) (eventRows, error) {
	var er eventRows
	var covered, last sql.NullInt64
	if err := r.scan(ctx, stepFieldsState, nil, &covered, &last); err != nil {
		return er, err
	}
	from := int64(-1)
	if last.Valid {
		from = last.Int64
	}
	var after int64
	if err := r.scan(ctx, stepFieldsRows, []any{sql.Named("after", from)}, &er.count, &er.lastRow, &after); err != nil {
		return er, err
	}
	er.grown = covered.Valid && after == er.count-covered.Int64
	if all || !er.grown {
		if err := r.run(ctx, stepFieldsClear); err != nil {
			return er, err
		}
		from = -1
	}
	for _, s := range []step{stepFieldsNotebook, stepFieldsCompute, stepFieldsAssumeRole} {
		if _, err := r.exec(ctx, s, sql.Named("after", from)); err != nil {
			return er, err
		}
	}
	_, err := r.exec(ctx, stepFieldsSave, sql.Named("rows", er.count), sql.Named("last_rowid", er.lastRow))
	return er, err
}

// eventRows is what a run found of event_rows: its rows, the last rowid,
// and whether it only grew since the last run (no rows were deleted).
type eventRows struct {
	count, lastRow int64
	grown          bool
}

// fullShare: an incremental run that would redo more than 1/fullShare of
// the events redoes them all instead.
const fullShare = 4

// selectTargets puts into the table target the events an incremental run
// attributes: new events and those whose evidence changed. It reports
// whether a full run is cheaper, unless incremental insists on one.
func (r runner) selectTargets(ctx context.Context, rows eventRows, incremental bool) (full bool, err error) {
	if err := r.run(ctx, stepChanged); err != nil {
		return false, err
	}
	if err := r.newEvents(ctx, rows); err != nil {
		return false, err
	}
	if !rows.grown {
		if err := r.run(ctx, stepDeletedEvents); err != nil {
			return false, err
		}
	}
	if err := r.run(ctx, stepTargets); err != nil {
		return false, err
	}
	if incremental {
		return false, nil
	}
	var targets, events int64
	if err := r.scan(ctx, stepTargetShare, nil, &targets, &events); err != nil {
		return false, err
	}
	if targets > events/fullShare {
		r.log.Debug("Attribution: most events changed; recomputing all", "targets", targets, "events", events)
		return true, nil
	}
	return false, nil
}

// newEvents puts the events without an attribution into the table
// target_all. Every run attributes all of them, and event_rows only
// grows, so they are the newest rows: as many as event_rows has rows more
// than attributions. When rows were deleted since the last run
// (rows.grown is false), or the newest rows are not all of them
// (attributions were deleted by hand), every event is compared. A hand
// edit that leaves the counts equal, an attribution deleted and one added
// for no event, goes unseen until attribute --full.
func (r runner) newEvents(ctx context.Context, rows eventRows) error {
	var attributed int64
	if err := r.scan(ctx, stepAttributedCount, nil, &attributed); err != nil {
		return err
	}
	if n := rows.count - attributed; rows.grown && n >= 0 {
		if _, err := r.exec(ctx, stepNewest, sql.Named("after", rows.lastRow-n)); err != nil {
			return err
		}
		if err := r.run(ctx, stepNewEvents); err != nil {
			return err
		}
		var found int64
		if err := r.scan(ctx, stepNewEventsCount, nil, &found); err != nil {
			return err
		}
		if err := r.run(ctx, stepNewestDrop); err != nil {
			return err
		}
		if found == n {
			return nil
		}
	}
	return r.run(ctx, stepNewEventsAll)
}

func summarize(ctx context.Context, r runner, sum *Summary) error {
	rows, err := r.query(ctx, stepSummary)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.ActorKind, &c.Method, &c.Confidence, &c.Events); err != nil {
			return err
		}
		sum.Counts = append(sum.Counts, c)
		sum.Events += c.Events
		if c.ActorKind == "unattributed" {
			sum.Unattributed += c.Events
		}
	}
	return rows.Err()
}
