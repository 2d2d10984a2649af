package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/store"
)

// testApp returns an app writing to buffers, with a fixed clock and a
// database in a temp folder.
func testApp(t *testing.T) (*app, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		Out:    &out,
		Err:    &errb,
		In:     strings.NewReader(""),
		Now:    func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		Getenv: func(string) string { return "" },
		DBPath: filepath.Join(t.TempDir(), "test.duckdb"),
	}
	a.Log = newDiscardLogger()
	a.AWSConfig = testAWSConfig(t)
	return a, &out, &errb
}

// execute runs the root command with args and returns the exit code.
func execute(t *testing.T, a *app, args ...string) int {
	t.Helper()
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	if err != nil {
		printError(a.Err, err)
	}
	return exitCode(err)
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{usageErrorf("bad"), 2},
		{context.Canceled, 130},
		{&partialError{"x"}, 3},
		{os.ErrNotExist, 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestIngestCommand(t *testing.T) {
	dir := t.TempDir()
	good := `{"Records":[{"eventVersion":"1.08","eventID":"e1","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:00:00Z"}]}`
	key := "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0000Z_a.json"
	writeFile(t, filepath.Join(dir, key), good)
	writeFile(t, filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/bad.json"), `{"Records":[{"eventID":`)

	a, out, errb := testApp(t)
	if code := execute(t, a, "ingest", "--no-attribute", dir); code != exitPartial {
		t.Fatalf("ingest exit = %d, want %d; stderr:\n%s", code, exitPartial, errb)
	}
	for _, want := range []string{"objects: 1 loaded, 0 unchanged, 0 skipped, 1 failed", "events:  1 new, 0 duplicate", "failed:  " + filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/bad.json")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errb.String(), "1 object failed to load (listed above; retried next run)") {
		t.Errorf("stderr lacks the failure line:\n%s", errb)
	}

	a2, out2, _ := testApp(t)
	a2.DBPath = a.DBPath
	execute(t, a2, "ingest", "--no-attribute", dir)
	if !strings.Contains(out2.String(), "objects: 0 loaded, 1 unchanged, 0 skipped, 1 failed") {
		t.Errorf("second ingest output:\n%s", out2)
	}
}

func TestIngestUsage(t *testing.T) {
	tests := [][]string{
		{"ingest"},
		{"ingest", "--since", "yesterday", "x"},
		{"ingest", "--no-such-flag", "x"},
		{"ingest", "--workers", "-1", "x"},
	}
	for _, args := range tests {
		a, _, errb := testApp(t)
		if code := execute(t, a, args...); code != exitUsage {
			t.Errorf("%v exit = %d, want %d; stderr:\n%s", args, code, exitUsage, errb)
		}
	}
}

func TestIngestMissingSource(t *testing.T) {
	a, _, errb := testApp(t)
	if code := execute(t, a, "ingest", filepath.Join(t.TempDir(), "nope")); code != exitError {
		t.Errorf("exit = %d, want %d", code, exitError)
	}
	if !strings.Contains(errb.String(), "nope") {
		t.Errorf("error does not name the source:\n%s", errb)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIngestRerunAttributes checks when a re-run that loads nothing
// attributes: not when every event has its attribution, but when a crash
// left events without one.
func TestIngestRerunAttributes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/a.json"),
		`{"Records":[{"eventVersion":"1.08","eventID":"e1","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:00:00Z","userIdentity":{"type":"IAMUser","userName":"pat","accountId":"111122223333"}}]}`)
	a, _, errb := testApp(t)
	if code := execute(t, a, "ingest", dir); code != 0 {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	db, err := store.Open(t.Context(), a.DBPath, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(`DELETE FROM attributions`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if code := execute(t, a, "ingest", dir); code != 0 {
		t.Fatalf("second ingest exit = %d; stderr:\n%s", code, errb)
	}
	db, err = store.Open(t.Context(), a.DBPath, store.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM attributions WHERE actor = 'pat'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after a re-run, attributions of pat = %d, %v; want 1", n, err)
	}
}

func TestIngestResumesListing(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "scenario"))); err != nil {
		t.Fatal(err)
	}
	a, out, errb := testApp(t)
	if code := executeDB(t, a, "ingest", "--no-attribute", dir); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	// A file copied into a day folder before the latest one's eve: not
	// where CloudTrail delivers, so only --relist finds it.
	region := filepath.Join(dir, "AWSLogs", "o-a1b2c3d4e5", "111111111111", "CloudTrail", "us-east-1")
	old, err := os.ReadFile(filepath.Join(region, "2024", "05", "01", "111111111111_CloudTrail_us-east-1_20240501T0900Z_aaaa1111.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(region, "2024", "05", "01", "copy.json.gz"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := executeDB(t, a, "ingest", "--no-attribute", dir); code != exitOK {
		t.Fatalf("second ingest exit = %d; stderr:\n%s", code, errb)
	}
	if got := out.String(); !strings.Contains(got, "objects: 0 loaded") || !strings.Contains(got, "listing: resumed in 6 region folders") {
		t.Errorf("second ingest output:\n%s\nwant nothing loaded and the listing resumed in the 6 region folders", got)
	}
	out.Reset()
	if code := executeDB(t, a, "ingest", "--no-attribute", "--relist", dir); code != exitOK {
		t.Fatalf("ingest --relist exit = %d; stderr:\n%s", code, errb)
	}
	if got := out.String(); !strings.Contains(got, "objects: 1 loaded") || strings.Contains(got, "listing:") {
		t.Errorf("ingest --relist output:\n%s\nwant the copied object loaded", got)
	}
}

// releaseOnWrite calls release the first time something is written to it.
type releaseOnWrite struct {
	bytes.Buffer
	once    sync.Once
	release func()
}

func (w *releaseOnWrite) Write(p []byte) (int, error) {
	w.once.Do(w.release)
	return w.Buffer.Write(p)
}

func TestRetryLock(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/a.json"),
		`{"Records":[{"eventVersion":"1.08","eventID":"e1","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:00:00Z"}]}`)
	a, _, errb := testApp(t)
	if code := execute(t, a, "ingest", dir); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}

	for _, args := range [][]string{{"query", "coverage"}, {"ingest", dir}} {
		holder, err := store.Open(t.Context(), a.DBPath, store.ReadWrite)
		if err != nil {
			t.Fatal(err)
		}
		// Without the flag the command fails at once and says what to do.
		b, _, errb := testApp(t)
		b.DBPath = a.DBPath
		if code := execute(t, b, args...); code != exitError || !strings.Contains(errb.String(), "database in use") || !strings.Contains(errb.String(), "--retry-lock") {
			t.Errorf("%v while held: exit %d, stderr:\n%s\nwant exit 1, database in use and the --retry-lock hint", args, code, errb)
		}

		// With it, the command warns, waits, and runs once the holder
		// lets go; the holder lets go when the warning is written.
		var released atomic.Bool
		logs := &releaseOnWrite{release: func() {
			released.Store(true)
			holder.Close()
		}}
		c, out, errc := testApp(t)
		c.DBPath = a.DBPath
		c.Log = slog.New(slog.NewTextHandler(logs, nil))
		if code := execute(t, c, append([]string{"--retry-lock", "1m"}, args...)...); code != exitOK {
			t.Errorf("%v --retry-lock 1m: exit %d, stderr:\n%s", args, code, errc)
		}
		if !released.Load() || !strings.Contains(logs.String(), "Database in use; waiting") {
			t.Errorf("%v --retry-lock 1m ran without waiting; logs:\n%s", args, logs.String())
		}
		if out.Len() == 0 {
			t.Errorf("%v --retry-lock 1m printed nothing", args)
		}
		holder.Close()
	}

	b, _, _ := testApp(t)
	if code := execute(t, b, "query", "coverage", "--retry-lock", "-1s"); code != exitUsage {
		t.Errorf("--retry-lock -1s exit = %d, want %d", code, exitUsage)
	}
}
