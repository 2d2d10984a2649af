package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/store"
)

// readSummary decodes a --summary-json file, refusing fields the
// documented type does not have.
func readSummary(t *testing.T, path string) runSummary {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var s runSummary
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// countRows runs a one-number query on the test database.
func countRows(t *testing.T, a *app, q string) int64 {
	t.Helper()
	db, err := store.Open(t.Context(), a.DBPath, store.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.SQL.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func phases(s runSummary) []string {
	var names []string
	for _, p := range s.Phases {
		names = append(names, p.Name)
	}
	return names
}

// TestIngestSummaryJSON runs ingest with --summary-json on a folder with
// one good and one malformed object: the file says what the text summary
// says, names the failure, and carries the exit code.
func TestIngestSummaryJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/a.json"),
		`{"Records":[{"eventVersion":"1.08","eventID":"e1","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:00:00Z","userIdentity":{"type":"IAMUser","userName":"pat","accountId":"111122223333"}},
		{"eventVersion":"1.08","eventID":"e2","eventName":"GetObject","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:01:00Z","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/R/botocore-session-1"}},
		{"eventID":"e3","eventName":"GetObject"}]}`)
	bad := filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/bad.json")
	writeFile(t, bad, `{"Records":[{"eventID":`)
	out := filepath.Join(t.TempDir(), "summary.json")

	a, _, errb := testApp(t)
	if code := executeDB(t, a, "ingest", "--summary-json", out, dir); code != exitPartial {
		t.Fatalf("ingest exit = %d, want %d; stderr:\n%s", code, exitPartial, errb)
	}
	s := readSummary(t, out)
	if s.Command != "ingest" || s.ExitCode != exitPartial || s.Error == "" {
		t.Errorf("command %q, exit_code %d, error %q; want ingest, %d and the failure", s.Command, s.ExitCode, s.Error, exitPartial)
	}
	if s.Ingest == nil || s.Attribution == nil {
		t.Fatalf("summary without ingest or attribution: %+v", s)
	}
	in := s.Ingest
	if in.Objects.Loaded != 1 || in.Objects.Failed != 1 || in.Events.New != countRows(t, a, "SELECT count(*) FROM events") {
		t.Errorf("objects %+v, events %+v", in.Objects, in.Events)
	}
	if len(in.Failures) != 1 || in.Failures[0].URI != bad || in.Failures[0].Reason == "" {
		t.Errorf("failures = %+v, want %s with its reason", in.Failures, bad)
	}
	good := filepath.Join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/a.json")
	if in.Records.Rejected != 1 || in.Records.ObjectsRejecting != 1 || len(in.Rejections) != 1 ||
		in.Rejections[0].URI != good || in.Rejections[0].Reason != "record 3 is an event without eventSource" {
		t.Errorf("records %+v, rejections %+v; want record 3 of %s rejected", in.Records, in.Rejections, good)
	}
	at := s.Attribution
	if at.Events != 2 || at.Unattributed != countRows(t, a, "SELECT count(*) FROM attributions WHERE actor_kind = 'unattributed'") ||
		at.AttributedShare != 0.5 || len(at.Counts) == 0 {
		t.Errorf("attribution = %+v, want 2 events, half attributed", at)
	}
	if got, want := phases(s), []string{"load", "attribute"}; !cmp.Equal(got, want) {
		t.Errorf("phases %v, want %v", got, want)
	}
	if !s.FinishedAt.Equal(a.Now()) || !s.StartedAt.Equal(a.Now()) {
		t.Errorf("started %v, finished %v; want the app's clock", s.StartedAt, s.FinishedAt)
	}

	// Without the flag, no file and no summary collected.
	b, _, _ := testApp(t)
	b.DBPath = a.DBPath
	if code := executeDB(t, b, "ingest", dir); code != exitPartial || b.summary != nil {
		t.Errorf("ingest without --summary-json: exit %d, summary %v", code, b.summary)
	}
}

// TestAttributeAndPruneSummaryJSON checks the attribute and prune
// summaries, and that a failed run still writes its exit code.
func TestAttributeAndPruneSummaryJSON(t *testing.T) {
	a, _, errb := testApp(t)
	if code := executeDB(t, a, "ingest", filepath.Join("..", "..", "testdata", "scenario")); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	dir := t.TempDir()
	att := filepath.Join(dir, "attribute.json")
	if code := executeDB(t, a, "attribute", "--full", "--summary-json", att); code != exitOK {
		t.Fatalf("attribute exit = %d; stderr:\n%s", code, errb)
	}
	s := readSummary(t, att)
	events := countRows(t, a, "SELECT count(*) FROM events")
	if s.Command != "attribute" || s.ExitCode != 0 || s.Ingest != nil || s.Attribution == nil ||
		s.Attribution.Events != events || s.Attribution.Recomputed != events || !s.Attribution.Full {
		t.Errorf("attribute summary = %+v (attribution %+v), want %d events recomputed", s, s.Attribution, events)
	}
	var sum int64
	for _, c := range s.Attribution.Counts {
		sum += c.Events
	}
	if sum != events {
		t.Errorf("counts add up to %d, want %d", sum, events)
	}
	var findings int64
	for _, f := range s.Attribution.Findings {
		findings += f.Findings
	}
	if s.Attribution.Findings == nil || findings != countRows(t, a, "SELECT count(*) FROM findings") {
		t.Errorf("findings %+v, want the findings table's %d by kind", s.Attribution.Findings, countRows(t, a, "SELECT count(*) FROM findings"))
	}

	pr := filepath.Join(dir, "prune.json")
	if code := executeDB(t, a, "prune", "--before", "2026-01-01", "--summary-json", pr); code != exitOK {
		t.Fatalf("prune exit = %d; stderr:\n%s", code, errb)
	}
	s = readSummary(t, pr)
	if s.Command != "prune" || s.Prune == nil || s.Prune.Remaining != countRows(t, a, "SELECT count(*) FROM events") || s.Prune.DryRun {
		t.Errorf("prune summary = %+v (prune %+v)", s, s.Prune)
	}
	if got := phases(s); len(got) == 0 || got[0] != "prune" {
		t.Errorf("prune phases %v, want prune first", got)
	}

	// A run that fails still writes its summary, with the exit code.
	bad := filepath.Join(dir, "bad.json")
	if code := execute(t, a, "--db", filepath.Join(dir, "none.duckdb"), "attribute", "--summary-json", bad); code != exitError {
		t.Fatalf("attribute on a missing database exit = %d, want %d", code, exitError)
	}
	if s := readSummary(t, bad); s.ExitCode != exitError || s.Error == "" || s.Attribution != nil {
		t.Errorf("failed run's summary = %+v", s)
	}
}
