package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/internal/corpus"
	"github.com/ctattrib/ctattrib/store"
)

// childEnv makes the test binary run as ctattrib (see TestMain): the crash
// tests need a process they can kill, and the test binary already holds
// the command.
const childEnv = "CTATTRIB_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// ctattrib runs the command in a child process, with env added, and
// returns its exit code (-1 when it was killed) and what it wrote.
func ctattrib(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "CTATTRIB_MIN_FREE_MIB=1")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			if ws.Signal() != syscall.SIGKILL {
				t.Fatalf("ctattrib %s died of %v:\n%s", strings.Join(args, " "), ws.Signal(), out.String())
			}
			return -1, out.String()
		}
		return ee.ExitCode(), out.String()
	}
	t.Fatalf("ctattrib %s: %v", strings.Join(args, " "), err)
	return 0, ""
}

// must runs ctattrib and fails the test unless it exits 0.
func must(t *testing.T, args ...string) string {
	t.Helper()
	code, out := ctattrib(t, nil, args...)
	if code != 0 {
		t.Fatalf("ctattrib %s exit = %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// crash runs ctattrib with the crash hook set to phase and fails the test
// unless the process was killed there.
func crash(t *testing.T, phase string, args ...string) {
	t.Helper()
	code, out := ctattrib(t, []string{store.CrashEnv + "=" + phase}, args...)
	if code != -1 {
		t.Fatalf("ctattrib %s with %s=%s exit = %d, want it killed:\n%s", strings.Join(args, " "), store.CrashEnv, phase, code, out)
	}
}

// fingerprintSQL sums up what a run leaves: the rows of every table a
// command writes, and the attributions themselves.
const fingerprintSQL = `SELECT (SELECT count(*) FROM events) AS events,
	(SELECT count(*) FROM attributions) AS attributions,
	(SELECT count(*) FROM objects) AS objects,
	(SELECT count(*) FROM notebook_events) AS notebook_events,
	(SELECT count(*) FROM assume_role_fields) AS assume_role_fields,
	(SELECT count(*) FROM attributions a ANTI JOIN event_rows e USING (event_id)) AS orphans,
	(SELECT md5(string_agg(concat_ws('|', event_id, actor_kind, actor, method, confidence, reason, evidence_event_id), ',' ORDER BY event_id))
	 FROM attributions) AS checksum`

// fingerprint opens db read-only, which fails if a crash left it
// unreadable, and returns fingerprintSQL's row.
func fingerprint(t *testing.T, path string) string {
	t.Helper()
	return queryOne(t, path, fingerprintSQL)
}

// queryOne runs q on the database at path, opened read-only in this
// process, and returns its one row's columns joined by commas.
func queryOne(t *testing.T, path, q string) string {
	t.Helper()
	db, err := store.Open(t.Context(), path, store.ReadOnly)
	if err != nil {
		t.Fatalf("open %s after the run: %v", filepath.Base(path), err)
	}
	defer db.Close()
	rows, err := db.SQL.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, v := range vals {
		fmt.Fprintf(&b, "%s%s=%s", map[bool]string{true: ", "}[i > 0], cols[i], v.String)
	}
	return b.String()
}

// crashCorpus writes a small CloudTrail corpus: about 100 log files
// over 6 days.
func crashCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, err := corpus.Generate(t.Context(), corpus.Config{Seed: 19, Events: 3000, EventsPerFile: 30, Window: 12 * time.Hour,
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, corpus.DirWriter(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCrashes kills ingest (into a new and an existing database),
// attribute, prune and compact with SIGKILL at each phase the crash hook
// names, and checks that the database still opens and that running the
// command again gives what a run that was never killed gives.
func TestCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ctattrib some 30 times")
	}
	src := crashCorpus(t)
	dir := t.TempDir()
	db := func(name string) string { return filepath.Join(dir, name+".duckdb") }

	clean := db("clean")
	must(t, "ingest", "--db", clean, src)
	want := fingerprint(t, clean)
	t.Logf("clean ingest: %s", strings.TrimSpace(want))
	// The existing database holds the first two days' folders of the
	// corpus (--until takes the day after it too); prune cuts at three
	// quarters of its time.
	const split = "2026-11-01T12:00:00Z"
	_, cutoff, _ := strings.Cut(queryOne(t, clean,
		`SELECT strftime(min(event_time) + (max(event_time) - min(event_time)) * 3 / 4, '%Y-%m-%dT%H:%M:%SZ') AS cutoff FROM events`), "=")

	ingests := []struct {
		name, phase string
		existing    bool
	}{
		{"new/create", store.PhaseCreate, false},
		{"new/migrated", store.PhaseMigrated, false},
		{"new/batch", store.PhaseBatch, false},
		{"existing/attribute", store.PhaseAttribute, true},
	}
	for _, tt := range ingests {
		t.Run("ingest/"+tt.name, func(t *testing.T) {
			path := db(strings.ReplaceAll(tt.name, "/", "-"))
			if tt.existing {
				must(t, "ingest", "--db", path, "--until", split, src)
				if fingerprint(t, path) == want {
					t.Fatalf("ingest --until %s loaded everything; the test needs part of the corpus", split)
				}
			}
			crash(t, tt.phase, "ingest", "--db", path, src)
			if _, err := os.Stat(path); tt.existing || err == nil {
				fingerprint(t, path) // it opens
			}
			must(t, "ingest", "--db", path, src)
			if got := fingerprint(t, path); got != want {
				t.Errorf("killed at %s, then run again:\n%s\nwant, as a clean run:\n%s", tt.phase, got, want)
			}
		})
	}

	// Prune and compact start from copies of the clean database.
	pruned := db("pruned")
	copyFile(t, clean, pruned)
	must(t, "prune", "--db", pruned, "--before", cutoff)
	wantPruned := fingerprint(t, pruned)
	t.Logf("clean prune: %s", strings.TrimSpace(wantPruned))
	if wantPruned == want {
		t.Fatalf("prune --before %s changed nothing; the test needs a cutoff inside the corpus", cutoff)
	}
	for _, phase := range []string{store.PhasePruneDeleted, store.PhasePruned} {
		t.Run("prune/"+phase, func(t *testing.T) {
			path := db("prune-" + phase)
			copyFile(t, clean, path)
			crash(t, phase, "prune", "--db", path, "--before", cutoff)
			fingerprint(t, path)
			must(t, "prune", "--db", path, "--before", cutoff)
			if got := fingerprint(t, path); got != wantPruned {
				t.Errorf("killed at %s, then run again:\n%s\nwant, as a clean run:\n%s", phase, got, wantPruned)
			}
		})
	}
	t.Run("compact/"+store.PhaseCompactCopied, func(t *testing.T) {
		path := db("compact")
		copyFile(t, pruned, path)
		crash(t, store.PhaseCompactCopied, "compact", "--db", path)
		if got := fingerprint(t, path); got != wantPruned {
			t.Errorf("killed at %s: %s, want it as it was: %s", store.PhaseCompactCopied, got, wantPruned)
		}
		out := must(t, "compact", "--db", path)
		if got := fingerprint(t, path); got != wantPruned {
			t.Errorf("compacted after a kill: %s, want %s", got, wantPruned)
		}
		if !strings.Contains(out, "compacted") {
			t.Errorf("compact after a kill said %q, want it to compact", out)
		}
		for _, left := range []string{path + ".compact", path + ".compact.wal"} {
			if _, err := os.Stat(left); err == nil {
				t.Errorf("%s left behind", filepath.Base(left))
			}
		}
	})
}

// copyFile copies a closed database file.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(from + ".wal"); err == nil {
		t.Fatalf("%s has a write-ahead log; copy it closed", from)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
