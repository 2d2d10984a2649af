package query

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

// scenarioQueries are what each named query asks of the shared attribution
// scenario (testdata/scenario at the repository root): issue 4's question,
// which notebook created the endpoint, and the rest unfiltered.
var scenarioQueries = []namedQuery{
	whodid(WhodidParams{EventName: "CreateEndpoint"}),
	activity(ActivityParams{Actor: scenarioActor}),
	instances(InstancesParams{}),
	compute(ComputeParams{}),
	denied(DeniedParams{}),
	coverage(CoverageParams{}),
	findings(FindingsParams{}),
}

// scenarioActor is the notebook instance whose timeline the activity
// golden shows.
const scenarioActor = "nb-alice"

// scenarioDB ingests the scenario, attributes it and reopens it read-only.
func scenarioDB(t *testing.T) *store.DB {
	t.Helper()
	dir := filepath.Join("..", "testdata", "scenario")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no scenario fixture: %v", err)
	}
	return attributedDB(t, dir, nil)
}

// attributedDB ingests the CloudTrail logs in dir into a new database,
// runs prepare on it (when not nil), attributes it and reopens it
// read-only, as the queries open it.
func attributedDB(t *testing.T, dir string, prepare func(ctx context.Context, db *store.DB) error) *store.DB {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "attributed.duckdb")
	rw, err := store.Open(ctx, path, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	src, err := ingest.OpenSource(ctx, dir, ingest.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(ctx, rw, src, ingest.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		if err := prepare(ctx, rw); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := attribution.Run(ctx, rw, attribution.Options{Full: true}); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestScenarioGolden runs every named query on the attribution scenario in
// every format.
func TestScenarioGolden(t *testing.T) {
	db := scenarioDB(t)
	if err := os.MkdirAll(filepath.Join("testdata", "scenario"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, q := range scenarioQueries {
		for _, f := range Formats {
			t.Run(q.name+"/"+string(f), func(t *testing.T) {
				r, err := q.run(t.Context(), db)
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, goldenName("scenario", q.name, f), renderRows(t, r, f))
			})
		}
	}
	t.Run("sql", func(t *testing.T) {
		for _, f := range Formats {
			r, err := SQL(t.Context(), db, `SELECT actor_kind, method, confidence, count(*) AS events
				FROM attributions GROUP BY ALL ORDER BY events DESC, actor_kind, method, confidence`)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, goldenName("scenario", "sql", f), renderRows(t, r, f))
		}
	})
}
