package main

import (
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
			[]string{"pruned: would delete 39 events before 2024-05-02T00:00:00Z, keeping 6 notebook lifecycle events and 1 AssumeRole call as evidence; 51 events remain", "(12 once pruned)"}},
		{[]string{"prune", "--before", "2024-05-02"},
			[]string{"pruned: deleted 39 events before 2024-05-02T00:00:00Z", "12 events remain", "attributed: 12 events"}},
		// The manifest keeps the files: nothing is loaded again.
		{[]string{"ingest", "--relist", scenario}, []string{"events:  0 new"}},
		{[]string{"query", "sql", "--format", "csv", "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attributions)"}, []string{"12,12"}},
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
