package ingest

import (
	"compress/gzip"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// recordKeyTests are records whose key recordKey must get right or leave
// to DuckDB: recordKey may return "" (not sure), never a wrong key.
var recordKeyTests = []string{
	`{"eventID":"a1b2","eventName":"GetObject"}`,
	`{"eventVersion":"1.08","userIdentity":{"eventID":"nested","type":"AssumedRole"},"eventID":"top"}`,
	`{"requestParameters":{"s":"\"eventID\":\"fake\"","list":[{"eventID":"x"},"}"]},"eventID":"real"}`,
	` { "eventID" : "spaced" , "x" : 1 } `,
	"{\n  \"eventTime\": \"2024-01-01T00:00:00Z\",\n  \"eventID\": \"pretty\"\n}",
	`{"eventName":"NoID"}`,
	`{"eventID":"","eventName":"EmptyID"}`,
	`{"eventID":null,"eventName":"NullID"}`,
	`{"eventID":12345}`,
	`{"eventID":true}`,
	`{"eventID":{"a":1}}`,
	`{"eventID":"esc\"aped"}`,
	`{"eventID":"\u00e9t\u00e9"}`,
	`{"event\u0049D":"escaped-name"}`,
	`{"eventID":"first","eventID":"second"}`,
	`{"n":-1.5e3,"t":true,"f":false,"z":null,"eventID":"after-scalars"}`,
	`{"a":[1,2,[3,{"b":"]"}]],"eventID":"after-arrays"}`,
	`{"eventID":"été-ünïcode"}`,
	`{}`,
}

// TestRecordKeyAgrees holds recordKey to eventIDExpr, the key DuckDB
// computes, on crafted records, the repository's test data and the public
// samples when present.
func TestRecordKeyAgrees(t *testing.T) {
	db := openTestDB(t)
	records := append([]string(nil), recordKeyTests...)
	for _, root := range []string{filepath.Join("..", "testdata"), filepath.Join("..", "..", "shared", "cloudtrail-samples")} {
		records = append(records, recordsUnder(t, root, 20_000)...)
	}
	decided, byID := 0, 0
	for _, rec := range records {
		got := recordKey(rec)
		if got == "" {
			continue
		}
		decided++
		if !strings.HasPrefix(got, "ctattrib:") {
			byID++
		}
		checkKey(t, db, rec, got)
	}
	t.Logf("%d of %d records keyed in Go, %d by their eventID", decided, len(records), byID)
	if byID < decided/2 {
		t.Errorf("only %d of %d records were keyed by their eventID: the test no longer covers the common case", byID, decided)
	}
	if decided < len(records)*9/10 {
		t.Errorf("recordKey decided only %d of %d records: DuckDB would key the rest a second time", decided, len(records))
	}
}

func checkKey(t *testing.T, db *store.DB, rec, got string) {
	t.Helper()
	var want string
	if err := db.SQL.QueryRowContext(context.Background(), `SELECT `+mustRender(mustTemplate("event_id"), "$rec::VARCHAR"), sql.Named("rec", rec)).Scan(&want); err != nil {
		return // not JSON DuckDB can read: the batch fails it whatever the key
	}
	if got != want {
		t.Errorf("recordKey(%.200q) = %q, DuckDB says %q", rec, got, want)
	}
}

// recordsUnder decodes up to limit records from the log files under root,
// as the files hold them (with their eventID: not as the packer stores
// them, which would leave only the MD5 path to test and to measure).
// Files that cannot be read or decoded are skipped: testdata holds broken
// ones on purpose, and the public samples may be missing.
func recordsUnder(t testing.TB, root string, limit int) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || len(out) >= limit || !strings.Contains(p, ".json") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		var r interface{ Read([]byte) (int, error) } = f
		if strings.HasSuffix(p, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return nil
			}
			r = zr
		}
		// A broken file still gives the records before the break.
		_, _ = Decode(r, func(raw []byte) error {
			if len(out) < limit {
				out = append(out, string(raw))
			}
			return nil
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzRecordKey(f *testing.F) {
	for _, rec := range recordKeyTests {
		f.Add(rec)
	}
	db := openTestDB(f)
	f.Fuzz(func(t *testing.T, rec string) {
		if got := recordKey(rec); got != "" {
			checkKey(t, db, rec, got)
		}
	})
}

func BenchmarkRecordKey(b *testing.B) {
	recs := recordsUnder(b, filepath.Join("..", "testdata", "demo"), 5000)
	var n int64
	for _, r := range recs {
		n += int64(len(r))
	}
	b.SetBytes(n / int64(len(recs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		recordKey(recs[i%len(recs)])
	}
}
