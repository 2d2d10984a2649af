package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ctattrib/ctattrib/store"
)

// isInvalidInput reports whether err is DuckDB refusing its input, as it
// refuses a batch holding an event that is not valid JSON (for which
// TestInvalidJSONErrorType pins the type).
func isInvalidInput(err error) bool {
	var de *duckdb.Error
	return errors.As(err, &de) && de.Type == duckdb.ErrorTypeInvalidInput
}

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
	if err := registerBatchFunc(ctx, conn); err != nil {
		w.close()
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, sessionSQL); err != nil {
		w.close()
		return nil, fmt.Errorf("create staging: %w", err)
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
	var reason any
	if r.reason != "" {
		reason = r.reason
	}
	if err := w.objects.AppendRow(r.obj.URI, etag, r.obj.Size, lastMod,
		r.status, int64(r.packed.len()), errText, int64(r.rejected), reason); err != nil {
		return fmt.Errorf("stage manifest row %s: %w", r.obj.URI, err)
	}
	w.pending += r.packed.len()
	w.staged++
	return nil
}

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
	if isInvalidInput(err) {
		var bad []Failure
		if bad, err = w.dropInvalid(ctx); err == nil {
			st, err = w.commitOnce(ctx)
			st.invalid = bad
		}
	}
	if isOutOfMemory(err) && len(w.batch.objects) > 1 {
		invalid := st.invalid
		st, err = w.commitApart(ctx)
		st.invalid = append(invalid, st.invalid...)
	}
	if err != nil {
		return batchStats{}, err
	}
	w.batch.reset()
	if _, err := w.conn.ExecContext(ctx, batchResetSQL); err != nil {
		return st, err
	}
	w.pending, w.staged = 0, 0
	return st, nil
}

// commitApart commits the staged objects one at a time, after DuckDB ran
// out of memory storing them together: an object it cannot store even
// alone fails, with the reason, and the others load. The objects without
// records (failed, skipped or empty) commit last.
func (w *writer) commitApart(ctx context.Context) (batchStats, error) {
	var total batchStats
	exec := func(q string, args ...any) error {
		if _, err := w.conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("commit objects apart: %w", err)
		}
		return nil
	}
	pick := func(uris []string, rest bool) error {
		if err := exec(stagingClearSQL); err != nil {
			return err
		}
		return exec(stagingPickSQL, sql.Named("uris", uris), sql.Named("rest", rest))
	}
	commit := func() error {
		st, err := w.commitOnce(ctx)
		if err != nil {
			return err
		}
		total.newEvents += st.newEvents
		total.dupEvents += st.dupEvents
		return nil
	}
	if err := exec(stagingSaveSQL); err != nil {
		return total, err
	}
	objects := slices.Clone(w.batch.objects)
	uris := make([]string, len(objects))
	for i, o := range objects {
		uris[i] = o.uri
		if err := pick([]string{o.uri}, false); err != nil {
			return total, err
		}
		w.batch.refill(objects[i : i+1])
		err := commit()
		if isOutOfMemory(err) {
			f := Failure{URI: o.uri, Err: fmt.Sprintf("DuckDB ran out of memory storing its %d events, even alone (--memory-limit)", o.len())}
			w.log.Debug("Object too large to store", "uri", o.uri, "err", err)
			if err := exec(stagingFailSQL, sql.Named("error", f.Err)); err != nil {
				return total, err
			}
			w.batch.reset()
			err = commit()
			total.invalid = append(total.invalid, f)
		}
		if err != nil {
			return total, err
		}
	}
	if err := pick(uris, true); err != nil {
		return total, err
	}
	w.batch.reset()
	return total, commit()
}

// isOutOfMemory reports whether err is DuckDB running out of memory.
func isOutOfMemory(err error) bool {
	var de *duckdb.Error
	return errors.As(err, &de) && de.Type == duckdb.ErrorTypeOutOfMemory
}

