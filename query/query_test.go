package query

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

// namedQuery is one named query with its parameters bound.
type namedQuery struct {
	name string
	run  func(context.Context, *store.DB) (*Rows, error)
}

func whodid(p WhodidParams) namedQuery {
	return namedQuery{"whodid", func(ctx context.Context, db *store.DB) (*Rows, error) { return Whodid(ctx, db, p) }}
}

func activity(p ActivityParams) namedQuery {
	return namedQuery{"activity", func(ctx context.Context, db *store.DB) (*Rows, error) { return Activity(ctx, db, p) }}
}

func instances(p InstancesParams) namedQuery {
	return namedQuery{"instances", func(ctx context.Context, db *store.DB) (*Rows, error) { return Instances(ctx, db, p) }}
}

func compute(p ComputeParams) namedQuery {
	return namedQuery{"compute", func(ctx context.Context, db *store.DB) (*Rows, error) { return Compute(ctx, db, p) }}
}

func denied(p DeniedParams) namedQuery {
	return namedQuery{"denied", func(ctx context.Context, db *store.DB) (*Rows, error) { return Denied(ctx, db, p) }}
}

func coverage(p CoverageParams) namedQuery {
	return namedQuery{"coverage", func(ctx context.Context, db *store.DB) (*Rows, error) { return Coverage(ctx, db, p) }}
}

func findings(p FindingsParams) namedQuery {
	return namedQuery{"findings", func(ctx context.Context, db *store.DB) (*Rows, error) { return Findings(ctx, db, p) }}
}

// fixtureQueries are the named queries with the parameters they run with
// in the golden tests.
var fixtureQueries = []namedQuery{
	whodid(WhodidParams{EventName: "CreateEndpoint"}),
	activity(ActivityParams{Actor: "nb-alpha"}),
	instances(InstancesParams{}),
	denied(DeniedParams{}),
	coverage(CoverageParams{}),
}

// renderRows runs fn's result through format f and returns what a reader sees:
// the bytes of text formats, the decoded content of parquet and arrow.
func renderRows(t *testing.T, r *Rows, f Format) []byte {
	t.Helper()
	defer r.Close()
	var buf bytes.Buffer
	if _, err := Write(t.Context(), &buf, r, f, WriteOptions{}); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	if f.Binary() {
		return decodeBinary(t, buf.Bytes(), f)
	}
	return buf.Bytes()
}

// decodeBinary reads a parquet or arrow file back and prints its schema
// and rows, so goldens show content rather than bytes.
func decodeBinary(t *testing.T, data []byte, f Format) []byte {
	t.Helper()
	mem := memory.NewGoAllocator()
	var recs []arrow.RecordBatch
	var schema *arrow.Schema
	switch f {
	case Arrow:
		rd, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
		if err != nil {
			t.Fatalf("read arrow: %v", err)
		}
		defer rd.Close()
		schema = rd.Schema()
		for i := 0; i < rd.NumRecords(); i++ {
			rec, err := rd.RecordBatch(i)
			if err != nil {
				t.Fatal(err)
			}
			rec.Retain()
			recs = append(recs, rec)
		}
	case Parquet:
		pf, err := file.NewParquetReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("read parquet: %v", err)
		}
		defer pf.Close()
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, mem)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer tbl.Release()
		schema = tbl.Schema()
		tr := array.NewTableReader(tbl, 1024)
		defer tr.Release()
		for tr.Next() {
			rec := tr.RecordBatch()
			rec.Retain()
			recs = append(recs, rec)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", f)
	for _, fld := range schema.Fields() {
		fmt.Fprintf(&b, "  %s: %s\n", fld.Name, fld.Type)
	}
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			var vals []string
			for j, col := range rec.Columns() {
				v := "null"
				if col.IsValid(i) {
					v = col.ValueStr(i)
				}
				vals = append(vals, rec.ColumnName(j)+"="+v)
			}
			b.WriteString(strings.Join(vals, " | ") + "\n")
		}
		rec.Release()
	}
	return []byte(b.String())
}

func goldenName(dir, query string, f Format) string {
	ext := map[Format]string{Table: "txt", CSV: "csv", JSON: "json", JSONL: "jsonl", Parquet: "parquet.txt", Arrow: "arrow.txt"}[f]
	return filepath.Join("testdata", dir, query+"."+ext+".golden")
}

