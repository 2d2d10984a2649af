package corpus

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

// memStore collects objects in memory.
type memStore struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memStore) write(key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objs == nil {
		m.objs = map[string][]byte{}
	}
	if _, ok := m.objs[key]; ok {
		return fmt.Errorf("%s written twice", key)
	}
	m.objs[key] = bytes.Clone(data)
	return nil
}

type corpusOut struct {
	objs  map[string][]byte
	truth []byte
	stats Stats
}

func generate(t testing.TB, cfg Config) corpusOut {
	t.Helper()
	var m memStore
	var truth bytes.Buffer
	st, err := Generate(context.Background(), cfg, m.write, &truth)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return corpusOut{objs: m.objs, truth: truth.Bytes(), stats: st}
}

func demoConfig() Config {
	return Config{Seed: 1, Scenario: ScenarioDemo, Events: 3000, GovCloud: true}
}

func benchConfig() Config {
	return Config{Seed: 7, Scenario: ScenarioBench, Events: 20000, EventsPerFile: 200, Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, Notebooks: 6, DuplicateRate: 0.01}
}

// record is the part of an event the tests read.
type record struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type           string `json:"type"`
		PrincipalID    string `json:"principalId"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		AccessKeyID    string `json:"accessKeyId"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext *struct {
			SessionIssuer *struct {
				Type, PrincipalID, ARN, AccountID, UserName string
			} `json:"sessionIssuer"`
			Attributes struct {
				CreationDate     string `json:"creationDate"`
				MFAAuthenticated string `json:"mfaAuthenticated"`
			} `json:"attributes"`
			SourceIdentity  string `json:"sourceIdentity"`
			EC2RoleDelivery string `json:"ec2RoleDelivery"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode"`
	ErrorMessage       string          `json:"errorMessage"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           *bool           `json:"readOnly"`
	EventType          string          `json:"eventType"`
	ManagementEvent    *bool           `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
}

type located struct {
	record
	key string
}

