package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
)

func TestInventoryImportAndList(t *testing.T) {
	a, out, errb := testApp(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	writeFile(t, good, `account_id,region,name,role_arn,lifecycle_config_name,created_at,deleted_at
111111111111,us-east-1,nb-one,arn:aws:iam::111111111111:role/service-role/DS,session-name,2024-05-01T08:00:00Z,
111111111111,us-east-1,nb-old,,,2024-01-01,2024-02-01
`)
	if code := executeDB(t, a, "inventory", "import", good); code != exitOK {
		t.Fatalf("import exit = %d; stderr:\n%s", code, errb)
	}
	if !strings.Contains(out.String(), "imported 2 notebook instances") {
		t.Errorf("import output:\n%s", out)
	}
	out.Reset()
	if code := executeDB(t, a, "inventory", "list"); code != exitOK {
		t.Fatalf("list exit = %d; stderr:\n%s", code, errb)
	}
	for _, want := range []string{"nb-one", "DS", "session-name", "2024-05-01T08:00:00Z", "nb-old", "2024-02-01T00:00:00Z", "csv"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, `account_id,region,name,role_arn,lifecycle_config_name,created_at,deleted_at
11111111111,us-east-1,nb,,,,
111111111111,us-east-1,nb_bad,,,,
111111111111,us-east-1,nb-ok,,,,
111111111111,us-east-1,nb-t,,,yesterday,
111111111111,us-east-1,nb-r,arn:aws:iam::222222222222:role/X,,,
`)
	a2, _, errb2 := testApp(t)
	a2.DBPath = a.DBPath
	if code := executeDB(t, a2, "inventory", "import", bad); code != exitError {
		t.Fatalf("import bad exit = %d, want %d", code, exitError)
	}
	for _, want := range []string{"4 bad lines", "line 2: account_id", "line 3: name", "line 5: created_at", "line 6: role_arn"} {
		if !strings.Contains(errb2.String(), want) {
			t.Errorf("import bad stderr lacks %q:\n%s", want, errb2)
		}
	}
}

func TestInventorySync(t *testing.T) {
	fake := fakeaws.New(t)
	fake.Account = "444455556666"
	created := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"nb-a", "nb-b", "nb-c"} {
		fake.AddNotebook(fakeaws.Notebook{Name: name, RoleARN: "arn:aws:iam::444455556666:role/DS",
			LifecycleConfigName: "session-name", CreationTime: created})
	}
	a, out, errb := testApp(t)
	opts := inventorySyncOptions{Regions: []string{"us-east-1"}, AWS: awsFlags{EndpointURL: fake.URL}}
	if err := runInventorySync(t.Context(), a, opts); err != nil {
		t.Fatalf("runInventorySync: %v; stderr:\n%s", err, errb)
	}
	if got, want := out.String(), "444455556666 us-east-1: 3 notebook instances, 0 jobs, HyperPod instance groups, endpoint models and Studio settings\n"; got != want {
		t.Errorf("sync output = %q, want %q", got, want)
	}
	out.Reset()
	if code := executeDB(t, a, "inventory", "list"); code != exitOK {
		t.Fatalf("list exit = %d; stderr:\n%s", code, errb)
	}
	if n := strings.Count(out.String(), " api\n"); n != 3 {
		t.Errorf("list shows %d api rows, want 3:\n%s", n, out)
	}
	if !strings.Contains(out.String(), "2024-05-01T08:00:00Z") {
		t.Errorf("list lacks the creation time:\n%s", out)
	}
}

