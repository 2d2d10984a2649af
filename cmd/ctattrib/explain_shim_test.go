package main

import (
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// addEvidenceColumns stands in for migration 0013 until it is merged.
// SHIM: delete after merging wt-attr.
func addEvidenceColumns(t *testing.T, a *app) {
	t.Helper()
	db, err := store.Open(t.Context(), a.DBPath, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(t.Context(), `ALTER TABLE attributions ADD COLUMN IF NOT EXISTS evidence VARCHAR[];
		UPDATE attributions SET evidence = CASE WHEN evidence_event_id IS NULL THEN [] ELSE [evidence_event_id] END`); err != nil {
		t.Fatal(err)
	}
}
