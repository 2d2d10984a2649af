package attribution_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctattrib/ctattrib/internal/corpus"
)

// TestComputeTruth attributes a generated corpus with a training job and a
// HyperPod cluster per account and region (corpus Config.Compute), each
// the one compute on its role, and compares with the truth: every call of
// theirs is attributed to them by sole-compute-on-role, and no other call
// is. The notebooks, Studio users and the rest of the bench scenario stay
// as they were.
func TestComputeTruth(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	truth := filepath.Join(dir, "truth.csv")
	f, err := os.Create(truth)
	if err != nil {
		t.Fatal(err)
	}
	cfg := corpus.Config{Seed: 11, Events: 20_000, EventsPerFile: 40, DuplicateRate: -1, Compute: true}
	if _, err := corpus.Generate(context.Background(), cfg, corpus.DirWriter(logs), f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	load(t, db, logs)
	attribute(t, db, true)
	if _, err := db.SQL.Exec(`CREATE TABLE truth AS SELECT * FROM read_csv($1, header = true, all_varchar = true)`, truth); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{corpus.KindTrainingJob, corpus.KindHyperPodCluster} {
		var calls, right, wrongActor, missed, extra int64
		err := db.SQL.QueryRow(`SELECT
			count(*) FILTER (WHERE t.actor_kind = $1),
			count(*) FILTER (WHERE t.actor_kind = $1 AND a.actor_kind = $1 AND a.actor = t.actor
				AND a.method = 'sole-compute-on-role' AND a.confidence = 'medium'),
			count(*) FILTER (WHERE t.actor_kind = $1 AND a.actor_kind = $1 AND a.actor <> t.actor),
			count(*) FILTER (WHERE t.actor_kind = $1 AND a.actor_kind <> $1),
			count(*) FILTER (WHERE t.actor_kind <> $1 AND a.actor_kind = $1)
			FROM truth t JOIN attributions a USING (event_id)`, kind).Scan(&calls, &right, &wrongActor, &missed, &extra)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d calls, %d attributed right, %d to another %s, %d missed, %d not its own", kind, calls, right, wrongActor, kind, missed, extra)
		if calls == 0 {
			t.Errorf("%s: the corpus holds no calls of this kind", kind)
		}
		if right != calls || extra != 0 {
			t.Errorf("%s: %d of %d calls attributed right, %d to another, %d missed, %d calls of others attributed to one",
				kind, right, calls, wrongActor, missed, extra)
		}
	}
	// The rest of the corpus is unchanged by the new rule: nothing the
	// truth calls unattributed became compute.
	var stolen int64
	if err := db.SQL.QueryRow(`SELECT count(*) FROM truth t JOIN attributions a USING (event_id)
		WHERE a.method = 'sole-compute-on-role' AND t.actor_kind NOT IN ($1, $2)`,
		corpus.KindTrainingJob, corpus.KindHyperPodCluster).Scan(&stolen); err != nil {
		t.Fatal(err)
	}
	if stolen != 0 {
		t.Errorf("%d calls of other actors attributed by sole-compute-on-role", stolen)
	}
}
