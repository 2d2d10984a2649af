package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportCmd runs report through cobra on the ingested demo: it writes
// the file, readable by others, the same twice; without --output it is
// bad usage.
func TestReportCmd(t *testing.T) {
	a, _, errb := testApp(t)
	if code := executeDB(t, a, "ingest", filepath.Join("..", "..", "testdata", "demo")); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.html")
	for _, path := range []string{first, second} {
		if code := executeDB(t, a, "report", "--output", path); code != exitOK {
			t.Fatalf("report exit = %d; stderr:\n%s", code, errb)
		}
	}
	b1, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Error("two reports of the same database differ")
	}
	if fi, err := os.Stat(first); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("report file mode = %v (%v), want 0644", fi.Mode(), err)
	}
	for _, want := range []string{`<section id="coverage">`, "ds-team-a-1", "every event in the database"} {
		if !bytes.Contains(b1, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}

	narrowed := filepath.Join(dir, "one.html")
	if code := executeDB(t, a, "report", "--account", "777788889999", "--since", "2026-11-01", "--output", narrowed); code != exitOK {
		t.Fatalf("report --account exit = %d; stderr:\n%s", code, errb)
	}
	if b, _ := os.ReadFile(narrowed); !bytes.Contains(b, []byte("events of account 777788889999, from 2026-11-01T00:00:00Z")) || bytes.Contains(b, []byte("ds-team-a-1")) {
		t.Error("report --account covers other accounts")
	}

	for _, args := range [][]string{{"report"}, {"report", "--output", first, "--since", "yesterday"}, {"report", "--output", first, "--top", "-1"}, {"report", "--output", first, "extra"}} {
		errb.Reset()
		if code := executeDB(t, a, args...); code != exitUsage {
			t.Errorf("%s exit = %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
}
