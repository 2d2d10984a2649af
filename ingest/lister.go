package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// lister is Load's first stage: it walks the source and passes on the
// objects the manifest does not already hold as loaded or skipped with the
// same ETag.
type lister struct {
	db     *store.DB
	src    Source
	filter Filter
	// resume and retry are where each region folder's listing starts, and
	// the failed objects before that (see resumePoints).
	resume map[string]time.Time
	retry  map[string][]string
	// keepThrough says whether the run lists whole region folders, so that
	// the latest day folder it sees in each is kept for the next run.
	keepThrough bool
	log         *slog.Logger
	// listed counts the objects listed so far, for progress.
	listed atomic.Int64
}

// listStats are the lister's counts.
type listStats struct {
	listed    int // objects listed, after filters
	unchanged int // of them, already in the manifest
	resumed   int // region folders listed from a resume point
	// failed are the folders whose listing failed.
	failed []Failure
	// through is the latest day folder listed in each region folder, or
	// nil when the run keeps none.
	through map[string]time.Time
}

// listBatch is how many listed objects are checked against the manifest
// in one query.
const listBatch = 1000

// run lists the source into todo, which it closes.
func (l *lister) run(ctx context.Context, todo chan<- Object) (listStats, error) {
	defer close(todo)
	var st listStats
	if l.keepThrough {
		st.through = map[string]time.Time{}
	}
	batch := make([]Object, 0, listBatch)
	flush := func() error {
		fresh, unchanged, err := newObjects(ctx, l.db, batch)
		if err != nil {
			return err
		}
		st.unchanged += unchanged
		batch = batch[:0]
		for _, o := range fresh {
			select {
			case todo <- o:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	own := l.db.Files()
	resumed, failed, err := walk(ctx, l.src, l.filter, l.resume, l.retry, func(o Object) error {
		if ownedBy(own, o.URI) {
			// The database inside the folder it loads: its files change
			// every run and are no log.
			return nil
		}
		st.listed++
		l.listed.Add(1)
		if st.through != nil {
			if folder, day, ok := regionFolder(o.URI); ok && day.After(st.through[folder]) {
				st.through[folder] = day
			}
		}
		batch = append(batch, o)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	st.resumed, st.failed = resumed, failed
	for _, f := range failed {
		l.log.Warn("Listing failed", "uri", f.URI, "err", f.Err)
	}
	if err != nil {
		return st, fmt.Errorf("list %s: %w", l.src, err)
	}
	return st, flush()
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
