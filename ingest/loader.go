package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ctattrib/ctattrib/store"
)

// Object statuses in the manifest.
const (
	StatusLoaded  = "loaded"
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // not an event file, such as a digest
)

// Options tune a Load. The zero value is usable.
type Options struct {
	// Workers bounds concurrent downloads and decodes (default: CPUs, at least 2).
	Workers int
	Filter  Filter
	// BatchEvents is how many events are committed in one transaction,
	// together with the manifest rows of their objects (default 500,000).
	// DuckDB writes large transactions straight to the file in full row
	// groups, and the batch is held compressed (about 200 bytes an
	// event), so large batches are both faster and cheap in memory: on
	// 1,000,000 events, 500,000 took two thirds of the time 122,880 did.
	BatchEvents int
	// Relist lists every day folder, not only those from where the last
	// complete run got to (see resumePoints): for logs copied into older
	// day folders.
	Relist bool
	// Progress, when set, is called from one goroutine after every batch
	// and every object.
	Progress func(Progress)
	Log      *slog.Logger
	Now      func() time.Time
}

// ownedBy reports whether uri is one of files, or below one of them that
// is a folder (ends in a separator).
func ownedBy(files []string, uri string) bool {
	for _, f := range files {
		if uri == f || (strings.HasSuffix(f, string(filepath.Separator)) && strings.HasPrefix(uri, f)) {
			return true
		}
	}
	return false
}

// Progress is a running count during a Load.
type Progress struct {
	ObjectsListed, ObjectsDone int64
	Events                     int64
	Bytes                      int64
	Started                    time.Time
}

// Failure is an object that could not be loaded.
type Failure struct {
	URI string
	Err string
}

// Summary is the outcome of a Load.
type Summary struct {
	ObjectsListed    int // objects the listing returned after filters
	ObjectsLoaded    int // loaded by this run
	ObjectsUnchanged int // already loaded by an earlier run, skipped
	ObjectsSkipped   int // not event files (digests), recorded as skipped
	ObjectsFailed    int
	ListingsFailed   int   // folders that could not be listed, in Failures too
	EventsNew        int64 // rows added to events
	EventsDuplicate  int64 // events already present (CloudTrail redelivers)
	// FoldersResumed is how many region folders were listed from where
	// the last complete run got to rather than from their first day.
	FoldersResumed int
	Bytes          int64 // bytes read from objects loaded this run
	Failures       []Failure
	Elapsed        time.Duration
}

// ErrObjectsFailed is wrapped by Load's error when the run finished but
// some objects failed; the rest were loaded.
var ErrObjectsFailed = errors.New("some objects failed to load")

// ErrRecordTooLarge is wrapped by the error of an object that holds an
// event larger than maxRecordBytes. The object fails whole, as for any
// other fault, rather than load without that event: the manifest never
// calls an object loaded that is not all in the database.
var ErrRecordTooLarge = errors.New("event too large")

// maxRecordBytes is the largest event ingest hands to DuckDB. CloudTrail
// writes none near it, but exports and re-shipped logs carry whatever
// they were given, and DuckDB's insert ran out of memory at ingest's
// default limit on a single far larger event, failing its whole batch.
const maxRecordBytes = 8 << 20

// ErrListingFailed is wrapped by Load's error when some folders could not
// be listed (they are in Summary.Failures); the objects of the others
// were loaded. The next run lists them again.
var ErrListingFailed = errors.New("some folders could not be listed")

// maxFailuresKept bounds the failures a Summary lists; the count is exact.
const maxFailuresKept = 100

// result is one object's raw events, or why it has none.
type result struct {
	obj    Object
	packed packed // its records
	status string
	err    error
}

