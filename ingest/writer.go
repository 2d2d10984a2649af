package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ctattrib/ctattrib/store"
)

// writer holds a batch of raw records in memory, which DuckDB reads
// through the table function ctattrib_batch, and moves each batch into
// event_rows, mapped to columns by mapSQL, with the manifest rows of its
// objects (staged with an Appender) in one transaction.
type writer struct {
	log     *slog.Logger
	conn    *sql.Conn
	objects *duckdb.Appender
	now     func() time.Time
	id      int64 // the batch's id in batches
	batch   batch
	pending int // records staged since the last commit
	staged  int // objects staged since the last commit
}

type batchStats struct {
	newEvents, dupEvents int64
	// invalid lists objects found to hold invalid JSON while committing:
	// they were staged as loaded and are recorded as failed instead.
	invalid []Failure
}

func newWriter(ctx context.Context, db *store.DB, now func() time.Time, log *slog.Logger) (*writer, error) {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{conn: conn, now: now, log: log, id: batchSeq.Add(1)}
	batches.Store(w.id, &w.batch)
	if err := registerBatchFunc(conn); err != nil {
		w.close()
		return nil, err
	}
	setup := append([]string{
		// Without it, rows of a parallel INSERT are written in order: each
		// thread's partial row groups are rewritten at commit, which costs
		// time and leaves the replaced blocks free in the file.
		`SET preserve_insertion_order = false`,
		// Merging the partly filled row groups each batch leaves rewrites
		// every row group at each checkpoint: a third of the run's time.
		`SET max_vacuum_tasks = 0`,
		`CREATE OR REPLACE TEMP TABLE staging_objects (
			uri VARCHAR, etag VARCHAR, size BIGINT, last_modified TIMESTAMPTZ,
			status VARCHAR, events BIGINT, error VARCHAR)`,
	}, macroSQL...)
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			w.close()
			return nil, fmt.Errorf("create staging: %w", err)
		}
	}
	if w.objects, err = store.NewAppender(conn, "staging_objects"); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *writer) close() {
	batches.Delete(w.id)
	if w.objects != nil {
		w.objects.Close()
	}
	w.conn.Close()
}

// add stages one object's records and its manifest row.
func (w *writer) add(r result) error {
	if r.status == StatusLoaded {
		w.batch.add(r.obj.URI, r.packed)
	}
	var errText any
	if r.err != nil {
		errText = r.err.Error()
	}
	var lastMod any
	if !r.obj.LastModified.IsZero() {
		lastMod = r.obj.LastModified
	}
	var etag any
	if r.obj.ETag != "" {
		etag = r.obj.ETag
	}
	if err := w.objects.AppendRow(r.obj.URI, etag, r.obj.Size, lastMod,
		r.status, int64(r.packed.len()), errText); err != nil {
		return fmt.Errorf("stage manifest row %s: %w", r.obj.URI, err)
	}
	w.pending += r.packed.len()
	w.staged++
	return nil
}

// keysSQL reads each staged record's key: recordKey's in Go, and in DuckDB
// (eventIDExpr) for the few records recordKey could not tell.
const keysSQL = `CREATE OR REPLACE TEMP TABLE batch_keys AS
	SELECT rid, obj, event_id FROM ctattrib_batch(BATCH, false) WHERE event_id IS NOT NULL
	UNION ALL
	SELECT rid, obj, ` + eventIDExpr + ` FROM ctattrib_batch(BATCH, true)`

// storedSQL finds the batch's event IDs that events already holds: a
// semi join whose hash table holds the batch's IDs alone, while the
// stored IDs stream past. Written as NOT EXISTS in keepSQL, DuckDB built
// its hash table from every stored ID instead (guessing that a filter
// kept a fifth of them), which grew with the database and ran out of
// ingest's memory on 10,000,000 events.
const storedSQL = `CREATE OR REPLACE TEMP TABLE batch_stored AS
	SELECT e.event_id FROM event_rows e SEMI JOIN batch_keys k ON k.event_id = e.event_id`

// keepSQL picks, per event ID in the batch, the one row to insert: none
// when events already holds the ID, else the row from the first object in
// URI order (CloudTrail delivers some events twice, in different files),
// which is the lowest rid (commit sorts the objects). The aggregate holds
// only integers besides the ID: with the object's URI in it, as arg_min
// and min of source_uri, its hash tables took 370 MB of a 500,000-event
// batch, the peak of the whole ingest.
const keepSQL = `CREATE OR REPLACE TEMP TABLE batch_keep AS
	SELECT min(b.rid) AS rid, min(b.obj) AS obj, b.event_id
	FROM batch_keys b ANTI JOIN batch_stored s ON s.event_id = b.event_id
	GROUP BY b.event_id`

// objectsSQL names the batch's objects by their place in it ($1 is their
// URIs in that order), for the manifest's count of new events.
const objectsSQL = `CREATE OR REPLACE TEMP TABLE batch_objects AS
	SELECT unnest(range(len($1::VARCHAR[])))::INTEGER AS obj, unnest($1::VARCHAR[]) AS uri`

