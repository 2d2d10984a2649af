package attribution_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "t.duckdb"), store.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func load(t testing.TB, db *store.DB, dir string) {
	t.Helper()
	src, err := ingest.OpenSource(context.Background(), dir, ingest.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(context.Background(), db, src, ingest.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
}

// loadRecords loads records, written as one CloudTrail log file.
func loadRecords(t testing.TB, db *store.DB, records ...ev) {
	t.Helper()
	dir := t.TempDir()
	body, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "records.json"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, db, dir)
}

func attribute(t testing.TB, db *store.DB, full bool) attribution.Summary {
	t.Helper()
	// Incremental: the scenario is small, and most of its events change
	// with each file, so a run would otherwise fall back to a full one.
	sum, err := attribution.Run(context.Background(), db, attribution.Options{Full: full, Incremental: !full})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// dump renders the attributions table, sorted by event_id, one
// tab-separated line per event.
func dump(t testing.TB, db *store.DB) string {
	t.Helper()
	rows, err := db.SQL.QueryContext(context.Background(), `SELECT event_id, actor_kind, actor, method, confidence,
		account_id, region, reason, note, evidence_event_id, evidence::VARCHAR FROM attributions ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var v [11]sql.NullString
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10]); err != nil {
			t.Fatal(err)
		}
		for i, s := range v {
			if i > 0 {
				b.WriteByte('\t')
			}
			if s.Valid {
				b.WriteString(s.String)
			} else {
				b.WriteString("-")
			}
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// copyFixture copies the scenario's files whose index (in key order)
// keep accepts into a new folder.
func copyFixture(t *testing.T, keep func(i int) bool) string {
	t.Helper()
	src := filepath.Join("..", "testdata", "scenario")
	var files []string
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	dst := t.TempDir()
	for i, f := range files {
		if !keep(i) {
			continue
		}
		rel, _ := filepath.Rel(src, f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestScenarioGolden(t *testing.T) {
	db := openDB(t)
	load(t, db, filepath.Join("..", "testdata", "scenario"))
	sum := attribute(t, db, true)
	got := dump(t, db)
	golden.Check(t, filepath.Join("testdata", "scenario.golden"), []byte(got))

	if want := int64(strings.Count(got, "\n")); sum.Events != want {
		t.Errorf("Run().Events = %d, want %d", sum.Events, want)
	}
	var events int64
	if err := db.SQL.QueryRow(`SELECT count(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if sum.Events != events {
		t.Errorf("attributions has %d rows for %d events, want one each", sum.Events, events)
	}

	// Running again, fully or incrementally, changes nothing.
	attribute(t, db, true)
	if diff := cmp.Diff(got, dump(t, db)); diff != "" {
		t.Errorf("second full run differs (-first +second):\n%s", diff)
	}
	if s := attribute(t, db, false); s.Recomputed != 0 {
		t.Errorf("incremental run with nothing new recomputed %d events, want 0", s.Recomputed)
	}
	if diff := cmp.Diff(got, dump(t, db)); diff != "" {
		t.Errorf("incremental run differs (-full +incremental):\n%s", diff)
	}
}

func TestScenarioConclusions(t *testing.T) {
	db := openDB(t)
	load(t, db, filepath.Join("..", "testdata", "scenario"))
	attribute(t, db, true)
	got := byEvent(t, db)
	tests := []struct {
		event                           string
		kind, actor, method, confidence string
	}{
		{"a-04-alice-default-put-object", "notebook-instance", "nb-alice", "access-key-chain", "high"},
		{"a-05-alice-assume-own-role", "notebook-instance", "nb-alice", "access-key-chain", "high"},
		{"a-06-alice-chained-get-object", "notebook-instance", "nb-alice", "access-key-chain", "high"},
		{"a-08-alice-chained-other-region", "notebook-instance", "nb-alice", "access-key-chain", "high"},
		{"a-09-alice-session-unlinked-key", "notebook-instance", "nb-alice", "session-name", "high"},
		{"a-07-bob-default-get-object", "unattributed", "", "none", "low"},
		{"a-10-studio-carol-list", "studio-user-profile", "carol", "source-identity", "high"},
		{"a-12-carol-chained-query", "studio-user-profile", "carol", "source-identity", "high"},
		{"a-21-ec2-linked-describe", "ec2-instance", "i-0abc1234def567890", "access-key-chain", "high"},
		{"a-23-ec2-unlinked", "ec2-instance", "i-0fedcba9876543210", "ec2-instance-id", "high"},
		{"a-24-ec2-no-delivery-field", "ec2-instance", "i-1234abcd", "ec2-instance-id", "medium"},
		{"a-25-ec2-key-after-expiry", "ec2-instance", "i-0abc1234def567890", "ec2-instance-id", "high"},
		{"a-26-sso-dave", "sso-user", "dave@example.com", "sso-role-session", "high"},
		{"a-30-lambda-get-item", "lambda-function", "process-orders", "lambda-function-name", "medium"},
		{"a-31-ecs-task", "ecs-task", "0123456789abcdef0123456789abcdef", "ecs-task-id", "medium"},
		{"a-32-botocore-default", "unattributed", "", "none", "low"},
		{"a-33-kms-by-service", "aws-service", "cloudtrail.amazonaws.com", "aws-service", "high"},
		{"a-34-root-login", "root", acctA, "root", "high"},
		{"a-41-pipeline-as-nb-alice", "iam-user", "ci-bot", "access-key-chain", "high"},
		{"a-42-pipeline-as-nb-bob", "unattributed", "", "none", "low"},
		{"a-50-temp-first-life", "notebook-instance", "nb-temp", "session-name", "high"},
		{"a-52-temp-between-lives", "unattributed", "", "none", "low"},
		{"a-54-temp-second-life", "notebook-instance", "nb-temp", "session-name", "high"},
		{"a-55-temp-old-role-second-life", "unattributed", "", "none", "low"},
		{"b-02-nb-alice-in-b", "notebook-instance", "nb-alice", "session-name", "high"},
		{"b-03-legacy-call", "notebook-instance", "nb-legacy", "session-name", "medium"},
		{"g-02-gov-nb-call", "notebook-instance", "gov-nb", "session-name", "high"},
		// SageMaker compute under its role's default session.
		{"c-02-training-job-call", "training-job", "churn-train", "sole-compute-on-role", "medium"},
		{"c-04-cross-account-chained-call", "training-job", "churn-train", "access-key-chain", "medium"},
		{"c-06-processing-job-call", "processing-job", "churn-prep", "sole-compute-on-role", "medium"},
		{"c-08-two-jobs-alive-call", "unattributed", "", "none", "low"},
		{"c-10-no-job-alive-call", "unattributed", "", "none", "low"},
		{"c-23-endpoint-call", "endpoint", "churn-ep", "sole-compute-on-role", "medium"},
		{"c-25-endpoint-deleted-call", "unattributed", "", "none", "low"},
		{"c-29-recreated-endpoint-call", "endpoint", "churn-ep", "sole-compute-on-role", "medium"},
		{"c-32-transform-job-call", "transform-job", "nightly-score", "sole-compute-on-role", "medium"},
		{"c-42-studio-domain-call", "studio-domain", "d-research0001", "sole-compute-on-role", "medium"},
		{"c-43-studio-user-profile-call", "studio-user-profile", "erin", "sole-compute-on-role", "medium"},
		{"c-51-cluster-worker-call", "hyperpod-cluster", "ml-cluster", "sole-compute-on-role", "medium"},
		{"c-52-cluster-controller-call", "hyperpod-cluster", "ml-cluster", "sole-compute-on-role", "medium"},
		{"c-54-no-workers-call", "unattributed", "", "none", "low"},
		{"c-56-workers-again-call", "hyperpod-cluster", "ml-cluster", "sole-compute-on-role", "medium"},
		{"c-57-gpu-group-call", "hyperpod-cluster", "ml-cluster", "sole-compute-on-role", "medium"},
		{"c-59-gpu-group-gone-call", "unattributed", "", "none", "low"},
		{"c-61-cluster-deleted-call", "unattributed", "", "none", "low"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			a, ok := got[tt.event]
			if !ok {
				t.Fatalf("no attribution for %s", tt.event)
			}
			want := row{Kind: tt.kind, Actor: tt.actor, Method: tt.method, Confidence: tt.confidence}
			if diff := cmp.Diff(want, a.short()); diff != "" {
				t.Errorf("attribution of %s (-want +got):\n%s\nreason: %s", tt.event, diff, a.Reason)
			}
		})
	}
	for ev, want := range map[string]string{
		"a-07-bob-default-get-object":    "default SageMaker session",
		"a-32-botocore-default":          "botocore's default",
		"a-42-pipeline-as-nb-bob":        "not its execution role",
		"a-55-temp-old-role-second-life": "not its execution role",
		// Two jobs alive: the reason names both, with their kinds, and what
		// would tell them apart.
		"c-08-two-jobs-alive-call": "2 SageMaker compute ran on role MLJobsRole at the time, any of which could have made the call: " +
			"processing-job churn-prep (us-east-1), training-job churn-train-2 (us-east-1); what would tell them apart: an execution role of its own",
		"c-54-no-workers-call": "no SageMaker compute",
	} {
		if r := got[ev].Reason; !strings.Contains(r, want) {
			t.Errorf("reason for %s = %q, want it to mention %q", ev, r, want)
		}
	}
	if f := findingOf(t, db, "a-22-ec2-linked-from-admin-ip"); f != attribution.FindingOffCompute {
		t.Errorf("finding for EC2 credentials used from the admin's address = %q, want %s", f, attribution.FindingOffCompute)
	}
	if f := findingOf(t, db, "a-21-ec2-linked-describe"); f != "" {
		t.Errorf("finding for EC2 credentials used from the instance = %q, want none", f)
	}
	for _, ev := range []string{"a-07-bob-default-get-object", "c-08-two-jobs-alive-call", "c-10-no-job-alive-call"} {
		if r := got[ev].Reason; strings.Contains(r, "lifecycle config (or") {
			t.Errorf("reason for %s = %q, still blames a notebook's lifecycle config", ev, r)
		}
	}
	evidence := evidenceOf(t, db)
	// The span a call matched is its evidence: the endpoint's second
	// lifetime, the update that scaled the workers up again.
	for ev, want := range map[string]string{
		"c-29-recreated-endpoint-call":  "c-28-recreate-endpoint",
		"c-56-workers-again-call":       "c-55-scale-up-add-gpu",
		"c-43-studio-user-profile-call": "c-41-create-user-profile",
	} {
		if e := evidence[ev]; len(e) != 1 || e[0] != want {
			t.Errorf("evidence of %s = %v, want [%s]", ev, e, want)
		}
	}
	if a := got["b-02-nb-alice-in-b"]; a.Account != acctB || a.Region != "us-west-2" {
		t.Errorf("nb-alice in account B attributed to %s/%s, want %s/us-west-2", a.Account, a.Region, acctB)
	}
}

type row struct {
	Kind, Actor, Method, Confidence string
	Account, Region, Reason, Note   string
}

func (r row) short() row {
	return row{Kind: r.Kind, Actor: r.Actor, Method: r.Method, Confidence: r.Confidence}
}

func byEvent(t testing.TB, db *store.DB) map[string]row {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT event_id, actor_kind, coalesce(actor, ''), method, confidence,
		coalesce(account_id, ''), coalesce(region, ''), coalesce(reason, ''), coalesce(note, '') FROM attributions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]row{}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.Kind, &r.Actor, &r.Method, &r.Confidence, &r.Account, &r.Region, &r.Reason, &r.Note); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	return out
}

// TestIncrementalEqualsFull loads the scenario in two halves, attributing
// after each, and compares with one full run: the AssumeRole that links
// nb-alice's default key arrives after the call made with it.
func TestIncrementalEqualsFull(t *testing.T) {
	full := openDB(t)
	load(t, full, filepath.Join("..", "testdata", "scenario"))
	attribute(t, full, true)
	want := dump(t, full)

	for name, split := range map[string]int{"first two files": 2, "first file": 1, "first four files": 4} {
		t.Run(name, func(t *testing.T) {
			db := openDB(t)
			load(t, db, copyFixture(t, func(i int) bool { return i < split }))
			attribute(t, db, false)
			load(t, db, copyFixture(t, func(i int) bool { return i >= split }))
			sum := attribute(t, db, false)
			if diff := cmp.Diff(want, dump(t, db)); diff != "" {
				t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
			}
			if sum.Recomputed == 0 || sum.Full {
				t.Errorf("second run recomputed %d events (full: %v), want an incremental run", sum.Recomputed, sum.Full)
			}
		})
	}
}

func TestRunEmptyDatabase(t *testing.T) {
	db := openDB(t)
	sum := attribute(t, db, false)
	if sum.Events != 0 || sum.Recomputed != 0 {
		t.Errorf("Run on an empty database = %+v, want nothing attributed", sum)
	}
}

// TestReusedNameBestLifetime checks how a call on a name with several live
// lifetimes picks one: the lifetime on the call's role first, then the one
// in the call's region. nb-twin exists in us-east-1 on RoleEast and in
// eu-west-1 on RoleWest, in one account, at the same time.
func TestReusedNameBestLifetime(t *testing.T) {
	const (
		east  = "arn:aws:iam::111111111111:role/RoleEast"
		west  = "arn:aws:iam::111111111111:role/RoleWest"
		other = "arn:aws:iam::111111111111:role/Unrelated"
	)
	admin := iamUser(acctA, "admin", "AKIAADMINEXAMPLE0001")
	call := func(id, region, role string) ev {
		return event(id, "2024-06-01T12:00:00Z", region, acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20",
			assumed("aws", acctA, role, "nb-twin", "ASIA"+strings.ToUpper(id[:4])+"000000000001", "2024-06-01T11:30:00Z"), nil, nil)
	}
	records := []ev{
		createNotebook("c-east", "2024-06-01T08:00:00Z", "us-east-1", acctA, "nb-twin", east, "session-name", admin),
		createNotebook("c-west", "2024-06-01T08:00:00Z", "eu-west-1", acctA, "nb-twin", west, "session-name", admin),
		// The west role, called in us-east-1: the role decides.
		call("west-role-east-region", "us-east-1", west),
		call("east-role-east-region", "us-east-1", east),
		// Neither role: not the notebook, whichever region.
		call("other-role-west-region", "eu-west-1", other),
		// Before either lifetime began.
		event("early", "2024-06-01T07:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20",
			assumed("aws", acctA, east, "nb-twin", "ASIAEARLY00000000001", "2024-06-01T06:30:00Z"), nil, nil),
	}
	db := openDB(t)
	loadRecords(t, db, records...)
	attribute(t, db, true)
	got := byEvent(t, db)
	tests := []struct {
		event                                           string
		kind, actor, method, confidence, region, reason string
	}{
		{"west-role-east-region", "notebook-instance", "nb-twin", "session-name", "medium", "eu-west-1", ""},
		{"east-role-east-region", "notebook-instance", "nb-twin", "session-name", "high", "us-east-1", ""},
		{"other-role-west-region", "unattributed", "", "none", "low", acctA + "/eu-west-1", "not its execution role RoleWest"},
		{"early", "unattributed", "", "none", "low", "us-east-1", "matches no notebook instance"},
	}
	for _, tt := range tests {
		a := got[tt.event]
		region := a.Region
		if tt.kind == "unattributed" && strings.Contains(tt.region, "/") {
			// The reason names the lifetime the name matched.
			if !strings.Contains(a.Reason, tt.region) {
				t.Errorf("%s: reason %q does not name %s", tt.event, a.Reason, tt.region)
			}
			region = tt.region
		}
		want := row{Kind: tt.kind, Actor: tt.actor, Method: tt.method, Confidence: tt.confidence}
		if diff := cmp.Diff(want, a.short()); diff != "" || region != tt.region || !strings.Contains(a.Reason, tt.reason) {
			t.Errorf("%s: (-want +got):\n%s\nregion %s, want %s; reason %q, want it to contain %q", tt.event, diff, region, tt.region, a.Reason, tt.reason)
		}
	}
}

// TestIncrementalFallsBackToFull: an incremental run redoes everything
// when more than a quarter of the events need it, and only the changed
// ones otherwise; both give the full run's result.
func TestIncrementalFallsBackToFull(t *testing.T) {
	db := openDB(t)
	load(t, db, filepath.Join("..", "testdata", "scenario"))
	attribute(t, db, true)
	want := dump(t, db)
	for _, tt := range []struct {
		name     string
		forget   string // the share of attributions to delete, as a SQL condition
		wantFull bool
	}{
		{"a few missing", `event_id IN (SELECT event_id FROM attributions ORDER BY event_id LIMIT 2)`, false},
		// An incremental run looks for events without an attribution among
		// the newest rows first: as after an ingest, and not as here.
		{"the newest missing", `event_id IN (SELECT event_id FROM event_rows ORDER BY rowid DESC LIMIT 3)`, false},
		{"the oldest missing", `event_id IN (SELECT event_id FROM event_rows ORDER BY rowid LIMIT 1)`, false},
		{"most missing", `event_id IN (SELECT event_id FROM attributions ORDER BY event_id LIMIT (SELECT count(*) * 3 / 4 FROM attributions))`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.SQL.Exec(`DELETE FROM attributions WHERE ` + tt.forget); err != nil {
				t.Fatal(err)
			}
			sum, err := attribution.Run(t.Context(), db, attribution.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Full != tt.wantFull {
				t.Errorf("Summary.Full = %v, want %v (recomputed %d of %d)", sum.Full, tt.wantFull, sum.Recomputed, sum.Events)
			}
			if diff := cmp.Diff(want, dump(t, db)); diff != "" {
				t.Errorf("differs from a full run (-full +got):\n%s", diff)
			}
		})
	}
}

// TestEventWithoutTime: a call CloudTrail gave no eventTime cannot be
// placed in a lifetime, but a notebook whose start is unknown (from a
// CSV inventory here) has no start to be before.
func TestEventWithoutTime(t *testing.T) {
	const role = "arn:aws:iam::111111111111:role/RoleSolo"
	e := event("no-time", "", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20",
		assumed("aws", acctA, role, "nb-solo", "ASIASOLO000000000001", "2024-06-01T11:30:00Z"), nil, nil)
	delete(e, "eventTime")
	db := openDB(t)
	loadRecords(t, db, e)
	if _, err := db.SQL.Exec(`INSERT INTO notebook_instances (account_id, region, name, role_arn, source)
		VALUES (?, 'us-east-1', 'nb-solo', ?, 'csv')`, acctA, role); err != nil {
		t.Fatal(err)
	}
	attribute(t, db, true)
	want := row{Kind: "notebook-instance", Actor: "nb-solo", Method: "session-name", Confidence: "high"}
	if diff := cmp.Diff(want, byEvent(t, db)["no-time"].short()); diff != "" {
		t.Errorf("attribution of a call without eventTime (-want +got):\n%s", diff)
	}
}

// TestRecordFieldsKeptUpToDate: the fields attribution reads from the
// records of notebook lifecycle events and AssumeRole calls are kept
// between runs, each record read once: runs add the new events, a run
// with nothing new adds none, and after rows are deleted by hand the
// tables are read again from every event.
func TestRecordFieldsKeptUpToDate(t *testing.T) {
	ctx := t.Context()
	check := func(t *testing.T, db *store.DB, when, table, where string) {
		t.Helper()
		var want, got, distinct, missing int64
		err := db.SQL.QueryRowContext(ctx, `
			WITH w AS (SELECT event_id FROM events WHERE `+where+` AND error_code IS NULL AND event_time IS NOT NULL)
			SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM `+table+`),
				(SELECT count(DISTINCT event_id) FROM `+table+`),
				(SELECT count(*) FROM (SELECT event_id FROM w EXCEPT SELECT event_id FROM `+table+`))`).
			Scan(&want, &got, &distinct, &missing)
		if err != nil {
			t.Fatal(err)
		}
		if want == 0 || got != want || distinct != want || missing != 0 {
			t.Errorf("%s: %s holds %d rows (%d events, %d missing), want the %d events",
				when, table, got, distinct, missing, want)
		}
	}
	checkAll := func(t *testing.T, db *store.DB, when string) {
		t.Helper()
		check(t, db, when, "notebook_events", `event_source = 'sagemaker.amazonaws.com'
			AND event_name IN ('CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance')`)
		check(t, db, when, "assume_role_fields", `((event_source = 'sts.amazonaws.com'
			AND event_name IN ('AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'))
			OR (event_source = 'eks-auth.amazonaws.com' AND event_name = 'AssumeRoleForPodIdentity'))`)
		if when != "first run" && when != "run with nothing new" {
			// The first files hold no compute lifecycle events.
			check(t, db, when, "compute_events", `event_source = 'sagemaker.amazonaws.com' AND event_name IN (
				'CreateCluster', 'UpdateCluster', 'DeleteCluster', 'CreateTrainingJob', 'StopTrainingJob',
				'CreateProcessingJob', 'StopProcessingJob', 'CreateTransformJob', 'StopTransformJob',
				'CreateModel', 'DeleteModel', 'CreateEndpointConfig', 'DeleteEndpointConfig',
				'CreateEndpoint', 'UpdateEndpoint', 'DeleteEndpoint', 'CreateDomain', 'UpdateDomain',
				'DeleteDomain', 'CreateUserProfile', 'UpdateUserProfile', 'DeleteUserProfile')`)
		}
	}
	db := openDB(t)
	load(t, db, copyFixture(t, func(i int) bool { return i < 2 }))
	attribute(t, db, false)
	checkAll(t, db, "first run")
	attribute(t, db, false)
	checkAll(t, db, "run with nothing new")
	load(t, db, copyFixture(t, func(i int) bool { return i >= 2 }))
	attribute(t, db, false)
	checkAll(t, db, "run with new events")
	for _, name := range []string{"CreateNotebookInstance", "AssumeRole"} {
		if _, err := db.SQL.ExecContext(ctx, `DELETE FROM event_rows WHERE event_id IN (
			SELECT event_id FROM event_rows WHERE event_name = $1 LIMIT 1)`, name); err != nil {
			t.Fatal(err)
		}
	}
	attribute(t, db, false)
	checkAll(t, db, "run after a hand edit")
}

// TestIncrementalAfterEventsDeleted: events deleted by hand (to keep a
// year, say) between two runs, and new events loaded, leave as many new
// rows as the difference of the counts suggests. The incremental run must
// still attribute every new event, and drop the deleted events'
// attributions, as a full run would.
func TestIncrementalAfterEventsDeleted(t *testing.T) {
	for name, forget := range map[string]string{
		"the oldest rows":        `rowid IN (SELECT rowid FROM event_rows ORDER BY rowid LIMIT 3)`,
		"an AssumeRole evidence": `event_id IN (SELECT event_id FROM event_rows WHERE event_name = 'AssumeRole' ORDER BY rowid LIMIT 1)`,
	} {
		t.Run(name, func(t *testing.T) {
			db := openDB(t)
			load(t, db, copyFixture(t, func(i int) bool { return i < 2 }))
			attribute(t, db, false)
			res, err := db.SQL.Exec(`DELETE FROM event_rows WHERE ` + forget)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				t.Fatal("deleted no events")
			}
			load(t, db, copyFixture(t, func(i int) bool { return i >= 2 }))
			attribute(t, db, false)
			got := dump(t, db)
			attribute(t, db, true)
			if diff := cmp.Diff(dump(t, db), got); diff != "" {
				t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
			}
		})
	}
}
