package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-json"

	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

// formsDir holds one fixture per form CloudTrail reaches people in, and
// objects that hold no event at all.
const formsDir = "testdata/forms"

// The events of the forms fixtures: IDs 1 to 28 less those of the records
// some-not-events.jsonl rejects. Two of its records are events whose
// record holds no time: they are stored, without one.
const (
	formsEvents   = 26
	formsUntimed  = 2
	formsRejected = 4 // per copy of some-not-events.jsonl
	formsControl  = 2 // per copy of the two CloudWatch Logs fixtures
)

// formsTree returns every fixture of formsDir twice, plain below plain/
// and gzip'd below gzip/, as a bucket holding them all would. CloudWatch
// Logs records are gzip'd one member per record, as Firehose writes them.
func formsTree(t testing.TB) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(formsDir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(formsDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files["plain/"+e.Name()] = data
		if strings.HasPrefix(e.Name(), "cwl-lines") {
			var members []byte
			for line := range bytes.Lines(data) {
				members = append(members, gz(t, string(line))...)
			}
			files["gzip/"+e.Name()+".gz"] = members
			continue
		}
		files["gzip/"+e.Name()+".gz"] = gz(t, string(data))
	}
	return files
}

// TestDecodeFormsFixtures decodes each fixture plain and gzip'd: every
// event has a name, source and time, and each object holds the events and
// rejects the records it should.
func TestDecodeFormsFixtures(t *testing.T) {
	tree := formsTree(t)
	want := map[string]struct {
		events, rejected, control int
		err                       error
	}{
		"array.json": {events: 2}, "config-history.json": {rejected: 1, err: ErrNotCloudTrail},
		"cribl-raw-object.json": {events: 2}, "cribl-raw-string.json": {events: 2},
		"cwl-concatenated.json": {events: 3, control: 1}, "cwl-lines.jsonl": {events: 3, control: 1},
		"cwl-flow-logs.json": {rejected: 1, err: ErrNotCloudTrail}, "digest.json": {rejected: 1, err: ErrDigest},
		"eventbridge.jsonl": {events: 2}, "flow-logs.log": {err: ErrNotJSON}, "lake-lines.jsonl": {events: 2},
		"lookup-events-lines.jsonl": {events: 2}, "lookup-events.json": {events: 2}, "records.json": {events: 2},
		"some-not-events.jsonl": {events: 2 + formsUntimed, rejected: formsRejected},
	}
	seen := 0
	for key, data := range tree {
		name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(key, "plain/"), "gzip/"), ".gz")
		w, ok := want[name]
		if !ok {
			t.Errorf("fixture %s has no expectation", name)
			continue
		}
		seen++
		t.Run(key, func(t *testing.T) {
			d, err := Decode(bytes.NewReader(data), func(raw []byte) error {
				if m, ok := readMembers(raw); !ok || !m.eventKey || m.problem() != "" {
					t.Errorf("passed on %s, not an event", raw)
				}
				return nil
			})
			if (w.err == nil) != (err == nil) || (w.err != nil && !errors.Is(err, w.err)) {
				t.Fatalf("Decode() error = %v, want %v", err, w.err)
			}
			if d.Events != w.events || d.Rejected != w.rejected || d.Control != w.control {
				t.Errorf("Decode() = %d events, %d rejected, %d control messages; want %d, %d, %d",
					d.Events, d.Rejected, d.Control, w.events, w.rejected, w.control)
			}
		})
	}
	if seen != 2*len(want) {
		t.Errorf("decoded %d objects, want each of the %d fixtures twice", seen, len(want))
	}
}

// TestLoadForms loads every form, plain and gzip'd, from one folder: each
// event once, the records that are not events rejected and named in the
// manifest, the objects holding no event failed with what they look like.
func TestLoadForms(t *testing.T) {
	root := writeTree(t, formsTree(t))
	testLoadForms(t, func(t *testing.T) Source {
		src, err := OpenSource(t.Context(), root, SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return src
	})
}

// TestVersityGWForms loads the same bucket through a real S3 server.
func TestVersityGWForms(t *testing.T) {
	endpoint := startVersityGW(t)
	bucket := newBucketName()
	putObjects(t, newTestS3Client(endpoint), bucket, formsTree(t))
	testLoadForms(t, func(t *testing.T) Source {
		return openTestS3Source(t, endpoint, "s3://"+bucket)
	})
}

func testLoadForms(t *testing.T, open func(t *testing.T) Source) {
	db := openTestDB(t)
	src := open(t)
	sum, err := Load(t.Context(), db, src, Options{})
	if !errors.Is(err, ErrRecordsRejected) || !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("Load() error = %v, want ErrRecordsRejected and ErrObjectsFailed", err)
	}
	// flow-logs.log, cwl-flow-logs.json and config-history.json fail, the
	// digest is skipped, twice each.
	if sum.EventsNew != formsEvents || sum.EventsDuplicate != formsEvents || sum.ObjectsFailed != 6 || sum.ObjectsSkipped != 2 ||
		sum.RecordsRejected != 2*formsRejected || sum.ObjectsRejecting != 2 || sum.ControlMessages != 2*formsControl {
		t.Errorf("Load() = %+v; want %d new events, as many duplicates, 6 failed, 2 skipped, %d records rejected in 2 objects, %d control messages",
			sum, formsEvents, 2*formsRejected, 2*formsControl)
	}
	if res, err := Check(t.Context(), db, 10); err != nil || res.Bad != 0 || res.Checked != formsEvents || res.Untimed != formsUntimed {
		t.Errorf("Check() = %+v, %v; want %d events, all whole, %d without the time their record lacks", res, err, formsEvents, formsUntimed)
	}
	if n := count(t, db, `SELECT count(DISTINCT event_id) FROM events WHERE event_id LIKE '00000000-0000-4000-8000-%'`); n != formsEvents {
		t.Errorf("distinct fixture events = %d, want %d", n, formsEvents)
	}
	golden.Check(t, "testdata/forms.golden", manifestRows(t, db, src.URI("")))

	// A re-run adds nothing; the failed objects are tried again.
	sum, err = Load(t.Context(), db, src, Options{})
	if !errors.Is(err, ErrObjectsFailed) || errors.Is(err, ErrRecordsRejected) || sum.EventsNew != 0 || sum.ObjectsLoaded != 0 || sum.ObjectsFailed != 6 {
		t.Errorf("second Load() = %+v, %v; want nothing new, the 6 failed objects failed again", sum, err)
	}
	if n := count(t, db, `SELECT count(*) FROM events`); n != formsEvents {
		t.Errorf("events after a re-run = %d, want %d", n, formsEvents)
	}
}

