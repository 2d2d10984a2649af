package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainCmd runs explain through cobra on the explain scenario.
func TestExplainCmd(t *testing.T) {
	a, _, errb := testApp(t)
	if code := execute(t, a, "--db", a.DBPath, "ingest", filepath.Join("..", "..", "testdata", "explain")); code != 0 {
		t.Fatalf("ingest exit = %d:\n%s", code, errb)
	}

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string // substrings of standard output
		wantErr    string   // substring of standard error
		wantEvents []string // for --format json: the event IDs, in order
	}{
		{
			name:     "text, two calls",
			args:     []string{"explain", "x-06-hop2-call", "x-09-ec2-call"},
			wantOut:  []string{"event x-06-hop2-call\n", "answer      notebook-instance nb-chain", "\nevent x-09-ec2-call\n", "x-08-ec2-assume  AssumeRole called by ec2.amazonaws.com"},
			wantCode: 0,
		},
		{
			name:       "json with an unknown ID among known ones",
			args:       []string{"explain", "--format", "json", "x-03-nb-call", "no-such-event", "x-01-create-nb"},
			wantCode:   1,
			wantErr:    `unknown event ID "no-such-event"`,
			wantEvents: []string{"x-03-nb-call", "x-01-create-nb"},
		},
		{
			name:     "no IDs",
			args:     []string{"explain"},
			wantCode: 2,
			wantErr:  "requires at least 1 arg",
		},
		{
			name:     "bad format",
			args:     []string{"explain", "--format", "csv", "x-03-nb-call"},
			wantCode: 2,
			wantErr:  "--format: want text or json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, out, errb := testApp(t)
			b.DBPath = a.DBPath
			code := execute(t, b, append([]string{"--db", a.DBPath}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("%v exit = %d, want %d:\n%s", tt.args, code, tt.wantCode, errb)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out.String(), s) {
					t.Errorf("%v output lacks %q:\n%s", tt.args, s, out)
				}
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("%v stderr = %q, want it to contain %q", tt.args, errb, tt.wantErr)
			}
			if tt.wantEvents == nil {
				return
			}
			var got []struct {
				EventID  string `json:"event_id"`
				Evidence []struct {
					EventID string `json:"event_id"`
					Proves  string `json:"proves"`
				} `json:"evidence"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			var ids []string
			for _, x := range got {
				ids = append(ids, x.EventID)
			}
			if strings.Join(ids, " ") != strings.Join(tt.wantEvents, " ") {
				t.Errorf("explained %v, want %v", ids, tt.wantEvents)
			}
		})
	}
}
