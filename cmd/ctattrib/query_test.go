package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/store"
)

// The tests pass --db explicitly: binding the persistent flag resets
// a.DBPath.

// seedQueryDB writes testdata/query_seed.sql, two notebook calls and an
// unattributed one, into a's database.
func seedQueryDB(t *testing.T, a *app) {
	t.Helper()
	db, err := store.Open(context.Background(), a.DBPath, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seed, err := os.ReadFile(filepath.Join("testdata", "query_seed.sql"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SQL.ExecContext(t.Context(), string(seed))
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueryWhodid(t *testing.T) {
	a, out, errb := testApp(t)
	seedQueryDB(t, a)
	if code := execute(t, a, "--db", a.DBPath, "query", "whodid", "--event-name", "CreateEndpoint", "--region", "us-east-1", "--format", "csv"); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	want := "event_time,event_name,actor_kind,actor,method,confidence,account_id,region,event_id\n" +
		"2026-11-20T10:00:00Z,CreateEndpoint,notebook-instance,research-nb-1,session-name,high,111122223333,us-east-1,e1\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("query whodid (-want +got):\n%s", diff)
	}
}

func TestQuerySince(t *testing.T) {
	a, out, errb := testApp(t)
	seedQueryDB(t, a)
	// The clock is 2026-11-23T12:00Z: 2d ago keeps only e3.
	if code := execute(t, a, "--db", a.DBPath, "query", "whodid", "--event-name", "CreateEndpoint", "--since", "2d", "--format", "jsonl"); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if got := strings.Count(out.String(), "\n"); got != 1 || !strings.Contains(out.String(), `"event_id":"e3"`) {
		t.Errorf("query whodid --since 2d = %q, want only e3", out)
	}
}

func TestQuerySQLJSON(t *testing.T) {
	a, out, errb := testApp(t)
	seedQueryDB(t, a)
	if code := execute(t, a, "--db", a.DBPath, "query", "sql", "--format", "json", "SELECT event_id, event_time FROM events ORDER BY event_id LIMIT 2"); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var got []map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out)
	}
	want := []map[string]any{
		{"event_id": "e1", "event_time": "2026-11-20T10:00:00Z"},
		{"event_id": "e2", "event_time": "2026-11-21T10:00:00Z"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("query sql --format json (-want +got):\n%s", diff)
	}
}

func TestQuerySQLCannotWrite(t *testing.T) {
	a, _, _ := testApp(t)
	seedQueryDB(t, a)
	for _, q := range []string{"DROP TABLE event_rows", "DELETE FROM event_rows", "DROP VIEW events", "COPY events TO '" + filepath.Join(t.TempDir(), "x.csv") + "'"} {
		a.Err = new(bytes.Buffer)
		if code := execute(t, a, "--db", a.DBPath, "query", "sql", q); code != exitError {
			t.Errorf("query sql %q: exit %d, want %d", q, code, exitError)
		}
	}
	a2, out, errb := testApp(t)
	a2.DBPath = a.DBPath
	if code := execute(t, a2, "--db", a2.DBPath, "query", "sql", "--format", "csv", "SELECT count(*) AS n FROM events"); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if out.String() != "n\n3\n" {
		t.Errorf("events after the attempts = %q, want 3", out)
	}
}

func TestQueryUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing event name", []string{"query", "whodid"}, "--event-name is required"},
		{"missing actor", []string{"query", "activity"}, "--actor is required"},
		{"unknown flag", []string{"query", "instances", "--bogus"}, "unknown flag: --bogus"},
		{"unknown format", []string{"query", "instances", "--format", "xml"}, "unknown format"},
		{"parquet needs output", []string{"query", "instances", "--format", "parquet"}, "give --output FILE"},
		{"bad since", []string{"query", "coverage", "--since", "yesterday"}, "--since"},
		{"unknown query", []string{"query", "whodunnit"}, `unknown query "whodunnit"`},
		{"sql without SQL", []string{"query", "sql"}, "accepts 1 arg"},
		{"sql with filters", []string{"query", "sql", "--since", "7d", "SELECT 1"}, "takes no filters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, errb := testApp(t)
			seedQueryDB(t, a)
			if code := execute(t, a, append([]string{"--db", a.DBPath}, tt.args...)...); code != exitUsage {
				t.Errorf("%v: exit %d, want %d; stderr:\n%s", tt.args, code, exitUsage, errb)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("%v: stderr = %q, want it to contain %q", tt.args, errb, tt.want)
			}
		})
	}
}

func TestQueryEmptyResult(t *testing.T) {
	a, out, errb := testApp(t)
	seedQueryDB(t, a)
	if code := execute(t, a, "--db", a.DBPath, "query", "activity", "--actor", "nobody"); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if !strings.HasPrefix(out.String(), "event_time") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("empty activity = %q, want just the header", out)
	}
}

func TestQueryBinaryOutput(t *testing.T) {
	for format, magic := range map[string]string{"parquet": "PAR1", "arrow": "ARROW1"} {
		t.Run(format, func(t *testing.T) {
			a, out, errb := testApp(t)
			seedQueryDB(t, a)
			path := filepath.Join(t.TempDir(), "out."+format)
			if code := execute(t, a, "--db", a.DBPath, "query", "denied", "--format", format, "--output", path); code != 0 {
				t.Fatalf("exit %d: %s", code, errb)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(magic)) || !bytes.HasSuffix(b, []byte(magic)) {
				t.Errorf("%s does not start and end with %q", path, magic)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestQueryTableFitsTerminal(t *testing.T) {
	a, out, errb := testApp(t)
	seedQueryDB(t, a)
	a.OutTTY = true
	a.Getenv = func(k string) string {
		if k == "COLUMNS" {
			return "80"
		}
		return ""
	}
	if code := execute(t, a, "--db", a.DBPath, "query", "whodid", "--event-name", "CreateEndpoint"); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line is %d wide, want <= 80: %q", n, line)
		}
	}
	if !strings.Contains(out.String(), "…") {
		t.Errorf("table = %q, want truncated cells", out)
	}
}
