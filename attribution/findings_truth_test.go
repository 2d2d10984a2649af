package attribution_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/internal/corpus"
	"github.com/ctattrib/ctattrib/store"
)

// score is precision and recall of one finding kind, at the level of
// calls and of findings.
type score struct {
	kind                             string
	eventTP, eventFP, eventFN        int64
	findings, findingsTrue           int64 // findings, and those holding a call of the kind's misuse
	campaigns, campaignsFound        int64 // victims' misuse in the truth, and those some finding holds
	eventPrecision, eventRecall      float64
	findingPrecision, campaignRecall float64
}

func (s score) String() string {
	return fmt.Sprintf("%-38s calls: precision %.3f recall %.3f (tp %d fp %d fn %d); findings: precision %.3f (%d/%d), recall %.3f (%d/%d victims)",
		s.kind, s.eventPrecision, s.eventRecall, s.eventTP, s.eventFP, s.eventFN,
		s.findingPrecision, s.findingsTrue, s.findings, s.campaignRecall, s.campaignsFound, s.campaigns)
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// generateWithMisuse writes a corpus with injected misuse and its truth,
// loads and attributes it, and loads the truth into the table truth.
func generateWithMisuse(t testing.TB, db *store.DB, cfg corpus.Config) {
	t.Helper()
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	f, err := os.Create(filepath.Join(dir, "truth.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Misuse = true
	if _, err := corpus.Generate(context.Background(), cfg, corpus.DirWriter(logs), f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	load(t, db, logs)
	attribute(t, db, true)
	if _, err := db.SQL.ExecContext(context.Background(), `CREATE TABLE truth AS
		SELECT * FROM read_csv($1, header = true, all_varchar = true)`, filepath.Join(dir, "truth.csv")); err != nil {
		t.Fatal(err)
	}
}

// scoreFindings compares attributions.finding and the findings table with
// the truth table, per kind.
func scoreFindings(t testing.TB, db *store.DB) []score {
	t.Helper()
	ctx := context.Background()
	var out []score
	for _, kind := range []string{corpus.FindingOffCompute, corpus.FindingAfterEnded, corpus.FindingManyPlaces} {
		s := score{kind: kind}
		err := db.SQL.QueryRowContext(ctx, `SELECT
			count(*) FILTER (WHERE a.finding = $1 AND t.finding = $1),
			count(*) FILTER (WHERE a.finding = $1 AND coalesce(t.finding, '') <> $1),
			count(*) FILTER (WHERE coalesce(a.finding, '') <> $1 AND t.finding = $1)
			FROM attributions a JOIN truth t USING (event_id)`, kind).Scan(&s.eventTP, &s.eventFP, &s.eventFN)
		if err != nil {
			t.Fatal(err)
		}
		err = db.SQL.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE EXISTS (
				SELECT 1 FROM truth t WHERE t.event_id IN (SELECT unnest(f.event_ids)) AND t.finding = f.kind))
			FROM findings f WHERE f.kind = $1`, kind).Scan(&s.findings, &s.findingsTrue)
		if err != nil {
			t.Fatal(err)
		}
		err = db.SQL.QueryRowContext(ctx, `WITH v AS (
				SELECT t.account_id, t.actor_kind, t.actor, bool_or(a.finding IS NOT NULL) AS found
				FROM truth t JOIN attributions a USING (event_id) WHERE t.finding = $1 GROUP BY ALL)
			SELECT count(*), count(*) FILTER (WHERE found) FROM v`, kind).Scan(&s.campaigns, &s.campaignsFound)
		if err != nil {
			t.Fatal(err)
		}
		s.eventPrecision = ratio(s.eventTP, s.eventTP+s.eventFP)
		s.eventRecall = ratio(s.eventTP, s.eventTP+s.eventFN)
		s.findingPrecision = ratio(s.findingsTrue, s.findings)
		s.campaignRecall = ratio(s.campaignsFound, s.campaigns)
		out = append(out, s)
	}
	return out
}

// TestFindingsPrecisionRecall measures the findings on a generated corpus
// whose truth marks the injected misuse (stolen notebook, chained, EC2,
// Lambda and ECS credentials used from laptops, other clouds and another
// VPC; a stopped notebook's key; a session copied elsewhere) among decoys
// that must not fire (NAT gateway address changes, notebooks moving
// between subnets behind their VPC endpoint, AWS services calling on a
// session's behalf).
func TestFindingsPrecisionRecall(t *testing.T) {
	db := openDB(t)
	generateWithMisuse(t, db, corpus.Config{Seed: 7, Events: 40_000, EventsPerFile: 40, DuplicateRate: -1, Federated: true})
	for _, s := range scoreFindings(t, db) {
		t.Log(s)
		if s.eventPrecision < 0.95 || s.findingPrecision < 0.95 {
			t.Errorf("%s: precision below 0.95", s.kind)
		}
		if s.eventRecall < 0.9 || s.campaignRecall < 0.9 {
			t.Errorf("%s: recall below 0.9", s.kind)
		}
		if s.campaigns == 0 {
			t.Errorf("%s: the corpus holds no misuse of this kind", s.kind)
		}
	}
	// The victims no finding names, for the log.
	for _, l := range queryLines(t, db, `SELECT concat_ws(' ', 'missed:', t.finding, t.actor_kind, t.actor, count(*), min(e.source_ip), min(e.user_agent))
		FROM truth t JOIN attributions a USING (event_id) JOIN events e USING (event_id)
		WHERE t.finding <> '' AND a.finding IS NULL GROUP BY t.finding, t.actor_kind, t.actor ORDER BY 1`) {
		t.Log(l)
	}
	if t.Failed() {
		for _, l := range queryLines(t, db, `SELECT concat_ws(' | ', f.kind, f.actor_kind, f.actor, f.access_key_id, f.events, f.reason)
			FROM findings f WHERE NOT EXISTS (SELECT 1 FROM truth t WHERE t.event_id IN (SELECT unnest(f.event_ids)) AND t.finding = f.kind)
			ORDER BY ALL LIMIT 40`) {
			t.Log(l)
		}
		for _, l := range queryLines(t, db, `SELECT concat_ws(' | ', coalesce(a.finding, '-'), coalesce(t.finding, '-'),
				a.actor_kind, a.actor, e.access_key_id, e.source_ip, e.vpc_endpoint_id, e.event_name, e.event_time::VARCHAR, left(e.user_agent, 40))
			FROM attributions a JOIN truth t USING (event_id) JOIN events e USING (event_id)
			WHERE coalesce(a.finding, '') <> coalesce(t.finding, '') ORDER BY e.event_time LIMIT 10`) {
			t.Log(strings.TrimSpace(l))
		}
	}
}

// TestFindingsPrecisionCtgenCorpus scores the corpus `ctgen --events 40000
// --misuse --truth` writes, whose thefts and NAT gateway address changes
// fall on the same session keys: the copy's calls once made the notebook's
// own calls from its new address look like a second copy (1,862 calls
// wrongly marked one-session-many-places).
func TestFindingsPrecisionCtgenCorpus(t *testing.T) {
	db := openDB(t)
	generateWithMisuse(t, db, corpus.Config{Seed: 1, Events: 40_000})
	for _, s := range scoreFindings(t, db) {
		t.Log(s)
		if s.eventPrecision < 0.95 || s.findingPrecision < 0.95 {
			t.Errorf("%s: precision below 0.95", s.kind)
		}
	}
}

// TestFindingsPrecisionRecallLarge scores the findings at the scale of
// FINDINGS_EVENTS events (the bench scenario, 1,000 events per file) and
// logs the figures and the time Findings takes alone. It is skipped unless
// FINDINGS_EVENTS is set; at 1,000,000 it takes minutes (FINDINGS_LOG=1
// logs each step's time):
//
//	FINDINGS_EVENTS=1000000 go test -run TestFindingsPrecisionRecallLarge -v -timeout 60m ./attribution
func TestFindingsPrecisionRecallLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FINDINGS_EVENTS"))
	if n <= 0 || testing.Short() {
		t.Skip("set FINDINGS_EVENTS to the number of events to score")
	}
	db := openDB(t)
	t0 := time.Now()
	generateWithMisuse(t, db, corpus.Config{Seed: 1, Events: n, DuplicateRate: -1})
	t.Logf("%d events generated, loaded and attributed in %v", n, time.Since(t0).Round(time.Second))
	for range 2 {
		t1 := time.Now()
		if _, err := attribution.Run(context.Background(), db, attribution.Options{Full: true}); err != nil {
			t.Fatal(err)
		}
		t2 := time.Now()
		var fo attribution.FindingsOptions
		if os.Getenv("FINDINGS_LOG") != "" { // each step's time
			fo.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
		sum, err := attribution.Findings(context.Background(), db, fo)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("attribute --full (with findings) %v; findings alone %v: %+v", t2.Sub(t1).Round(time.Millisecond),
			time.Since(t2).Round(time.Millisecond), sum.Counts)
	}
	for _, s := range scoreFindings(t, db) {
		t.Log(s)
		if s.eventPrecision < 0.95 || s.findingPrecision < 0.95 {
			t.Errorf("%s: precision below 0.95", s.kind)
		}
	}
	for _, l := range queryLines(t, db, `SELECT concat_ws(' ', 'missed:', t.finding, t.actor_kind, t.actor, count(*), min(e.source_ip))
		FROM truth t JOIN attributions a USING (event_id) JOIN events e USING (event_id)
		WHERE t.finding <> '' AND a.finding IS NULL GROUP BY t.finding, t.actor_kind, t.actor ORDER BY 1 LIMIT 30`) {
		t.Log(l)
	}
}