// manifestRows prints the manifest, with URIs below root.
func manifestRows(t *testing.T, db *store.DB, root string) []byte {
	t.Helper()
	rows, err := db.SQL.QueryContext(t.Context(), `SELECT uri, status, events, new_events, rejected,
		coalesce(rejected_reason, ''), coalesce(error, '') FROM objects ORDER BY uri`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString("uri | status | events | new | rejected | rejected_reason | error\n")
	for rows.Next() {
		var uri, status, reason, errText string
		var events, newEvents, rejected int64
		if err := rows.Scan(&uri, &status, &events, &newEvents, &rejected, &reason, &errText); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s | %s | %d | %d | %d | %s | %s\n", strings.TrimPrefix(uri, root), status, events, newEvents, rejected, reason, errText)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

// checkEvents fails t when an event of db lacks a name, source or time.
func checkEvents(t *testing.T, db *store.DB) {
	t.Helper()
	res, err := Check(t.Context(), db, 5)
	if err != nil {
		t.Fatal(err)
	}
	if res.Bad != 0 || res.Checked == 0 {
		t.Errorf("Check() = %+v; want events, all with a name, source and time", res)
	}
}

// TestEventTimeAgrees holds the times Decode accepts to those DuckDB
// stores: every time an event may carry that parseEventTime takes,
// ctattrib_time (session.sql) reads, so no event is stored without one.
func TestEventTimeAgrees(t *testing.T) {
	db := openTestDB(t)
	conn, err := db.SQL.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), sessionSQL); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{
		"2026-11-01T00:00:00Z", "2026-11-01T00:00:00.123Z", "2026-11-01T00:00:00.123456789Z",
		"2026-11-01T00:00:00+02:00", "2026-11-01T00:00:00.5-07:00", "2026-11-01 00:00:00Z",
		"2026-11-01 00:00:00.000000000", "2026-11-01 00:00:00", "2026-11-01T00:00:00",
		"2026-11-01 00:00:00.000Z", "20261101T000000Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		// Not times: Go refuses them, whatever DuckDB does.
		"redacted", "...", "", "2026-13-01T00:00:00Z", "2026-11-01", "1793491200", "2026-11-01T25:00:00Z",
	} {
		var stored bool
		if err := conn.QueryRowContext(t.Context(), `SELECT ctattrib_time(?) IS NOT NULL`, v).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if parseEventTime(v) && !stored {
			t.Errorf("parseEventTime(%q) = true, but DuckDB stores no time for it", v)
		}
	}
	for _, v := range []string{"2026-11-01T00:00:00Z", "2026-11-01 00:00:00.000000000", "20261101T000000Z"} {
		if !parseEventTime(v) {
			t.Errorf("parseEventTime(%q) = false, want true", v)
		}
	}
	for _, v := range []string{"redacted", "...", "", "2026-13-01T00:00:00Z", "1793491200"} {
		if parseEventTime(v) {
			t.Errorf("parseEventTime(%q) = true, want false", v)
		}
	}
}

// FuzzDecodeForms is seeded with every form of testdata/forms, plain and
// gzip'd. Whatever the input, what Decode passes on is an event by the
// one definition (or, inside Records, an object the writer's JSON parser
// refuses), and its counts add up.
func FuzzDecodeForms(f *testing.F) {
	for _, data := range formsTree(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		d, err := Decode(bytes.NewReader(data), func(raw []byte) error {
			n++
			m, ok := readMembers(raw)
			if ok && (!m.eventKey || m.problem() != "") && json.Valid(raw) {
				t.Fatalf("passed on %q, which is not an event", raw)
			}
			return nil
		})
		if n != d.Events {
			t.Fatalf("Decode() counted %d events, passed on %d", d.Events, n)
		}
		if err == nil && d.Events == 0 && d.Rejected > 0 {
			t.Fatalf("Decode() = %+v, nil error; want an error for an object with no event", d)
		}
		if d.Rejected > 0 && d.Reason == "" {
			t.Fatalf("Decode() = %+v: rejected records without a reason", d)
		}
	})
}
