package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
	lifecycle "github.com/ctattrib/ctattrib/lifecycle-scripts"
)

const lcRole = "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole"

func TestLifecycleScript(t *testing.T) {
	baked := []string{"--instance", "test-2", "--role-arn", lcRole, "--region", "us-east-1"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		params   lifecycle.Params // what the output must equal, rendered
		format   lifecycle.Format
	}{
		{"done-when example", baked, 0, lifecycle.Params{Instance: "test-2", RoleARN: lcRole, Region: "us-east-1"}, lifecycle.FormatShell},
		{"json", append(baked, "--format", "json"), 0, lifecycle.Params{Instance: "test-2", RoleARN: lcRole, Region: "us-east-1"}, lifecycle.FormatJSON},
		{"terraform named", append(baked, "--format", "terraform", "--name", "team-a"), 0, lifecycle.Params{Instance: "test-2", RoleARN: lcRole, Region: "us-east-1", ConfigName: "team-a"}, lifecycle.FormatTerraform},
		{"generic cloudformation", []string{"--format", "cloudformation"}, 0, lifecycle.Params{}, lifecycle.FormatCloudFormation},
		{"hostile name", []string{"--instance", "x';reboot;'", "--role-arn", lcRole}, 2, lifecycle.Params{}, ""},
		{"hostile role", []string{"--instance", "test-2", "--role-arn", "arn:aws:iam::111122223333:role/$(id)"}, 2, lifecycle.Params{}, ""},
		{"other partition", []string{"--instance", "test-2", "--role-arn", "arn:aws-iso:iam::111122223333:role/r"}, 2, lifecycle.Params{}, ""},
		{"region outside partition", []string{"--instance", "test-2", "--role-arn", lcRole, "--region", "cn-north-1"}, 2, lifecycle.Params{}, ""},
		{"name without role", []string{"--instance", "test-2"}, 2, lifecycle.Params{}, ""},
		{"unknown format", append(baked, "--format", "yaml"), 2, lifecycle.Params{}, ""},
		{"too long", []string{"--instance", strings.Repeat("a", 64), "--role-arn", lcRole}, 2, lifecycle.Params{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, out, errb := testApp(t)
			code := execute(t, a, append([]string{"lifecycle", "script"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, errb)
			}
			if tt.wantCode != 0 {
				if out.Len() != 0 {
					t.Errorf("wrote %d bytes to stdout on error", out.Len())
				}
				if !strings.HasPrefix(errb.String(), "ctattrib: ") {
					t.Errorf("stderr = %q, want a ctattrib: error line", errb)
				}
				return
			}
			var want bytes.Buffer
			if err := lifecycle.Render(&want, tt.format, tt.params); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.String(), out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLifecyclePolicy(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		a, out, _ := testApp(t)
		if code := execute(t, a, "lifecycle", "policy", "--role-arn", lcRole, "--generic"); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		var got struct {
			IdentityPolicy lifecycle.Policy
			TrustStatement lifecycle.Statement
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var actions []any
		for _, s := range got.IdentityPolicy.Statement {
			actions = append(actions, s.Action)
		}
		if diff := cmp.Diff([]any{"sts:AssumeRole", "sagemaker:DescribeNotebookInstance"}, actions); diff != "" {
			t.Errorf("identity policy actions (-want +got):\n%s", diff)
		}
		if got.TrustStatement.Principal["AWS"] != lcRole || got.TrustStatement.Action != "sts:AssumeRole" {
			t.Errorf("trust statement = %+v", got.TrustStatement)
		}
	})
	t.Run("text", func(t *testing.T) {
		a, out, _ := testApp(t)
		if code := execute(t, a, "lifecycle", "policy", "--role-arn", lcRole, "--format", "text"); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		for _, want := range []string{"aws iam put-role-policy --role-name AmazonSageMaker-ExecutionRole", `"AWS": "` + lcRole + `"`} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("text output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out.String(), "DescribeNotebookInstance") {
			t.Errorf("text output without --generic mentions DescribeNotebookInstance")
		}
	})
	getRole := `{"Role":{"RoleName":"AmazonSageMaker-ExecutionRole","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}}}`
	for _, src := range []string{"file", "stdin"} {
		t.Run("merge from "+src, func(t *testing.T) {
			a, out, _ := testApp(t)
			arg := "-"
			if src == "file" {
				arg = filepath.Join(t.TempDir(), "role.json")
				if err := os.WriteFile(arg, []byte(getRole), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				a.In = strings.NewReader(getRole)
			}
			if code := execute(t, a, "lifecycle", "policy", "--role-arn", lcRole, "--trust-policy", arg); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			var doc lifecycle.Policy
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Statement) != 2 || doc.Statement[0].Principal["Service"] != "sagemaker.amazonaws.com" || doc.Statement[1].Sid != lifecycle.SelfTrustSid {
				t.Errorf("merged trust policy = %s", out)
			}
		})
	}
	for _, args := range [][]string{{}, {"--role-arn", "nope"}, {"--role-arn", lcRole, "--format", "xml"}} {
		a, _, _ := testApp(t)
		if code := execute(t, a, append([]string{"lifecycle", "policy"}, args...)...); code != 2 {
			t.Errorf("policy %v: exit code %d, want 2", args, code)
		}
	}
}

func lifecycleFake(t *testing.T) *fakeaws.Server {
	srv := fakeaws.New(t)
	srv.AddRole(fakeaws.Role{Name: "AmazonSageMaker-ExecutionRole", Path: "/service-role/",
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	srv.AddNotebook(fakeaws.Notebook{Name: "test-1", Status: fakeaws.StatusStopped, RoleARN: lcRole})
	srv.AddNotebook(fakeaws.Notebook{Name: "test-2", Status: fakeaws.StatusInService, RoleARN: lcRole})
	srv.AddNotebook(fakeaws.Notebook{Name: "test-3", Status: fakeaws.StatusStopped, RoleARN: lcRole})
	return srv
}

func TestLifecycleApply(t *testing.T) {
	srv := lifecycleFake(t)
	base := []string{"lifecycle", "apply", "--all", "--update-trust", "--endpoint-url", srv.URL, "--region", "us-east-1"}

	a, out, errb := testApp(t)
	if code := execute(t, a, append(base, "--dry-run")...); code != 0 {
		t.Fatalf("dry run: exit code %d\n%s", code, errb)
	}
	wantPlan := `INSTANCE  STATUS     LIFECYCLE CONFIG  CONFIG  ATTACH           NOTE
test-1    Stopped    ctattrib-test-1   create  attach
test-2    InService  ctattrib-test-2   create  pending restart  InService: can only be attached when stopped; stop it and rerun, or rerun with --restart
test-3    Stopped    ctattrib-test-3   create  attach

ROLE                                                                       SELF-TRUST  NOTE
arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole  add

6 change(s) to make.
`
	if diff := cmp.Diff(wantPlan+"Dry run: nothing changed.\n", out.String()); diff != "" {
		t.Errorf("dry run output (-want +got):\n%s", diff)
	}
	if m := srv.Mutations(); len(m) != 0 {
		t.Fatalf("dry run changed %v", m)
	}

	a, out, errb = testApp(t)
	if code := execute(t, a, base...); code != 0 {
		t.Fatalf("apply: exit code %d\n%s", code, errb)
	}
	if diff := cmp.Diff(wantPlan+"Applied 6 change(s).\n", out.String()); diff != "" {
		t.Errorf("apply output (-want +got):\n%s", diff)
	}
	nb, _ := srv.Notebook("test-1")
	cfg, _ := srv.LifecycleConfig("ctattrib-test-1")
	script, _ := base64.StdEncoding.DecodeString(cfg.OnStart)
	if nb.LifecycleConfigName != "ctattrib-test-1" || !strings.Contains(string(script), "notebook_name='test-1'") {
		t.Errorf("test-1 = %+v with script\n%s", nb, script)
	}

	srv.ResetCalls()
	a, out, errb = testApp(t)
	if code := execute(t, a, base...); code != 0 {
		t.Fatalf("second apply: exit code %d\n%s", code, errb)
	}
	if m := srv.Mutations(); len(m) != 0 {
		t.Errorf("second apply changed %v", m)
	}
	if !strings.HasSuffix(out.String(), "\n0 change(s) to make.\n") || !strings.Contains(out.String(), "test-2    InService  ctattrib-test-2   unchanged  pending restart") {
		t.Errorf("second apply output:\n%s", out)
	}
}

func TestLifecycleApplyUsage(t *testing.T) {
	tests := [][]string{
		{},
		{"--all", "--instance", "test-1"},
		{"--instance", "bad_name"},
		{"--all", "--region", "moon-1"},
		{"--all", "--bogus"},
		{"extra-arg", "--all"},
	}
	for _, args := range tests {
		a, _, errb := testApp(t)
		a.AWSConfig = func(context.Context, awsFlags) (aws.Config, error) {
			t.Errorf("apply %v made AWS clients despite a usage error", args)
			return aws.Config{}, nil
		}
		if code := execute(t, a, append([]string{"lifecycle", "apply"}, args...)...); code != 2 {
			t.Errorf("apply %v: exit code %d, want 2; stderr %s", args, code, errb)
		}
	}
}

func TestLifecycleStudio(t *testing.T) {
	srv := fakeaws.New(t)
	srv.AddRole(fakeaws.Role{Name: "StudioRole", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	srv.AddDomain(fakeaws.Domain{ID: "d-abc123", ExecutionRole: srv.RoleARN("/", "StudioRole")})

	a, out, errb := testApp(t)
	if code := execute(t, a, "lifecycle", "studio", "--domain-id", "d-abc123", "--endpoint-url", srv.URL); code != 0 {
		t.Fatalf("exit code %d\n%s", code, errb)
	}
	if m := srv.Mutations(); len(m) != 0 || !strings.Contains(out.String(), "--domain-settings-for-update ExecutionRoleIdentityConfig=USER_PROFILE_NAME") {
		t.Errorf("print-only run changed %v or printed:\n%s", m, out)
	}

	a, out, errb = testApp(t)
	if code := execute(t, a, "lifecycle", "studio", "--domain-id", "d-abc123", "--endpoint-url", srv.URL, "--apply", "--update-trust"); code != 0 {
		t.Fatalf("exit code %d\n%s", code, errb)
	}
	if diff := cmp.Diff([]string{"IAM.UpdateAssumeRolePolicy", "SageMaker.UpdateDomain"}, srv.Mutations()); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(out.String(), "Applied 2 change(s).\n") {
		t.Errorf("output:\n%s", out)
	}
	for _, args := range [][]string{{"--domain-id", "d-x;y"}, {}, {"--domain-id", "d-abc123", "--update-trust"}} {
		a, _, _ := testApp(t)
		if code := execute(t, a, append([]string{"lifecycle", "studio"}, args...)...); code != 2 {
			t.Errorf("studio %v: exit code %d, want 2", args, code)
		}
	}
}
