package main

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAttributeCommand(t *testing.T) {
	a, out, errb := testApp(t)
	scenario := filepath.Join("..", "..", "testdata", "scenario")
	if code := executeDB(t, a, "ingest", scenario); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	out.Reset()
	if code := executeDB(t, a, "attribute"); code != exitOK {
		t.Fatalf("attribute exit = %d; stderr:\n%s", code, errb)
	}
	// ingest attributed already: an incremental run has nothing to do.
	if got := out.String(); !strings.Contains(got, "(0 recomputed)") {
		t.Errorf("attribute after ingest recomputed events:\n%s", got)
	}
	out.Reset()
	if code := executeDB(t, a, "attribute", "--full"); code != exitOK {
		t.Fatalf("attribute --full exit = %d; stderr:\n%s", code, errb)
	}
	got := out.String()
	for _, want := range []string{
		"attributed: 114 events (114 recomputed), 16 unattributed",
		"ACTOR KIND", "notebook-instance", "access-key-chain", "session-name",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("attribute --full output lacks %q:\n%s", want, got)
		}
	}
}

func TestAttributeCommandUsage(t *testing.T) {
	a, _, errb := testApp(t)
	if code := executeDB(t, a, "attribute", "extra"); code != exitUsage {
		t.Errorf("attribute extra exit = %d, want %d; stderr:\n%s", code, exitUsage, errb)
	}
}

// executeDB runs the command on a's own database. The persistent --db
// flag resets app.DBPath to its default when the root command is built, so
// tests pass the path explicitly.
func executeDB(t *testing.T, a *app, args ...string) int {
	t.Helper()
	return execute(t, a, append([]string{"--db", a.DBPath}, args...)...)
}

func TestAttributeMemoryLimit(t *testing.T) {
	a, _, errb := testApp(t)
	// A mistyped --db is an error, not a new empty database.
	if code := executeDB(t, a, "attribute"); code != exitError || !strings.Contains(errb.String(), "database does not exist") {
		t.Errorf("attribute on a missing database exit = %d, want %d; stderr:\n%s", code, exitError, errb)
	}
	if _, err := os.Stat(a.DBPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("attribute on a missing database left %s behind (stat: %v)", a.DBPath, err)
	}
	if code := executeDB(t, a, "ingest", t.TempDir()); code != exitOK {
		t.Fatalf("ingest of an empty folder exit = %d; stderr:\n%s", code, errb)
	}
	var logs bytes.Buffer
	a.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if code := executeDB(t, a, "attribute"); code != exitOK {
		t.Fatalf("attribute exit = %d; stderr:\n%s", code, errb)
	}
	// DuckDB's own reading of the limit: 400MB is 381 MiB.
	if got := logs.String(); !strings.Contains(got, `memory_limit="381.0 MiB"`) {
		t.Errorf("default limit not applied; log:\n%s", got)
	}
	logs.Reset()
	if code := executeDB(t, a, "attribute", "--memory-limit", "2GiB"); code != exitOK {
		t.Fatalf("attribute --memory-limit 2GiB exit = %d; stderr:\n%s", code, errb)
	}
	if got := logs.String(); !strings.Contains(got, `memory_limit="2.0 GiB"`) {
		t.Errorf("--memory-limit 2GiB not applied; log:\n%s", got)
	}
	errb.Reset()
	if code := executeDB(t, a, "attribute", "--memory-limit", "0MB"); code != exitUsage {
		t.Errorf("--memory-limit 0MB exit = %d, want %d; stderr:\n%s", code, exitUsage, errb)
	}
	errb.Reset()
	if code := executeDB(t, a, "attribute", "--memory-limit", "lots"); code != exitUsage {
		t.Errorf("--memory-limit lots exit = %d, want %d", code, exitUsage)
	}
	if got := errb.String(); !strings.Contains(got, "--memory-limit") || !strings.Contains(got, "lots") {
		t.Errorf("--memory-limit lots error does not name the flag and value:\n%s", got)
	}
}
