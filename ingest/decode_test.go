package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const (
	ev1 = `{"eventVersion":"1.08","eventID":"e1","eventTime":"2026-11-01T00:00:01Z","eventName":"GetObject","eventSource":"s3.amazonaws.com"}`
	ev2 = `{"eventVersion":"1.08","eventID":"e2","eventTime":"2026-11-01T00:00:02Z","eventName":"PutObject","eventSource":"s3.amazonaws.com"}`
)

// decodeIDs decodes data and returns the eventIDs in order.
func decodeIDs(t *testing.T, data []byte) (Format, []string, error) {
	t.Helper()
	var ids []string
	d, err := Decode(bytes.NewReader(data), func(raw []byte) error {
		var ev struct {
			EventID string `json:"eventID"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		ids = append(ids, ev.EventID)
		return nil
	})
	return d.Format, ids, err
}

func TestDecodeForms(t *testing.T) {
	lookup := `{"Events":[{"EventId":"e1","CloudTrailEvent":` + quote(ev1) + `},{"EventId":"e2","CloudTrailEvent":` + quote(ev2) + `}],"NextToken":"x"}`
	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"records", []byte(`{"Records":[` + ev1 + `,` + ev2 + `]}`), FormatRecords},
		{"records gzip", gz(t, `{"Records":[`+ev1+`,`+ev2+`]}`), FormatRecords},
		{"records pretty with BOM", []byte("\xEF\xBB\xBF{\n  \"Records\" : [\n" + ev1 + ",\n" + ev2 + "\n]\n}\n"), FormatRecords},
		{"records not first key", []byte(`{"foo":1,"Records":[` + ev1 + `,` + ev2 + `]}`), FormatLines},
		{"array", []byte(`[` + ev1 + `,` + ev2 + `]`), FormatArray},
		{"array gzip", gz(t, "[\n   "+ev1+",\n   "+ev2+"\n]"), FormatArray},
		{"json lines", []byte(ev1 + "\n" + ev2 + "\n"), FormatLines},
		{"json lines blank lines", []byte("\n" + ev1 + "\n\n" + ev2), FormatLines},
		{"lookup-events", []byte(lookup), FormatLookupEvents},
		{"eventbridge", []byte(`{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":` + ev1 + "}\n" +
			`{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":` + ev2 + "}"), FormatLines},
		{"cribl _raw array", []byte(`[{"_raw":` + quote(ev1) + `,"host":"h"},{"_raw":` + quote(ev2) + `}]`), FormatArray},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ids, err := decodeIDs(t, tt.data)
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if f != tt.want {
				t.Errorf("Decode() format = %q, want %q", f, tt.want)
			}
			if diff := cmp.Diff([]string{"e1", "e2"}, ids); diff != "" {
				t.Errorf("Decode() ids (-want +got):\n%s", diff)
			}
		})
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func TestDecodeBadInput(t *testing.T) {
	full := gz(t, `{"Records":[`+ev1+`,`+ev2+`]}`)
	tests := []struct {
		name    string
		data    []byte
		wantErr error // nil: any error
	}{
		{"truncated gzip", full[:len(full)-12], nil},
		{"gzip header only", full[:5], nil},
		{"invalid json", []byte(`{"Records":[` + ev1 + `,{"eventID":`), nil},
		{"not json", []byte("eventID,eventName\n1,x\n"), ErrNotJSON},
		{"empty", nil, ErrNotJSON},
		{"json not cloudtrail", []byte(`{"hello":"world"}`), ErrNotCloudTrail},
		{"records not an array", []byte(`{"Records":{"a":1}}`), nil},
		{"array of numbers", []byte(`[1,2]`), ErrNotCloudTrail},
		{"digest", []byte(`{"awsAccountId":"111122223333","digestStartTime":"x","digestS3Object":"k","logFiles":[]}`), ErrDigest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeIDs(t, tt.data)
			if err == nil {
				t.Fatal("Decode() error = nil, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Decode() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeEmptyForms(t *testing.T) {
	for _, data := range []string{`{"Records":[]}`, `[]`, `{"Records":null}`} {
		_, ids, err := decodeIDs(t, []byte(data))
		if err != nil || len(ids) != 0 {
			t.Errorf("Decode(%s) = %v, %v; want no events and no error", data, ids, err)
		}
	}
}

// TestDecodeLargeObject checks that a log file well over 16 MB uncompressed
// streams through.
func TestDecodeLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	pad := strings.Repeat("x", 2000)
	const n = 10000
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"eventVersion":"1.08","eventName":"GetObject","eventSource":"s3.amazonaws.com","eventTime":"2026-11-01T00:00:00Z","eventID":"` + strconv.Itoa(i) + `","userAgent":"` + pad + `"}`)
	}
	b.WriteString(`]}`)
	if b.Len() < 16<<20 {
		t.Fatalf("fixture is %d bytes, want > 16 MiB", b.Len())
	}
	count := 0
	if _, err := Decode(bytes.NewReader(gz(t, b.String())), func([]byte) error { count++; return nil }); err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("Decode() events = %d, want %d", count, n)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"Records":[` + ev1 + `]}`))
	f.Add([]byte(`[` + ev1 + `]`))
	f.Add([]byte(ev1 + "\n" + ev2))
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":` + quote(ev1) + `}]}`))
	f.Add(gz(f, `{"Records":[`+ev1+`]}`))
	if files, _ := filepath.Glob("testdata/record/*.json"); len(files) > 0 {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Whatever the input, Decode returns or errs without panicking, and
		// every element it passes on is one balanced JSON object.
		Decode(bytes.NewReader(data), func(raw []byte) error { //nolint:errcheck // any error is fine
			if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
				t.Fatalf("element %q is not an object", raw)
			}
			if json.Valid(raw) {
				return nil
			}
			// The splitter does not validate; it must still cut at the
			// matching brace.
			depth, inStr, esc := 0, false, false
			for i, c := range raw {
				switch {
				case inStr && esc:
					esc = false
				case inStr && c == '\\':
					esc = true
				case inStr && c == '"':
					inStr = false
				case inStr:
				case c == '"':
					inStr = true
				case c == '{' || c == '[':
					depth++
				case c == '}' || c == ']':
					depth--
					if depth == 0 && i != len(raw)-1 {
						t.Fatalf("element %q closes early at %d", raw, i)
					}
				}
			}
			return nil
		})
	})
}

