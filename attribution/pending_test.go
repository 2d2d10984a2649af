package attribution_test

import (
	"path/filepath"
	"testing"

	"github.com/ctattrib/ctattrib/attribution"
)

func TestPending(t *testing.T) {
	db := openDB(t)
	steps := []struct {
		name string
		do   func(t *testing.T)
		want bool
	}{
		{"empty database", func(*testing.T) {}, false},
		{"loaded, not attributed", func(t *testing.T) { load(t, db, filepath.Join("..", "testdata", "scenario")) }, true},
		{"attributed", func(t *testing.T) {
			if _, err := attribution.Run(t.Context(), db, attribution.Options{}); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"one attribution lost", func(t *testing.T) {
			if _, err := db.SQL.ExecContext(t.Context(), `DELETE FROM attributions WHERE event_id = (SELECT min(event_id) FROM attributions)`); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, s := range steps {
		s.do(t)
		got, err := attribution.Pending(t.Context(), db)
		if err != nil {
			t.Fatalf("%s: Pending: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: Pending = %v, want %v", s.name, got, s.want)
		}
	}
}
