package main

import (
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
		"attributed: 51 events (51 recomputed), 6 unattributed",
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