// TestDecodeRejects: records that are not events are counted and the
// first named; the events around them pass. An object of nothing but
// such records fails with what the first looks like.
func TestDecodeRejects(t *testing.T) {
	noTime := `{"eventVersion":"1.08","eventID":"x","eventName":"GetObject","eventSource":"s3.amazonaws.com"}`
	insight := `{"eventVersion":"1.08","eventTime":"2026-11-01T00:00:00Z","eventID":"i","eventType":"AwsCloudTrailInsight","insightDetails":{"eventName":"PutObject"}}`
	lookupEntry := `{"EventId":"e1","EventName":"GetObject","EventTime":"2026-11-01T00:00:00Z","EventSource":"s3.amazonaws.com"}`
	tests := []struct {
		name         string
		data         string
		wantEvents   int
		wantRejected int
		wantReason   string
		wantErr      error
	}{
		{"records with one without a time: an event still", `{"Records":[` + ev1 + `,` + noTime + `,` + ev2 + `]}`, 3, 0, "", nil},
		{"insight event", `{"Records":[` + insight + `,` + ev1 + `]}`, 1, 1, "record 1 is a CloudTrail Insight event without eventName, eventSource", nil},
		{"time not a time: an event still", strings.Replace(ev1, "2026-11-01T00:00:01Z", "soon", 1) + "\n" + ev2, 2, 0, "", nil},
		{"@timestamp after an eventTime that is not one", `{"eventID":"t","eventTime":"soon","eventName":"GetObject","eventSource":"s3.amazonaws.com","@timestamp":"2026-11-01T00:00:01.000Z"}`, 1, 0, "", nil},
		{"name twice", `{"eventName":"","eventTime":"2026-11-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}` + "\n" + ev1, 1, 1, "record 1 is an event with eventName, eventSource or eventTime twice", nil},
		{"@timestamp stands in", strings.Replace(ev1, `"eventTime"`, `"@timestamp"`, 1), 1, 0, "", nil},
		{"name not a string", strings.Replace(ev1, `"GetObject"`, `42`, 1) + "\n" + ev2, 1, 1, "record 1 is an event whose eventName is not a string", nil},
		{"lookup entry without its event", lookupEntry + "\n" + ev1, 1, 1, "record 1 is a lookup-events entry without CloudTrailEvent", nil},
		{"lookup entries only", lookupEntry + "\n" + lookupEntry, 0, 2, "record 1 is a lookup-events entry without CloudTrailEvent", ErrNotCloudTrail},
		{"cribl _raw object wrapping records", `{"_raw":{"Records":[` + ev1 + `,` + noTime + `,{"eventName":"x"}]}}`, 2, 1, "record 3 is an event without eventSource", nil},
		{"message not JSON", `{"message":"hello"}` + "\n" + ev1, 1, 1, "record 1 is text that is not JSON", nil},
		{"unknown shape", `[{"a":1,"b":2}]`, 0, 1, "record 1 is an object of unknown shape (keys a, b)", ErrNotCloudTrail},
		{"control messages only", `{"messageType":"CONTROL_MESSAGE","logEvents":[{"message":"CWL CONTROL MESSAGE"}]}`, 0, 0, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode(strings.NewReader(tt.data), func([]byte) error { return nil })
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Decode() error = %v, want %v", err, tt.wantErr)
			}
			if d.Events != tt.wantEvents || d.Rejected != tt.wantRejected || d.Reason != tt.wantReason {
				t.Errorf("Decode() = %d events, %d rejected, reason %q; want %d, %d, %q",
					d.Events, d.Rejected, d.Reason, tt.wantEvents, tt.wantRejected, tt.wantReason)
			}
		})
	}
}
