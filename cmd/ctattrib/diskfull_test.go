package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/tmpfs"
)

// TestDiskFull runs ingest into a database on a tmpfs too small for it:
// the run must end with exit 1 and an error naming the file or the disk
// (DuckDB aborted the process before), the database must open once there
// is room again, and the next run must equal a clean one.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ctattrib three times")
	}
	src := crashCorpus(t)
	clean := filepath.Join(t.TempDir(), "clean.duckdb")
	must(t, "ingest", "--db", clean, src)
	want := fingerprint(t, clean)

	for _, tt := range []struct {
		name, minFree string
		says          []string
	}{
		// DuckDB's own write error, with the watch off.
		{"DuckDB", "0", []string{"No space left on device", "Free some space"}},
		// Less room than the reserve: the watch stops the run before it
		// writes. (Whether it also stops a run that fills the disk in
		// time depends on how fast DuckDB writes; the DuckDB case above
		// covers a run it does not stop.)
		{"watch", "8", []string{"disk full: ", "MiB free", "needs at least 8.0 MiB", "Free some space"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := tmpfs.Mount(t, "6m")
			path := filepath.Join(dir, "d.duckdb")
			code, out := ctattrib(t, []string{"CTATTRIB_MIN_FREE_MIB=" + tt.minFree}, "ingest", "--db", path, src)
			if code != exitError {
				t.Fatalf("ingest onto a full disk exit = %d, want %d:\n%s", code, exitError, out)
			}
			for _, s := range append(tt.says, dir) {
				if !strings.Contains(out, s) {
					t.Errorf("ingest onto a full disk says:\n%s\nwant it to say %q", out, s)
				}
			}
			if err := exec.Command("mount", "-o", "remount,size=64m", dir).Run(); err != nil {
				t.Fatalf("remount %s larger: %v", dir, err)
			}
			if _, err := os.Stat(path); err == nil {
				fingerprint(t, path) // it opens
			}
			must(t, "ingest", "--db", path, src)
			if got := fingerprint(t, path); got != want {
				t.Errorf("after a full disk, run again with room:\n%s\nwant, as a clean run:\n%s", got, want)
			}
		})
	}
}
