package attribution

import (
	"context"
	"database/sql"
	"fmt"
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
	Full    bool
	Elapsed time.Duration
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
	// Times parsed from text (credential expirations) are UTC, and the
	// comparisons must not depend on the machine's zone.
	if _, err := conn.ExecContext(ctx, `SET TimeZone = 'UTC'`); err != nil {
		return sum, err
	}
	// Attributions have no order: without this, DuckDB keeps the rows of
	// the parallel INSERT in order, and holds them in memory to do so.
	if _, err := conn.ExecContext(ctx, `SET preserve_insertion_order = false`); err != nil {
		return sum, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	exec := func(what, q string, args ...any) error {
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		opts.Log.Debug("Attribution step", "step", what, "elapsed", time.Since(t0).Round(time.Millisecond))
		return nil
	}
	if err := exec("record fields", ctjMacro); err != nil {
		return sum, err
	}
	rows, err := updateRecordFields(ctx, tx, exec, opts.Full)
	if err != nil {
		return sum, err
	}
	for _, q := range inventorySQL {
		if err := exec("inventory", q); err != nil {
			return sum, err
		}
	}
	for _, q := range prepareSQL {
		if err := exec("prepare", sqlText(q, "")); err != nil {
			return sum, err
		}
	}
	rounds, err := resolveKeys(ctx, tx, exec)
	if err != nil {
		return sum, err
	}
	sum.Rounds = rounds

	full := opts.Full
	if !full {
		// Nothing attributed yet (a first ingest): every event is new.
		var any bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attributions)`).Scan(&any); err != nil {
			return sum, err
		}
		full = !any
	}
	if !full {
		for _, q := range changedSQL {
			if err := exec("targets", q); err != nil {
				return sum, err
			}
		}
		if err := newEvents(ctx, tx, exec, rows); err != nil {
			return sum, err
		}
		if !rows.grown {
			// Events were deleted since the last run (by hand, say to keep
			// a year): their attributions go too.
			if err := exec("targets", `DELETE FROM attributions a WHERE NOT EXISTS (
				SELECT 1 FROM event_rows e WHERE e.event_id = a.event_id)`); err != nil {
				return sum, err
			}
		}
		for _, q := range targetSQL {
			if err := exec("targets", q); err != nil {
				return sum, err
			}
		}
	}
	if !full && !opts.Incremental {
		// When most events must be redone, redoing them all is cheaper:
		// on 11,000,000 events, 8,000,000 targets took 67 s
		// incrementally and a full run 21 s, both at 400MB.
		var targets, events int64
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM event_rows)`).Scan(&targets, &events); err != nil {
			return sum, err
		}
		if targets > events/fullShare {
			opts.Log.Debug("Attribution: most events changed; recomputing all", "targets", targets, "events", events)
			full = true
		}
	}
	sum.Full = full
	if full {
		err = exec("clear", `DELETE FROM attributions`)
	} else {
		err = exec("clear", `DELETE FROM attributions WHERE event_id IN (SELECT event_id FROM target)`)
	}
	if err != nil {
		return sum, err
	}
	subject := `events`
	if !full {
		// The classification reads its subject twice; a table read twice
		// costs nothing, a join with target twice runs two hash tables
		// at once and exhausted ingest's memory limit on 1,000,000 new
		// events. A temporary table spills to disk when it must.
		if err := exec("subject", `CREATE OR REPLACE TEMP TABLE subject AS
			SELECT `+subjectColumns+` FROM event_rows e SEMI JOIN target t ON t.event_id = e.event_id`); err != nil {
			return sum, err
		}
		subject = `subject`
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO attributions (event_id, actor_kind, actor, method, confidence,
		account_id, region, reason, note, evidence_event_id,
		event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
		recipient_account_id, aws_region) `+sqlText(classifySQL, subject))
	if err != nil {
		return sum, fmt.Errorf("attribute: %w", err)
	}
	sum.Recomputed, _ = res.RowsAffected()
	for _, q := range saveStateSQL {
		if err := exec("save state", q); err != nil {
			return sum, err
		}
	}
	if err := tx.Commit(); err != nil {
		return sum, err
	}
	if _, err := Findings(ctx, db, FindingsOptions{Log: opts.Log}); err != nil {
		return sum, err
	}
	if err := summarize(ctx, conn, &sum); err != nil {
		return sum, err
	}
	sum.Elapsed = opts.Now().Sub(start)
	return sum, nil
}

// resolveKeys alternates between resolving keys and attributing the
// AssumeRole events that issued them, until the keys stop changing: the
// key an AssumeRole returns belongs to whoever called it, which may itself
// be known only through an earlier key.
func resolveKeys(ctx context.Context, tx *sql.Tx, exec func(string, string, ...any) error) (int, error) {
	if err := exec("keys", `CREATE OR REPLACE TEMP TABLE ar_att AS SELECT * FROM attributions LIMIT 0`); err != nil {
		return 0, err
	}
	if err := exec("keys", `CREATE OR REPLACE TEMP TABLE keys AS SELECT * FROM attribution_keys LIMIT 0`); err != nil {
		return 0, err
	}
	for round := 1; ; round++ {
		if err := exec("keys", sqlText(keysSQL, "")); err != nil {
			return round, err
		}
		var changed int64
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM (SELECT * FROM keys_new EXCEPT SELECT * FROM keys))
			+ (SELECT count(*) FROM (SELECT * FROM keys EXCEPT SELECT * FROM keys_new))`).Scan(&changed); err != nil {
			return round, fmt.Errorf("keys: %w", err)
		}
		if err := exec("keys", `CREATE OR REPLACE TEMP TABLE keys AS SELECT * FROM keys_new ORDER BY access_key_id, valid_from`); err != nil {
			return round, err
		}
		// Each link of a key holds until the key's next link starts: the
		// spans do not overlap, so the link in force at an event's time is
		// the one span that contains it.
		if err := exec("keys", `CREATE OR REPLACE TEMP TABLE keys_spans AS
			SELECT *, lead(valid_from, 1, 'infinity'::TIMESTAMPTZ) OVER (PARTITION BY access_key_id ORDER BY valid_from) AS next_from
			FROM keys`); err != nil {
			return round, err
		}
		if changed == 0 || round == maxRounds {
			return round, nil
		}
		if err := exec("keys", `DELETE FROM ar_att`); err != nil {
			return round, err
		}
		if err := exec("keys", `INSERT INTO ar_att (event_id, actor_kind, actor, method, confidence,
			account_id, region, reason, note, evidence_event_id)
			SELECT event_id, actor_kind, actor, method, confidence, account_id, region, reason, note, evidence_event_id
			FROM (`+sqlText(classifySQL, "ar")+`)`); err != nil {
			return round, err
		}
	}
}

