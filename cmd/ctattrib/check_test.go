package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// TestCheckCmd ingests every form of ingest's fixtures (exit 3: some
// records are rejected, some objects hold no event), checks the database
// (exit 0), then stores a record without a time as an older ctattrib
// could have, and checks again (exit 1, naming it).
func TestCheckCmd(t *testing.T) {
	a, out, errb := testApp(t)
	forms, err := filepath.Abs(filepath.Join("..", "..", "ingest", "testdata", "forms"))
	if err != nil {
		t.Fatal(err)
	}
	if code := execute(t, a, "--db", a.DBPath, "ingest", "--no-attribute", forms); code != 3 {
		t.Fatalf("ingest exit = %d, want 3:\n%s%s", code, out, errb)
	}
	for _, want := range []string{
		"records: 4 rejected in 1 object",
		"rejected: " + filepath.Join(forms, "some-not-events.jsonl") + ": record 3 is an event without eventSource",
		"failed:  " + filepath.Join(forms, "flow-logs.log") + ": not a JSON document: a VPC flow log",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errb.String(), "4 records in 1 object are not CloudTrail events") {
		t.Errorf("ingest stderr = %q, want the rejected records named", errb)
	}

	b, out, errb := testApp(t)
	if code := execute(t, b, "--db", a.DBPath, "check"); code != 0 {
		t.Fatalf("check exit = %d, want 0:\n%s%s", code, out, errb)
	}
	if want := "events: 2 stored without a time: their record holds none\n" +
		"events: 26 checked, each has a name, a source and the time its record holds\n"; out.String() != want {
		t.Errorf("check output = %q, want %q", out, want)
	}

	db, err := store.Open(t.Context(), a.DBPath, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(t.Context(), `INSERT INTO event_rows (event_id, event_name, record, source_uri)
		VALUES ('lookup-1', 'GetObject', '{"EventId":"lookup-1"}', 'old.jsonl'),
			('lost-1', 'GetObject', '{"eventTime":"2026-11-01T00:00:01Z"}', 'old.jsonl')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(t.Context(), `UPDATE event_rows SET event_source = 's3.amazonaws.com' WHERE event_id = 'lost-1'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, out, errb := testApp(t)
	if code := execute(t, c, "--db", a.DBPath, "check"); code != 1 {
		t.Fatalf("check exit = %d, want 1:\n%s%s", code, out, errb)
	}
	// lookup-1's record holds no time, lost-1's does: only its time is lost.
	if want := "events: 3 stored without a time: their record holds none\n" +
		"lookup-1\told.jsonl\tlacks event_source\nlost-1\told.jsonl\tlacks event_time\n"; out.String() != want {
		t.Errorf("check output = %q, want %q", out, want)
	}
	if !strings.Contains(errb.String(), "2 of 28 events lack a name, a source or a time") {
		t.Errorf("check stderr = %q", errb)
	}
}
