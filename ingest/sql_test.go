package ingest

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestSQLGolden compares each rendered statement with its
// testdata/sql/*.golden file, which a reader can paste into a DuckDB
// client.
func TestSQLGolden(t *testing.T) {
	rendered := map[string]string{
		"session":             sessionSQL,
		"batch_keys":          batchKeysSQL,
		"batch_stored":        batchStoredSQL,
		"batch_keep":          batchKeepSQL,
		"batch_objects":       batchObjectsSQL,
		"insert_events":       "-- $paths: " + strings.Join(eventPaths, " ") + "\n" + insertEventsSQL,
		"manifest":            manifestSQL,
		"batch_counts":        batchCountsSQL,
		"batch_reset":         batchResetSQL,
		"batch_bad":           batchBadSQL,
		"fail_bad":            failBadSQL,
		"bad_objects":         badObjectsSQL,
		"known_objects":       knownObjectsSQL,
		"listed_through":      listedThroughSQL,
		"failed_objects":      failedObjectsSQL,
		"save_listed_through": saveListedThroughSQL,
		"staging_save":        stagingSaveSQL,
		"staging_clear":       stagingClearSQL,
		"staging_pick":        stagingPickSQL,
		"staging_fail":        stagingFailSQL,
		"check_events":        checkEventsSQL,
		"check_counts":        checkCountsSQL,
		"event_id":            mustRender(mustTemplate("event_id"), "record"),
	}
	for name, q := range rendered {
		t.Run(name, func(t *testing.T) {
			golden.Check(t, filepath.Join("testdata", "sql", name+".golden"), []byte(q))
		})
	}
}

// TestInsertEventsPaths checks that every JSON path the mapping reads is
// extracted once, and none is extracted that it does not read.
func TestInsertEventsPaths(t *testing.T) {
	seen := map[string]bool{}
	for i, p := range eventPaths {
		if seen[p] {
			t.Errorf("eventPaths[%d] = %s twice", i, p)
		}
		seen[p] = true
		if !strings.Contains(insertEventsSQL, "s["+itoa(i+1)+"]") {
			t.Errorf("eventPaths[%d] = %s is never read", i, p)
		}
	}
}

// TestInvalidJSONErrorType pins the type of the error DuckDB gives for an
// event that is not valid JSON, on which the writer's recovery (failing
// the objects that hold such events) depends.
func TestInvalidJSONErrorType(t *testing.T) {
	db := openTestDB(t)
	var s sql.NullString
	err := db.SQL.QueryRowContext(t.Context(), `SELECT json_extract_string($rec, '$.a')`, sql.Named("rec", `{"a":1`)).Scan(&s)
	var de *duckdb.Error
	if !errors.As(err, &de) || de.Type != duckdb.ErrorTypeInvalidInput || !isInvalidInput(err) {
		t.Errorf("json_extract_string of invalid JSON = %v (%T), want a duckdb.Error of type InvalidInput", err, err)
	}
	if isInvalidInput(errors.New("Invalid Input Error: JSON")) {
		t.Error("isInvalidInput of a plain error = true, want false")
	}
}
