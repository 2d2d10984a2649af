package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	a, out, errb := testApp(t)
	if code := executeDB(t, a, "ingest", filepath.Join("..", "..", "testdata", "scenario")); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	dir := filepath.Join(t.TempDir(), "parquet")
	out.Reset()
	if code := executeDB(t, a, "export", dir); code != exitOK {
		t.Fatalf("export exit = %d; stderr:\n%s", code, errb)
	}
	if got := out.String(); got != "exported 114 events to "+dir+"\n" {
		t.Errorf("export output = %q", got)
	}

	out.Reset()
	if code := executeDB(t, a, "export", "--athena-ddl", "s3://audit/ct", "--athena-table", "sec.events"); code != exitOK {
		t.Fatalf("export --athena-ddl exit = %d; stderr:\n%s", code, errb)
	}
	for _, want := range []string{
		"CREATE EXTERNAL TABLE IF NOT EXISTS sec.events (",
		"LOCATION 's3://audit/ct/'",
		"'projection.account_id.values' = '111111111111,222222222222,333333333333,444455556666'",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("export --athena-ddl output lacks %q:\n%s", want, out)
		}
	}

	for _, args := range [][]string{
		{"export"},
		{"export", "--athena-ddl", "s3://audit/ct", dir},
		{"export", "--athena-ddl", "audit/ct"},
		{"export", "--athena-ddl", "s3://audit/ct", "--athena-table", "Events"},
	} {
		errb.Reset()
		if code := executeDB(t, a, args...); code != exitUsage {
			t.Errorf("%q exit = %d, want %d; stderr:\n%s", args, code, exitUsage, errb)
		}
	}
}
