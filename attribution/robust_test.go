package attribution_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/internal/corpus"
)

// corruptions change the identity (and the request and response
// attribution reads) of one record the way real data can be odd: fields
// missing, of another type, of another length, or not what their name
// says. Each returns the record changed.
var corruptions = []func(r *rand.Rand, rec map[string]any){
	func(_ *rand.Rand, rec map[string]any) { delete(rec, "userIdentity") },
	func(_ *rand.Rand, rec map[string]any) { rec["userIdentity"] = "AssumedRole" },
	func(_ *rand.Rand, rec map[string]any) { delete(identity(rec), "type") },
	func(_ *rand.Rand, rec map[string]any) { identity(rec)["type"] = "SomethingNew" },
	func(r *rand.Rand, rec map[string]any) {
		identity(rec)["accessKeyId"] = "ASIA" + strings.Repeat("Q", r.IntN(140))
	},
	func(_ *rand.Rand, rec map[string]any) { identity(rec)["accessKeyId"] = 12345 },
	func(_ *rand.Rand, rec map[string]any) { delete(sessionContext(rec), "sessionIssuer") },
	func(_ *rand.Rand, rec map[string]any) { sessionContext(rec)["sessionIssuer"] = "RoleName" },
	func(_ *rand.Rand, rec map[string]any) { delete(identity(rec), "sessionContext") },
	func(r *rand.Rand, rec map[string]any) {
		bad := []any{"not a time", "9999-99-99T99:99:99Z", 1714560000, "", nil, "0001-01-01T00:00:00Z"}
		sessionContext(rec)["attributes"] = map[string]any{"creationDate": bad[r.IntN(len(bad))]}
	},
	func(_ *rand.Rand, rec map[string]any) { sessionContext(rec)["attributes"] = "yesterday" },
	func(r *rand.Rand, rec map[string]any) {
		arns := []any{"arn:aws:sts::111122223333:assumed-role/OnlyRole", "arn:aws:sts::111122223333:assumed-role//", "", 7, "nonsense"}
		identity(rec)["arn"] = arns[r.IntN(len(arns))]
	},
	func(r *rand.Rand, rec map[string]any) {
		roles := []any{"arn:aws:iam::111122223333:role", "RoleWithoutARN", "arn:aws:iam::111122223333:role/", 42, nil}
		if p, ok := rec["requestParameters"].(map[string]any); ok {
			p["roleArn"] = roles[r.IntN(len(roles))]
		}
	},
	func(r *rand.Rand, rec map[string]any) {
		vals := []any{"HIDDEN_DUE_TO_SECURITY_REASONS", 3, []any{"x"}, "{\"roleArn\": 1}", nil}
		rec["requestParameters"] = vals[r.IntN(len(vals))]
	},
	func(r *rand.Rand, rec map[string]any) {
		vals := []any{"HIDDEN", []any{1}, map[string]any{"credentials": []any{"ASIAXXXXXXXXXXXXXXXX"}},
			map[string]any{"credentials": map[string]any{"accessKeyId": "ASIA" + strings.Repeat("Z", r.IntN(20)), "expiration": "soon"}},
			map[string]any{"credentials": map[string]any{"accessKeyId": 99, "expiration": 1e300}}}
		rec["responseElements"] = vals[r.IntN(len(vals))]
	},
	func(_ *rand.Rand, rec map[string]any) {
		rec["userIdentity"] = map[string]any{"accountId": rec["recipientAccountId"], "invokedBy": "sagemaker.amazonaws.com"}
		rec["eventType"] = "AwsServiceEvent"
	},
	func(_ *rand.Rand, rec map[string]any) { identity(rec)["invokedBy"] = map[string]any{"service": "x"} },
	func(_ *rand.Rand, rec map[string]any) { identity(rec)["userName"] = []any{"a", "b"} },
	func(_ *rand.Rand, rec map[string]any) { identity(rec)["principalId"] = nil },
	func(r *rand.Rand, rec map[string]any) {
		// Turn the call into a federated one whose fields are odd.
		names := []string{"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "AssumeRole"}
		rec["eventSource"], rec["eventName"] = "sts.amazonaws.com", names[r.IntN(len(names))]
		identity(rec)["type"] = []string{"WebIdentityUser", "SAMLUser"}[r.IntN(2)]
		rec["responseElements"] = map[string]any{"subject": map[string]any{"a": 1}, "subjectFromWebIdentityToken": 5,
			"credentials": map[string]any{"accessKeyId": "ASIAFEDERATED0000001"}}
	},
	func(r *rand.Rand, rec map[string]any) {
		rec["eventSource"], rec["eventName"] = "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity"
		subjects := []any{"ns/sa", map[string]any{"namespace": 1}, map[string]any{"namespace": "n", "serviceAccount": "s"}, nil}
		rec["responseElements"] = map[string]any{"subject": subjects[r.IntN(len(subjects))],
			"credentials": map[string]any{"accessKeyId": "ASIAPODIDENTITY00001", "expiration": r.Int64()}}
		rec["requestParameters"] = map[string]any{"clusterName": []any{1}}
	},
}

// identity returns the record's userIdentity object, made one if it is not.
func identity(rec map[string]any) map[string]any {
	id, ok := rec["userIdentity"].(map[string]any)
	if !ok {
		id = map[string]any{}
		rec["userIdentity"] = id
	}
	return id
}

func sessionContext(rec map[string]any) map[string]any {
	id := identity(rec)
	sc, ok := id["sessionContext"].(map[string]any)
	if !ok {
		sc = map[string]any{}
		id["sessionContext"] = sc
	}
	return sc
}

// robustCorpus is the generator's demo corpus, made once: log objects by key.
var robustCorpus = sync.OnceValues(func() (map[string][]byte, error) {
	var mu sync.Mutex
	objs := map[string][]byte{}
	cfg := corpus.Config{Seed: 7, Scenario: corpus.ScenarioDemo, Events: 1500, Digests: -1}
	_, err := corpus.Generate(context.Background(), cfg, func(key string, data []byte) error {
		mu.Lock()
		defer mu.Unlock()
		objs[key] = bytes.Clone(data)
		return nil
	}, nil)
	return objs, err
})

// corruptCorpus writes the corpus to a folder with a share of its records
// corrupted, as chosen by seed.
func corruptCorpus(t *testing.T, seed uint64, share float64) (dir string, corrupted int) {
	t.Helper()
	objs, err := robustCorpus()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 0x726f62))
	dir = t.TempDir()
	for key, data := range objs {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Records []map[string]any
		}
		if err := json.Unmarshal(raw, &file); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for _, rec := range file.Records {
			// The calls attribution reads as evidence for others (key
			// links, the inventory) are where an odd value reaches most.
			p := share
			if src, _ := rec["eventSource"].(string); src == "sts.amazonaws.com" || src == "sagemaker.amazonaws.com" {
				p = 0.8
			}
			if r.Float64() >= p {
				continue
			}
			corrupted++
			for range 1 + r.IntN(3) {
				corruptions[r.IntN(len(corruptions))](r, rec)
			}
		}
		out, err := json.Marshal(file)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(key, ".gz")))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, corrupted
}