// TestInventorySyncCompute: jobs and HyperPod clusters come from the
// SageMaker API through the real SDK; a group scaled to no instances is
// left out, a finished job ends when the API says, and a default-session
// call on the one running job's role is attributed to it.
func TestInventorySyncCompute(t *testing.T) {
	fake := fakeaws.New(t)
	fake.Account = "444455556666"
	role := func(name string) string { return "arn:aws:iam::444455556666:role/" + name }
	t0 := time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)
	fake.AddTrainingJob(fakeaws.Job{Name: "train-done", RoleARN: role("Jobs"), Status: "Completed", Created: t0, Ended: t0.Add(3 * time.Hour)})
	fake.AddTrainingJob(fakeaws.Job{Name: "train-running", RoleARN: role("Jobs"), Status: "InProgress", Created: t0.Add(2 * time.Hour)})
	fake.AddTrainingJob(fakeaws.Job{Name: "train-other", RoleARN: role("Other"), Status: "Completed", Created: t0, Ended: t0.Add(time.Hour)})
	fake.AddProcessingJob(fakeaws.Job{Name: "prep", RoleARN: role("Prep"), Status: "Stopped", Created: t0, Ended: t0.Add(30 * time.Minute)})
	fake.AddCluster(fakeaws.Cluster{Name: "ml-cluster", ID: "a1b2c3d4e5f6", Created: t0, Groups: []fakeaws.ClusterGroup{
		{Name: "controller", ExecutionRole: role("Cluster"), CurrentCount: 1},
		{Name: "idle", ExecutionRole: role("Idle"), CurrentCount: 0},
	}})
	fake.AddEndpoint(fakeaws.Endpoint{Name: "churn-ep", ConfigName: "churn-cfg", Created: t0,
		Models: []fakeaws.Model{{Name: "churn-model", RoleARN: role("Endpoint")}}})
	fake.AddModel(fakeaws.Model{Name: "batch-model", RoleARN: role("Transform")})
	fake.AddTransformJob(fakeaws.TransformJob{Name: "nightly-scoring", ModelName: "batch-model", Status: "InProgress", Created: t0})
	fake.AddTransformJob(fakeaws.TransformJob{Name: "orphan-scoring", ModelName: "deleted-model", Status: "Completed", Created: t0, Ended: t0.Add(time.Hour)})
	fake.AddDomain(fakeaws.Domain{ID: "d-abc123", Name: "research", ExecutionRole: role("StudioDefault"),
		SpaceExecutionRole: role("StudioSpace"), Created: t0})
	fake.AddUserProfile(fakeaws.UserProfile{DomainID: "d-abc123", Name: "alice", ExecutionRole: role("Alice"), Created: t0})
	fake.AddUserProfile(fakeaws.UserProfile{DomainID: "d-abc123", Name: "bob", Created: t0})
	a, out, errb := testApp(t)
	opts := inventorySyncOptions{Regions: []string{"us-east-1"}, AWS: awsFlags{EndpointURL: fake.URL}}
	if err := runInventorySync(t.Context(), a, opts); err != nil {
		t.Fatalf("runInventorySync: %v; stderr:\n%s", err, errb)
	}
	if got, want := out.String(), "444455556666 us-east-1: 0 notebook instances, 11 jobs, HyperPod instance groups, endpoint models and Studio settings\n"; got != want {
		t.Errorf("sync output = %q, want %q", got, want)
	}
	// The rows match the CloudTrail path's: a transform job's part is its
	// model, a domain's its settings, a user profile's parent its domain.
	out.Reset()
	if code := executeDB(t, a, "query", "sql", "--format", "csv",
		"SELECT kind, parent, name, coalesce(part, '') AS part, coalesce(role_arn, '') AS role, ended_at IS NOT NULL AS ended FROM compute_resources WHERE kind LIKE 'studio-%' OR kind = 'transform-job' ORDER BY ALL"); code != exitOK {
		t.Fatalf("query exit = %d; stderr:\n%s", code, errb)
	}
	wantRows := `kind,parent,name,part,role,ended
studio-domain,,d-abc123,default space settings,arn:aws:iam::444455556666:role/StudioSpace,false
studio-domain,,d-abc123,default user settings,arn:aws:iam::444455556666:role/StudioDefault,false
studio-user-profile,d-abc123,alice,,arn:aws:iam::444455556666:role/Alice,false
transform-job,,nightly-scoring,model batch-model,arn:aws:iam::444455556666:role/Transform,false
transform-job,,orphan-scoring,model deleted-model,,true
`
	if got := out.String(); got != wantRows {
		t.Errorf("compute rows after sync:\n%s\nwant:\n%s", got, wantRows)
	}
	// Calls under the default SageMaker session of each role.
	call := func(id, roleName string, at time.Time) map[string]any {
		return map[string]any{"eventVersion": "1.09", "eventID": id, "eventTime": at.Format(time.RFC3339),
			"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
			"recipientAccountId": "444455556666", "sourceIPAddress": "10.0.0.1",
			"userIdentity": map[string]any{"type": "AssumedRole", "accountId": "444455556666", "accessKeyId": "ASIA" + strings.ToUpper(id[:4]) + "DEFAULTKEY00",
				"arn":            "arn:aws:sts::444455556666:assumed-role/" + roleName + "/SageMaker",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": role(roleName), "userName": roleName}}}}
	}
	dir := t.TempDir()
	records := []any{
		call("jobs-while-running", "Jobs", t0.Add(4*time.Hour)),
		call("jobs-while-both", "Jobs", t0.Add(150*time.Minute)),
		call("prep-after-stop", "Prep", t0.Add(2*time.Hour)),
		call("cluster-call", "Cluster", t0.Add(time.Hour)),
		call("idle-group-call", "Idle", t0.Add(time.Hour)),
		call("endpoint-call", "Endpoint", t0.Add(time.Hour)),
		call("transform-call", "Transform", t0.Add(time.Hour)),
		call("profile-call", "Alice", t0.Add(time.Hour)),
		call("space-call", "StudioSpace", t0.Add(time.Hour)),
	}
	body, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "calls.json"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := executeDB(t, a, "ingest", dir); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	out.Reset()
	if code := executeDB(t, a, "query", "sql", "--format", "csv",
		"SELECT event_id, actor_kind, coalesce(actor, '') AS actor, method FROM attributions ORDER BY event_id"); code != exitOK {
		t.Fatalf("query exit = %d; stderr:\n%s", code, errb)
	}
	want := `event_id,actor_kind,actor,method
cluster-call,hyperpod-cluster,ml-cluster,sole-compute-on-role
endpoint-call,endpoint,churn-ep,sole-compute-on-role
idle-group-call,unattributed,,none
jobs-while-both,unattributed,,none
jobs-while-running,training-job,train-running,sole-compute-on-role
prep-after-stop,unattributed,,none
profile-call,studio-user-profile,alice,sole-compute-on-role
space-call,studio-domain,d-abc123,sole-compute-on-role
transform-call,transform-job,nightly-scoring,sole-compute-on-role
`
	if got := out.String(); got != want {
		t.Errorf("attributions after sync:\n%s\nwant:\n%s", got, want)
	}
}

// TestInventoryImportCompute: a compute CSV file is told from a notebook
// one by its header, every bad line is named, and a default-session call
// on the imported cluster's role is attributed to it with the inventory as
// evidence.
func TestInventoryImportCompute(t *testing.T) {
	a, out, errb := testApp(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, `account_id,region,kind,name,part,role_arn,created_at,ended_at
444455556666,us-east-1,batch-job,x,,arn:aws:iam::444455556666:role/R,,
444455556666,us-east-1,training-job,x,,not-a-role,,
444455556666,us-east-1,training-job,x,,arn:aws:iam::444455556666:role/R,2024-05-02,2024-05-01
`)
	if code := executeDB(t, a, "inventory", "import", bad); code != exitError {
		t.Fatalf("import bad exit = %d, want %d", code, exitError)
	}
	for _, want := range []string{"3 bad lines", "line 2: kind", "line 3: role_arn", "line 4: ended_at"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("import bad stderr lacks %q:\n%s", want, errb)
		}
	}
	good := filepath.Join(dir, "good.csv")
	writeFile(t, good, `account_id,region,kind,name,part,role_arn,created_at,ended_at
444455556666,us-east-1,hyperpod-cluster,old-cluster,workers,arn:aws:iam::444455556666:role/NodeRole,2024-01-01,
`)
	errb.Reset()
	if code := executeDB(t, a, "inventory", "import", good); code != exitOK {
		t.Fatalf("import exit = %d; stderr:\n%s", code, errb)
	}
	if !strings.Contains(out.String(), "imported 1 SageMaker compute rows") {
		t.Errorf("import output:\n%s", out)
	}
	dir2 := t.TempDir()
	body, err := json.Marshal(map[string]any{"Records": []any{map[string]any{
		"eventVersion": "1.09", "eventID": "node-call", "eventTime": "2024-05-02T10:00:00Z",
		"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
		"recipientAccountId": "444455556666", "sourceIPAddress": "10.0.0.1",
		"userIdentity": map[string]any{"type": "AssumedRole", "accountId": "444455556666", "accessKeyId": "ASIANODEDEFAULTKEY01",
			"arn": "arn:aws:sts::444455556666:assumed-role/NodeRole/SageMaker",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role",
				"arn": "arn:aws:iam::444455556666:role/NodeRole", "userName": "NodeRole"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir2, "calls.json"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := executeDB(t, a, "ingest", dir2); code != exitOK {
		t.Fatalf("ingest exit = %d; stderr:\n%s", code, errb)
	}
	out.Reset()
	if code := executeDB(t, a, "query", "sql", "--format", "csv",
		"SELECT actor_kind, actor, method, note, evidence::VARCHAR AS evidence FROM attributions"); code != exitOK {
		t.Fatalf("query exit = %d; stderr:\n%s", code, errb)
	}
	if got, want := out.String(), "actor_kind,actor,method,note,evidence\nhyperpod-cluster,old-cluster,sole-compute-on-role,workers,['inventory:csv']\n"; got != want {
		t.Errorf("attribution = %q, want %q", got, want)
	}
}
