package ingest

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/s2"

	"github.com/ctattrib/ctattrib/internal/awsid"
	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

// TestRowMappingGolden loads each testdata/record/*.json event into a
// database and compares the stored row with its .golden file: the whole
// path from raw JSON to columns, as analysts see it.
func TestRowMappingGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/record/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			db := openTestDB(t)
			abs, _ := filepath.Abs(name)
			if _, err := load(t, db, abs, Options{}); err != nil {
				t.Fatalf("Load(%s) error = %v", name, err)
			}
			checkEvents(t, db)
			var got string
			err := db.SQL.QueryRowContext(t.Context(), `SELECT to_json(e)::VARCHAR FROM (SELECT * EXCLUDE (source_uri) REPLACE (record::JSON AS record) FROM events) e`).Scan(&got)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Fatal(err)
			}
			pretty, _ := json.MarshalIndent(v, "", "  ")
			golden.Check(t, strings.TrimSuffix(name, ".json")+".golden", append(pretty, '\n'))
		})
	}
}

func TestStableKeyForEventsWithoutID(t *testing.T) {
	compact := `{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:00Z"}`
	pretty := "[\n  {\n    \"eventName\": \"ListBuckets\",\n    \"eventSource\": \"s3.amazonaws.com\",\n    \"eventTime\": \"2026-01-01T00:00:00Z\"\n  }\n]"
	other := `{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:01Z"}`
	root := writeTree(t, map[string][]byte{"a.json": []byte(compact), "b.json": []byte(pretty), "c.json": []byte(other)})
	db := openTestDB(t)
	sum, err := load(t, db, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.EventsNew != 2 || sum.EventsDuplicate != 1 {
		t.Errorf("Load() = %+v, want 2 new and 1 duplicate (the pretty copy)", sum)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE event_id LIKE 'ctattrib:%' AND length(event_id) = 41`); n != 2 {
		t.Errorf("content keys = %d, want 2", n)
	}
}

// TestSessionPatternAgrees checks that the SQL pattern that fills
// session_name reads ARNs as awsid.ParseSessionARN does.
func TestSessionPatternAgrees(t *testing.T) {
	db := openTestDB(t)
	for _, tt := range []string{
		"arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-20240101T000000/SageMaker",
		"arn:aws-us-gov:sts::123456789012:assumed-role/ExampleRole/i-0a1b2c3d4e5f60718",
		"arn:aws-cn:sts::123456789012:assumed-role/R/jane.doe@example.com",
		"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/a=b,c",
		"arn:aws:iam::111122223333:user/pedro",
		"arn:aws:iam::111122223333:role/assumed-role/x",
		"arn:aws:sts::111122223333:assumed-role/OnlyRole",
		"arn:aws:sts::111122223333:assumed-role//s",
		"arn:aws:sts::111122223333:federated-user/bob",
		"",
		"not an arn:assumed-role/a/b",
	} {
		var role, session string
		err := db.SQL.QueryRowContext(t.Context(), `SELECT regexp_extract($1, '`+sessionARNPattern+`', 1), regexp_extract($1, '`+sessionARNPattern+`', 2)`, tt).Scan(&role, &session)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := awsid.ParseSessionARN(tt)
		if role != want.RoleName || session != want.SessionName {
			t.Errorf("SQL pattern on %q = %q, %q; awsid.ParseSessionARN says %q, %q", tt, role, session, want.RoleName, want.SessionName)
		}
	}
}

// TestRecordRoundTrip: a record is stored without its eventID's value and
// the events view puts it back; what readers get is the record as
// delivered (compacted), whatever surrounds or spells the eventID.
func TestRecordRoundTrip(t *testing.T) {
	records := []string{
		`{"eventVersion":"1.08","eventID":"11111111-2222-3333-4444-555555555555","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-01T00:00:00Z"}`,
		// Characters of several bytes before the eventID: positions count characters.
		`{"userAgent":"Bötó/1.0 ünïcødé 日本語 🚀","eventID":"22222222-2222-3333-4444-555555555555","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-01T00:00:00Z"}`,
		// The same value again, nested, and an eventID key below.
		`{"eventID":"33333333-2222-3333-4444-555555555555","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-01T00:00:00Z","requestParameters":{"eventID":"33333333-2222-3333-4444-555555555555","x":"\"eventID\":\"\""}}`,
		// Last member.
		`{"eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2026-01-01T00:00:00Z","eventID":"44444444-2222-3333-4444-555555555555"}`,
		// Escapes in the value: stored whole.
		`{"eventID":"55555555-2222-3333-4444-\u0035\u0035\u0035555555555","eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2026-01-01T00:00:00Z"}`,
		// No eventID, an empty one, a null one: keyed by content, stored whole.
		`{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-01-01T00:00:00Z"}`,
		`{"eventID":"","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-01-01T00:00:01Z"}`,
		`{"eventID":null,"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-01-01T00:00:02Z"}`,
	}
	pretty := "{\n  \"eventID\": \"66666666-2222-3333-4444-555555555555\",\n  \"eventSource\": \"s3.amazonaws.com\",\n  \"eventName\": \"é\",\n  \"eventTime\": \"2026-01-01T00:00:00Z\"\n}"
	files := map[string][]byte{"records.json": []byte("[" + strings.Join(records, ",") + "]"), "pretty.json": []byte("[" + pretty + "]")}
	root := writeTree(t, files)
	db := openTestDB(t)
	if sum, err := load(t, db, root, Options{}); err != nil {
		t.Fatal(err, sum.Failures)
	}
	want := append(records, `{"eventID":"66666666-2222-3333-4444-555555555555","eventSource":"s3.amazonaws.com","eventName":"é","eventTime":"2026-01-01T00:00:00Z"}`)
	got := storedRecords(t, db)
	if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
		t.Errorf("records read back differ from those delivered (-want +got):\n%s", diff)
	}
	// Plain eventIDs are left out of the stored record.
	if n := count(t, db, `SELECT count(*) FROM event_rows WHERE id_pos IS NOT NULL`); n != 5 {
		t.Errorf("%d records stored without their eventID, want 5", n)
	}
	if n := count(t, db, `SELECT count(*) FROM event_rows WHERE contains(record, '11111111-2222')`); n != 0 {
		t.Errorf("the first record's eventID is stored in %d records, want none", n)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE record IS NULL`); n != 0 {
		t.Errorf("%d records read back as NULL", n)
	}
}

// TestResourceARNRoundTrip: S3 resource ARNs that the bucket and key
// spell are stored as tokens; the events view reads resources[0].ARN.
func TestResourceARNRoundTrip(t *testing.T) {
	ev := func(id, params, arn string) string {
		res := ""
		if arn != "" {
			res = `,"resources":[{"ARN":"` + arn + `"}]`
		}
		return `{"eventID":"` + id + `","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-01T00:00:00Z","requestParameters":` + params + res + `}`
	}
	cases := map[string]struct{ record, stored, want string }{
		"object":          {ev("a", `{"bucketName":"b1","key":"k/1.csv"}`, "arn:aws:s3:::b1/k/1.csv"), "s3:object", "arn:aws:s3:::b1/k/1.csv"},
		"bucket":          {ev("b", `{"bucketName":"b1"}`, "arn:aws:s3:::b1"), "s3:bucket", "arn:aws:s3:::b1"},
		"other key":       {ev("c", `{"bucketName":"b1","key":"k/2.csv"}`, "arn:aws:s3:::b1/k/1.csv"), "arn:aws:s3:::b1/k/1.csv", "arn:aws:s3:::b1/k/1.csv"},
		"other partition": {ev("d", `{"bucketName":"b1","key":"k"}`, "arn:aws-us-gov:s3:::b1/k"), "arn:aws-us-gov:s3:::b1/k", "arn:aws-us-gov:s3:::b1/k"},
		"kms":             {ev("e", `{"bucketName":"b1","key":"k"}`, "arn:aws:kms:us-east-1:111122223333:key/x"), "arn:aws:kms:us-east-1:111122223333:key/x", "arn:aws:kms:us-east-1:111122223333:key/x"},
		"none":            {ev("f", `{"bucketName":"b1","key":"k"}`, ""), "", ""},
	}
	var records []string
	for _, c := range cases {
		records = append(records, c.record)
	}
	db := openTestDB(t)
	if _, err := load(t, db, writeTree(t, map[string][]byte{"r.json": []byte("[" + strings.Join(records, ",") + "]")}), Options{}); err != nil {
		t.Fatal(err)
	}
	for name, c := range cases {
		var stored, got, fromRecord sql.NullString
		id := c.record[len(`{"eventID":"`):][:1]
		if err := db.SQL.QueryRowContext(t.Context(), `SELECT r.resource_arn, e.resource_arn, e.record ->> '$.resources[0].ARN'
			FROM event_rows r JOIN events e USING (event_id) WHERE event_id = ?`, id).Scan(&stored, &got, &fromRecord); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if stored.String != c.stored || got.String != c.want || got.String != fromRecord.String {
			t.Errorf("%s: stored %q, read %q (the record says %q); want %q and %q", name, stored.String, got.String, fromRecord.String, c.stored, c.want)
		}
	}
}

// storedRecords returns every record as the events view gives it back.
func storedRecords(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL.QueryContext(t.Context(), `SELECT record FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// records returns pk's records as the batch function reads them.
func records(t testing.TB, pk packed) []string {
	t.Helper()
	var out []string
	var decoded []byte
	for i := range pk.len() {
		blk := pk.block(i)
		if i == pk.first[blk] {
			var err error
			if decoded, err = s2.Decode(nil, pk.blocks[blk]); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, strings.Clone(pk.record(decoded, blk, i)))
	}
	return out
}

// TestPackBlocks: an object's records are held in blocks of about
// packBlock bytes, each record whole in one block, whatever their sizes.
func TestPackBlocks(t *testing.T) {
	var want []string
	var p packer
	for i := range 3000 {
		pad := strings.Repeat("x", i%2000)
		if i == 1500 {
			pad = strings.Repeat("y", 2*packBlock) // larger than a block
		}
		rec := fmt.Sprintf(`{"eventName":"E%d","pad":"%s"}`, i, pad)
		want = append(want, rec)
		p.add([]byte(rec))
	}
	pk := p.pack()
	if len(pk.blocks) < 3 {
		t.Errorf("%d blocks, want several", len(pk.blocks))
	}
	for b := range pk.blocks {
		end := pk.len()
		if b+1 < len(pk.first) {
			end = pk.first[b+1]
		}
		if size := pk.ends[end-1]; size > packBlock+2*packBlock+100 || (size < packBlock && b+1 < len(pk.blocks)) {
			t.Errorf("block %d holds %d bytes of records", b, size)
		}
	}
	if diff := cmp.Diff(want, records(t, pk)); diff != "" {
		t.Errorf("records differ (-want +got):\n%s", diff)
	}
	// The packer is ready for the next object.
	p.add([]byte(`{"eventName":"next"}`))
	if got := records(t, p.pack()); !slices.Equal(got, []string{`{"eventName":"next"}`}) {
		t.Errorf("next object: %q", got)
	}
}

// TestLoadObjectOfManyBlocks reads back every record of objects larger
// than a block, with and without eventIDs (which DuckDB reads one by one,
// by their place in the batch).
func TestLoadObjectOfManyBlocks(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]byte{}
	var want []string
	for f := range 3 {
		var events []string
		for i := range 4000 {
			pad := strings.Repeat("p", (i*37)%900)
			var ev string
			if i%7 == 0 { // no eventID: keyed by DuckDB
				ev = fmt.Sprintf(`{"eventVersion":"1.08","eventTime":"%s","eventSource":"s3.amazonaws.com","eventName":"E%d-%d","pad":"%s"}`,
					at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), f, i, pad)
			} else {
				ev = fmt.Sprintf(`{"eventVersion":"1.08","eventID":"%08d-0000-0000-0000-%012d","eventTime":"%s","eventSource":"s3.amazonaws.com","eventName":"E%d-%d","pad":"%s"}`,
					f, i, at.Format(time.RFC3339), f, i, pad)
			}
			events = append(events, ev)
		}
		want = append(want, events...)
		files[ctKey("111122223333", "us-east-1", at, f)] = logFile(t, events...)
	}
	db := openTestDB(t)
	if sum, err := load(t, db, writeTree(t, files), Options{}); err != nil {
		t.Fatal(err, sum.Failures)
	}
	got := storedRecords(t, db)
	if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
		t.Errorf("records read back differ (-want +got):\n%s", diff)
	}
}

// TestLoadEmptyObjectInBatch: an object with no events, in a batch with
// others, is recorded as loaded and the others' events are all read.
func TestLoadEmptyObjectInBatch(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]byte{
		ctKey("111122223333", "us-east-1", at, 0): logFile(t, event("a", at, "111122223333")),
		ctKey("111122223333", "us-east-1", at, 1): logFile(t),
		ctKey("111122223333", "us-east-1", at, 2): logFile(t, event("b", at, "111122223333"), event("c", at, "111122223333")),
	}
	db := openTestDB(t)
	sum, err := load(t, db, writeTree(t, files), Options{})
	if err != nil {
		t.Fatal(err, sum.Failures)
	}
	if sum.ObjectsLoaded != 3 || sum.EventsNew != 3 {
		t.Errorf("loaded %d objects and %d events, want 3 and 3", sum.ObjectsLoaded, sum.EventsNew)
	}
}

// TestDuplicateKeptFromFirstURI: of the copies of an event in one batch,
// the copy stored is the one in the first object in URI order, whatever
// order the objects were decoded in, and the manifest counts it there.
func TestDuplicateKeptFromFirstURI(t *testing.T) {
	db := openTestDB(t)
	w, err := newWriter(t.Context(), db, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	objects := []struct{ uri, events string }{ // staged in this order
		{"/logs/c.json.gz", "dup b"},
		{"/logs/b.json.gz", "c dup d"},
		{"/logs/a.json.gz", "e"},
	}
	for _, o := range objects {
		var p packer
		for _, id := range strings.Fields(o.events) {
			p.add([]byte(strings.Replace(event(id, at, "111122223333"), `"eventName"`, `"from":"`+o.uri+`","eventName"`, 1)))
		}
		if err := w.add(result{obj: Object{URI: o.uri}, packed: p.pack(), status: StatusLoaded}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := w.commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.newEvents != 5 || st.dupEvents != 1 {
		t.Errorf("commit: %d new, %d duplicate; want 5 and 1", st.newEvents, st.dupEvents)
	}
	var uri, from string
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT source_uri, record->>'$.from' FROM events WHERE event_id = 'dup'`).Scan(&uri, &from); err != nil {
		t.Fatal(err)
	}
	if uri != "/logs/b.json.gz" || from != uri {
		t.Errorf("duplicate stored from %s (record from %s), want /logs/b.json.gz", uri, from)
	}
	got := map[string]int64{}
	rows, err := db.SQL.QueryContext(t.Context(), `SELECT uri, new_events FROM objects`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var n int64
		if err := rows.Scan(&u, &n); err != nil {
			t.Fatal(err)
		}
		got[u] = n
	}
	want := map[string]int64{"/logs/a.json.gz": 1, "/logs/b.json.gz": 3, "/logs/c.json.gz": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("new events per object (-want +got):\n%s", diff)
	}
}
