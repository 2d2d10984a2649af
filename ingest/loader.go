package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
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
	// groups, and the batch is held compressed, so large batches are both
	// faster and cheap in memory.
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

// Progress is a running count during a Load.
type Progress struct {
	ObjectsListed, ObjectsDone int64
	Events                     int64
	Bytes                      int64
	Started                    time.Time
}

// Failure is an object that could not be loaded, or a folder that could
// not be listed.
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
	// RecordsRejected counts the records of the objects loaded that are
	// not CloudTrail events (event.go), none of which was stored, in
	// ObjectsRejecting objects. Rejections names the first of those
	// objects with the first reason of each; the manifest keeps every
	// object's count (objects.rejected, objects.rejected_reason).
	RecordsRejected  int64
	ObjectsRejecting int
	Rejections       []Failure
	// ControlMessages counts the CloudWatch Logs control messages
	// skipped: they carry no events.
	ControlMessages int64
	Elapsed         time.Duration
}

// ErrObjectsFailed is wrapped by Load's error when the run finished but
// some objects failed; the rest were loaded.
var ErrObjectsFailed = errors.New("some objects failed to load")

// ErrRecordsRejected is wrapped by Load's error when some objects held
// records that are not CloudTrail events: their events were loaded, the
// other records counted (Summary.RecordsRejected) and left out.
var ErrRecordsRejected = errors.New("some records are not CloudTrail events")

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

// Load lists src, loads every object the manifest does not already hold as
// loaded (with the same ETag), and records each object in the manifest.
// Each batch of objects commits together with its events, so an
// interrupted run leaves whole objects or none. It returns ErrObjectsFailed
// (wrapped) when some objects failed but the run completed, and
// ErrListingFailed (wrapped) when some folders could not be listed; the
// rest is loaded either way.
func Load(ctx context.Context, db *store.DB, src Source, opts Options) (Summary, error) {
	opts = withDefaults(opts)
	start := opts.Now()
	l := &lister{db: db, src: src, filter: opts.Filter, log: opts.Log}
	if !opts.Relist && !opts.Filter.timed() {
		var err error
		if l.resume, l.retry, err = resumePoints(ctx, db, src); err != nil {
			return Summary{}, err
		}
	}
	// The latest day folder listed in each region folder is kept after a
	// complete run for the next to resume from. A run with time bounds,
	// or from inside a region folder (a year or day folder, one file),
	// does not list all of a region folder's days and keeps nothing.
	if lv, _ := startLevel(src.URI("")); !opts.Filter.timed() && lv <= levelYear {
		l.keepThrough = true
	}
	d := &decoders{src: src, workers: opts.Workers}

	g, gctx := errgroup.WithContext(ctx)
	todo := make(chan Object, opts.Workers*4)
	done := make(chan result, opts.Workers*2)
	var ls listStats
	var ws writeStats
	g.Go(func() (err error) {
		ls, err = l.run(gctx, todo)
		return err
	})
	g.Go(func() error { return d.run(gctx, todo, done) })
	g.Go(func() error {
		w, err := newWriter(gctx, db, opts.Now, opts.Log)
		if err != nil {
			return err
		}
		defer w.close()
		ws, err = w.run(gctx, done, opts.BatchEvents, progressFunc{report: opts.Progress, listed: l.listed.Load, started: start})
		return err
	})
	err := g.Wait()

	sum := Summary{
		ObjectsListed:    ls.listed,
		ObjectsLoaded:    ws.loaded,
		ObjectsUnchanged: ls.unchanged,
		ObjectsSkipped:   ws.skipped,
		ObjectsFailed:    ws.failed,
		ListingsFailed:   len(ls.failed),
		EventsNew:        ws.newEvents,
		EventsDuplicate:  ws.dupEvents,
		FoldersResumed:   ls.resumed,
		Bytes:            ws.bytes,
		Failures:         append(ls.failed, ws.failures...),
		RecordsRejected:  ws.rejected,
		ObjectsRejecting: ws.rejectedObjects,
		Rejections:       ws.rejections,
		ControlMessages:  ws.control,
		Elapsed:          opts.Now().Sub(start),
	}
	if err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, err
	}
	var errs []error
	if len(ls.failed) > 0 {
		// The folders not listed may hold objects this run did not see.
		errs = append(errs, fmt.Errorf("%d folders: %w", len(ls.failed), ErrListingFailed))
	} else {
		// Listing resumes only from a run that listed to the end: an
		// interrupted one may have left objects behind in folders it
		// had passed. Objects that failed are listed again
		// (resumePoints).
		if err := saveListedThrough(ctx, db, ls.through, opts.Now()); err != nil {
			return sum, err
		}
	}
	if sum.ObjectsFailed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d objects: %w", sum.ObjectsFailed, sum.ObjectsListed-sum.ObjectsUnchanged, ErrObjectsFailed))
	}
	if sum.RecordsRejected > 0 {
		errs = append(errs, fmt.Errorf("%d records in %d objects: %w", sum.RecordsRejected, sum.ObjectsRejecting, ErrRecordsRejected))
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