// TestNamedQueriesGolden runs every named query on the fixture in every
// format.
func TestNamedQueriesGolden(t *testing.T) {
	db := newFixtureDB(t, "findings_fixture.sql") // activity, instances and coverage show findings
	if err := os.MkdirAll(filepath.Join("testdata", "fixture"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, q := range fixtureQueries {
		for _, f := range Formats {
			t.Run(q.name+"/"+string(f), func(t *testing.T) {
				r, err := q.run(t.Context(), db)
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, goldenName("fixture", q.name, f), renderRows(t, r, f))
			})
		}
	}
}

func TestSQLFormatsGolden(t *testing.T) {
	db := newFixtureDB(t)
	const q = `SELECT event_id, event_time, event_name, error_code IS NOT NULL AS failed,
		length(event_id)::INTEGER AS id_len, 0.5::DOUBLE AS half, request_parameters
		FROM events ORDER BY event_time LIMIT 4`
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			r, err := SQL(t.Context(), db, q)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, goldenName("fixture", "sql", f), renderRows(t, r, f))
		})
	}
}

func TestEmptyResult(t *testing.T) {
	db := newFixtureDB(t)
	want := map[Format]string{
		Table: "event_time  event_name  actor_kind  actor  method  confidence  account_id  region  event_id\n",
		CSV:   "event_time,event_name,actor_kind,actor,method,confidence,account_id,region,event_id\n",
		JSON:  "[]\n",
		JSONL: "",
	}
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			r, err := Whodid(t.Context(), db, WhodidParams{EventName: "NoSuchCall"})
			if err != nil {
				t.Fatal(err)
			}
			got := string(renderRows(t, r, f))
			if f.Binary() {
				if !strings.Contains(got, "event_id: utf8") || strings.Contains(got, "event_id=") {
					t.Errorf("empty %s = %q, want the schema and no rows", f, got)
				}
				return
			}
			if got != want[f] {
				t.Errorf("empty %s = %q, want %q", f, got, want[f])
			}
		})
	}
}

func TestRunFilters(t *testing.T) {
	db := newFixtureDB(t)
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	tests := []struct {
		name string
		q    namedQuery
		want []string // event_id column
	}{
		{"whodid all", whodid(WhodidParams{EventName: "CreateEndpoint"}), []string{"e8", "e1"}},
		{"whodid since", whodid(WhodidParams{EventName: "CreateEndpoint", Filter: Filter{Since: day("2024-05-03")}}), []string{"e8"}},
		{"whodid until exclusive", whodid(WhodidParams{EventName: "CreateEndpoint", Filter: Filter{Until: time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)}}), nil},
		{"whodid resource", whodid(WhodidParams{EventName: "CreateEndpoint", Resource: "CHURN"}), []string{"e1"}},
		{"whodid source short", whodid(WhodidParams{EventName: "CreateEndpoint", EventSource: "sagemaker"}), []string{"e8", "e1"}},
		{"whodid other source", whodid(WhodidParams{EventName: "CreateEndpoint", EventSource: "s3"}), nil},
		{"whodid injection is a value", whodid(WhodidParams{EventName: "x' OR '1'='1"}), nil},
		{"activity", activity(ActivityParams{Actor: "nb-alpha"}), []string{"e5", "e7", "e2", "e1"}},
		{"activity errors", activity(ActivityParams{Actor: "nb-alpha", ErrorsOnly: true}), []string{"e5", "e2"}},
		{"activity region", activity(ActivityParams{Actor: "bob", Filter: Filter{Region: "us-east-1"}}), nil},
		{"activity account", activity(ActivityParams{Actor: "bob", Filter: Filter{Account: "444455556666"}}), []string{"e6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := column(t, db, tt.q, "event_id")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s event_id (-want +got):\n%s", tt.q.name, diff)
			}
		})
	}
}

// column returns one column of a named query's result as text.
func column(t *testing.T, db *store.DB, q namedQuery, col string) []string {
	t.Helper()
	r, err := q.run(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	idx := -1
	for i, c := range r.Columns {
		if c.Name == col {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("%s has no column %s", q.name, col)
	}
	var out []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, text(row[idx]))
	}
}

func TestMissingParam(t *testing.T) {
	db := newFixtureDB(t)
	for _, q := range []namedQuery{whodid(WhodidParams{}), activity(ActivityParams{})} {
		if _, err := q.run(t.Context(), db); !errors.Is(err, ErrMissingParam) {
			t.Errorf("%s without its required parameter = %v, want ErrMissingParam", q.name, err)
		}
	}
}

