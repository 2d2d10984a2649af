package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// event returns a CloudTrail event with the given ID and time.
func event(id string, at time.Time, account string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::%[3]s:assumed-role/R/nb-1","accountId":"%[3]s","accessKeyId":"ASIA1"},"eventTime":"%[2]s","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"%[1]s","recipientAccountId":"%[3]s"}`,
		id, at.UTC().Format(time.RFC3339), account)
}

// logFile returns a gzip'd Records document holding the given events.
func logFile(t testing.TB, events ...string) []byte {
	return gz(t, `{"Records":[`+strings.Join(events, ",")+`]}`)
}

// writeTree writes files (key → content) below a new temp folder.
func writeTree(t testing.TB, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for key, data := range files {
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func ctKey(account, region string, day time.Time, n int) string {
	return fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sZ_%04d.json.gz",
		account, region, day.Format("2006/01/02"), account, region, day.Format("20060102T1504"), n)
}

func openTestDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "test.duckdb"), store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t testing.TB, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.SQL.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func load(t *testing.T, db *store.DB, root string, opts Options) (Summary, error) {
	t.Helper()
	src, err := OpenSource(t.Context(), root, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Load(t.Context(), db, src, opts)
}

func TestLoadTruncatedObjectAndRerun(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	acct := "111122223333"
	good1 := logFile(t, event("a", day.Add(time.Hour), acct), event("b", day.Add(time.Hour), acct))
	good2 := logFile(t, event("b", day.Add(time.Hour), acct), event("c", day.Add(2*time.Hour), acct)) // b is redelivered
	good3 := logFile(t, event("d", day.Add(3*time.Hour), acct))
	broken := logFile(t, event("e", day.Add(4*time.Hour), acct), event("f", day.Add(4*time.Hour), acct))
	truncKey := ctKey(acct, "us-east-1", day, 4)
	files := map[string][]byte{
		ctKey(acct, "us-east-1", day, 1): good1,
		ctKey(acct, "us-east-1", day, 2): good2,
		ctKey(acct, "eu-west-1", day, 3): good3,
		truncKey:                         broken[:len(broken)/2],
		"AWSLogs/" + acct + "/CloudTrail-Digest/us-east-1/2026/11/01/x_CloudTrail-Digest_us-east-1_t_20261101T0100Z.json.gz": gz(t, `{"awsAccountId":"1","digestS3Object":"k","logFiles":[]}`),
		"notes/digest-copy.json": []byte(`{"awsAccountId":"1","digestS3Object":"k","logFiles":[]}`),
		"notes/README.txt":       []byte("not a log"),
	}
	root := writeTree(t, files)
	db := openTestDB(t)

	sum, err := load(t, db, root, Options{Workers: 3, BatchEvents: 2})
	if !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("Load() error = %v, want ErrObjectsFailed", err)
	}
	if sum.ObjectsLoaded != 3 || sum.ObjectsFailed != 1 || sum.ObjectsSkipped != 2 || sum.EventsNew != 4 || sum.EventsDuplicate != 1 {
		t.Errorf("first Load() = %+v, want 3 loaded, 1 failed, 2 skipped, 4 new, 1 duplicate", sum)
	}
	if len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].URI, truncKey[len(truncKey)-20:]) || !strings.Contains(sum.Failures[0].Err, "unexpected EOF") {
		t.Errorf("Failures = %+v, want the truncated object with an unexpected EOF", sum.Failures)
	}
	if n := count(t, db, `SELECT count(*) FROM events`); n != 4 {
		t.Errorf("events = %d, want 4", n)
	}
	if n := count(t, db, `SELECT count(*) FROM objects WHERE status = 'failed' AND error LIKE '%EOF%'`); n != 1 {
		t.Errorf("failed manifest rows = %d, want 1", n)
	}

	// A second run adds nothing, and retries the failed object.
	sum, err = load(t, db, root, Options{Workers: 2})
	if !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("second Load() error = %v, want ErrObjectsFailed", err)
	}
	if sum.ObjectsLoaded != 0 || sum.ObjectsUnchanged != 5 || sum.ObjectsFailed != 1 || sum.EventsNew != 0 {
		t.Errorf("second Load() = %+v, want 0 loaded, 5 unchanged, 1 failed, 0 new", sum)
	}
	if n := count(t, db, `SELECT attempts FROM objects WHERE status = 'failed'`); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}

	// Once the object is whole again, the next run loads just it.
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(truncKey)), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(root, filepath.FromSlash(truncKey)), later, later) //nolint:errcheck // size changed anyway
	sum, err = load(t, db, root, Options{})
	if err != nil {
		t.Fatalf("third Load() error = %v", err)
	}
	if sum.ObjectsLoaded != 1 || sum.EventsNew != 2 {
		t.Errorf("third Load() = %+v, want 1 loaded, 2 new", sum)
	}
	if n := count(t, db, `SELECT count(*) FROM events`); n != 6 {
		t.Errorf("events = %d, want 6", n)
	}
	if n := count(t, db, `SELECT count(*) FROM (SELECT event_id FROM events GROUP BY 1 HAVING count(*) > 1)`); n != 0 {
		t.Errorf("duplicated event IDs = %d, want 0", n)
	}
}

// TestLoadInterruptedKeepsWholeObjects cancels a load part way and checks
// that every object the manifest calls loaded has all its events, and that
// the next run ends where an uninterrupted run would.
func TestLoadInterruptedKeepsWholeObjects(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]byte{}
	for i := range 40 {
		var evs []string
		for j := range 25 {
			evs = append(evs, event(fmt.Sprintf("e-%d-%d", i, j), day.Add(time.Duration(i)*time.Minute), "111122223333"))
		}
		files[ctKey("111122223333", "us-east-1", day, i)] = logFile(t, evs...)
	}
	root := writeTree(t, files)
	db := openTestDB(t)
	src, err := OpenSource(t.Context(), root, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err = Load(ctx, db, src, Options{Workers: 2, BatchEvents: 100, Progress: func(p Progress) {
		if p.ObjectsDone >= 10 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load() error = %v, want context.Canceled", err)
	}
	loaded := count(t, db, `SELECT count(*) FROM objects WHERE status = 'loaded'`)
	if loaded >= 40 {
		t.Fatalf("interrupted run loaded all %d objects: the cancel came too late to test anything", loaded)
	}
	if n := count(t, db, `SELECT count(*) FROM objects o WHERE o.status = 'loaded'
		AND o.events <> (SELECT count(*) FROM events e WHERE e.source_uri = o.uri)`); n != 0 {
		t.Errorf("%d loaded objects are missing events", n)
	}
	if n := count(t, db, `SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.uri = e.source_uri)`); n != 0 {
		t.Errorf("%d events belong to no manifest row", n)
	}
	// The objects left behind are in a folder the listing passed: the
	// next run must list it again, not resume after it.
	if n := count(t, db, `SELECT count(*) FROM listed_through`); n != 0 {
		t.Errorf("the interrupted run recorded %d listing resume points", n)
	}
	if _, err := Load(t.Context(), db, src, Options{}); err != nil {
		t.Fatalf("second Load() error = %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM events`); n != 1000 {
		t.Errorf("events after resume = %d, want 1000", n)
	}
}

