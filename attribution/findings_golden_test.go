package attribution_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/corpus"
	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

// findingsScenario is the demo scenario with misuse for every compute kind
// (notebooks, a chain from a notebook, a stopped notebook, EC2, Lambda,
// ECS, a copied session) and the decoys (NAT address changes, notebooks
// moving between subnets behind their endpoint, KMS calls S3 makes on a
// session's behalf, S3 calls through the VPC endpoint).
var findingsScenario = corpus.Config{Seed: 11, Events: 12000, EventsPerFile: 20, Scenario: corpus.ScenarioDemo,
	DuplicateRate: -1, GovCloud: true, Misuse: true, Workers: 2}

// dumpFindings renders the findings table, one line per finding.
func dumpFindings(t testing.TB, db *store.DB) string {
	t.Helper()
	lines := queryLines(t, db, `SELECT concat_ws(E'\t', kind, severity, coalesce(account_id, '-'), actor_kind, coalesce(actor, '-'),
			coalesce(access_key_id, '-'), strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ'), strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ'),
			array_to_string(source_ips, ' '), events, coalesce(array_to_string(home_places, ' '), '-'), reason)
		FROM findings ORDER BY kind, account_id, actor_kind, actor, first_seen, access_key_id`)
	return strings.Join(lines, "\n") + "\n"
}

// TestFindingsScenario golden-tests the findings on findingsScenario and
// checks that every finding holds only injected misuse.
func TestFindingsScenario(t *testing.T) {
	db := openDB(t)
	generateWithMisuse(t, db, findingsScenario)
	golden.Check(t, filepath.Join("testdata", "findings.golden"), []byte(dumpFindings(t, db)))
	wrong := queryLines(t, db, `SELECT a.event_id || ' ' || a.finding || ' ' || a.actor_kind || ' ' || a.actor
		FROM attributions a JOIN truth t USING (event_id)
		WHERE a.finding IS NOT NULL AND a.finding IS DISTINCT FROM nullif(t.finding, '') ORDER BY 1`)
	if len(wrong) > 0 {
		t.Errorf("%d calls carry a finding the truth does not, first: %s", len(wrong), wrong[0])
	}
}

// TestFindingsIncremental checks that findings after two incremental runs
// (half the logs, then the rest) equal those of one full run.
func TestFindingsIncremental(t *testing.T) {
	dir := t.TempDir()
	cfg := findingsScenario
	cfg.Events = 4000
	if _, err := corpus.Generate(context.Background(), cfg, corpus.DirWriter(dir), nil); err != nil {
		t.Fatal(err)
	}
	// Split the logs by the time in their names: the earlier half first.
	var files []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json.gz") && !strings.Contains(p, "Digest") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool {
		return filepath.Base(files[i])[13:] < filepath.Base(files[j])[13:]
	})
	later := t.TempDir()
	for i, p := range files[len(files)/2:] {
		if err := os.Rename(p, filepath.Join(later, filepath.Base(p)+"-"+string(rune('a'+i%26))+".json.gz")); err != nil {
			t.Fatal(err)
		}
	}

	inc := openDB(t)
	load(t, inc, dir)
	attribute(t, inc, false)
	load(t, inc, later)
	attribute(t, inc, false)

	full := openDB(t)
	load(t, full, dir)
	load(t, full, later)
	attribute(t, full, true)

	want, got := dumpFindings(t, full), dumpFindings(t, inc)
	if strings.Count(want, "\n") < 3 {
		t.Fatalf("full run found %d findings, want several:\n%s", strings.Count(want, "\n"), want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("incremental findings differ from a full run's (-full +incremental):\n%s", diff)
	}
	marks := `SELECT event_id || ' ' || finding FROM attributions WHERE finding IS NOT NULL ORDER BY 1`
	if diff := cmp.Diff(queryLines(t, full, marks), queryLines(t, inc, marks)); diff != "" {
		t.Errorf("incremental attributions.finding differ from a full run's (-full +incremental):\n%s", diff)
	}
}
