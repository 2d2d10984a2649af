package attribution_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/store"
)

// samplesDir holds public CloudTrail samples beside the project; see its
// SOURCES.md.
var samplesDir = filepath.Join("..", "..", "shared", "cloudtrail-samples")

// samplesDB loads and attributes the public samples, skipping the test
// where they are absent (failing when CI is set).
func samplesDB(t *testing.T) *store.DB {
	t.Helper()
	if _, err := os.Stat(samplesDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared samples missing in CI: %v", err)
		}
		t.Skipf("shared samples not found at %s; skipping", samplesDir)
	}
	db := openDB(t)
	src, err := ingest.OpenSource(t.Context(), samplesDir, ingest.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Two Panther rule-test records lack eventSource: they are rejected,
	// the rest loads (ingest's TestLoadPublicSamples says which).
	sum, err := ingest.Load(t.Context(), db, src, ingest.Options{Workers: 2})
	if err != nil && (!errors.Is(err, ingest.ErrRecordsRejected) || sum.RecordsRejected != 2) {
		t.Fatalf("loading the samples: %v (%d records rejected)", err, sum.RecordsRejected)
	}
	attribute(t, db, true)
	return db
}

// TestSharedSamples asserts what a careful analyst concludes from real
// logs: the OTRF credential theft (EC2 issued key ASIA5FLZVX4OPVKKVBMX to
// i-0317f6c6b66ae9c40, then it was used from 1.2.3.4, the address of IAM
// user pedro's console session) and the Stratus Red Team AssumeRole chains.
func TestSharedSamples(t *testing.T) {
	db := samplesDB(t)
	got := byEvent(t, db)

	// OTRF: every call made with the stolen key.
	rows, err := db.SQL.Query(`SELECT event_id FROM events WHERE access_key_id = 'ASIA5FLZVX4OPVKKVBMX'`)
	if err != nil {
		t.Fatal(err)
	}
	var stolen []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stolen = append(stolen, id)
	}
	rows.Close()
	if len(stolen) != 11 {
		t.Fatalf("OTRF: %d events with key ASIA5FLZVX4OPVKKVBMX, want 11", len(stolen))
	}
	for _, id := range stolen {
		a := got[id]
		if a.Kind != "ec2-instance" || a.Actor != "i-0317f6c6b66ae9c40" || a.Method != "access-key-chain" || a.Confidence != "high" {
			t.Errorf("OTRF %s: %+v, want ec2-instance i-0317f6c6b66ae9c40 by access-key-chain, high", id, a.short())
		}
		// From 1.2.3.4, IAM user pedro's address, with a macOS CLI.
		if f := findingOf(t, db, id); f != attribution.FindingOffCompute {
			t.Errorf("OTRF %s: finding %q, want %s", id, f, attribution.FindingOffCompute)
		}
	}

	// Stratus: sessions assumed by IAM user christophe (aws-go-sdk-* names)
	// are his, through the issued keys; the EC2 instance whose credentials
	// were stolen keeps them, with a finding because christophe used the
	// address.
	checks := []struct {
		where, kind, actor, method string
	}{
		{`principal_arn LIKE '%assumed-role/stratus-red-team-get-usr-data-role/aws-go-sdk-%'`, "iam-user", "christophe", "access-key-chain"},
		{`principal_arn LIKE '%assumed-role/stratus-red-team-ec2-get-password-data-role/aws-go-sdk-%'`, "iam-user", "christophe", "access-key-chain"},
		{`principal_arn LIKE '%assumed-role/stratus-red-team-leave-org-role/aws-go-sdk-%'`, "iam-user", "christophe", "access-key-chain"},
		{`principal_arn LIKE '%assumed-role/stratus-red-team-ec2lui-role-%/aws-go-sdk-%'`, "iam-user", "christophe", "access-key-chain"},
		{`session_name = 'i-786a3A8B5C0d92eF4'`, "ec2-instance", "i-786a3A8B5C0d92eF4", "ec2-instance-id"},
	}
	for _, c := range checks {
		rows, err := db.SQL.Query(`SELECT event_id FROM events WHERE ` + c.where)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			n++
			a := got[id]
			if a.Kind != c.kind || a.Actor != c.actor || a.Method != c.method || a.Confidence != "high" {
				t.Errorf("Stratus %s (%s): %+v, want %s %s by %s, high", id, c.where, a.short(), c.kind, c.actor, c.method)
			}
			if f := findingOf(t, db, id); c.kind == "ec2-instance" && f != attribution.FindingOffCompute {
				t.Errorf("Stratus %s: finding %q, want %s (christophe's address)", id, f, attribution.FindingOffCompute)
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("Stratus: no events where %s", c.where)
		}
	}

	// Every event has exactly one attribution.
	var events, attributed, distinct int64
	if err := db.SQL.QueryRow(`SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attributions),
		(SELECT count(DISTINCT event_id) FROM attributions)`).Scan(&events, &attributed, &distinct); err != nil {
		t.Fatal(err)
	}
	if events != attributed || attributed != distinct {
		t.Errorf("%d events, %d attributions, %d distinct: want one each", events, attributed, distinct)
	}
}

// findingOf returns the finding attribution marked an event with, or "".
func findingOf(t *testing.T, db *store.DB, eventID string) string {
	t.Helper()
	var f sql.NullString
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT finding FROM attributions WHERE event_id = $1`, eventID).Scan(&f); err != nil {
		t.Fatal(err)
	}
	return f.String
}
