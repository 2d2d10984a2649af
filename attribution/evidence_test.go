package attribution_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/store"
)

// loadFile loads records as one CloudTrail log file named name, so that
// several loads into one database are different objects.
func loadFile(t testing.TB, db *store.DB, name string, records ...ev) {
	t.Helper()
	dir := t.TempDir()
	body, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, db, dir)
}

// evidenceOf returns every event's evidence list.
func evidenceOf(t testing.TB, db *store.DB) map[string][]string {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT event_id, to_json(evidence)::VARCHAR FROM attributions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, js string
		if err := rows.Scan(&id, &js); err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := json.Unmarshal([]byte(js), &ids); err != nil {
			t.Fatalf("evidence of %s = %s: %v", id, js, err)
		}
		out[id] = ids
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

const (
	chainRole = "arn:aws:iam::111111111111:role/service-role/ChainNotebookRole"
	roleB     = "arn:aws:iam::222222222222:role/RoleB"
	roleC     = "arn:aws:iam::222222222222:role/RoleC"
)

// chainRecords is a notebook whose default SageMaker key names it in an
// AssumeRole, and whose named session then assumes role B in account B
// (recorded in both accounts, as an organisation trail does) and from
// there role C; and a call of each other evidence shape.
func chainRecords() []ev {
	admin := iamUser(acctA, "admin", "AKIAADMINEXAMPLE0001")
	def := assumed("aws", acctA, chainRole, "SageMaker", "ASIACHAINDEFAULT0001", "2024-07-01T08:50:00Z")
	k1 := assumed("aws", acctA, chainRole, "nb-chain", "ASIACHAINNB000000001", "2024-07-01T09:00:00Z")
	k2 := assumed("aws", acctB, roleB, "hop-b", "ASIACHAINHOPB0000001", "2024-07-01T09:10:00Z")
	k3 := assumed("aws", acctB, roleC, "hop-c", "ASIACHAINHOPC0000001", "2024-07-01T09:20:00Z")
	hopB := func(id, recipient string) ev {
		e := assumeRole(id, "2024-07-01T09:10:00Z", "us-east-1", recipient, k1, roleB, "hop-b", "ASIACHAINHOPB0000001", "2024-07-01T10:10:00Z")
		e["requestID"], e["sharedEventID"] = "req-hop-b", "shared-hop-b"
		return e
	}
	ec2Service := ev{"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}
	ec2Deliver := assumeRole("ev-10-ec2-delivers", "2024-07-01T07:00:00Z", "us-east-1", acctA, ec2Service,
		"arn:aws:iam::111111111111:role/WebRole", "i-0aaaabbbbccccdddd", "ASIACHAINEC200000001", "2024-07-01T13:00:00Z")
	ec2Deliver["sourceIPAddress"], ec2Deliver["userAgent"] = "ec2.amazonaws.com", "ec2.amazonaws.com"
	ec2 := assumed("aws", acctA, "arn:aws:iam::111111111111:role/WebRole", "i-0aaaabbbbccccdddd", "ASIACHAINEC200000001", "2024-07-01T07:00:00Z")
	ec2Plain := assumed("aws", acctA, "arn:aws:iam::111111111111:role/WebRole", "i-0eeeeffff00001111", "ASIACHAINEC200000002", "2024-07-01T07:00:00Z")
	fn := assumed("aws", acctA, "arn:aws:iam::111111111111:role/fn-role", "fn-evidence", "ASIACHAINLAMBDA00001", "2024-07-01T09:00:00Z")
	fnOwn := event("ev-20-lambda-own", "2024-07-01T09:01:00Z", "us-east-1", acctA, "dynamodb.amazonaws.com", "GetItem", "3.80.10.20", fn, nil, nil)
	fnOwn["userAgent"] = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux exec-env/AWS_Lambda_python3.12"
	// S3 decrypting with KMS for the function's GetObject: its key, S3's name.
	fnByS3 := assumed("aws", acctA, "arn:aws:iam::111111111111:role/fn-role", "fn-evidence", "ASIACHAINLAMBDA00001", "2024-07-01T09:00:00Z")
	fnByS3["invokedBy"] = "s3.amazonaws.com"
	fnForward := event("ev-21-lambda-kms-forward", "2024-07-01T09:02:00Z", "us-east-1", acctA, "kms.amazonaws.com", "Decrypt", "s3.amazonaws.com", fnByS3, nil, nil)
	fnForward["userAgent"] = "s3.amazonaws.com"
	task := func() ev {
		return assumed("aws", acctA, "arn:aws:iam::111111111111:role/task-role", "00112233445566778899aabbccddeeff", "ASIACHAINECS00000001", "2024-07-01T09:00:00Z")
	}
	taskOwn := event("ev-22-ecs-own", "2024-07-01T09:01:00Z", "us-east-1", acctA, "s3.amazonaws.com", "GetObject", "10.0.4.50", task(), nil, nil)
	taskOwn["userAgent"] = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux exec-env/AWS_ECS_FARGATE"
	taskByS3 := task()
	taskByS3["invokedBy"] = "s3.amazonaws.com"
	taskForward := event("ev-23-ecs-kms-forward", "2024-07-01T09:02:00Z", "us-east-1", acctA, "kms.amazonaws.com", "Decrypt", "s3.amazonaws.com", taskByS3, nil, nil)
	taskForward["userAgent"] = "s3.amazonaws.com"
	studio := assumed("aws", acctA, chainRole, "SageMaker", "ASIACHAINSTUDIO00001", "2024-07-01T09:00:00Z")
	studio["sessionContext"].(ev)["sourceIdentity"] = "erin"
	sso := assumed("aws", acctA, "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
		"frank@example.com", "ASIACHAINSSO00000001", "2024-07-01T09:00:00Z")
	ci := iamUser(acctA, "ci-bot", "AKIACIBOTEXAMPLE0001")
	pipe := assumed("aws", acctA, "arn:aws:iam::111111111111:role/PipeRole", "deploy", "ASIACHAINPIPE0000001", "2024-07-01T09:00:00Z")
	update := func(id, t string) ev {
		return event(id, t, "us-east-1", acctA, "sagemaker.amazonaws.com", "UpdateNotebookInstance", "198.51.100.23", admin,
			ev{"notebookInstanceName": "nb-updated", "roleArn": chainRole}, nil)
	}
	return []ev{
		// A notebook the trail shows only updates of: the first one.
		update("ev-50-update-first", "2024-07-01T07:00:00Z"),
		update("ev-51-update-second", "2024-07-01T08:00:00Z"),
		event("ev-52-updated-notebook-call", "2024-07-01T09:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.24",
			assumed("aws", acctA, chainRole, "nb-updated", "ASIACHAINUPD00000001", "2024-07-01T08:30:00Z"), nil, nil),
		createNotebook("ch-01-create", "2024-07-01T08:00:00Z", "us-east-1", acctA, "nb-chain", chainRole, "session-name", admin),
		assumeRole("ch-02-name-nb", "2024-07-01T09:00:00Z", "us-east-1", acctA, def, chainRole, "nb-chain", "ASIACHAINNB000000001", "2024-07-01T10:00:00Z"),
		hopB("ch-03-hop-b-in-a", acctA),
		hopB("ch-03-hop-b-in-b", acctB),
		assumeRole("ch-04-hop-c", "2024-07-01T09:20:00Z", "us-east-1", acctB, k2, roleC, "hop-c", "ASIACHAINHOPC0000001", "2024-07-01T10:20:00Z"),
		event("ch-05-call", "2024-07-01T09:30:00Z", "us-east-1", acctB, "s3.amazonaws.com", "GetObject", "10.0.1.20", k3, nil, nil),
		event("ch-06-default-key-call", "2024-07-01T09:05:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", def, nil, nil),
		event("ch-07-named-session-call", "2024-07-01T09:06:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", k1, nil, nil),
		event("ch-08-session-name-only", "2024-07-01T11:30:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20",
			assumed("aws", acctA, chainRole, "nb-chain", "ASIACHAINNBOTHER0001", "2024-07-01T11:00:00Z"), nil, nil),
		ec2Deliver,
		event("ev-11-ec2-linked", "2024-07-01T07:30:00Z", "us-east-1", acctA, "ec2.amazonaws.com", "DescribeInstances", "10.0.3.40", ec2, nil, nil),
		event("ev-12-ec2-session-name", "2024-07-01T07:30:00Z", "us-east-1", acctA, "ec2.amazonaws.com", "DescribeInstances", "10.0.3.41", ec2Plain, nil, nil),
		fnOwn,
		fnForward,
		taskOwn,
		taskForward,
		event("ev-24-studio", "2024-07-01T09:03:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.2.30", studio, nil, nil),
		event("ev-25-sso", "2024-07-01T09:04:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "203.0.113.7", sso, nil, nil),
		event("ev-26-root", "2024-07-01T09:05:00Z", "us-east-1", acctA, "signin.amazonaws.com", "ConsoleLogin", "203.0.113.50",
			ev{"type": "Root", "principalId": acctA, "arn": "arn:aws:iam::111111111111:root", "accountId": acctA}, nil, nil),
		event("ev-30-iam-user", "2024-07-01T09:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "198.51.100.23", admin, nil, nil),
		assumeRole("ev-31-ci-assumes", "2024-07-01T09:00:00Z", "us-east-1", acctA, ci, "arn:aws:iam::111111111111:role/PipeRole", "deploy", "ASIACHAINPIPE0000001", "2024-07-01T10:00:00Z"),
		event("ev-32-ci-chained", "2024-07-01T09:10:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.5.1", pipe, nil, nil),
		event("ev-40-csv-notebook", "2024-07-01T09:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.22",
			assumed("aws", acctA, chainRole, "nb-from-csv", "ASIACHAINCSV00000001", "2024-07-01T08:30:00Z"), nil, nil),
		event("ev-41-api-notebook", "2024-07-01T09:00:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.23",
			assumed("aws", acctA, chainRole, "nb-from-api", "ASIACHAINAPI00000001", "2024-07-01T08:30:00Z"), nil, nil),
	}
}

// addInventory stores a notebook known only from a CSV file and one known
// only from the SageMaker API.
func addInventory(t testing.TB, db *store.DB) {
	t.Helper()
	for _, src := range []string{"csv", "api"} {
		if _, err := db.SQL.Exec(`INSERT INTO notebook_instances (account_id, region, name, role_arn, source)
			VALUES (?, 'us-east-1', ?, ?, ?)`, acctA, "nb-from-"+src, chainRole, src); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEvidenceChain checks the evidence of each shape of answer, above
// all a call made through a cross-account two-hop chain that started on a
// notebook: the notebook's create, the default-key AssumeRole that named
// it, then each hop (of two copies of one AssumeRole, the lower event ID).
func TestEvidenceChain(t *testing.T) {
	db := openDB(t)
	addInventory(t, db)
	loadFile(t, db, "chain", chainRecords()...)
	attribute(t, db, true)
	got := evidenceOf(t, db)
	nb := []string{"ch-01-create", "ch-02-name-nb"}
	tests := []struct {
		event string
		want  []string
	}{
		// access-key-chain through two hops from the notebook.
		{"ch-05-call", append(nb, "ch-03-hop-b-in-a", "ch-04-hop-c")},
		{"ch-04-hop-c", append(nb, "ch-03-hop-b-in-a")},
		{"ch-03-hop-b-in-a", nb},
		{"ch-03-hop-b-in-b", nb},
		// The default key that named the notebook, and the named session's key.
		{"ch-02-name-nb", nb},
		{"ch-06-default-key-call", nb},
		{"ch-07-named-session-call", nb},
		// session-name: the lifetime matched.
		{"ch-08-session-name-only", []string{"ch-01-create"}},
		{"ev-40-csv-notebook", []string{"inventory:csv"}},
		{"ev-41-api-notebook", []string{"inventory:api"}},
		{"ev-52-updated-notebook-call", []string{"ev-50-update-first"}},
		// A service's AssumeRole for compute.
		{"ev-11-ec2-linked", []string{"ev-10-ec2-delivers"}},
		// A key chained from an IAM user: the AssumeRole alone.
		{"ev-32-ci-chained", []string{"ev-31-ci-assumes"}},
		// A forward call with a Lambda function's key: its own call.
		{"ev-21-lambda-kms-forward", []string{"ev-20-lambda-own"}},
		{"ev-23-ecs-kms-forward", []string{"ev-22-ecs-own"}},
		// Answers that rest on the call alone.
		{"ev-20-lambda-own", []string{}},
		{"ev-22-ecs-own", []string{}},
		{"ev-24-studio", []string{}},
		{"ev-25-sso", []string{}},
		{"ev-26-root", []string{}},
		{"ev-12-ec2-session-name", []string{}},
		{"ev-30-iam-user", []string{}},
		{"ev-31-ci-assumes", []string{}},
		{"ch-01-create", []string{}},
		{"ev-10-ec2-delivers", []string{}},
	}
	// The method each shape above belongs to.
	methods := map[string]string{
		"ch-05-call": "access-key-chain", "ch-06-default-key-call": "access-key-chain",
		"ch-08-session-name-only": "session-name", "ev-40-csv-notebook": "session-name",
		"ev-52-updated-notebook-call": "session-name", "ev-11-ec2-linked": "access-key-chain",
		"ev-32-ci-chained": "access-key-chain", "ev-21-lambda-kms-forward": "lambda-function-name",
		"ev-23-ecs-kms-forward": "ecs-task-id", "ev-20-lambda-own": "lambda-function-name",
		"ev-22-ecs-own": "ecs-task-id", "ev-24-studio": "source-identity", "ev-25-sso": "sso-role-session",
		"ev-26-root": "root", "ev-12-ec2-session-name": "ec2-instance-id", "ev-30-iam-user": "iam-user",
		"ev-10-ec2-delivers": "aws-service",
	}
	rows := byEvent(t, db)
	for _, tt := range tests {
		ev, ok := got[tt.event]
		if !ok {
			t.Errorf("no attribution for %s", tt.event)
			continue
		}
		if diff := cmp.Diff(tt.want, ev); diff != "" {
			t.Errorf("evidence of %s (-want +got):\n%s", tt.event, diff)
		}
		if m, ok := methods[tt.event]; ok && rows[tt.event].Method != m {
			t.Errorf("method of %s = %s, want %s", tt.event, rows[tt.event].Method, m)
		}
	}
	checkNoDangling(t, db)
}

// checkNoDangling checks that every ID in evidence is an event in the
// database or an inventory pseudo-id.
func checkNoDangling(t *testing.T, db *store.DB) {
	t.Helper()
	var dangling int64
	if err := db.SQL.QueryRow(`SELECT count(*) FROM (SELECT unnest(evidence) AS id FROM attributions)
		WHERE id NOT LIKE 'inventory:%' AND id NOT IN (SELECT event_id FROM events)`).Scan(&dangling); err != nil {
		t.Fatal(err)
	}
	if dangling != 0 {
		t.Errorf("%d evidence IDs name no event", dangling)
	}
}

// TestEvidenceAfterPrune: prune keeps the events a chain's evidence
// names (the notebook's create and the AssumeRole calls), so a call after
// the cutoff keeps its whole chain.
func TestEvidenceAfterPrune(t *testing.T) {
	db := openDB(t)
	addInventory(t, db)
	loadFile(t, db, "chain", chainRecords()...)
	attribute(t, db, true)
	before := evidenceOf(t, db)["ch-05-call"]
	cutoff, err := time.Parse(time.RFC3339, "2024-07-01T09:25:00Z")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := attribution.Prune(t.Context(), db, cutoff, false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Deleted == 0 {
		t.Fatalf("Prune(%v) deleted nothing; the test needs calls before the cutoff", cutoff)
	}
	attribute(t, db, false)
	if diff := cmp.Diff(before, evidenceOf(t, db)["ch-05-call"]); diff != "" {
		t.Errorf("evidence of ch-05-call after prune (-before +after):\n%s", diff)
	}
	checkNoDangling(t, db)
}

// TestEvidenceIncrementalEqualsFull loads the chain with some of its
// evidence late: the evidence of calls attributed before must change to
// what a full run gives.
func TestEvidenceIncrementalEqualsFull(t *testing.T) {
	full := openDB(t)
	addInventory(t, full)
	loadFile(t, full, "chain", chainRecords()...)
	attribute(t, full, true)
	want := dump(t, full)

	for name, late := range map[string]map[string]bool{
		// Another copy of a hop, with a lower event ID, arrives later.
		"lower copy of a hop": {"ch-03-hop-b-in-a": true},
		// The notebook and the first hop arrive after the calls.
		"notebook and hop": {"ch-01-create": true, "ch-02-name-nb": true, "ch-03-hop-b-in-a": true},
		// An earlier update of a notebook whose create the trail lacks.
		"earlier update": {"ev-50-update-first": true},
		// The default key's AssumeRole arrives after everything.
		"naming AssumeRole": {"ch-02-name-nb": true},
	} {
		t.Run(name, func(t *testing.T) {
			var first, second []ev
			for _, e := range chainRecords() {
				if late[e["eventID"].(string)] {
					second = append(second, e)
				} else {
					first = append(first, e)
				}
			}
			db := openDB(t)
			addInventory(t, db)
			loadFile(t, db, "first", first...)
			attribute(t, db, false)
			loadFile(t, db, "second", second...)
			attribute(t, db, false)
			if diff := cmp.Diff(want, dump(t, db)); diff != "" {
				t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
			}
		})
	}
}

// TestOddCallerKey: an AssumeRole naming a notebook whose caller's key is
// no access-key id (a redaction, an odd length) links nothing from that
// key, and the run does not fail on it (it failed with a NOT NULL
// constraint on attribution_keys.access_key_id).
func TestOddCallerKey(t *testing.T) {
	for _, key := range []string{"ASIA123", "REDACTED", "ASIA" + strings.Repeat("X", 200)} {
		t.Run(key[:min(len(key), 12)], func(t *testing.T) {
			db := openDB(t)
			admin := iamUser(acctA, "admin", "AKIAADMINEXAMPLE0001")
			def := assumed("aws", acctA, chainRole, "SageMaker", key, "2024-07-01T08:50:00Z")
			named := assumed("aws", acctA, chainRole, "nb-chain", "ASIACHAINNB000000001", "2024-07-01T09:00:00Z")
			loadFile(t, db, "odd", createNotebook("ok-01-create", "2024-07-01T08:00:00Z", "us-east-1", acctA, "nb-chain", chainRole, "session-name", admin),
				assumeRole("ok-02-name-nb", "2024-07-01T09:00:00Z", "us-east-1", acctA, def, chainRole, "nb-chain", "ASIACHAINNB000000001", "2024-07-01T10:00:00Z"),
				event("ok-03-default-key-call", "2024-07-01T09:05:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", def, nil, nil),
				event("ok-04-named-call", "2024-07-01T09:06:00Z", "us-east-1", acctA, "s3.amazonaws.com", "ListBuckets", "10.0.1.20", named, nil, nil))
			attribute(t, db, true)
			got := byEvent(t, db)
			if a := got["ok-04-named-call"]; a.Kind != "notebook-instance" || a.Actor != "nb-chain" {
				t.Errorf("named session call = %+v, want notebook-instance nb-chain", a.short())
			}
			if a := got["ok-03-default-key-call"]; a.Method == "access-key-chain" {
				t.Errorf("call with key %q = %+v: no key chain may start from it", key, a.short())
			}
		})
	}
}
