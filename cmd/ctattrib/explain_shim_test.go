package main

import (
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// addEvidenceColumns stands in for migrations 0013 and 0014 until they
// are merged. SHIM: delete after merging wt-attr and wt-findings.
func addEvidenceColumns(t *testing.T, a *app) {
	t.Helper()
	db, err := store.Open(t.Context(), a.DBPath, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(t.Context(), `ALTER TABLE attributions ADD COLUMN IF NOT EXISTS finding VARCHAR;
		ALTER TABLE attributions ADD COLUMN IF NOT EXISTS evidence VARCHAR[];
		UPDATE attributions SET evidence = CASE WHEN evidence_event_id IS NULL THEN [] ELSE [evidence_event_id] END;
		CREATE TABLE IF NOT EXISTS findings (
			finding_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, severity VARCHAR NOT NULL,
			account_id VARCHAR, actor_kind VARCHAR, actor VARCHAR, access_key_id VARCHAR,
			first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, source_ips VARCHAR[], user_agents VARCHAR[],
			events BIGINT, event_ids VARCHAR[], home_places VARCHAR[], reason VARCHAR)`); err != nil {
		t.Fatal(err)
	}
}
