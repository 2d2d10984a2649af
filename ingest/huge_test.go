package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// hugeEvent returns an event whose requestParameters hold size bytes.
func hugeEvent(id string, at time.Time, acct string, size int) string {
	e := event(id, at, acct)
	return e[:len(e)-1] + `,"requestParameters":{"policy":"` + strings.Repeat("x", size) + `"}}`
}

// openTestDBLimited opens a new database with DuckDB's memory limit set,
// as ingest sets it (300MiB unless --memory-limit says otherwise).
func openTestDBLimited(t *testing.T, limit string) *store.DB {
	t.Helper()
	db, err := store.OpenWith(t.Context(), filepath.Join(t.TempDir(), "test.duckdb"), store.ReadWrite, store.Options{MemoryLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// TestLoadHugeRecordFailsAlone loads, at the memory limit ingest gives
// DuckDB by default, a batch in which one event is far larger than any
// CloudTrail writes: its object fails with the reason, and the rest of
// the batch is loaded, in this run and the next.
func TestLoadHugeRecordFailsAlone(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	const acct = "111122223333"
	hugeKey := ctKey(acct, "us-east-1", day, 2)
	var huge bytes.Buffer
	huge.Write(linesObject("h", 10, day.Add(time.Hour), acct))
	huge.WriteString(hugeEvent("huge", day.Add(time.Hour), acct, 50<<20) + "\n")
	root := writeTree(t, map[string][]byte{
		ctKey(acct, "us-east-1", day, 1): linesObject("a", 100, day.Add(time.Hour), acct),
		hugeKey:                          huge.Bytes(),
		ctKey(acct, "us-east-1", day, 3): linesObject("c", 100, day.Add(time.Hour), acct),
	})
	db := openTestDBLimited(t, "300MiB")

	for run := 1; run <= 2; run++ {
		sum, err := load(t, db, root, Options{Workers: 2})
		if !errors.Is(err, ErrObjectsFailed) {
			t.Fatalf("run %d: Load() = %+v, %v; want ErrObjectsFailed", run, sum, err)
		}
		wantLoaded := 2
		if run == 2 {
			wantLoaded = 0
		}
		if sum.ObjectsLoaded != wantLoaded || sum.ObjectsFailed != 1 {
			t.Errorf("run %d: Load() loaded %d, failed %d objects; want %d, 1", run, sum.ObjectsLoaded, sum.ObjectsFailed, wantLoaded)
		}
		if len(sum.Failures) != 1 || sum.Failures[0].URI != filepath.Join(root, filepath.FromSlash(hugeKey)) || !strings.Contains(sum.Failures[0].Err, "event 11 ") {
			t.Errorf("run %d: Failures = %+v, want %s failed for its event 11", run, sum.Failures, hugeKey)
		}
		if n := count(t, db, `SELECT count(*) FROM events`); n != 200 {
			t.Errorf("run %d: events = %d, want 200", run, n)
		}
		if n := count(t, db, `SELECT count(*) FROM objects WHERE status = 'loaded'`); n != 2 {
			t.Errorf("run %d: loaded objects in the manifest = %d, want 2", run, n)
		}
	}
}

// TestSummaryCountsCommittedObjects interrupts a run before its batch
// commits: the summary must not count as loaded the objects the database
// does not hold.
func TestSummaryCountsCommittedObjects(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	const acct = "111122223333"
	files := map[string][]byte{}
	for i := range 20 {
		files[ctKey(acct, "us-east-1", day, i)] = linesObject(fmt.Sprint("o", i), 10, day.Add(time.Hour), acct)
	}
	root := writeTree(t, files)
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	src, err := OpenSource(ctx, root, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Load(ctx, db, src, Options{Workers: 2, Progress: func(p Progress) {
		if p.ObjectsDone == 5 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load() = %v, want context.Canceled", err)
	}
	if n := count(t, db, `SELECT count(*) FROM objects WHERE status = 'loaded'`); int64(sum.ObjectsLoaded) != n || sum.EventsNew != count(t, db, `SELECT count(*) FROM events`) {
		t.Errorf("Load() = %+v after an interrupted run; the database holds %d loaded objects", sum, n)
	}
}

// TestLoadObjectsTooLargeTogether loads a batch of objects of large
// events that DuckDB cannot store together within its memory limit: the
// objects are committed one at a time, and the one it cannot store even
// alone fails with the reason.
func TestLoadObjectsTooLargeTogether(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	const acct = "111122223333"
	large := func(prefix string, n int) []byte {
		var b bytes.Buffer
		for i := range n {
			b.WriteString(hugeEvent(fmt.Sprintf("%s-%04d", prefix, i), day.Add(time.Hour), acct, 64<<10) + "\n")
		}
		return b.Bytes()
	}
	tooLarge := ctKey(acct, "us-east-1", day, 9)
	files := map[string][]byte{tooLarge: large("z", largeEvents[1])}
	for i := range 3 {
		files[ctKey(acct, "us-east-1", day, i)] = large(fmt.Sprint("o", i), largeEvents[0])
	}
	root := writeTree(t, files)
	db := openTestDBLimited(t, largeMemory)
	sum, err := load(t, db, root, Options{Workers: 2})
	if !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("Load() = %+v, %v; want ErrObjectsFailed", sum, err)
	}
	if sum.ObjectsLoaded != 3 || sum.ObjectsFailed != 1 || len(sum.Failures) != 1 ||
		sum.Failures[0].URI != filepath.Join(root, filepath.FromSlash(tooLarge)) || !strings.Contains(sum.Failures[0].Err, "out of memory") {
		t.Errorf("Load() = %+v, want 3 loaded and %s failed for memory", sum, tooLarge)
	}
	if n, want := count(t, db, `SELECT count(*) FROM events`), int64(3*largeEvents[0]); n != want || sum.EventsNew != want {
		t.Errorf("events = %d (summary %d), want %d", n, sum.EventsNew, want)
	}
}

// largeEvents are the events of 64 KiB in each small and in the too large
// object of TestLoadObjectsTooLargeTogether, for the memory limit
// largeMemory.
var largeEvents = [2]int{200, 1000}

const largeMemory = "300MiB"