// Load lists src, loads every object the manifest does not already hold as
// loaded (with the same ETag), and records each object in the manifest.
// Each batch of objects commits together with its events, so an
// interrupted run leaves whole objects or none. It returns ErrObjectsFailed
// (wrapped) when some objects failed but the run completed.
func Load(ctx context.Context, db *store.DB, src Source, opts Options) (Summary, error) {
	opts = withDefaults(opts)
	start := opts.Now()
	var sum Summary
	var prog Progress
	prog.Started = start

	var resume map[string]time.Time
	var retry map[string][]string
	if !opts.Relist && !opts.Filter.timed() {
		var err error
		if resume, retry, err = resumePoints(ctx, db, src); err != nil {
			return sum, err
		}
	}
	// The latest day folder listed in each region folder, kept after a
	// complete run for the next to resume from. A run with time bounds,
	// or from inside a region folder (a year or day folder, one file),
	// does not list all of a region folder's days and keeps nothing.
	var through map[string]time.Time
	if lv, _ := startLevel(src.URI("")); !opts.Filter.timed() && lv <= levelYear {
		through = map[string]time.Time{}
	}

	g, gctx := errgroup.WithContext(ctx)
	todo := make(chan Object, opts.Workers*4)
	done := make(chan result, opts.Workers*2)
	var listed atomic.Int64
	var listFailed []Failure // the lister's until Wait

	// Lister: walk the source, drop what the manifest already has.
	g.Go(func() error {
		defer close(todo)
		batch := make([]Object, 0, 1000)
		flush := func() error {
			fresh, unchanged, err := newObjects(gctx, db, batch)
			if err != nil {
				return err
			}
			sum.ObjectsUnchanged += unchanged // only the lister writes it until Wait
			batch = batch[:0]
			for _, o := range fresh {
				select {
				case todo <- o:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		}
		own := db.Files()
		resumed, failed, err := walk(gctx, src, opts.Filter, resume, retry, func(o Object) error {
			if ownedBy(own, o.URI) {
				// The database inside the folder it loads: its files
				// change every run and are no log.
				return nil
			}
			listed.Add(1)
			if through != nil {
				if folder, day, ok := regionFolder(o.URI); ok && day.After(through[folder]) {
					through[folder] = day
				}
			}
			batch = append(batch, o)
			if len(batch) == cap(batch) {
				return flush()
			}
			return nil
		})
		sum.FoldersResumed = resumed // only the lister writes it until Wait
		listFailed = failed
		for _, f := range failed {
			opts.Log.Warn("Listing failed", "uri", f.URI, "err", f.Err)
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", src, err)
		}
		return flush()
	})

	// Workers: download and decode.
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			for o := range todo {
				r := decodeObject(gctx, src, o)
				if gctx.Err() != nil {
					return gctx.Err()
				}
				select {
				case done <- r:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	go func() { wg.Wait(); close(done) }()

	// Writer: batch results into transactions.
	g.Go(func() error {
		w, err := newWriter(gctx, db, opts.Now, opts.Log)
		if err != nil {
			return err
		}
		defer w.close()
		// Objects loaded or skipped count once their batch commits: a
		// run that fails has not loaded them.
		var loaded, skipped int
		var bytes int64
		commit := func() error {
			st, err := w.commit(gctx)
			if err != nil {
				return err
			}
			sum.ObjectsLoaded += loaded - len(st.invalid)
			sum.ObjectsSkipped += skipped
			sum.Bytes += bytes
			loaded, skipped, bytes = 0, 0, 0
			sum.EventsNew += st.newEvents
			sum.EventsDuplicate += st.dupEvents
			for _, f := range st.invalid {
				sum.ObjectsFailed++
				if len(sum.Failures) < maxFailuresKept {
					sum.Failures = append(sum.Failures, f)
				}
				opts.Log.Warn("Object failed", "uri", f.URI, "err", f.Err)
			}
			return nil
		}
		for r := range done {
			prog.ObjectsDone++
			prog.ObjectsListed = listed.Load()
			switch r.status {
			case StatusLoaded:
				loaded++
				bytes += r.obj.Size
				prog.Bytes += r.obj.Size
				prog.Events += int64(r.packed.len())
			case StatusSkipped:
				skipped++
			case StatusFailed:
				sum.ObjectsFailed++
				if len(sum.Failures) < maxFailuresKept {
					sum.Failures = append(sum.Failures, Failure{URI: r.obj.URI, Err: r.err.Error()})
				}
				opts.Log.Warn("Object failed", "uri", r.obj.URI, "err", r.err)
			}
			if err := w.add(r); err != nil {
				return err
			}
			if w.pending >= opts.BatchEvents {
				if err := commit(); err != nil {
					return err
				}
			}
			if opts.Progress != nil {
				opts.Progress(prog)
			}
		}
		if err := gctx.Err(); err != nil {
			return err
		}
		if err := commit(); err != nil {
			return err
		}
		// Checkpoint now, inside the run's time, rather than when the
		// database closes: DuckDB then merges the partly filled row groups
		// the batches left.
		t := time.Now()
		if _, err := w.conn.ExecContext(gctx, `CHECKPOINT`); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		opts.Log.Debug("Checkpointed", "took", time.Since(t))
		return nil
	})

	err := g.Wait()
	sum.ObjectsListed = int(listed.Load())
	sum.Elapsed = opts.Now().Sub(start)
	if err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, err
	}
	sum.ListingsFailed = len(listFailed)
	sum.Failures = append(listFailed, sum.Failures...)
	var errs []error
	if len(listFailed) > 0 {
		// The folders not listed may hold objects this run did not see.
		errs = append(errs, fmt.Errorf("%d folders: %w", len(listFailed), ErrListingFailed))
	} else {
		// Listing resumes only from a run that listed to the end: an
		// interrupted one may have left objects behind in folders it
		// had passed. Objects that failed are listed again
		// (resumePoints).
		if err := saveListedThrough(ctx, db, through, opts.Now()); err != nil {
			return sum, err
		}
	}
	if sum.ObjectsFailed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d objects: %w", sum.ObjectsFailed, sum.ObjectsListed-sum.ObjectsUnchanged, ErrObjectsFailed))
	}
	return sum, errors.Join(errs...)
}

func withDefaults(o Options) Options {
	if o.Workers <= 0 {
		o.Workers = max(2, runtime.NumCPU())
	}
	if o.BatchEvents <= 0 {
		o.BatchEvents = 500_000
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// decodeObject downloads and decodes one object. Its events are returned
// only if the whole object decoded: a half-read object is a failure, never
// half loaded.
func decodeObject(ctx context.Context, src Source, o Object) result {
	rc, err := src.Open(ctx, o.Key)
	if err != nil {
		return result{obj: o, status: StatusFailed, err: err}
	}
	defer rc.Close()
	p := packers.Get().(*packer)
	defer packers.Put(p)
	p.reset()
	body := &countingReader{r: rc}
	_, err = Decode(body, func(raw []byte) error {
		if len(raw) > maxRecordBytes {
			return fmt.Errorf("%w: event %d is %.1f MiB, more than the %d MiB ingest stores",
				ErrRecordTooLarge, p.len()+1, float64(len(raw))/(1<<20), maxRecordBytes>>20)
		}
		p.add(raw)
		return nil
	})
	if err == nil {
		// Read to the end, past what the decoder needed, so that the
		// source's own checks (Content-Length, ETag) run and the size
		// can be compared with the listing's: an object cut short at a
		// line boundary decodes without error.
		if _, err = io.Copy(io.Discard, body); err == nil && body.n != o.Size {
			err = fmt.Errorf("%w: read %d bytes, listed as %d (cut short or changed while read)", ErrCorrupt, body.n, o.Size)
		}
	}
	switch {
	case errors.Is(err, ErrDigest):
		return result{obj: o, status: StatusSkipped, err: err}
	case errors.Is(err, ErrNotJSON) && !looksLikeLog(o.Key):
		return result{obj: o, status: StatusSkipped, err: err}
	case err != nil:
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("truncated: %w", err)
		}
		return result{obj: o, status: StatusFailed, err: err}
	case p.notUTF8 > 0:
		return result{obj: o, status: StatusFailed, err: fmt.Errorf("event %d is not valid UTF-8", p.notUTF8)}
	}
	return result{obj: o, packed: p.pack(), status: StatusLoaded}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// looksLikeLog reports whether a key's name promises JSON, so that a
// non-JSON body is an error rather than an unrelated file to pass over.
func looksLikeLog(key string) bool {
	k := strings.TrimSuffix(strings.ToLower(key), ".gz")
	for _, ext := range []string{".json", ".jsonl", ".ndjson", ".log"} {
		if strings.HasSuffix(k, ext) {
			return true
		}
	}
	return strings.HasSuffix(strings.ToLower(key), ".gz")
}

// newObjects returns the objects of batch the manifest does not hold as
// loaded or skipped with the same ETag, and how many it does.
func newObjects(ctx context.Context, db *store.DB, batch []Object) ([]Object, int, error) {
	if len(batch) == 0 {
		return nil, 0, nil
	}
	uris := make([]string, len(batch))
	for i, o := range batch {
		uris[i] = o.URI
	}
	rows, err := db.SQL.QueryContext(ctx, knownObjectsSQL, sql.Named("uris", uris))
	if err != nil {
		return nil, 0, fmt.Errorf("read manifest: %w", err)
	}
	defer rows.Close()
	have := make(map[string]string, len(batch))
	for rows.Next() {
		var uri string
		var etag sql.NullString
		if err := rows.Scan(&uri, &etag); err != nil {
			return nil, 0, err
		}
		have[uri] = etag.String
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var fresh []Object
	for _, o := range batch {
		if etag, ok := have[o.URI]; ok && etag == o.ETag {
			continue
		}
		fresh = append(fresh, o)
	}
	return fresh, len(batch) - len(fresh), nil
}