func TestInstances(t *testing.T) {
	db := newFixtureDB(t)
	got := map[string][]string{}
	for _, col := range []string{"instance", "calls", "lifecycle_config_attached", "session_name_in_effect", "finding"} {
		got[col] = column(t, db, instances(InstancesParams{}), col)
	}
	want := map[string][]string{
		"instance":                  {"nb-alpha", "nb-beta", "nb-gamma"},
		"calls":                     {"4", "1", "0"},
		"lifecycle_config_attached": {"true", "true", "false"},
		"session_name_in_effect":    {"yes", "no", "no calls since start"},
		"finding":                   {"", "lifecycle config attached but not in effect", "no lifecycle config"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instances (-want +got):\n%s", diff)
	}
	// The window applies to calls, not to the inventory.
	if got := column(t, db, instances(InstancesParams{Filter{Since: time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)}}), "calls"); !cmp.Equal(got, []string{"1", "1", "0"}) {
		t.Errorf("instances since 2024-05-03 calls = %v, want [1 1 0]", got)
	}
}

func TestCoverage(t *testing.T) {
	db := newFixtureDB(t)
	got := [][]string{
		column(t, db, coverage(CoverageParams{}), "role_arn"),
		column(t, db, coverage(CoverageParams{}), "attributed"),
		column(t, db, coverage(CoverageParams{}), "unattributed"),
		column(t, db, coverage(CoverageParams{}), "instances_without_config"),
	}
	want := [][]string{
		{"arn:aws:iam::111122223333:role/service-role/SageMakerExec"},
		{"5"}, {"2"}, {"nb-gamma"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}

// TestSQLReadOnly checks that analyst SQL cannot change the database or
// reach the file system, and that the data is intact afterwards.
func TestSQLReadOnly(t *testing.T) {
	db := newFixtureDB(t)
	out := filepath.Join(t.TempDir(), "x")
	attacks := []string{
		`DROP TABLE events`,
		`DELETE FROM event_rows`,
		`INSERT INTO event_rows (event_id) VALUES ('evil')`,
		`UPDATE events SET event_name = 'x'`,
		`CREATE TABLE evil (a INTEGER)`,
		`ALTER TABLE events ADD COLUMN evil INTEGER`,
		`TRUNCATE attributions`,
		`COPY events TO '` + out + `'`,
		`COPY (SELECT 1) TO '` + out + `' (FORMAT parquet)`,
		`EXPORT DATABASE '` + out + `'`,
		`ATTACH '` + out + `' AS evil`,
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`SET enable_external_access = true`,
		`RESET lock_configuration`,
		`SET GLOBAL access_mode = 'READ_WRITE'`,
		`SELECT * FROM read_csv('/etc/passwd')`,
		`SELECT * FROM read_json('` + out + `')`,
		`SELECT 1; DROP TABLE events`,
	}
	for _, q := range attacks {
		t.Run(q, func(t *testing.T) {
			r, err := SQL(t.Context(), db, q)
			if err == nil {
				_, err = Write(t.Context(), io.Discard, r, CSV, WriteOptions{})
				r.Close()
			}
			if err == nil {
				t.Errorf("SQL(%q) succeeded, want an error", q)
			}
		})
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists after the attacks: %v", out, err)
	}
	got := map[string]string{}
	for _, q := range []string{
		`SELECT count(*) FROM events`,
		`SELECT count(*) FROM attributions`,
		`SELECT count(*) FROM notebook_instances`,
		`SELECT count(*) FROM events WHERE event_name = 'x' OR event_id = 'evil'`,
	} {
		r, err := SQL(t.Context(), db, q)
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Next()
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		got[q] = fmt.Sprint(row[0])
	}
	want := map[string]string{
		`SELECT count(*) FROM events`:                                             "8",
		`SELECT count(*) FROM attributions`:                                       "7",
		`SELECT count(*) FROM notebook_instances`:                                 "4",
		`SELECT count(*) FROM events WHERE event_name = 'x' OR event_id = 'evil'`: "0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("data after attacks (-want +got):\n%s", diff)
	}
	// Reading still works, temporary tables included.
	for _, q := range []string{`SELECT count(*) FROM events`, `DESCRIBE events`, `CREATE TEMP TABLE scratch AS SELECT 1 AS a`} {
		r, err := SQL(t.Context(), db, q)
		if err != nil {
			t.Errorf("SQL(%q) = %v, want success", q, err)
			continue
		}
		r.Close()
	}
}

func TestSQLNeedsReadOnly(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "rw.duckdb"), store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := SQL(t.Context(), db, `SELECT 1`); !errors.Is(err, ErrNotReadOnly) {
		t.Errorf("SQL on a read-write database = %v, want ErrNotReadOnly", err)
	}
}
