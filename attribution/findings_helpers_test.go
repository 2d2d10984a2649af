package attribution_test

import (
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// queryLines runs q, which selects one text column, and returns its rows.
func queryLines(t testing.TB, db *store.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.SQL.QueryContext(t.Context(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