func (w *writer) commitOnce(ctx context.Context) (batchStats, error) {
	t0 := time.Now()
	var st batchStats
	batchID := sql.Named("batch", w.id)
	if _, err := w.conn.ExecContext(ctx, batchKeysSQL, batchID); err != nil {
		return st, fmt.Errorf("map events: %w", err)
	}
	tKeys := time.Since(t0)
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, q := range []string{batchStoredSQL, batchKeepSQL} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("deduplicate batch: %w", err)
		}
	}
	uris := make([]string, len(w.batch.objects))
	for i, o := range w.batch.objects {
		uris[i] = o.uri
	}
	if _, err := tx.ExecContext(ctx, batchObjectsSQL, sql.Named("uris", uris)); err != nil {
		return st, fmt.Errorf("deduplicate batch: %w", err)
	}
	tKeep := time.Since(t0)
	if _, err := tx.ExecContext(ctx, insertEventsSQL, sql.Named("paths", eventPaths), batchID); err != nil {
		return st, fmt.Errorf("insert events: %w", err)
	}
	tInsert := time.Since(t0)
	if _, err := tx.ExecContext(ctx, manifestSQL, sql.Named("now", w.now().UTC())); err != nil {
		return st, fmt.Errorf("update manifest: %w", err)
	}
	var total int64
	if err := tx.QueryRowContext(ctx, batchCountsSQL).Scan(&st.newEvents, &total); err != nil {
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
	if _, err := w.conn.ExecContext(ctx, batchBadSQL, sql.Named("batch", w.id)); err != nil {
		return nil, fmt.Errorf("find invalid events: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, failBadSQL); err != nil {
		return nil, fmt.Errorf("find invalid events: %w", err)
	}
	rows, err := w.conn.QueryContext(ctx, badObjectsSQL)
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

// writeStats are the writer's counts: what the batches it committed hold.
type writeStats struct {
	loaded, skipped, failed int
	failures                []Failure // the first maxFailuresKept
	newEvents, dupEvents    int64
	bytes                   int64 // of the objects loaded
	// rejected counts the records of loaded objects that are not events,
	// in rejectedObjects objects, the first maxFailuresKept of which
	// rejections names with the first reason.
	rejected        int64
	rejectedObjects int
	rejections      []Failure
	control         int64       // CloudWatch Logs control messages skipped
	pendingRejects  []rejection // since the last commit
}

// rejection is an object loaded with records rejected.
type rejection struct {
	Failure
	n int
}

// add adds the counts of p, the objects since the last commit, less those
// that failed when committed (invalid).
func (s *writeStats) add(p *writeStats, invalid []Failure) {
	s.loaded += p.loaded - len(invalid)
	s.skipped += p.skipped
	s.bytes += p.bytes
	s.control += p.control
	for _, r := range p.pendingRejects {
		if slices.ContainsFunc(invalid, func(b Failure) bool { return b.URI == r.URI }) {
			continue
		}
		s.rejected += int64(r.n)
		s.rejectedObjects++
		if len(s.rejections) < maxFailuresKept {
			s.rejections = append(s.rejections, r.Failure)
		}
	}
}

// failure counts a failed object.
func (s *writeStats) failure(f Failure) {
	s.failed++
	if len(s.failures) < maxFailuresKept {
		s.failures = append(s.failures, f)
	}
}

// progressFunc tells a Load's caller how far it got; listed is the
// lister's running count.
type progressFunc struct {
	report  func(Progress)
	listed  func() int64
	started time.Time
}

// run is Load's last stage: it records each result of done in the
// manifest, and its records in events, committing a batch whenever it
// holds batchEvents records, and checkpoints the database at the end.
// Objects count as loaded or skipped once their batch has committed: a
// run that fails has not loaded them.
func (w *writer) run(ctx context.Context, done <-chan result, batchEvents int, progress progressFunc) (writeStats, error) {
	var st writeStats
	var pending writeStats // loaded, skipped and bytes since the last commit
	prog := Progress{Started: progress.started}
	commit := func() error {
		bs, err := w.commit(ctx)
		if err != nil {
			return err
		}
		st.add(&pending, bs.invalid)
		pending = writeStats{}
		st.newEvents += bs.newEvents
		st.dupEvents += bs.dupEvents
		for _, f := range bs.invalid {
			st.failure(f)
			w.log.Warn("Object failed", "uri", f.URI, "err", f.Err)
		}
		return nil
	}
	for r := range done {
		prog.ObjectsDone++
		prog.ObjectsListed = progress.listed()
		switch r.status {
		case StatusLoaded:
			pending.loaded++
			pending.bytes += r.obj.Size
			prog.Bytes += r.obj.Size
			prog.Events += int64(r.packed.len())
			pending.control += int64(r.control)
			if r.rejected > 0 {
				pending.pendingRejects = append(pending.pendingRejects, rejection{Failure{URI: r.obj.URI, Err: r.reason}, r.rejected})
				w.log.Warn("Records rejected", "uri", r.obj.URI, "rejected", r.rejected, "first", r.reason)
			}
		case StatusSkipped:
			pending.skipped++
		case StatusFailed:
			st.failure(Failure{URI: r.obj.URI, Err: r.err.Error()})
			w.log.Warn("Object failed", "uri", r.obj.URI, "err", r.err)
		}
		if err := w.add(r); err != nil {
			return st, err
		}
		if w.pending >= batchEvents {
			if err := commit(); err != nil {
				return st, err
			}
		}
		if progress.report != nil {
			progress.report(prog)
		}
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if err := commit(); err != nil {
		return st, err
	}
	// Checkpoint now, inside the run's time, rather than when the
	// database closes: DuckDB then merges the partly filled row groups
	// the batches left.
	t := time.Now()
	if _, err := w.conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return st, fmt.Errorf("checkpoint: %w", err)
	}
	w.log.Debug("Checkpointed", "took", time.Since(t))
	return st, nil
}
