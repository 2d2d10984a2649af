package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	lifecycle "github.com/ctattrib/ctattrib/lifecycle-scripts"
)

const hpRole = "arn:aws:iam::111122223333:role/HyperPodClusterRole"

func TestLifecycleHyperPod(t *testing.T) {
	base := []string{"--cluster", "ml-cluster", "--role-arn", hpRole}
	p := lifecycle.HyperPodParams{Cluster: "ml-cluster", RoleARN: hpRole}
	withURI := p
	withURI.SourceS3URI = "s3://ml-team-artifacts/lcs"
	script, err := lifecycle.HyperPodScript(p)
	if err != nil {
		t.Fatal(err)
	}
	var steps bytes.Buffer
	if err := lifecycle.WriteHyperPodSteps(&steps, withURI); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"script", base, 0, string(script)},
		{"steps", append(base, "--format", "text", "--source-s3-uri", "s3://ml-team-artifacts/lcs"), 0, steps.String()},
		{"no cluster", []string{"--role-arn", hpRole}, 2, ""},
		{"no role", []string{"--cluster", "ml-cluster"}, 2, ""},
		{"hostile cluster", []string{"--cluster", "x';reboot;'", "--role-arn", hpRole}, 2, ""},
		{"cluster too long", []string{"--cluster", strings.Repeat("c", 64), "--role-arn", hpRole}, 2, ""},
		{"hostile role", []string{"--cluster", "ml-cluster", "--role-arn", "arn:aws:iam::111122223333:role/$(id)"}, 2, ""},
		{"region outside partition", append(base, "--region", "cn-north-1"), 2, ""},
		{"bad S3 URI", append(base, "--source-s3-uri", "s3://Bad Bucket/x"), 2, ""},
		{"unknown format", append(base, "--format", "yaml"), 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, out, errb := testApp(t)
			code := execute(t, a, append([]string{"lifecycle", "hyperpod"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, errb)
			}
			if tt.wantCode != 0 {
				if out.Len() != 0 || !strings.HasPrefix(errb.String(), "ctattrib: ") {
					t.Errorf("stdout %d bytes, stderr %q; want nothing and a ctattrib: error line", out.Len(), errb)
				}
				return
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLifecycleHyperPodJSON(t *testing.T) {
	a, out, errb := testApp(t)
	if code := execute(t, a, "lifecycle", "hyperpod", "--cluster", "ml-cluster", "--role-arn", hpRole,
		"--source-s3-uri", "s3://ml-team-artifacts/lcs", "--format", "json"); code != 0 {
		t.Fatalf("exit code %d: %s", code, errb)
	}
	var got struct {
		IdentityPolicy struct{ Statement []map[string]any }
		TrustStatement map[string]any
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var actions, resources []any
	for _, s := range got.IdentityPolicy.Statement {
		actions = append(actions, s["Action"])
		resources = append(resources, s["Resource"])
	}
	wantActions := []any{"sts:AssumeRole", "s3:ListBucket", "s3:GetObject"}
	wantResources := []any{hpRole, "arn:aws:s3:::ml-team-artifacts", "arn:aws:s3:::ml-team-artifacts/lcs/*"}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Errorf("identity policy actions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantResources, resources); diff != "" {
		t.Errorf("identity policy resources (-want +got):\n%s", diff)
	}
	if p, _ := got.TrustStatement["Principal"].(map[string]any); p["AWS"] != hpRole || got.TrustStatement["Action"] != "sts:AssumeRole" {
		t.Errorf("trust statement = %v, want the role trusting itself for sts:AssumeRole", got.TrustStatement)
	}
}