// updateRecordFields brings notebook_events and assume_role_fields up to
// date with event_rows, which only grows: it adds the events among the
// rows after the last one they covered. With all, or when event_rows is no
// longer those rows and new ones (rows were deleted by hand), it reads
// every event again. It returns what it found of event_rows.
func updateRecordFields(ctx context.Context, tx *sql.Tx, exec func(string, string, ...any) error, all bool) (eventRows, error) {
	var er eventRows
	var covered, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(event_rows), max(last_rowid) FROM record_fields_state`).Scan(&covered, &last); err != nil {
		return er, fmt.Errorf("record fields: %w", err)
	}
	from := int64(-1)
	if last.Valid {
		from = last.Int64
	}
	var after int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(rowid), -1), count(*) FILTER (WHERE rowid > $1) FROM event_rows`,
		from).Scan(&er.count, &er.lastRow, &after); err != nil {
		return er, fmt.Errorf("record fields: %w", err)
	}
	// Rows deleted since the last run leave fewer rows than it saw plus
	// those after it, whatever was added since.
	er.grown = covered.Valid && after == er.count-covered.Int64
	if all || !er.grown {
		for _, t := range []string{"notebook_events", "assume_role_fields"} {
			if err := exec("record fields", `DELETE FROM `+t); err != nil {
				return er, err
			}
		}
		from = -1
	}
	for _, q := range recordFieldsSQL {
		if err := exec("record fields", q, from); err != nil {
			return er, err
		}
	}
	if err := exec("record fields", `DELETE FROM record_fields_state`); err != nil {
		return er, err
	}
	return er, exec("record fields", `INSERT INTO record_fields_state VALUES ($1, $2)`, er.count, er.lastRow)
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

// changedSQL finds the evidence that changed since the last run: access
// key links, notebook lifetimes and the addresses people were seen at.
var changedSQL = []string{
	`CREATE OR REPLACE TEMP TABLE changed_keys AS
		SELECT access_key_id FROM (SELECT * FROM keys EXCEPT SELECT * FROM attribution_keys)
		UNION SELECT access_key_id FROM (SELECT * FROM attribution_keys EXCEPT SELECT * FROM keys)`,

	`CREATE OR REPLACE TEMP TABLE changed_inv AS
		WITH inv_now AS (
			SELECT account_id, region, name, role_name, lifecycle_config_name, created_at, deleted_at, source FROM inv
		)
		SELECT * FROM (SELECT * FROM inv_now EXCEPT SELECT * FROM attribution_seen_inventory)
		UNION ALL SELECT * FROM (SELECT * FROM attribution_seen_inventory EXCEPT SELECT * FROM inv_now)`,

	`CREATE OR REPLACE TEMP TABLE changed_ips AS
		SELECT DISTINCT account_id, source_ip FROM (
			SELECT * FROM (SELECT * FROM hip EXCEPT SELECT * FROM attribution_seen_ips)
			UNION ALL SELECT * FROM (SELECT * FROM attribution_seen_ips EXCEPT SELECT * FROM hip))`,
}

