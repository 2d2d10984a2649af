package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// putDays writes a log file of one event into each of the first days of
// November 2026 in account's us-east-1 folder below a new root.
func putDays(t *testing.T, account string, days int) string {
	t.Helper()
	root := t.TempDir()
	for day := 1; day <= days; day++ {
		put(t, root, account, nov(day), 1, fmt.Sprint("e", day))
	}
	return root
}

func nov(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }

// put writes one log file of one event into root's layout.
func put(t *testing.T, root, account string, day time.Time, n int, id string) string {
	t.Helper()
	key := ctKey(account, "us-east-1", day, n)
	p := filepath.Join(root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, logFile(t, event(id, day.Add(time.Hour), account)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestListingResumes(t *testing.T) {
	const acct = "111122223333"
	root := putDays(t, acct, 5)
	d := nov
	db := openTestDB(t)
	sum, err := load(t, db, root, Options{})
	if err != nil || sum.ObjectsLoaded != 5 || sum.FoldersResumed != 0 {
		t.Fatalf("first Load() = %+v, %v; want 5 objects loaded from the start", sum, err)
	}
	if n := count(t, db, `SELECT count(*) FROM listed_through WHERE day = DATE '2026-11-05'`); n != 1 {
		t.Errorf("listed_through rows through 2026-11-05 = %d, want 1", n)
	}

	// CloudTrail delivers more on the latest day and the next; a file
	// copied into an older day folder is not CloudTrail's delivery.
	put(t, root, acct, d(5), 2, "late")
	put(t, root, acct, d(6), 1, "next")
	put(t, root, acct, d(2), 2, "backfill")
	sum, err = load(t, db, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ObjectsLoaded != 2 || sum.FoldersResumed != 1 {
		t.Errorf("second Load() loaded %d objects, resumed %d folders; want 2 (days 5 and 6) and 1", sum.ObjectsLoaded, sum.FoldersResumed)
	}
	// Day 4 was listed again (a day's margin), as unchanged.
	if sum.ObjectsUnchanged != 2 {
		t.Errorf("second Load() found %d unchanged objects, want 2 (days 4 and 5)", sum.ObjectsUnchanged)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE event_id = 'backfill'`); n != 0 {
		t.Errorf("the backfilled day 2 was listed")
	}

	sum, err = load(t, db, root, Options{Relist: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ObjectsLoaded != 1 || sum.FoldersResumed != 0 {
		t.Errorf("Load(Relist) loaded %d objects, resumed %d folders; want 1 and 0", sum.ObjectsLoaded, sum.FoldersResumed)
	}
	if n := count(t, db, `SELECT count(*) FROM events`); n != 8 {
		t.Errorf("events = %d, want 8", n)
	}

	// The same folders reached from a source opened inside the layout,
	// as s3://bucket/AWSLogs/o-org/ is, resume too.
	put(t, root, acct, d(7), 1, "seventh")
	sum, err = load(t, db, filepath.Join(root, "AWSLogs", acct), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ObjectsListed != 4 || sum.ObjectsLoaded != 1 || sum.FoldersResumed != 1 {
		t.Errorf("Load() from AWSLogs/%s listed %d, loaded %d, resumed %d folders; want 4 (days 5 to 7), 1, 1", acct, sum.ObjectsListed, sum.ObjectsLoaded, sum.FoldersResumed)
	}
}

// loadWithFailedObject loads days 1 to 5 of account's us-east-1 folder
// and a second, broken, log file of day 2 (its path is bad), which fails.
func loadWithFailedObject(t *testing.T, account string) (db *store.DB, root, bad string) {
	t.Helper()
	root = putDays(t, account, 5)
	bad = put(t, root, account, nov(2), 2, "x")
	if err := os.WriteFile(bad, []byte("not gzip, not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	db = openTestDB(t)
	if _, err := load(t, db, root, Options{}); !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("first Load() error = %v, want ErrObjectsFailed", err)
	}
	return db, root, bad
}

// TestListingResumesAtFailedObjects: an object that failed is retried on
// every run until it loads, without its region folder being listed from
// its day again: only its day folder is.
func TestListingResumesAtFailedObjects(t *testing.T) {
	const acct = "111122223333"
	d := nov
	db, root, _ := loadWithFailedObject(t, acct)
	// Still broken: retried, and the other objects of days 2 and 3 are
	// not listed again.
	sum, err := load(t, db, root, Options{})
	if !errors.Is(err, ErrObjectsFailed) || sum.ObjectsFailed != 1 || sum.ObjectsListed != 3 || sum.FoldersResumed != 1 {
		t.Errorf("second Load() = %+v, %v; want the failed object again, 3 objects listed (it and days 4 and 5), 1 folder resumed", sum, err)
	}
	if n := count(t, db, `SELECT attempts FROM objects WHERE status = 'failed'`); n != 2 {
		t.Errorf("attempts of the failed object = %d, want 2", n)
	}
	// Filtered out: not retried.
	sum, err = load(t, db, root, Options{Filter: Filter{Accounts: []string{"999999999999"}}})
	if err != nil || sum.ObjectsListed != 0 {
		t.Errorf("Load() of another account = %+v, %v; want nothing listed", sum, err)
	}

	put(t, root, acct, d(2), 2, "fixed") // rewritten: a new ETag
	sum, err = load(t, db, root, Options{})
	if err != nil {
		t.Fatalf("third Load() error = %v", err)
	}
	if sum.ObjectsLoaded != 1 || sum.ObjectsListed != 3 || sum.FoldersResumed != 1 {
		t.Errorf("third Load() loaded %d of %d objects listed, resumed %d folders; want the fixed day-2 object of 3, and 1", sum.ObjectsLoaded, sum.ObjectsListed, sum.FoldersResumed)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE event_id = 'fixed'`); n != 1 {
		t.Errorf("the failed object was not retried")
	}
}

// TestFailedObjectGone: an object that failed and was then deleted from
// the source is not looked for again, and the run succeeds.
func TestFailedObjectGone(t *testing.T) {
	db, root, bad := loadWithFailedObject(t, "111122223333")
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	sum, err := load(t, db, root, Options{})
	if err != nil || sum.ObjectsFailed != 0 || sum.ObjectsListed != 2 {
		t.Errorf("Load() after the failed object was deleted = %+v, %v; want no failure, days 4 and 5 listed", sum, err)
	}
}

// A run from inside a region folder lists some of its days only: it must
// not make a later run of the whole tree skip the others.
func TestListingFromADayFolderDoesNotResume(t *testing.T) {
	const acct = "111122223333"
	root := putDays(t, acct, 5)
	db := openTestDB(t)
	day := filepath.Join(root, "AWSLogs", acct, "CloudTrail", "us-east-1", "2026", "11", "05")
	for _, at := range []string{day, filepath.Join(day, "111122223333_CloudTrail_us-east-1_20261105T0000Z_0001.json.gz")} {
		if sum, err := load(t, db, at, Options{}); err != nil || sum.ObjectsLoaded+sum.ObjectsUnchanged != 1 {
			t.Fatalf("Load(%s) = %+v, %v; want its one object", at, sum, err)
		}
	}
	sum, err := load(t, db, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ObjectsLoaded != 4 || sum.FoldersResumed != 0 {
		t.Errorf("Load(whole tree) loaded %d, resumed %d folders; want the 4 other days and no resume", sum.ObjectsLoaded, sum.FoldersResumed)
	}
}
