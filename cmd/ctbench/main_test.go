package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for ctbench as its own children.
func TestMain(m *testing.M) {
	runChild()
	os.Exit(m.Run())
}

// TestRunSmall runs every step on a tiny corpus and checks that each row
// is there with figures that make sense.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ctattrib and runs it a dozen times")
	}
	cfg := config{Events: 2000, QueryEvents: 6000, Runs: 1, Seed: 1,
		Cache: t.TempDir(), Work: t.TempDir(), Markdown: filepath.Join(t.TempDir(), "bench.md")}
	s3 := true
	if _, err := findVersityGW(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI must measure the S3 ingest (.ci/install-s3.sh)", err)
		}
		t.Logf("%v: skipping the S3 row", err)
		cfg.SkipS3, s3 = true, false
	}
	var out, log bytes.Buffer
	if err := run(t.Context(), cfg, &out, &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	want := []string{
		"read_json baseline", "gunzip and split records alone", "ingest, local folder, with attribution", "load only",
		"incremental re-run", "memory vs size", "database size",
		"attribute --full, 6000 events", "query instances", "query whodid", "query denied", "query coverage",
		"query findings", "report, 6000 events", "report file size",
		"nightly ingest, 400 new events into 6000",
	}
	if s3 {
		want = append(want, "loopback S3")
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("no %q row in\n%s", w, out.String())
		}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "ingest, local folder, with attribution") && !strings.Contains(line, "x baseline") {
			t.Errorf("ingest row has no ratio to the baseline: %q", line)
		}
		if strings.HasPrefix(line, "query ") && !strings.Contains(line, "ms") && !strings.Contains(line, "s ") {
			t.Errorf("query row has no time: %q", line)
		}
	}
	md, err := os.ReadFile(cfg.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(md), "\n| "); rows != len(want)+1 {
		t.Errorf("markdown has %d table rows, want %d (header and one per step):\n%s", rows, len(want)+1, md)
	}

	// A second run reuses the cached corpus and large database.
	log.Reset()
	out.Reset()
	cfg.Work = t.TempDir()
	cfg.SkipS3 = true
	if err := run(t.Context(), cfg, &out, &log); err != nil {
		t.Fatalf("second run: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "corpus of 2000 events: cached") || !strings.Contains(log.String(), "database of 6000 events: cached") {
		t.Errorf("second run did not reuse the cache:\n%s", log.String())
	}
}
