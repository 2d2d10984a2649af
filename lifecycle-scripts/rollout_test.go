package lifecycle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
	"github.com/ctattrib/ctattrib/internal/golden"
)

// testClients returns real SDK clients pointed at srv.
func testClients(srv *fakeaws.Server) (*sagemaker.Client, *iam.Client) {
	creds := credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake", "")
	sm := sagemaker.New(sagemaker.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	ic := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	return sm, ic
}

const otherRole = "arn:aws:iam::111122223333:role/TeamRole"

// rolloutFixture is four notebooks sharing two roles: one stopped, one
// running, one using another team's lifecycle configuration, and one
// already done.
func rolloutFixture(t *testing.T) *fakeaws.Server {
	srv := fakeaws.New(t)
	srv.AddRole(fakeaws.Role{Name: "AmazonSageMaker-ExecutionRole", Path: "/service-role/", TrustPolicy: sageMakerTrust})
	self, _ := SelfTrustStatement(otherRole)
	trusted, _, err := MergeTrust([]byte(sageMakerTrust), self)
	if err != nil {
		t.Fatal(err)
	}
	srv.AddRole(fakeaws.Role{Name: "TeamRole", TrustPolicy: string(trusted)})
	srv.AddNotebook(fakeaws.Notebook{Name: "test-1", Status: fakeaws.StatusStopped, RoleARN: testRole})
	srv.AddNotebook(fakeaws.Notebook{Name: "test-2", Status: fakeaws.StatusInService, RoleARN: testRole})
	srv.AddNotebook(fakeaws.Notebook{Name: "team-3", Status: fakeaws.StatusStopped, RoleARN: otherRole, LifecycleConfigName: "team-setup"})
	srv.AddLifecycleConfig(fakeaws.LifecycleConfig{Name: "team-setup", OnStart: base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho team\n"))})
	done := mustScript(t, Params{Instance: "done-4", RoleARN: otherRole, Region: "us-east-1"})
	srv.AddLifecycleConfig(fakeaws.LifecycleConfig{Name: "ctattrib-done-4", OnStart: base64.StdEncoding.EncodeToString(done)})
	srv.AddNotebook(fakeaws.Notebook{Name: "done-4", Status: fakeaws.StatusInService, RoleARN: otherRole, LifecycleConfigName: "ctattrib-done-4"})
	return srv
}

func TestRollout(t *testing.T) {
	srv := rolloutFixture(t)
	sm, ic := testClients(srv)
	opts := RolloutOptions{All: true, Region: "us-east-1", UpdateTrust: true}
	ctx := t.Context()

	plan, err := NewPlan(ctx, sm, ic, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.Write(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "plan.golden"), buf.Bytes())
	if m := srv.Mutations(); len(m) != 0 {
		t.Fatalf("planning changed something: %v", m)
	}

	if err := plan.Apply(ctx, sm, ic, opts); err != nil {
		t.Fatal(err)
	}
	wantMutations := []string{
		"IAM.UpdateAssumeRolePolicy",
		"SageMaker.CreateNotebookInstanceLifecycleConfig", // done-4 sorts first, and is unchanged
		"SageMaker.UpdateNotebookInstance",
		"SageMaker.CreateNotebookInstanceLifecycleConfig",
	}
	if diff := cmp.Diff(wantMutations, srv.Mutations()); diff != "" {
		t.Errorf("changes made (-want +got):\n%s", diff)
	}

	nb1, _ := srv.Notebook("test-1")
	nb2, _ := srv.Notebook("test-2")
	nb3, _ := srv.Notebook("team-3")
	got := []string{nb1.LifecycleConfigName, nb2.LifecycleConfigName, nb3.LifecycleConfigName}
	if diff := cmp.Diff([]string{"ctattrib-test-1", "", "team-setup"}, got); diff != "" {
		t.Errorf("attached configurations test-1, test-2, team-3 (-want +got):\n%s", diff)
	}
	for _, name := range []string{"test-1", "test-2"} {
		c, ok := srv.LifecycleConfig("ctattrib-" + name)
		content, _ := base64.StdEncoding.DecodeString(c.OnStart)
		want := mustScript(t, Params{Instance: name, RoleARN: testRole, Region: "us-east-1"})
		if !ok || string(content) != string(want) {
			t.Errorf("lifecycle configuration ctattrib-%s does not hold the %s script (exists %v)", name, name, ok)
		}
	}
	role, _ := srv.Role("AmazonSageMaker-ExecutionRole")
	self, _ := SelfTrustStatement(testRole)
	if ok, err := trustGrants([]byte(role.TrustPolicy), self); !ok || err != nil {
		t.Errorf("trust policy after apply does not let the role assume itself (%v):\n%s", err, role.TrustPolicy)
	}
	var doc Policy
	if err := json.Unmarshal([]byte(role.TrustPolicy), &doc); err != nil || len(doc.Statement) != 2 {
		t.Errorf("trust policy lost or mangled the SageMaker statement (%v):\n%s", err, role.TrustPolicy)
	}

	// A second run finds everything done, except test-2, which still
	// waits for a restart, and changes nothing.
	srv.ResetCalls()
	again, err := NewPlan(ctx, sm, ic, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Apply(ctx, sm, ic, opts); err != nil {
		t.Fatal(err)
	}
	if m := srv.Mutations(); len(m) != 0 {
		t.Errorf("second run changed %v", m)
	}
	if n := again.Changes(); n != 0 {
		t.Errorf("second plan has %d changes, want 0", n)
	}
	var attach []string
	for _, ip := range again.Instances {
		attach = append(attach, ip.Name+" "+ip.Config+" "+ip.Attach)
	}
	want := []string{"done-4 unchanged already attached", "team-3  conflict", "test-1 unchanged already attached", "test-2 unchanged pending restart"}
	if diff := cmp.Diff(want, attach); diff != "" {
		t.Errorf("second plan (-want +got):\n%s", diff)
	}
}

func TestRolloutRestart(t *testing.T) {
	srv := rolloutFixture(t)
	sm, ic := testClients(srv)
	opts := RolloutOptions{Instances: []string{"test-2"}, Restart: true, PollInterval: time.Millisecond}
	plan, err := NewPlan(t.Context(), sm, ic, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(t.Context(), sm, ic, opts); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SageMaker.CreateNotebookInstanceLifecycleConfig",
		"SageMaker.StopNotebookInstance",
		"SageMaker.UpdateNotebookInstance",
		"SageMaker.StartNotebookInstance",
	}
	if diff := cmp.Diff(want, srv.Mutations()); diff != "" {
		t.Errorf("changes made (-want +got):\n%s", diff)
	}
	nb, _ := srv.Notebook("test-2")
	if nb.LifecycleConfigName != "ctattrib-test-2" || nb.Status != fakeaws.StatusPending {
		t.Errorf("test-2 = %+v, want ctattrib-test-2 attached and starting", nb)
	}
	// Without --update-trust the missing self-trust is reported, not fixed.
	if len(plan.Roles) != 1 || plan.Roles[0].Trust != TrustMissing {
		t.Errorf("roles = %+v, want one with trust missing", plan.Roles)
	}
}

func TestRolloutUnknownInstance(t *testing.T) {
	srv := rolloutFixture(t)
	sm, ic := testClients(srv)
	for _, name := range []string{"nope", "bad;name"} {
		if _, err := NewPlan(t.Context(), sm, ic, RolloutOptions{Instances: []string{name}}); err == nil {
			t.Errorf("NewPlan(%q) = nil error", name)
		}
	}
}
