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

// findingsFixtureSQL: three findings in two accounts, and the calls of
// one of them recorded in another region than the rest.
const findingsFixtureSQL = findingsTableShim + `
INSERT INTO findings (finding_id, kind, severity, account_id, actor_kind, actor, access_key_id,
	first_seen, last_seen, source_ips, user_agents, events, event_ids, home_places, reason) VALUES
 ('f1', 'credentials-used-off-compute', 'high', '111122223333', 'notebook-instance', 'nb-alpha', 'ASIANB',
  '2024-05-02T10:00:00Z', '2024-05-02T11:00:00Z', ['203.0.113.5'], ['aws-cli/2.15.0 Python/3.11 Darwin/23.1'], 2, ['e1', 'e2'],
  ['10.0.0.0/16'], 'the notebook''s credentials were used from 203.0.113.5 with a desktop CLI; its own calls come from 10.0.0.0/16'),
 ('f2', 'credentials-used-after-compute-ended', 'medium', '111122223333', 'notebook-instance', 'nb-beta', 'ASIABETA',
  '2024-05-04T00:00:00Z', '2024-05-04T00:00:00Z', ['198.51.100.7'], ['Boto3/1.34.0'], 1, ['e5'],
  NULL, 'used 2 hours after the instance was stopped'),
 ('f3', 'one-session-many-places', 'low', '444455556666', 'lambda-function', 'resize', 'ASIALAMBDA',
  '2024-05-03T12:00:00Z', '2024-05-03T12:04:00Z', ['3.80.0.1', '34.1.2.3'], [], 2, ['e3', 'e4'],
  NULL, 'one session key used from two networks 4 minutes apart');
UPDATE attributions SET finding = CASE
	WHEN event_id IN ('e1', 'e2') THEN 'credentials-used-off-compute'
	WHEN event_id = 'e5' THEN 'credentials-used-after-compute-ended'
	WHEN event_id IN ('e3', 'e4') THEN 'one-session-many-places' END`

// findingsTableShim stands in for migration 0014 until wt-findings is
// merged. SHIM: delete after the merge.
const findingsTableShim = `
ALTER TABLE attributions ADD COLUMN IF NOT EXISTS finding VARCHAR;
CREATE TABLE IF NOT EXISTS findings (
    finding_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, severity VARCHAR NOT NULL,
    account_id VARCHAR, actor_kind VARCHAR, actor VARCHAR, access_key_id VARCHAR,
    first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, source_ips VARCHAR[], user_agents VARCHAR[],
    events BIGINT, event_ids VARCHAR[], home_places VARCHAR[], reason VARCHAR);`

func TestFindingsGolden(t *testing.T) {
	db := newFixtureDB(t, fixtureSQL+";\n"+findingsFixtureSQL)
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			r, err := Findings(t.Context(), db, FindingsParams{})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, goldenName("fixture", "findings", f), render(t, r, f))
		})
	}
}

func TestFindingsFilters(t *testing.T) {
	db := newFixtureDB(t, fixtureSQL+";\n"+findingsFixtureSQL)
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
		{"all, most severe first", FindingsParams{}, "nb-alpha nb-beta resize"},
		{"kind", FindingsParams{Kind: "one-session-many-places"}, "resize"},
		{"owner's account", FindingsParams{Account: "444455556666"}, "resize"},
		{"a call in the region", FindingsParams{Region: "us-east-1"}, "nb-alpha nb-beta resize"},
		{"no call in the region", FindingsParams{Region: "eu-west-1"}, ""},
		{"overlapping since", FindingsParams{Since: time.Date(2024, 5, 2, 10, 30, 0, 0, time.UTC)}, "nb-alpha nb-beta resize"},
		{"since after", FindingsParams{Since: day("2024-05-03")}, "nb-beta resize"},
		{"until", FindingsParams{Until: day("2024-05-03")}, "nb-alpha"},
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
	db := newFixtureDB(t, fixtureSQL+";\n"+findingsFixtureSQL)
	r, err := Findings(t.Context(), db, FindingsParams{Kind: "one-session-many-places"})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		SourceIPs  []string `json:"source_ips"`
		UserAgents []string `json:"user_agents"`
		EventIDs   []string `json:"event_ids"`
	}
	if err := json.Unmarshal(render(t, r, JSON), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || strings.Join(got[0].SourceIPs, ",") != "3.80.0.1,34.1.2.3" ||
		got[0].UserAgents == nil || len(got[0].UserAgents) != 0 || strings.Join(got[0].EventIDs, ",") != "e3,e4" {
		t.Errorf("json = %+v, want source_ips [3.80.0.1 34.1.2.3], user_agents [], event_ids [e3 e4]", got)
	}
	r, err = Findings(t.Context(), db, FindingsParams{Kind: "one-session-many-places"})
	if err != nil {
		t.Fatal(err)
	}
	if csv := string(render(t, r, CSV)); !strings.Contains(csv, ",3.80.0.1 34.1.2.3,,2,e3 e4,") {
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
