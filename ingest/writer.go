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

// writer stages raw records through a DuckDB Appender into a temporary
// table, and moves each batch into events, mapped to columns by mapSQL,
// with the manifest rows of its objects in one transaction.
type writer struct {
	log     *slog.Logger
	conn    *sql.Conn
	records *duckdb.Appender
	objects *duckdb.Appender
	now     func() time.Time
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
	w := &writer{conn: conn, now: now, log: log}
	setup := append([]string{
		`CREATE OR REPLACE TEMP TABLE staging (record VARCHAR, source_uri VARCHAR)`,
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
	if w.records, err = store.NewAppender(conn, "staging"); err != nil {
		w.close()
		return nil, err
	}
	if w.objects, err = store.NewAppender(conn, "staging_objects"); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *writer) close() {
	if w.records != nil {
		w.records.Close()
	}
	if w.objects != nil {
		w.objects.Close()
	}
	w.conn.Close()
}

// add stages one object's records and its manifest row.
func (w *writer) add(r result) error {
	for _, rec := range r.records {
		if err := w.records.AppendRow(rec, r.obj.URI); err != nil {
			return fmt.Errorf("stage %s: %w", r.obj.URI, err)
		}
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
		r.status, int64(len(r.records)), errText); err != nil {
		return fmt.Errorf("stage manifest row %s: %w", r.obj.URI, err)
	}
	w.pending += len(r.records)
	w.staged++
	return nil
}

// keepSQL picks, per event ID in the batch, the one row to insert: none
// when events already holds the ID, else the row from the first object in
// URI order (CloudTrail delivers some events twice, in different files).
const keepSQL = `CREATE OR REPLACE TEMP TABLE batch_keep AS
	SELECT arg_min(b.rid, b.source_uri) AS rid, min(b.source_uri) AS source_uri
	FROM batch_keys b
	WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = b.event_id)
	GROUP BY b.event_id`

// keysSQL reads each staged record's key: the one pass over the batch that
// parses every record before the transaction, so that invalid JSON is found
// here.
const keysSQL = `CREATE OR REPLACE TEMP TABLE batch_keys AS
	SELECT rowid AS rid, source_uri, ` + eventIDExpr + ` AS event_id FROM staging`

const manifestSQL = `INSERT INTO objects (uri, etag, size, last_modified, status, events, new_events, error, attempts, ingested_at)
	SELECT o.uri, o.etag, o.size, o.last_modified, o.status, o.events, coalesce(n.cnt, 0), o.error, 1, $1::TIMESTAMPTZ
	FROM staging_objects o
	LEFT JOIN (SELECT source_uri, count(*) AS cnt FROM batch_keep GROUP BY source_uri) n ON n.source_uri = o.uri
	ON CONFLICT (uri) DO UPDATE SET
		etag = excluded.etag, size = excluded.size, last_modified = excluded.last_modified,
		status = excluded.status, events = excluded.events, new_events = excluded.new_events,
		error = excluded.error, attempts = attempts + 1, ingested_at = excluded.ingested_at`

// commit writes the staged batch in one transaction and clears the staging
// tables.
func (w *writer) commit(ctx context.Context) (batchStats, error) {
	if w.staged == 0 {
		return batchStats{}, nil
	}
	if err := w.records.Flush(); err != nil {
		return batchStats{}, fmt.Errorf("stage events: %w", err)
	}
	if err := w.objects.Flush(); err != nil {
		return batchStats{}, fmt.Errorf("stage manifest: %w", err)
	}
	t0 := time.Now()
	var st batchStats
	invalid, err := w.mapBatch(ctx)
	tKeys := time.Since(t0)
	if err != nil {
		return batchStats{}, err
	}
	st.invalid = invalid
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return batchStats{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, keepSQL); err != nil {
		return batchStats{}, fmt.Errorf("deduplicate batch: %w", err)
	}
	tKeep := time.Since(t0)
	if _, err := tx.ExecContext(ctx, `INSERT INTO events BY NAME `+mapSQL, stringPaths); err != nil {
		return batchStats{}, fmt.Errorf("insert events: %w", err)
	}
	tInsert := time.Since(t0)
	if _, err := tx.ExecContext(ctx, manifestSQL, w.now().UTC()); err != nil {
		return batchStats{}, fmt.Errorf("update manifest: %w", err)
	}
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM batch_keep), (SELECT count(*) FROM batch_keys)`).Scan(&st.newEvents, &total); err != nil {
		return batchStats{}, err
	}
	if err := tx.Commit(); err != nil {
		return batchStats{}, fmt.Errorf("commit batch: %w", err)
	}
	st.dupEvents = total - st.newEvents
	w.log.Debug("Committed batch", "events", total, "new", st.newEvents,
		"keys", tKeys, "dedup", tKeep-tKeys, "insert", tInsert-tKeep, "total", time.Since(t0))
	for _, q := range []string{`DELETE FROM staging`, `DELETE FROM staging_objects`, `DROP TABLE IF EXISTS batch_keys`, `DROP TABLE IF EXISTS batch_keep`} {
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return st, err
		}
	}
	w.pending, w.staged = 0, 0
	return st, nil
}

// mapBatch reads the staged records' keys into the temp table batch_keys.
// If an event is not valid JSON, DuckDB refuses the whole statement: the
// objects holding such events are then marked failed, their records
// dropped, and the keys read again from the rest.
func (w *writer) mapBatch(ctx context.Context) ([]Failure, error) {
	q := keysSQL
	_, err := w.conn.ExecContext(ctx, q)
	if err == nil {
		return nil, nil
	}
	if !strings.Contains(err.Error(), "JSON") {
		return nil, fmt.Errorf("map events: %w", err)
	}
	fixes := []string{
		`CREATE OR REPLACE TEMP TABLE batch_bad AS
			SELECT source_uri, min(n) AS n FROM (
				SELECT source_uri, record, row_number() OVER (PARTITION BY source_uri ORDER BY rowid) AS n FROM staging)
			WHERE NOT json_valid(record) GROUP BY source_uri`,
		`UPDATE staging_objects o SET status = 'failed',
			error = 'event ' || b.n || ' is not valid JSON', events = 0
			FROM batch_bad b WHERE b.source_uri = o.uri`,
		`DELETE FROM staging WHERE source_uri IN (SELECT source_uri FROM batch_bad)`,
	}
	for _, f := range fixes {
		if _, err := w.conn.ExecContext(ctx, f); err != nil {
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
	if _, err := w.conn.ExecContext(ctx, q); err != nil {
		return nil, fmt.Errorf("map events: %w", err)
	}
	return bad, nil
}