var (
	logKeyRe    = regexp.MustCompile(`^(?:[^/]+/)*AWSLogs/(?:(o-[a-z0-9]{10,32})/)?([0-9]{12})/CloudTrail/([a-z0-9-]+)/([0-9]{4})/([0-9]{2})/([0-9]{2})/([0-9]{12})_CloudTrail_([a-z0-9-]+)_([0-9]{8})T[0-9]{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	digestKeyRe = regexp.MustCompile(`^(?:[^/]+/)*AWSLogs/(?:o-[a-z0-9]{10,32}/)?([0-9]{12})/CloudTrail-Digest/([a-z0-9-]+)/[0-9]{4}/[0-9]{2}/[0-9]{2}/([0-9]{12})_CloudTrail-Digest_([a-z0-9-]+)_[A-Za-z0-9-]+_[a-z0-9-]+_[0-9]{8}T[0-9]{6}Z\.json\.gz$`)
	uuidRe      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func gunzip(t testing.TB, key string, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return b
}

// records decodes every log file, checking each key against CloudTrail's
// naming and each event against its file's account and region.
func records(t *testing.T, out corpusOut) []located {
	t.Helper()
	var all []located
	for key, data := range out.objs {
		if strings.Contains(key, "/CloudTrail-Digest/") {
			continue
		}
		m := logKeyRe.FindStringSubmatch(key)
		if m == nil {
			t.Errorf("key %q does not match CloudTrail's layout", key)
			continue
		}
		if m[2] != m[7] || m[3] != m[8] || m[4]+m[5]+m[6] != m[9] {
			t.Errorf("key %q: folder and file name disagree", key)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(gunzip(t, key, data), &doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if len(doc.Records) == 0 {
			t.Errorf("%s: no records", key)
		}
		for _, raw := range doc.Records {
			var r record
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if r.RecipientAccountID != m[2] || r.AWSRegion != m[3] {
				t.Errorf("%s: event %s of %s/%s", key, r.EventID, r.RecipientAccountID, r.AWSRegion)
			}
			all = append(all, located{r, key})
		}
	}
	return all
}

func TestDeterministic(t *testing.T) {
	for _, cfg := range []Config{demoConfig(), benchConfig()} {
		t.Run(cfg.Scenario, func(t *testing.T) {
			one := cfg
			one.Workers = 1
			many := cfg
			many.Workers = 7
			a, b := generate(t, one), generate(t, many)
			if len(a.objs) != len(b.objs) {
				t.Fatalf("1 worker wrote %d objects, 7 wrote %d", len(a.objs), len(b.objs))
			}
			for k, v := range a.objs {
				if !bytes.Equal(v, b.objs[k]) {
					t.Errorf("%s differs between worker counts", k)
				}
			}
			if !bytes.Equal(a.truth, b.truth) {
				t.Error("truth differs between worker counts")
			}
			if diff := cmp.Diff(a.stats, b.stats); diff != "" {
				t.Errorf("stats differ (-1 worker +7):\n%s", diff)
			}
			other := one
			other.Seed++
			c := generate(t, other)
			if bytes.Equal(a.truth, c.truth) {
				t.Error("seeds 1 and 2 gave the same truth")
			}
		})
	}
}

func TestRecords(t *testing.T) {
	for _, cfg := range []Config{demoConfig(), benchConfig()} {
		t.Run(cfg.Scenario, func(t *testing.T) {
			out := generate(t, cfg)
			recs := records(t, out)
			if got, want := len(recs), out.stats.Events+out.stats.Duplicates; got != want {
				t.Errorf("decoded %d records, stats say %d", got, want)
			}
			var raw int64
			for _, r := range recs {
				checkRecord(t, r)
			}
			raw = out.stats.RawBytes / int64(len(recs))
			if raw < 1000 || raw > 2500 {
				t.Errorf("average event size %d bytes, want 1000-2500", raw)
			}
		})
	}
}

func checkRecord(t *testing.T, r located) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s event %s: %s", r.key, r.EventID, fmt.Sprintf(format, args...))
	}
	if r.EventVersion != "1.08" && r.EventVersion != "1.09" {
		fail("eventVersion %q", r.EventVersion)
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", r.EventTime); err != nil {
		fail("eventTime: %v", err)
	}
	if !uuidRe.MatchString(r.EventID) {
		fail("eventID is not a v4 UUID")
	}
	for name, v := range map[string]string{
		"eventSource": r.EventSource, "eventName": r.EventName, "awsRegion": r.AWSRegion,
		"sourceIPAddress": r.SourceIPAddress, "userAgent": r.UserAgent, "requestID": r.RequestID,
		"userIdentity.type": r.UserIdentity.Type,
	} {
		if v == "" {
			fail("no %s", name)
		}
	}
	if r.ReadOnly == nil || r.ManagementEvent == nil || r.RequestParameters == nil || r.ResponseElements == nil {
		fail("missing readOnly, managementEvent, requestParameters or responseElements")
	}
	if r.EventType != "AwsApiCall" || (r.EventCategory != "Management" && r.EventCategory != "Data") {
		fail("eventType %q eventCategory %q", r.EventType, r.EventCategory)
	}
	if (r.ErrorCode == "") != (r.ErrorMessage == "") {
		fail("errorCode %q with errorMessage %q", r.ErrorCode, r.ErrorMessage)
	}
	id := r.UserIdentity
	switch id.Type {
	case "AssumedRole":
		sc := id.SessionContext
		if sc == nil || sc.SessionIssuer == nil || id.AccessKeyID == "" || !strings.HasPrefix(id.AccessKeyID, "ASIA") {
			fail("assumed-role identity without session context or ASIA key")
			return
		}
		role, session, ok := strings.Cut(id.ARN[strings.Index(id.ARN, ":assumed-role/")+len(":assumed-role/"):], "/")
		if !ok || role != sc.SessionIssuer.UserName || id.PrincipalID != sc.SessionIssuer.PrincipalID+":"+session {
			fail("arn %s, principalId %s and issuer %+v disagree", id.ARN, id.PrincipalID, sc.SessionIssuer)
		}
		if !strings.HasPrefix(id.ARN, "arn:aws:sts::") && !strings.HasPrefix(id.ARN, "arn:aws-us-gov:sts::") {
			fail("arn %s", id.ARN)
		}
		if _, err := time.Parse("2006-01-02T15:04:05Z", sc.Attributes.CreationDate); err != nil || sc.Attributes.CreationDate > r.EventTime {
			fail("session created %q after the event %s", sc.Attributes.CreationDate, r.EventTime)
		}
	case "AWSService":
		if id.InvokedBy == "" {
			fail("AWSService without invokedBy")
		}
	case "IAMUser":
		if !strings.HasPrefix(id.AccessKeyID, "AKIA") {
			fail("IAM user key %s", id.AccessKeyID)
		}
	}
}

type truthRow struct{ account, region, kind, actor string }

func readTruth(t *testing.T, b []byte) map[string]truthRow {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ",") + "\n"; got != TruthHeader {
		t.Errorf("truth header %q, want %q", got, TruthHeader)
	}
	m := map[string]truthRow{}
	for _, r := range rows[1:] {
		if _, ok := m[r[0]]; ok {
			t.Errorf("truth has event %s twice", r[0])
		}
		m[r[0]] = truthRow{r[1], r[2], r[3], r[4]}
	}
	return m
}

var kinds = []string{KindNotebookInstance, KindStudioProfile, KindEC2Instance, KindLambdaFunction, KindECSTask, KindSSOUser, KindIAMUser, KindRoot, KindAWSService, KindUnattributed}

func TestTruthCoversEveryEvent(t *testing.T) {
	out := generate(t, benchConfig())
	truth := readTruth(t, out.truth)
	recs := records(t, out)
	seen := map[string]bool{}
	for _, r := range recs {
		row, ok := truth[r.EventID]
		if !ok {
			t.Errorf("event %s has no truth row", r.EventID)
			continue
		}
		if row.account != r.RecipientAccountID || row.region != r.AWSRegion {
			t.Errorf("event %s: truth says %s/%s, event %s/%s", r.EventID, row.account, row.region, r.RecipientAccountID, r.AWSRegion)
		}
		seen[r.EventID] = true
	}
	if len(seen) != len(truth) || len(truth) != out.stats.Events {
		t.Errorf("%d distinct events, %d truth rows, stats say %d", len(seen), len(truth), out.stats.Events)
	}
	count := map[string]int{}
	for _, row := range truth {
		if !slices.Contains(kinds, row.kind) {
			t.Errorf("unknown actor kind %q", row.kind)
		}
		count[row.kind]++
	}
	for _, k := range kinds {
		if count[k] == 0 {
			t.Errorf("no %s events", k)
		}
	}
}

func TestDuplicates(t *testing.T) {
	cfg := benchConfig()
	out := generate(t, cfg)
	files := map[string][]string{}
	for _, r := range records(t, out) {
		files[r.EventID] = append(files[r.EventID], r.key)
	}
	dups := 0
	for id, keys := range files {
		switch {
		case len(keys) == 2 && keys[0] != keys[1]:
			dups++
		case len(keys) != 1:
			t.Errorf("event %s delivered in %v", id, keys)
		}
	}
	if dups != out.stats.Duplicates {
		t.Errorf("%d duplicated events, stats say %d", dups, out.stats.Duplicates)
	}
	// Binomial: allow five standard deviations.
	want := cfg.DuplicateRate * float64(out.stats.Events)
	if d := math.Abs(float64(dups) - want); d > 5*math.Sqrt(want) {
		t.Errorf("%d duplicates, want about %.0f", dups, want)
	}
	cfg.DuplicateRate = -1
	if st := generate(t, cfg).stats; st.Duplicates != 0 {
		t.Errorf("DuplicateRate -1: %d duplicates", st.Duplicates)
	}
}

func TestKeys(t *testing.T) {
	cfg := demoConfig()
	cfg.Prefix = "trails/main"
	out := generate(t, cfg)
	var org, digests int
	accounts := map[string]bool{}
	for key, data := range out.objs {
		if !strings.HasPrefix(key, "trails/main/AWSLogs/") {
			t.Errorf("key %q outside the prefix", key)
		}
		if strings.Contains(key, "/o-7h2k9x4m1p/") {
			org++
		}
		if strings.Contains(key, "/CloudTrail-Digest/") {
			digests++
			if !digestKeyRe.MatchString(key) {
				t.Errorf("digest key %q does not match CloudTrail's layout", key)
			}
			var d struct {
				AWSAccountID string `json:"awsAccountId"`
				LogFiles     []struct{ S3Object string }
			}
			if err := json.Unmarshal(gunzip(t, key, data), &d); err != nil {
				t.Errorf("%s: %v", key, err)
			}
			for _, f := range d.LogFiles {
				if _, ok := out.objs[f.S3Object]; !ok {
					t.Errorf("%s lists %s, which was not written", key, f.S3Object)
				}
			}
			continue
		}
		accounts[logKeyRe.FindStringSubmatch(key)[2]] = true
	}
	if org == 0 || digests == 0 || digests != out.stats.Digests {
		t.Errorf("%d organisation-trail keys, %d digests (stats %d)", org, digests, out.stats.Digests)
	}
	if diff := cmp.Diff(map[string]bool{"111122223333": true, "444455556666": true, "777788889999": true}, accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"scenario", Config{Scenario: "nope"}},
		{"events", Config{Events: -1}},
		{"window", Config{Window: time.Second}},
		{"rate", Config{DuplicateRate: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m memStore
			if _, err := Generate(context.Background(), tc.cfg, m.write, nil); err == nil {
				t.Errorf("Generate(%+v) succeeded, want an error", tc.cfg)
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	_, err := Generate(context.Background(), demoConfig(), func(string, []byte) error { return io.ErrShortWrite }, nil)
	if err == nil || !strings.Contains(err.Error(), io.ErrShortWrite.Error()) {
		t.Errorf("Generate with a failing writer: %v, want %v", err, io.ErrShortWrite)
	}
}

func BenchmarkGenerate(b *testing.B) {
	cfg := Config{Seed: 1, Events: 20000}
	var n int64
	discard := func(_ string, _ []byte) error { return nil }
	st, err := Generate(context.Background(), cfg, discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	n = st.RawBytes
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), cfg, discard, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestMisuse checks the misuse a corpus with Config.Misuse holds: every
// kind of finding, on the credentials of every kind of compute. (Without
// the option the corpus is unchanged: the attribution package's demo and
// scenario goldens are generated from it.)
func TestMisuse(t *testing.T) {
	for _, scenario := range []string{ScenarioDemo, ScenarioBench} {
		t.Run(scenario, func(t *testing.T) {
			cfg := Config{Seed: 3, Events: 20000, EventsPerFile: 20, Scenario: scenario, DuplicateRate: -1, Workers: 2}
			cfg.Misuse = true
			out := generate(t, cfg)
			head, body, _ := strings.Cut(string(out.truth), "\n")
			if head+"\n" != TruthHeaderMisuse {
				t.Fatalf("truth header %q, want %q", head, TruthHeaderMisuse)
			}
			got := map[string]map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
				f := strings.Split(line, ",")
				finding := f[len(f)-1]
				if finding == "" {
					continue
				}
				if got[finding] == nil {
					got[finding] = map[string]bool{}
				}
				got[finding][f[3]] = true
			}
			want := map[string][]string{
				FindingOffCompute: {KindNotebookInstance, KindEC2Instance, KindLambdaFunction, KindECSTask},
				FindingAfterEnded: {KindNotebookInstance},
				FindingManyPlaces: {KindUnattributed},
			}
			for finding, kinds := range want {
				for _, k := range kinds {
					if !got[finding][k] {
						t.Errorf("no %s call on %s credentials; got %v", finding, k, got[finding])
					}
				}
			}
		})
	}
}
