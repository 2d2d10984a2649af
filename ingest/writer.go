package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ctattrib/ctattrib/store"
)

// writer stages decoded rows through a DuckDB Appender into a temporary
// table and moves them into events, with the manifest rows of their
// objects, in one transaction per batch.
type writer struct {
	conn    *sql.Conn
	events  *duckdb.Appender
	objects *duckdb.Appender
	now     func() time.Time
	pending int // rows staged since the last commit
	staged  int // objects staged since the last commit
}

type batchStats struct {
	newEvents, dupEvents int64
}

func newWriter(ctx context.Context, db *store.DB, now func() time.Time) (*writer, error) {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{conn: conn, now: now}
	for _, q := range []string{
		`CREATE OR REPLACE TEMP TABLE staging AS SELECT * FROM events LIMIT 0`,
		`CREATE OR REPLACE TEMP TABLE staging_objects (
			uri VARCHAR, etag VARCHAR, size BIGINT, last_modified TIMESTAMPTZ,
			status VARCHAR, events BIGINT, error VARCHAR)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			w.close()
			return nil, fmt.Errorf("create staging: %w", err)
		}
	}
	if w.events, err = store.NewAppender(conn, "staging"); err != nil {
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
	if w.events != nil {
		w.events.Close()
	}
	if w.objects != nil {
		w.objects.Close()
	}
	w.conn.Close()
}

// add stages one object's rows and its manifest row.
func (w *writer) add(r result) error {
	for i := range r.rows {
		if err := w.events.AppendRow(rowValues(&r.rows[i])...); err != nil {
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
	if err := w.objects.AppendRow(r.obj.URI, nullString(r.obj.ETag), r.obj.Size, lastMod,
		r.status, int64(len(r.rows)), errText); err != nil {
		return fmt.Errorf("stage manifest row %s: %w", r.obj.URI, err)
	}
	w.pending += len(r.rows)
	w.staged++
	return nil
}

// commitSQL moves the staged batch into events and objects. Events already
// stored, or repeated within the batch, are dropped (CloudTrail delivers
// some events twice, in different files).
var commitSQL = []string{
	`CREATE OR REPLACE TEMP TABLE batch_new AS
		SELECT s.* FROM (SELECT DISTINCT ON (event_id) * FROM staging ORDER BY event_id, source_uri) s
		WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id)`,
	`INSERT INTO events SELECT * FROM batch_new`,
	`INSERT INTO objects (uri, etag, size, last_modified, status, events, new_events, error, attempts, ingested_at)
		SELECT o.uri, o.etag, o.size, o.last_modified, o.status, o.events, coalesce(n.cnt, 0), o.error, 1, $1::TIMESTAMPTZ
		FROM staging_objects o
		LEFT JOIN (SELECT source_uri, count(*) AS cnt FROM batch_new GROUP BY source_uri) n ON n.source_uri = o.uri
		ON CONFLICT (uri) DO UPDATE SET
			etag = excluded.etag, size = excluded.size, last_modified = excluded.last_modified,
			status = excluded.status, events = excluded.events, new_events = excluded.new_events,
			error = excluded.error, attempts = attempts + 1, ingested_at = excluded.ingested_at`,
}

// commit writes the staged batch in one transaction and clears the staging
// tables.
func (w *writer) commit(ctx context.Context) (batchStats, error) {
	if w.staged == 0 {
		return batchStats{}, nil
	}
	if err := w.events.Flush(); err != nil {
		return batchStats{}, fmt.Errorf("stage events: %w", err)
	}
	if err := w.objects.Flush(); err != nil {
		return batchStats{}, fmt.Errorf("stage manifest: %w", err)
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return batchStats{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for i, q := range commitSQL {
		var args []any
		if i == 2 {
			args = []any{w.now().UTC()}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return batchStats{}, fmt.Errorf("commit batch: %w", err)
		}
	}
	var st batchStats
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM batch_new`).Scan(&st.newEvents); err != nil {
		return batchStats{}, err
	}
	if err := tx.Commit(); err != nil {
		return batchStats{}, fmt.Errorf("commit batch: %w", err)
	}
	st.dupEvents = int64(w.pending) - st.newEvents
	for _, q := range []string{`DELETE FROM staging`, `DELETE FROM staging_objects`, `DROP TABLE IF EXISTS batch_new`} {
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return st, err
		}
	}
	w.pending, w.staged = 0, 0
	return st, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// rowValues lists a row's values in the events table's column order.
func rowValues(r *Row) []driver.Value {
	return []driver.Value{
		r.EventID, nullTime(r.EventTime), nullString(r.EventVersion), nullString(r.EventSource),
		nullString(r.EventName), nullString(r.AWSRegion), nullString(r.RecipientAccountID),
		nullString(r.SourceIP), nullString(r.UserAgent), nullString(r.IdentityType),
		nullString(r.PrincipalID), nullString(r.PrincipalARN), nullString(r.IdentityAccountID),
		nullString(r.AccessKeyID), nullString(r.UserName), nullString(r.RoleARN), nullString(r.RoleName),
		nullString(r.SessionName), nullString(r.SourceIdentity), nullString(r.InvokedBy),
		nullBool(r.MFAAuthenticated), nullTime(r.SessionCreatedAt), nullString(r.EC2RoleDelivery),
		nullString(r.ErrorCode), nullString(r.ErrorMessage), nullBool(r.ReadOnly), nullString(r.EventType),
		nullBool(r.ManagementEvent), nullString(r.EventCategory), nullString(r.RequestID),
		nullString(r.SharedEventID), nullString(r.VPCEndpointID),
		nullJSON(r.RequestParameters), nullJSON(r.ResponseElements), nullJSON(r.Resources),
		nullJSON(r.AdditionalEventData), nullJSON(r.Record), r.SourceURI,
	}
}
