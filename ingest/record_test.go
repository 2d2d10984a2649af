package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestParseRecordGolden maps each testdata/record/*.json event to a row and
// compares it with its .golden file.
func TestParseRecordGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/record/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			raw, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			row, err := ParseRecord(raw, "s3://bucket/"+filepath.Base(name))
			if err != nil {
				t.Fatalf("ParseRecord() error = %v", err)
			}
			got, err := json.MarshalIndent(rowForGolden(row), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, strings.TrimSuffix(name, ".json")+".golden", append(got, '\n'))
		})
	}
}

// rowForGolden shows the JSON columns as JSON rather than base64.
func rowForGolden(r Row) map[string]any {
	b, _ := json.Marshal(r)
	var m map[string]any
	json.Unmarshal(b, &m) //nolint:errcheck // just marshalled
	for _, k := range []string{"RequestParameters", "ResponseElements", "Resources", "AdditionalEventData", "Record"} {
		v := map[string][]byte{
			"RequestParameters": r.RequestParameters, "ResponseElements": r.ResponseElements,
			"Resources": r.Resources, "AdditionalEventData": r.AdditionalEventData, "Record": r.Record,
		}[k]
		if v == nil {
			m[k] = nil
		} else {
			m[k] = string(v)
		}
	}
	return m
}

func TestParseRecordStableKey(t *testing.T) {
	compact := []byte(`{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:00Z"}`)
	pretty := []byte("{\n  \"eventName\": \"ListBuckets\",\n  \"eventSource\": \"s3.amazonaws.com\",\n  \"eventTime\": \"2026-01-01T00:00:00Z\"\n}")
	other := []byte(`{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventTime":"2026-01-01T00:00:01Z"}`)
	a, _ := ParseRecord(compact, "a")
	b, _ := ParseRecord(pretty, "b")
	c, _ := ParseRecord(other, "c")
	if !strings.HasPrefix(a.EventID, "ctattrib:") {
		t.Errorf("ParseRecord() EventID = %q, want a ctattrib: key", a.EventID)
	}
	if a.EventID != b.EventID {
		t.Errorf("same event compact and pretty got keys %q and %q, want equal", a.EventID, b.EventID)
	}
	if a.EventID == c.EventID {
		t.Errorf("different events got the same key %q", a.EventID)
	}
}

func TestParseSessionARN(t *testing.T) {
	tests := []struct {
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
	for _, tt := range tests {
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

func TestParseTimeForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2026-11-01T10:05:12Z", "2026-11-01T10:05:12Z"},
		{"2026-11-01T10:05:12.123Z", "2026-11-01T10:05:12.123Z"},
		{"2025-01-21 17:49:47.000000000", "2025-01-21T17:49:47Z"},
		{"20131102T010628Z", "2013-11-02T01:06:28Z"},
		{"yesterday", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := ""
		if p := parseTime(tt.in); p != nil {
			got = p.Format("2006-01-02T15:04:05.999999999Z07:00")
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseTime(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
