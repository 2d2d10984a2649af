package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samplesDir is the public CloudTrail samples folder beside the project.
const samplesDir = "../../shared/cloudtrail-samples"

// requireSamples skips when the samples are absent (a user's fresh clone)
// and fails when CI is set, where they must be.
func requireSamples(t *testing.T) string {
	t.Helper()
	abs, _ := filepath.Abs(samplesDir)
	if _, err := os.Stat(abs); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but the public samples are missing at %s", abs)
		}
		t.Skipf("public samples not found at %s; skipping", abs)
	}
	return abs
}

func TestLoadPublicSamples(t *testing.T) {
	root := requireSamples(t)
	db := openTestDB(t)
	sum, err := load(t, db, root, Options{})
	// Panther's rule-test fixtures hold 2 records that are no events: S3
	// calls without eventSource. They are rejected, and the file's other
	// events load, the 15 without a time among them (13 have no eventTime,
	// 2 have "redacted" or "..."): stored without one.
	if !errors.Is(err, ErrRecordsRejected) || errors.Is(err, ErrObjectsFailed) || errors.Is(err, ErrListingFailed) {
		t.Fatalf("Load(samples) error = %v, want ErrRecordsRejected alone; failures: %+v", err, sum.Failures)
	}
	if sum.ObjectsFailed != 0 {
		t.Errorf("Load(samples) failed objects = %+v", sum.Failures)
	}
	if sum.RecordsRejected != 2 || sum.ObjectsRejecting != 1 || len(sum.Rejections) != 1 ||
		!strings.HasSuffix(sum.Rejections[0].URI, "panther-aws-cloudtrail-rule-tests.jsonl") {
		t.Errorf("Load(samples) rejected %d records in %d objects (%+v), want 2 in the Panther file", sum.RecordsRejected, sum.ObjectsRejecting, sum.Rejections)
	}
	if n := count(t, db, `SELECT count(*) FROM objects WHERE rejected = 2 AND rejected_reason = 'record 311 is an event without eventSource' AND status = 'loaded'`); n != 1 {
		t.Errorf("manifest rows with the Panther rejections = %d, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE source_uri LIKE '%panther%' AND event_time IS NULL`); n != 14 {
		t.Errorf("Panther events without a time = %d, want 14: the 15th, eventID \"redacted\", is taken for the Elastic sample event with that placeholder ID", n)
	}
	checkEvents(t, db)
	// SOURCES.md, the Panther index .tsv and the Elastic digest body are
	// not events.
	if n := count(t, db, `SELECT count(*) FROM objects WHERE status = 'skipped'`); n != 3 {
		t.Errorf("skipped objects = %d, want 3 (SOURCES.md, the .tsv index, the digest)", n)
	}
	if n := count(t, db, `SELECT count(*) FROM objects WHERE status = 'skipped' AND uri LIKE '%digest%' AND error LIKE '%digest%'`); n != 1 {
		t.Errorf("digest recorded as skipped = %d, want 1", n)
	}

	// Nothing is lost: every event of every sample file is in the table.
	// Some sources share events (Panther's fixtures reuse a Stratus event,
	// trailscraper's file is there plain and gzip'd): one row each.
	for _, dir := range []string{"stratus-red-team", "otrf-security-datasets", "trailscraper", "cribl-aws-sagemaker-io", "elastic-integrations", "panther-analysis"} {
		ids := sampleEventIDs(t, filepath.Join(root, dir))
		if len(ids) == 0 {
			t.Errorf("%s: no events decoded", dir)
		}
		missing := 0
		for id := range ids {
			if count(t, db, `SELECT count(*) FROM events WHERE event_id = ?`, id) != 1 {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%s: %d of %d event IDs are not stored exactly once", dir, missing, len(ids))
		}
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE source_uri LIKE '%/stratus-red-team/%' OR event_id = '1a4debbb-12e9-4bde-b8c7-ea29002bb2a7'`); n != 310 {
		t.Errorf("Stratus events = %d, want 310", n)
	}
	// The OTRF export has no eventTime: the Logstash @timestamp stands in.
	if n := count(t, db, `SELECT count(*) FROM events WHERE source_uri LIKE '%otrf%' AND event_time IS NULL`); n != 0 {
		t.Errorf("OTRF events without a time = %d, want 0", n)
	}
	// The stolen EC2 key is used 11 times, by the instance's session.
	if n := count(t, db, `SELECT count(*) FROM events WHERE access_key_id = 'ASIA5FLZVX4OPVKKVBMX' AND session_name = 'i-0317f6c6b66ae9c40' AND ec2_role_delivery = '1.0'`); n != 11 {
		t.Errorf("calls with the stolen key = %d, want 11", n)
	}
	// GovCloud session names parse.
	if n := count(t, db, `SELECT count(*) FROM events WHERE principal_arn LIKE 'arn:aws-us-gov:sts::%' AND session_name LIKE 'i-%'`); n != 1 {
		t.Errorf("GovCloud EC2 sessions = %d, want 1", n)
	}
	// Panther's placeholder eventIDs repeat across different fixture events;
	// events without an ID are all kept under content keys (48 records
	// have none).
	if n := count(t, db, `SELECT count(*) FROM events WHERE event_id LIKE 'ctattrib:%' AND source_uri LIKE '%panther%'`); n != 48 {
		t.Errorf("Panther events without eventID = %d, want 48", n)
	}

	// A second run changes nothing.
	sum, err = load(t, db, root, Options{})
	if err != nil || sum.ObjectsLoaded != 0 || sum.EventsNew != 0 || sum.RecordsRejected != 0 {
		t.Errorf("second Load(samples) = %+v, %v; want nothing loaded", sum, err)
	}
}

// sampleEventIDs decodes every file below dir and returns the event IDs.
func sampleEventIDs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		Decode(bytes.NewReader(data), func(raw []byte) error { //nolint:errcheck // non-event files are expected here
			var ev struct {
				EventID string `json:"eventID"`
			}
			if err := json.Unmarshal(raw, &ev); err != nil {
				return err
			}
			if ev.EventID != "" {
				ids[ev.EventID] = true
			}
			return nil
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