// TestAttributeSurvivesCorruptRecords is a property test: whatever odd
// values the identity fields of some records hold, a run (full, then
// incremental) succeeds and every event has exactly one attribution, and
// each unattributed one a reason.
func TestAttributeSurvivesCorruptRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the corpus several times")
	}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(string(rune('0'+seed)), func(t *testing.T) {
			dir, corrupted := corruptCorpus(t, seed, 0.25)
			if corrupted == 0 {
				t.Fatal("no record corrupted")
			}
			db := openDB(t)
			load(t, db, dir)
			for _, full := range []bool{true, false} {
				if _, err := attribution.Run(t.Context(), db, attribution.Options{Full: full, Incremental: !full}); err != nil {
					t.Fatalf("Run(full %v) with %d corrupted records: %v", full, corrupted, err)
				}
				var events, rows, once, noReason int64
				err := db.SQL.QueryRowContext(t.Context(), `SELECT
					(SELECT count(*) FROM events),
					(SELECT count(*) FROM attributions),
					(SELECT count(*) FROM (SELECT event_id FROM attributions GROUP BY ALL HAVING count(*) = 1)
						SEMI JOIN events USING (event_id)),
					(SELECT count(*) FROM attributions WHERE actor_kind = 'unattributed' AND coalesce(reason, '') = '')`).
					Scan(&events, &rows, &once, &noReason)
				if err != nil {
					t.Fatal(err)
				}
				if events == 0 || rows != events || once != events {
					t.Errorf("full %v: %d events, %d attribution rows, %d events with exactly one", full, events, rows, once)
				}
				if noReason != 0 {
					t.Errorf("full %v: %d unattributed events without a reason", full, noReason)
				}
			}
		})
	}
}

// FuzzAttributeRecord loads one record, whatever it holds, and attributes
// it: the run must succeed and leave every event loaded one attribution.
// Seeded with federated and odd records of the scenario fixture.
//
//	go test -run '^$' -fuzz '^FuzzAttributeRecord$' -fuzztime 60s ./attribution
func FuzzAttributeRecord(f *testing.F) {
	for _, file := range federationFiles() {
		for _, e := range file.events {
			switch e["eventID"] {
			case "f-01-irsa-trainer-assume", "f-21-pod-identity-agent", "f-47-wrong-json-types":
				b, err := json.Marshal(e)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, record []byte) {
		if !json.Valid(record) {
			t.Skip("not JSON: ingest's concern, not attribution's")
		}
		dir := t.TempDir()
		body := append(append([]byte(`{"Records":[`), record...), ']', '}')
		if err := os.WriteFile(filepath.Join(dir, "records.json"), body, 0o644); err != nil {
			t.Fatal(err)
		}
		db := openDB(t)
		load(t, db, dir)
		if _, err := attribution.Run(t.Context(), db, attribution.Options{Full: true}); err != nil {
			t.Fatalf("Run: %v\nrecord: %s", err, record)
		}
		var events, rows int64
		if err := db.SQL.QueryRowContext(t.Context(), `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM attributions)`).Scan(&events, &rows); err != nil {
			t.Fatal(err)
		}
		if rows != events {
			t.Errorf("%d events, %d attributions\nrecord: %s", events, rows, record)
		}
	})
}
