package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPruneCommand(t *testing.T) {
	a, out, errb := testApp(t)
	scenario := filepath.Join("..", "..", "testdata", "scenario")
	if code := executeDB(t, a, "ingest", scenario); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"prune", "--before", "2024-05-02", "--dry-run"},
			[]string{"pruned: would delete 44 events before 2024-05-02T00:00:00Z, keeping 10 notebook lifecycle events and 14 AssumeRole calls as evidence; 114 events remain", "(70 once pruned)"}},
		{[]string{"prune", "--before", "2024-05-02"},
			[]string{"pruned: deleted 44 events before 2024-05-02T00:00:00Z", "70 events remain", "attributed: 70 events"}},
		{[]string{"compact"}, []string{"compacted ", " freed)"}},
		// The manifest keeps the files, also through compact: nothing is
		// loaded again.
		{[]string{"ingest", "--relist", scenario}, []string{"events:  0 new"}},
		{[]string{"query", "sql", "--format", "csv", "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attributions)"}, []string{"70,70"}},
	}
	for _, s := range steps {
		out.Reset()
		if code := executeDB(t, a, s.args...); code != exitOK {
			t.Fatalf("%s exit = %d; stderr:\n%s", strings.Join(s.args, " "), code, errb)
		}
		for _, w := range s.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s output lacks %q:\n%s", strings.Join(s.args, " "), w, out)
			}
		}
	}
	// A cutoff after now (a mistyped year) would delete the events still
	// coming in and the keys in use.
	for _, args := range [][]string{{"prune"}, {"prune", "--before", "last year"}, {"prune", "--before", "2999-01-01"}} {
		errb.Reset()
		if code := executeDB(t, a, args...); code != exitUsage {
			t.Errorf("%s exit = %d, want %d; stderr:\n%s", strings.Join(args, " "), code, exitUsage, errb)
		}
	}
}

func TestCompactCommand(t *testing.T) {
	a, _, errb := testApp(t)
	a.DBPath = filepath.Join(t.TempDir(), "typo.duckdb")
	if code := executeDB(t, a, "compact"); code != exitError {
		t.Errorf("compact of a missing database exit = %d, want %d", code, exitError)
	}
	if !strings.Contains(errb.String(), "does not exist") {
		t.Errorf("compact of a missing database says:\n%s", errb)
	}
	if _, err := os.Stat(a.DBPath); err == nil {
		t.Error("compact created the missing database")
	}
	if code := executeDB(t, a, "compact", "--memory-limit", "lots"); code != exitUsage {
		t.Errorf("compact --memory-limit lots exit = %d, want %d", code, exitUsage)
	}
}