// countingSource records the prefixes a walk lists.
type countingSource struct {
	Source
	listed, dirs []string
}

func (c *countingSource) List(ctx context.Context, prefix string, fn func(Object) error) error {
	c.listed = append(c.listed, prefix)
	return c.Source.List(ctx, prefix, fn)
}

func (c *countingSource) ListAfter(ctx context.Context, prefix, startAfter string, fn func(Object) error) error {
	c.listed = append(c.listed, prefix+" after "+startAfter)
	return c.Source.ListAfter(ctx, prefix, startAfter, fn)
}

func (c *countingSource) ListDirs(ctx context.Context, prefix string) ([]string, []Object, error) {
	c.dirs = append(c.dirs, prefix)
	return c.Source.ListDirs(ctx, prefix)
}

func TestWalkPrunesByLayout(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	keys := []string{
		"trail/" + ctKey("111122223333", "us-east-1", d(1), 1),
		"trail/" + ctKey("111122223333", "us-east-1", d(2), 1),
		"trail/" + ctKey("111122223333", "us-east-1", d(3), 1),
		"trail/" + ctKey("111122223333", "us-east-1", d(5), 1),
		"trail/" + ctKey("111122223333", "eu-west-1", d(3), 1),
		"trail/" + ctKey("444455556666", "us-east-1", d(3), 1),
		"trail/AWSLogs/o-abcdef1234/777788889999/CloudTrail/us-east-1/2026/11/03/777788889999_CloudTrail_us-east-1_20261103T0000Z_x.json.gz",
		"trail/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/03/d.json.gz",
	}
	files := map[string][]byte{}
	for _, k := range keys {
		files[k] = []byte("{}")
	}
	root := writeTree(t, files)
	regionURI := func(account, region string) string {
		return filepath.Join(root, "trail", "AWSLogs", account, "CloudTrail", region) + string(filepath.Separator)
	}
	resume := map[string]time.Time{regionURI("111122223333", "us-east-1"): d(3)}
	tests := []struct {
		name   string
		filter Filter
		resume map[string]time.Time
		want   []string // key suffixes, by account/region/day
		// the listing of the resumed folder, which must start at its day
		wantAfter string
	}{
		{"no filter", Filter{}, nil, []string{"111122223333/us-east-1/01", "111122223333/us-east-1/02", "111122223333/us-east-1/03", "111122223333/us-east-1/05", "111122223333/eu-west-1/03", "444455556666/us-east-1/03", "777788889999/us-east-1/03"}, ""},
		{"account", Filter{Accounts: []string{"777788889999"}}, nil, []string{"777788889999/us-east-1/03"}, ""},
		{"region", Filter{Regions: []string{"eu-west-1"}}, nil, []string{"111122223333/eu-west-1/03"}, ""},
		{"since pads a day", Filter{Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, Since: d(3).Add(6 * time.Hour)}, nil, []string{"111122223333/us-east-1/02", "111122223333/us-east-1/03", "111122223333/us-east-1/05"}, ""},
		{"until pads a day", Filter{Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, Until: d(1).Add(6 * time.Hour)}, nil, []string{"111122223333/us-east-1/01", "111122223333/us-east-1/02"}, ""},
		{"resume", Filter{}, resume,
			[]string{"111122223333/us-east-1/03", "111122223333/us-east-1/05", "111122223333/eu-west-1/03", "444455556666/us-east-1/03", "777788889999/us-east-1/03"},
			"111122223333/CloudTrail/us-east-1/ after trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03"},
		{"resume and a filter", Filter{Regions: []string{"us-east-1"}}, resume,
			[]string{"111122223333/us-east-1/03", "111122223333/us-east-1/05", "444455556666/us-east-1/03", "777788889999/us-east-1/03"},
			"111122223333/CloudTrail/us-east-1/ after trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03"},
		{"since overrides resume", Filter{Since: d(2)}, resume,
			[]string{"111122223333/us-east-1/01", "111122223333/us-east-1/02", "111122223333/us-east-1/03", "111122223333/us-east-1/05", "111122223333/eu-west-1/03", "444455556666/us-east-1/03", "777788889999/us-east-1/03"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := OpenSource(t.Context(), root, SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			src := &countingSource{Source: dir}
			var got []string
			var failed []Failure
			_, failed, err = walk(t.Context(), src, tt.filter, tt.resume, nil, func(o Object) error {
				info, ok := ParseKey(o.Key)
				if !ok {
					t.Errorf("walk() listed %q, outside the layout", o.Key)
					return nil
				}
				got = append(got, info.AccountID+"/"+info.Region+"/"+info.Day.Format("02"))
				return nil
			})
			if err != nil || len(failed) > 0 {
				t.Fatalf("walk() = %v, failed %v", err, failed)
			}
			if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(tt.want)) {
				t.Errorf("walk(%+v) = %v, want %v", tt.filter, sorted(got), sorted(tt.want))
			}
			for _, p := range append(src.listed, src.dirs...) {
				if strings.Contains(p, "CloudTrail-Digest") {
					t.Errorf("walk() listed digest folder %q", p)
				}
			}
			if tt.wantAfter != "" && !slices.ContainsFunc(src.listed, func(p string) bool { return strings.HasSuffix(p, tt.wantAfter) }) {
				t.Errorf("walk() listed %q, none of them %q", src.listed, tt.wantAfter)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		key    string
		want   KeyInfo
		wantOK bool
	}{
		{"p/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/f.json.gz",
			KeyInfo{AccountID: "111122223333", Region: "us-east-1", Day: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, true},
		{"AWSLogs/o-abcdef1234/111122223333/CloudTrail/us-gov-west-1/2026/02/28/f.json.gz",
			KeyInfo{OrgID: "o-abcdef1234", AccountID: "111122223333", Region: "us-gov-west-1", Day: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)}, true},
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/f.json.gz", KeyInfo{}, false},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/13/01/f.json.gz", KeyInfo{}, false},
		{"logs/f.json", KeyInfo{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseKey(tt.key)
		if ok != tt.wantOK || got != tt.want {
			t.Errorf("ParseKey(%q) = %+v, %v, want %+v, %v", tt.key, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestLoadInvalidEventFailsItsObject puts events that are not valid JSON
// (but are cut out of the file all the same) in two objects, one whose bad
// event has an eventID and one whose has none, so that DuckDB finds them
// in the insert and in the key pass respectively, and an event that is not
// valid UTF-8 in a third (DuckDB stored it as NULL). The objects fail with
// the event's position, the rest of the batch loads, and once the objects
// are fixed the next run loads them.
func TestLoadInvalidEventFailsItsObject(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	acct := "111122223333"
	keyedKey, unkeyedKey, utf8Key := ctKey(acct, "us-east-1", day, 2), ctKey(acct, "us-east-1", day, 3), ctKey(acct, "us-east-1", day, 4)
	files := map[string][]byte{
		ctKey(acct, "us-east-1", day, 1): logFile(t, event("a", day, acct), event("b", day, acct)),
		keyedKey:                         logFile(t, event("k1", day, acct), `{"eventID":"k2", nope}`),
		unkeyedKey:                       logFile(t, `{"eventName":"x", nope}`, event("u2", day, acct)),
		utf8Key:                          logFile(t, event("v1", day, acct), strings.Replace(event("v2", day, acct), "GetObject", "Get\xffObject", 1)),
	}
	root := writeTree(t, files)
	db := openTestDB(t)
	sum, err := load(t, db, root, Options{})
	if !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("Load() error = %v, want ErrObjectsFailed", err)
	}
	if sum.ObjectsLoaded != 1 || sum.ObjectsFailed != 3 || sum.EventsNew != 2 {
		t.Errorf("Load() = %+v, want 1 loaded, 3 failed, 2 new", sum)
	}
	want := map[string]string{keyedKey: "event 2 is not valid JSON", unkeyedKey: "event 1 is not valid JSON", utf8Key: "event 2 is not valid UTF-8"}
	for _, f := range sum.Failures {
		for key, msg := range want {
			if strings.HasSuffix(f.URI, key) && f.Err == msg {
				delete(want, key)
			}
		}
	}
	if len(want) != 0 {
		t.Errorf("Failures = %+v; missing %v", sum.Failures, want)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE event_id IN ('k1', 'u2', 'v1', 'v2')`); n != 0 {
		t.Errorf("%d events of the failed objects were loaded, want none", n)
	}

	for key, events := range map[string][]string{keyedKey: {event("k1", day, acct), event("k2", day, acct)}, unkeyedKey: {event("u1", day, acct), event("u2", day, acct)}, utf8Key: {event("v1", day, acct), event("v2", day, acct)}} {
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.WriteFile(p, logFile(t, events...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err = load(t, db, root, Options{})
	if err != nil || sum.ObjectsLoaded != 3 || sum.EventsNew != 6 {
		t.Errorf("Load() after the fix = %+v, %v; want 3 loaded, 6 new", sum, err)
	}
	if n := count(t, db, `SELECT count(DISTINCT event_id) FROM events`); n != 8 {
		t.Errorf("events = %d, want 8", n)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE record IS NULL`); n != 0 {
		t.Errorf("%d events have no record", n)
	}
}

// TestWalkFromInsideLayout opens the source at folders inside the layout,
// as s3://bucket/AWSLogs/o-org/ is: the filters prune as from above it.
func TestWalkFromInsideLayout(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	files := map[string][]byte{}
	for _, k := range []string{
		ctKey("111122223333", "us-east-1", d(1), 1),
		ctKey("111122223333", "us-east-1", d(5), 1),
		ctKey("111122223333", "eu-west-1", d(5), 1),
		ctKey("444455556666", "us-east-1", d(5), 1),
		"AWSLogs/o-abcdef1234/777788889999/CloudTrail/us-east-1/2026/11/05/777788889999_CloudTrail_us-east-1_20261105T0000Z_x.json.gz",
		"AWSLogs/o-abcdef1234/999988887777/CloudTrail/us-east-1/2026/11/05/999988887777_CloudTrail_us-east-1_20261105T0000Z_x.json.gz",
	} {
		files["trail/"+k] = []byte("{}")
	}
	root := writeTree(t, files)
	region := "trail/AWSLogs/111122223333/CloudTrail/us-east-1"
	tests := []struct {
		at     string
		filter Filter
		want   []string // account/region/day
	}{
		{"trail/AWSLogs", Filter{Accounts: []string{"111122223333"}}, []string{"111122223333/us-east-1/01", "111122223333/us-east-1/05", "111122223333/eu-west-1/05"}},
		{"trail/AWSLogs/o-abcdef1234", Filter{Accounts: []string{"777788889999"}}, []string{"777788889999/us-east-1/05"}},
		{"trail/AWSLogs/111122223333/CloudTrail", Filter{Regions: []string{"eu-west-1"}}, []string{"111122223333/eu-west-1/05"}},
		{region, Filter{Since: d(4)}, []string{"111122223333/us-east-1/05"}},
		{region + "/2026", Filter{Until: d(2)}, []string{"111122223333/us-east-1/01"}},
		{region + "/2026/11/01", Filter{Since: d(4)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			src, err := OpenSource(t.Context(), filepath.Join(root, filepath.FromSlash(tt.at)), SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if _, failed, err := walk(t.Context(), src, tt.filter, nil, nil, func(o Object) error {
				info, ok := ParseKey(o.URI)
				if !ok {
					t.Fatalf("walk() listed %q, outside the layout", o.URI)
				}
				got = append(got, info.AccountID+"/"+info.Region+"/"+info.Day.Format("02"))
				return nil
			}); err != nil || len(failed) > 0 {
				t.Fatalf("walk() = %v, failed %v", err, failed)
			}
			if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(tt.want)) {
				t.Errorf("walk(%+v) from %s = %v, want %v", tt.filter, tt.at, sorted(got), sorted(tt.want))
			}
		})
	}
}

// TestLoadSkipsItsOwnDatabase keeps the database in the folder it loads:
// its file, write-ahead log, lock file and spill folder change every run
// and are not listed, let alone loaded or recorded as skipped.
func TestLoadSkipsItsOwnDatabase(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	acct := "111122223333"
	root := writeTree(t, map[string][]byte{
		ctKey(acct, "us-east-1", day, 1):          logFile(t, event("a", day.Add(time.Hour), acct)),
		"ct.duckdb.tmp/duckdb_temp_block-0.block": []byte("spilled"),
		// What a compact interrupted by a crash leaves.
		"ct.duckdb.compact":     []byte("partial copy"),
		"ct.duckdb.compact.wal": []byte("its log"),
	})
	db, err := store.Open(t.Context(), filepath.Join(root, "ct.duckdb"), store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for run := 1; run <= 2; run++ {
		sum, err := load(t, db, root, Options{})
		if err != nil {
			t.Fatalf("run %d: Load() error = %v", run, err)
		}
		if sum.ObjectsListed != 1 || sum.ObjectsSkipped != 0 {
			t.Errorf("run %d: Load() = %+v, want 1 listed, 0 skipped", run, sum)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM objects WHERE uri NOT LIKE '%.json.gz'`); n != 0 {
		t.Errorf("manifest rows of the database's own files = %d, want 0", n)
	}
}