// newEvents puts the events without an attribution into the table
// target_all. Every run attributes all of them, and event_rows only
// grows, so they are the newest rows: as many as event_rows has rows more
// than attributions. Those rows are read by rowid, a range DuckDB skips
// to, and checked against attributions with a hash table of those rows
// alone. Comparing every event with every attribution instead took 3 s on
// 10,000,000 events, the largest part of a nightly run, and grew with the
// database. When rows were deleted since the last run (rows.grown is
// false), or the newest rows are not all of them (attributions were
// deleted by hand), the whole comparison runs. A hand edit that leaves the
// counts equal, an attribution deleted and one added for no event, goes
// unseen until attribute --full.
func newEvents(ctx context.Context, tx *sql.Tx, exec func(string, string, ...any) error, rows eventRows) error {
	var attributed int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attributions`).Scan(&attributed); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	if n := rows.count - attributed; rows.grown && n >= 0 {
		if err := exec("targets", `CREATE OR REPLACE TEMP TABLE newest AS
			SELECT event_id FROM event_rows WHERE rowid > $1`, rows.lastRow-n); err != nil {
			return err
		}
		if err := exec("targets", `CREATE OR REPLACE TEMP TABLE target_all AS
			SELECT n.event_id FROM newest n ANTI JOIN (
				SELECT a.event_id FROM attributions a SEMI JOIN newest n ON n.event_id = a.event_id
			) a ON a.event_id = n.event_id`); err != nil {
			return err
		}
		var found int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM target_all`).Scan(&found); err != nil {
			return fmt.Errorf("targets: %w", err)
		}
		if err := exec("targets", `DROP TABLE newest`); err != nil {
			return err
		}
		if found == n {
			return nil
		}
	}
	return exec("targets", `CREATE OR REPLACE TEMP TABLE target_all AS
		SELECT event_id FROM event_rows e ANTI JOIN attributions a ON a.event_id = e.event_id`)
}

// targetSQL adds to target_all the events whose evidence changed, and
// leaves each event once in the table target: those an incremental run
// (re)attributes. Each reason is its own statement: as one UNION, the
// joins of ten million events with ten million attributions and with the
// changes held their hash tables at once and ran out of ingest's memory;
// alone, each spills to disk when it must.
var targetSQL = []string{
	`INSERT INTO target_all
		SELECT event_id FROM event_rows WHERE access_key_id IN (SELECT access_key_id FROM changed_keys)`,

	`INSERT INTO target_all
		SELECT e.event_id FROM event_rows e
		JOIN (SELECT DISTINCT account_id, name FROM changed_inv) c
			ON c.account_id = e.identity_account_id AND c.name = e.session_name`,

	`INSERT INTO target_all
		SELECT e.event_id FROM event_rows e
		JOIN (SELECT DISTINCT account_id, role_name FROM changed_inv WHERE role_name IS NOT NULL) c
			ON c.account_id = e.identity_account_id AND c.role_name = lower(e.role_name)`,

	`INSERT INTO target_all
		SELECT e.event_id FROM event_rows e JOIN changed_ips c
			ON c.account_id = coalesce(e.identity_account_id, e.recipient_account_id) AND c.source_ip = e.source_ip`,

	`CREATE OR REPLACE TEMP TABLE target AS SELECT DISTINCT event_id FROM target_all`,

	`DROP TABLE target_all`,
}

// saveStateSQL records what this run's attributions were computed from.
var saveStateSQL = []string{
	`DELETE FROM attribution_keys`,
	`INSERT INTO attribution_keys SELECT * FROM keys`,
	`DELETE FROM attribution_seen_inventory`,
	`INSERT INTO attribution_seen_inventory SELECT account_id, region, name, role_name, lifecycle_config_name,
		created_at, deleted_at, source FROM inv`,
	`DELETE FROM attribution_seen_ips`,
	`INSERT INTO attribution_seen_ips SELECT account_id, source_ip, person, people FROM hip`,
}

func summarize(ctx context.Context, conn *sql.Conn, sum *Summary) error {
	rows, err := conn.QueryContext(ctx, `SELECT actor_kind, method, confidence, count(*) AS n
		FROM attributions GROUP BY ALL ORDER BY n DESC, actor_kind, method, confidence`)
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
