package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/store"
)

// TestQueryFindingsCmd runs query findings through cobra on a database
// whose findings are replaced by two written into it.
func TestQueryFindingsCmd(t *testing.T) {
	a, _, errb := testApp(t)
	if code := execute(t, a, "--db", a.DBPath, "ingest", filepath.Join("..", "..", "testdata", "explain")); code != 0 {
		t.Fatalf("ingest exit = %d:\n%s", code, errb)
	}
	db, err := store.Open(t.Context(), a.DBPath, store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SQL.ExecContext(t.Context(), `DELETE FROM findings;
	INSERT INTO findings (finding_id, kind, severity, account_id,
		actor_kind, actor, access_key_id, first_seen, last_seen, source_ips, user_agents, events, event_ids, reason) VALUES
	('f1', 'credentials-used-off-compute', 'high', '111111111111', 'lambda-function', 'resize-images', 'ASIALAMBDA0000000001',
	 '2024-06-01T09:45:00Z', '2024-06-01T09:45:00Z', ['3.80.0.1'], ['aws-cli/2.15.0 Darwin/23.1'], 1, ['x-11-lambda-call'],
	 'used from a desktop CLI'),
	('f2', 'one-session-many-places', 'low', '222222222222', 'notebook-instance', 'nb-chain', 'ASIAHOP2000000000001',
	 '2024-06-01T09:20:00Z', '2024-06-01T09:25:00Z', ['10.1.0.5', '192.0.2.1'], [], 2, ['x-06-hop2-call', 'x-99'],
	 'two networks within minutes')`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // a substring of standard output
	}{
		{"csv lists are space-separated", []string{"--format", "csv"}, 0, ",10.1.0.5 192.0.2.1,,2,x-06-hop2-call x-99,two networks within minutes"},
		{"json lists are arrays", []string{"--format", "json", "--kind", "one-session-many-places"}, 0, `"event_ids":["x-06-hop2-call","x-99"]`},
		{"kind filter leaves the other out", []string{"--format", "csv", "--kind", "one-session-many-places"}, 0, "kind,severity,account_id,actor_kind,actor,access_key_id,first_seen,last_seen,source_ips,user_agents,events,event_ids,reason\none-session-many-places,"},
		{"account filter", []string{"--format", "jsonl", "--account", "111111111111"}, 0, `"actor":"resize-images"`},
		{"region filter reads the calls", []string{"--format", "csv", "--region", "eu-west-1"}, 0, "reason\n"},
		{"no arguments", []string{"extra"}, 2, ""},
		{"unknown kind is bad usage, not an empty answer", []string{"--kind", "stolen"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, out, errb := testApp(t)
			b.DBPath = a.DBPath
			code := execute(t, b, append([]string{"--db", a.DBPath, "query", "findings"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit = %d, want %d:\n%s", code, tt.wantCode, errb)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
		})
	}

	b, out, _ := testApp(t)
	b.DBPath = a.DBPath
	if code := execute(t, b, "--db", a.DBPath, "query", "findings", "--format", "json"); code != 0 {
		t.Fatalf("exit = %d", code)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 2 || rows[0]["severity"] != "high" {
		t.Errorf("query findings --format json = %s (%v), want two findings, the high one first", out, err)
	}
}
