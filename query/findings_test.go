package query

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/internal/golden"
)

func TestFindingsGolden(t *testing.T) {
	db := newFixtureDB(t, "findings_fixture.sql")
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			r, err := Findings(t.Context(), db, FindingsParams{})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, goldenName("fixture", "findings", f), renderRows(t, r, f))
		})
	}
}

func TestFindingsFilters(t *testing.T) {
	db := newFixtureDB(t, "findings_fixture.sql")
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name string
		p    FindingsParams
		want string // the actors, in order
	}{
		{"all, most severe first", FindingsParams{}, "nb-alpha nb-beta nb-alpha"},
		{"kind", FindingsParams{Kind: "one-session-many-places"}, "nb-alpha"},
		{"owner's account", FindingsParams{Filter: Filter{Account: "111122223333"}}, "nb-alpha nb-beta nb-alpha"},
		{"another account", FindingsParams{Filter: Filter{Account: "444455556666"}}, ""},
		{"a call in the region", FindingsParams{Filter: Filter{Region: "us-east-1"}}, "nb-alpha nb-beta nb-alpha"},
		{"no call in the region", FindingsParams{Filter: Filter{Region: "eu-west-1"}}, ""},
		{"overlapping since", FindingsParams{Filter: Filter{Since: time.Date(2024, 5, 2, 10, 30, 0, 0, time.UTC)}}, "nb-alpha nb-beta nb-alpha"},
		{"since after", FindingsParams{Filter: Filter{Since: day("2024-05-03")}}, "nb-beta nb-alpha"},
		{"until", FindingsParams{Filter: Filter{Until: day("2024-05-03")}}, "nb-alpha"},
		{"actor", FindingsParams{Actor: "nb-beta"}, "nb-beta"},
		{"nothing", FindingsParams{Kind: "no-such-kind"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Findings(t.Context(), db, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var actors []string
			for {
				row, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				actors = append(actors, row[4].(string))
			}
			if got := strings.Join(actors, " "); got != tt.want {
				t.Errorf("Findings(%+v) actors = %q, want %q", tt.p, got, tt.want)
			}
		})
	}
}

// TestFindingsListColumns checks the list columns in each text format: a
// JSON array in json, space-separated in csv.
func TestFindingsListColumns(t *testing.T) {
	db := newFixtureDB(t, "findings_fixture.sql")
	r, err := Findings(t.Context(), db, FindingsParams{Kind: "one-session-many-places"})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		SourceIPs  []string `json:"source_ips"`
		UserAgents []string `json:"user_agents"`
		EventIDs   []string `json:"event_ids"`
	}
	if err := json.Unmarshal(renderRows(t, r, JSON), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || strings.Join(got[0].SourceIPs, ",") != "3.80.0.1,34.1.2.3" ||
		got[0].UserAgents == nil || len(got[0].UserAgents) != 0 || strings.Join(got[0].EventIDs, ",") != "e5" {
		t.Errorf("json = %+v, want source_ips [3.80.0.1 34.1.2.3], user_agents [], event_ids [e5]", got)
	}
	r, err = Findings(t.Context(), db, FindingsParams{Kind: "one-session-many-places"})
	if err != nil {
		t.Fatal(err)
	}
	if csv := string(renderRows(t, r, CSV)); !strings.Contains(csv, ",3.80.0.1 34.1.2.3,,1,e5,") {
		t.Errorf("csv = %q, want space-separated lists", csv)
	}
}

func TestListFormats(t *testing.T) {
	var b bytes.Buffer
	b.Write(appendJSON(nil, List{Items: []string{"a", `"b"`}, Sep: " "}))
	b.WriteByte(' ')
	b.Write(appendJSON(nil, List{}))
	b.WriteByte(' ')
	b.WriteString(text(List{Items: []string{"aws-cli/2 Darwin", "Boto3/1"}, Sep: " | "}))
	if want := `["a","\"b\""] [] aws-cli/2 Darwin | Boto3/1`; b.String() != want {
		t.Errorf("List rendered as %s, want %s", b.String(), want)
	}
	if _, err := os.Stat(filepath.Join("testdata", "fixture")); err != nil {
		t.Fatal(err)
	}
}
