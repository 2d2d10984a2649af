package ingest

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestRowMappingGolden loads each testdata/record/*.json event into a
// database and compares the stored row with its .golden file: the whole
// path from raw JSON to columns, as analysts see it.
func TestRowMappingGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/record/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			db := openTestDB(t)
			abs, _ := filepath.Abs(name)
			if _, err := load(t, db, abs, Options{}); err != nil {
				t.Fatalf("Load(%s) error = %v", name, err)
			}
			var got string
			err := db.SQL.QueryRowContext(t.Context(), `SELECT to_json(e)::VARCHAR FROM (SELECT * EXCLUDE (source_uri) REPLACE (record::JSON AS record) FROM events) e`).Scan(&got)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Fatal(err)
			}
			pretty, _ := json.MarshalIndent(v, "", "  ")
			golden.Check(t, strings.TrimSuffix(name, ".json")+".golden", append(pretty, '\n'))
		})
	}
}

func TestStableKeyForEventsWithoutID(t *testing.T) {
	compact := `{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:00Z"}`
	pretty := "[\n  {\n    \"eventName\": \"ListBuckets\",\n    \"eventSource\": \"s3.amazonaws.com\",\n    \"eventTime\": \"2026-01-01T00:00:00Z\"\n  }\n]"
	other := `{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:01Z"}`
	root := writeTree(t, map[string][]byte{"a.json": []byte(compact), "b.json": []byte(pretty), "c.json": []byte(other)})
	db := openTestDB(t)
	sum, err := load(t, db, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.EventsNew != 2 || sum.EventsDuplicate != 1 {
		t.Errorf("Load() = %+v, want 2 new and 1 duplicate (the pretty copy)", sum)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE event_id LIKE 'ctattrib:%' AND length(event_id) = 41`); n != 2 {
		t.Errorf("content keys = %d, want 2", n)
	}
}

// TestSessionPatternAgrees checks that the SQL pattern that fills
// session_name reads ARNs as ParseSessionARN does.
func TestSessionPatternAgrees(t *testing.T) {
	db := openTestDB(t)
	for _, tt := range sessionARNTests {
		var role, session string
		err := db.SQL.QueryRowContext(t.Context(), `SELECT regexp_extract($1, '`+sessionARNPattern+`', 1), regexp_extract($1, '`+sessionARNPattern+`', 2)`, tt.arn).Scan(&role, &session)
		if err != nil {
			t.Fatal(err)
		}
		if role != tt.want.RoleName || session != tt.want.SessionName {
			t.Errorf("SQL pattern on %q = %q, %q; ParseSessionARN says %q, %q", tt.arn, role, session, tt.want.RoleName, tt.want.SessionName)
		}
	}
}

var sessionARNTests = []struct {
	arn    string
	want   Session
	wantOK bool
}{
	{"arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-20240101T000000/SageMaker",
		Session{"aws", "111122223333", "AmazonSageMaker-ExecutionRole-20240101T000000", "SageMaker"}, true},
	{"arn:aws-us-gov:sts::123456789012:assumed-role/ExampleRole/i-0a1b2c3d4e5f60718",
		Session{"aws-us-gov", "123456789012", "ExampleRole", "i-0a1b2c3d4e5f60718"}, true},
	{"arn:aws-cn:sts::123456789012:assumed-role/R/jane.doe@example.com",
		Session{"aws-cn", "123456789012", "R", "jane.doe@example.com"}, true},
	{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/a=b,c",
		Session{"aws", "111122223333", "AWSReservedSSO_Admin_0123456789abcdef", "a=b,c"}, true},
	{"arn:aws:iam::111122223333:user/pedro", Session{}, false},
	{"arn:aws:iam::111122223333:role/assumed-role/x", Session{}, false},
	{"arn:aws:sts::111122223333:assumed-role/OnlyRole", Session{}, false},
	{"arn:aws:sts::111122223333:assumed-role//s", Session{}, false},
	{"arn:aws:sts::111122223333:federated-user/bob", Session{}, false},
	{"", Session{}, false},
	{"not an arn:assumed-role/a/b", Session{}, false},
}

func TestParseSessionARN(t *testing.T) {
	for _, tt := range sessionARNTests {
		t.Run(tt.arn, func(t *testing.T) {
			got, ok := ParseSessionARN(tt.arn)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseSessionARN(%q) = %+v, %v, want %+v, %v", tt.arn, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzParseSessionARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:sts::111122223333:assumed-role/R/SageMaker",
		"arn:aws-us-gov:sts::123456789012:assumed-role/ExampleRole/i-0a1b2c3d4e5f60718",
		"arn:aws:iam::1:user/x", "arn:::::", "arn:aws:sts::1:assumed-role/a/b/c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseSessionARN(s)
		if !ok {
			return
		}
		if got.RoleName == "" || got.SessionName == "" || strings.Contains(got.RoleName, "/") {
			t.Fatalf("ParseSessionARN(%q) = %+v: empty or slashed parts", s, got)
		}
		// Round trip: the parts rebuild the resource of the ARN.
		want := "assumed-role/" + got.RoleName + "/" + got.SessionName
		if !strings.HasSuffix(s, want) {
			t.Fatalf("ParseSessionARN(%q) = %+v does not rebuild %q", s, got, want)
		}
	})
}