const manifestSQL = `INSERT INTO objects (uri, etag, size, last_modified, status, events, new_events, error, attempts, ingested_at)
	SELECT o.uri, o.etag, o.size, o.last_modified, o.status, o.events, coalesce(n.cnt, 0), o.error, 1, $1::TIMESTAMPTZ
	FROM staging_objects o
	LEFT JOIN (SELECT bo.uri, count(*) AS cnt FROM batch_keep k JOIN batch_objects bo ON bo.obj = k.obj GROUP BY bo.uri) n ON n.uri = o.uri
	ON CONFLICT (uri) DO UPDATE SET
		etag = excluded.etag, size = excluded.size, last_modified = excluded.last_modified,
		status = excluded.status, events = excluded.events, new_events = excluded.new_events,
		error = excluded.error, attempts = attempts + 1, ingested_at = excluded.ingested_at`

// commit writes the staged batch in one transaction and empties it. If an
// event is not valid JSON, DuckDB refuses the whole batch: the objects
// holding such events are then marked failed, their records dropped, and
// the rest written.
func (w *writer) commit(ctx context.Context) (batchStats, error) {
	if w.staged == 0 {
		return batchStats{}, nil
	}
	if err := w.objects.Flush(); err != nil {
		return batchStats{}, fmt.Errorf("stage manifest: %w", err)
	}
	w.batch.sortByURI()
	st, err := w.commitOnce(ctx)
	if err != nil && strings.Contains(err.Error(), "JSON") {
		var bad []Failure
		if bad, err = w.dropInvalid(ctx); err == nil {
			st, err = w.commitOnce(ctx)
			st.invalid = bad
		}
	}
	if err != nil {
		return batchStats{}, err
	}
	w.batch.reset()
	for _, q := range []string{`DELETE FROM staging_objects`, `DROP TABLE IF EXISTS batch_keys`, `DROP TABLE IF EXISTS batch_stored`, `DROP TABLE IF EXISTS batch_keep`, `DROP TABLE IF EXISTS batch_objects`} {
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return st, err
		}
	}
	w.pending, w.staged = 0, 0
	return st, nil
}

func (w *writer) commitOnce(ctx context.Context) (batchStats, error) {
	t0 := time.Now()
	var st batchStats
	if _, err := w.conn.ExecContext(ctx, w.sql(keysSQL)); err != nil {
		return st, fmt.Errorf("map events: %w", err)
	}
	tKeys := time.Since(t0)
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, q := range []string{storedSQL, keepSQL} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("deduplicate batch: %w", err)
		}
	}
	uris := make([]string, len(w.batch.objects))
	for i, o := range w.batch.objects {
		uris[i] = o.uri
	}
	if _, err := tx.ExecContext(ctx, objectsSQL, uris); err != nil {
		return st, fmt.Errorf("deduplicate batch: %w", err)
	}
	tKeep := time.Since(t0)
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_rows BY NAME `+w.sql(mapSQL), stringPaths); err != nil {
		return st, fmt.Errorf("insert events: %w", err)
	}
	tInsert := time.Since(t0)
	if _, err := tx.ExecContext(ctx, manifestSQL, w.now().UTC()); err != nil {
		return st, fmt.Errorf("update manifest: %w", err)
	}
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM batch_keep), (SELECT count(*) FROM batch_keys)`).Scan(&st.newEvents, &total); err != nil {
		return st, err
	}
	if err := tx.Commit(); err != nil {
		return st, fmt.Errorf("commit batch: %w", err)
	}
	store.CrashPoint(store.PhaseBatch)
	st.dupEvents = total - st.newEvents
	w.log.Debug("Committed batch", "events", total, "new", st.newEvents,
		"keys", tKeys, "dedup", tKeep-tKeys, "insert", tInsert-tKeep, "total", time.Since(t0))
	return st, nil
}

// dropInvalid finds the objects holding events that are not valid JSON,
// marks them failed and drops their records from the batch.
func (w *writer) dropInvalid(ctx context.Context) ([]Failure, error) {
	fixes := []string{
		`CREATE OR REPLACE TEMP TABLE batch_bad AS
			SELECT source_uri, min(n) AS n FROM (
				SELECT source_uri, record, row_number() OVER (PARTITION BY source_uri ORDER BY rid) AS n FROM ctattrib_batch(BATCH, false))
			WHERE NOT json_valid(record) GROUP BY source_uri`,
		`UPDATE staging_objects o SET status = 'failed',
			error = 'event ' || b.n || ' is not valid JSON', events = 0
			FROM batch_bad b WHERE b.source_uri = o.uri`,
	}
	for _, f := range fixes {
		if _, err := w.conn.ExecContext(ctx, w.sql(f)); err != nil {
			return nil, fmt.Errorf("find invalid events: %w", err)
		}
	}
	rows, err := w.conn.QueryContext(ctx, `SELECT o.uri, o.error FROM staging_objects o JOIN batch_bad b ON b.source_uri = o.uri ORDER BY o.uri`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []Failure
	for rows.Next() {
		var f Failure
		if err := rows.Scan(&f.URI, &f.Err); err != nil {
			return nil, err
		}
		bad = append(bad, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	w.batch.drop(bad)
	return bad, nil
}

// sql names the writer's batch in q.
func (w *writer) sql(q string) string {
	return strings.ReplaceAll(q, "ctattrib_batch(BATCH,", fmt.Sprintf("%s(%d,", batchFunc, w.id))
}
