package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCmd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		files   []string
		// truthHead is the first line truth.csv must have, when set.
		truthHead string
	}{
		{name: "no out", args: []string{"--events", "10"}, wantErr: "--out is required"},
		{name: "bad start", args: []string{"--out", "OUT", "--start", "yesterday"}, wantErr: "--start"},
		{name: "bad scenario", args: []string{"--out", "OUT", "--scenario", "nope"}, wantErr: `unknown scenario "nope"`},
		{name: "demo", args: []string{"--out", "OUT", "--scenario", "demo", "--events", "500", "--truth", "--prefix", "p"}, files: []string{"truth.csv", "p/AWSLogs/111122223333", "p/AWSLogs/o-7h2k9x4m1p/444455556666", "p/AWSLogs/777788889999"}},
		{name: "misuse", args: []string{"--out", "OUT", "--events", "3000", "--events-per-file", "20", "--misuse", "--truth"}, files: []string{"truth.csv"},
			truthHead: "event_id,account_id,region,actor_kind,actor,finding"},
		{name: "bench", args: []string{"--out", "OUT", "--events", "2000", "--events-per-file", "100", "--seed", "3", "--workers", "3"}, files: []string{"AWSLogs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, a := range tc.args {
				if a == "OUT" {
					tc.args[i] = dir
				}
			}
			var out, errw bytes.Buffer
			cmd := newRootCmd(&out, &errw)
			cmd.SetArgs(tc.args)
			cmd.SetOut(&out)
			cmd.SetErr(&errw)
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("ctgen %v: %v, want error containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ctgen %v: %v", tc.args, err)
			}
			if !strings.Contains(out.String(), " events (+") {
				t.Errorf("ctgen printed %q, want a summary", out.String())
			}
			for _, f := range tc.files {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			if tc.truthHead != "" {
				b, err := os.ReadFile(filepath.Join(dir, "truth.csv"))
				if err != nil {
					t.Fatal(err)
				}
				head, rest, _ := strings.Cut(string(b), "\n")
				if head != tc.truthHead {
					t.Errorf("truth.csv starts %q, want %q", head, tc.truthHead)
				}
				if !strings.Contains(rest, ",credentials-used-off-compute\n") {
					t.Errorf("truth.csv marks no call %s", "credentials-used-off-compute")
				}
			}
		})
	}
}
