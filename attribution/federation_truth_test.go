package attribution_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ctattrib/ctattrib/internal/corpus"
)

// TestFederatedCorpusTruth generates the demo corpus with federated
// callers (pods through IRSA and EKS Pod Identity, a GitHub Actions
// workflow, a SAML user, a pod's role in the other account) and checks
// that every call the truth gives one of them is attributed to it, that
// nothing else is, and that their calls raise no finding: a pod or a CI
// run is not a compute whose credentials were copied.
func TestFederatedCorpusTruth(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	f, err := os.Create(filepath.Join(dir, "truth.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := corpus.Config{Seed: 11, Scenario: corpus.ScenarioDemo, Events: 4000, Federated: true, Misuse: false}
	if _, err := corpus.Generate(context.Background(), cfg, corpus.DirWriter(logs), f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	truth := readTruth(t, filepath.Join(dir, "truth.csv"))
	db := openDB(t)
	load(t, db, logs)
	attribute(t, db, true)
	got := byEvent(t, db)

	federated := map[string]bool{corpus.KindServiceAccount: true, corpus.KindGitHubActions: true, corpus.KindSAMLUser: true}
	counts := map[string]int{}
	var wrong []string
	for id, want := range truth {
		a := got[id]
		switch {
		case federated[want.Kind]:
			counts[want.Kind+" "+want.Actor]++
			if a.Kind != want.Kind || a.Actor != want.Actor {
				wrong = append(wrong, id+": got "+a.Kind+" "+a.Actor+" ("+a.Method+"), want "+want.Kind+" "+want.Actor+"; reason "+a.Reason)
			}
		case federated[a.Kind]:
			wrong = append(wrong, id+": got "+a.Kind+" "+a.Actor+" ("+a.Method+"), want "+want.Kind+" "+want.Actor)
		}
	}
	sort.Strings(wrong)
	for i, w := range wrong {
		if i == 20 {
			t.Errorf("... and %d more", len(wrong)-i)
			break
		}
		t.Error(w)
	}
	for _, actor := range []string{corpus.KindServiceAccount + " ml/trainer", corpus.KindServiceAccount + " serving/inference",
		corpus.KindGitHubActions + " octo-org/model-deploy", corpus.KindSAMLUser + " erin@example.com"} {
		if counts[actor] == 0 {
			t.Errorf("the corpus holds no call of %s", actor)
		}
		t.Logf("%-45s %d calls", actor, counts[actor])
	}
	// The pod's calls in the other account, through the role it assumed.
	var chained, findings int64
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT
		count(*) FILTER (WHERE a.actor = 'ml/trainer' AND e.recipient_account_id <> a.account_id),
		count(*) FILTER (WHERE a.actor_kind IN ('kubernetes-service-account', 'github-actions', 'saml-user') AND a.finding IS NOT NULL)
		FROM attributions a JOIN events e USING (event_id)`).Scan(&chained, &findings); err != nil {
		t.Fatal(err)
	}
	if chained == 0 {
		t.Error("no call of ml/trainer in the other account is attributed to it")
	}
	if findings != 0 {
		t.Errorf("%d federated calls have a finding", findings)
	}
}
