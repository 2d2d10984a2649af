package lifecycle

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
)

// The HyperPod sandbox runs the node script as root, unchanged, in a
// private mount namespace where a copy of /etc (with an ubuntu user added)
// and a temp folder are bind-mounted over /etc and /home, as the notebook
// sandbox does for /home and /opt: the script writes /etc/ctattrib,
// /etc/profile.d and /etc/environment, and the host's never change. Instance
// metadata and STS are fakeaws on loopback; the script reaches the first
// through AWS_EC2_METADATA_SERVICE_ENDPOINT, as the SDKs do.

const hyperPodUID = 4243 // ubuntu in the sandbox; not a user on the host

// hyperPodSandboxWrapper runs each script, then asks what a login of
// ubuntu (profile.d), a non-login su of ubuntu (pam_env and
// /etc/environment), a login shell with a value of its own and a root
// login see, the last with the real AWS CLI.
const hyperPodSandboxWrapper = `set -euo pipefail
T=$1 N=$2 AWSCLI=$3 IMDS=$4
mount --bind "$T/etc" /etc
mount --bind "$T/home" /home
for i in $(seq 1 "$N"); do
	code=0
	bash "$T/script.$i" >"$T/out/log.$i" 2>&1 || code=$?
	echo "$code" >"$T/out/exit.$i"
	for f in ctattrib/aws-config profile.d/ctattrib-aws-config.sh environment; do
		if [ -f "/etc/$f" ]; then
			cp "/etc/$f" "$T/out/$(basename "$f").$i"
			stat -c '%a %U' "/etc/$f" >>"$T/out/stat.$i"
		fi
	done
	[ "$code" = 0 ] || continue
	su - ubuntu -c 'printf %s "${AWS_CONFIG_FILE-}"' >"$T/out/login.$i" 2>&1 || true
	su ubuntu -s /bin/bash -c 'printf %s "${AWS_CONFIG_FILE-}"' >"$T/out/pam.$i" 2>&1 || true
	AWS_CONFIG_FILE=/mine bash -l -c 'printf %s "${AWS_CONFIG_FILE-}"' >"$T/out/keep.$i" 2>&1 || true
	if [ -n "$AWSCLI" ]; then
		su - -c "AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS AWS_ENDPOINT_URL_STS=$IMDS $AWSCLI configure get role_session_name; AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS AWS_ENDPOINT_URL_STS=$IMDS $AWSCLI sts get-caller-identity --query Arn --output text" >"$T/out/cli.$i" 2>&1 || true
	fi
done
`

type hyperPodResult struct {
	log, config, profile, environment, stat string
	login, pam, keep, cli                   string
	exit                                    int
}

// runHyperPodSandbox runs scripts in order on a node whose /etc/environment
// holds environment ("" for none); withCLI also runs the AWS CLI in a root
// login after each.
func runHyperPodSandbox(t *testing.T, srv *fakeaws.Server, environment string, withCLI bool, scripts ...[]byte) []hyperPodResult {
	t.Helper()
	requireSandbox(t)
	T := t.TempDir()
	for _, d := range []string{"home/ubuntu", "home/root", "out"} {
		if err := os.MkdirAll(filepath.Join(T, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(T, "home", "ubuntu"), hyperPodUID, hyperPodUID); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", "/etc", filepath.Join(T, "etc")).CombinedOutput(); err != nil {
		t.Fatalf("copy /etc: %v\n%s", err, out)
	}
	add := map[string]string{
		// root's home moves into the sandbox too: the AWS CLI caches the
		// credentials it assumes there.
		"passwd": fmt.Sprintf("ubuntu:x:%d:%d:Ubuntu:/home/ubuntu:/bin/bash\n", hyperPodUID, hyperPodUID),
		"group":  fmt.Sprintf("ubuntu:x:%d:\n", hyperPodUID),
		"shadow": "ubuntu:*:20000:0:99999:7:::\n",
	}
	for f, line := range add {
		p := filepath.Join(T, "etc", f)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if f == "passwd" {
			b = regexp.MustCompile(`(?m)^(root:[^:]*:0:0:[^:]*):[^:]*:`).ReplaceAll(b, []byte("$1:/home/root:"))
		}
		if err := os.WriteFile(p, append(b, line...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	envPath := filepath.Join(T, "etc", "environment")
	if environment == "" {
		if err := os.Remove(envPath); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	} else if err := os.WriteFile(envPath, []byte(environment), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, s := range scripts {
		if err := os.WriteFile(filepath.Join(T, fmt.Sprintf("script.%d", i+1)), s, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var awsCLI string
	if withCLI {
		awsCLI, _ = exec.LookPath("aws")
	}
	cmd := exec.CommandContext(t.Context(), "unshare", "--mount", "--propagation", "private", "--",
		"bash", "-c", hyperPodSandboxWrapper, "sandbox", T, fmt.Sprint(len(scripts)), awsCLI, srv.URL)
	// Scripts run with a clean environment, as HyperPod runs them, plus
	// where instance metadata is.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(T, "out"),
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + srv.URL}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sandbox: %v\n%s", err, out)
	}
	read := func(name string, n int) string {
		b, err := os.ReadFile(filepath.Join(T, "out", fmt.Sprintf("%s.%d", name, n)))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	var res []hyperPodResult
	for i := range scripts {
		n := i + 1
		r := hyperPodResult{
			log: read("log", n), config: read("aws-config", n), profile: read("ctattrib-aws-config.sh", n),
			environment: read("environment", n), stat: strings.TrimSpace(read("stat", n)),
			login: read("login", n), pam: read("pam", n), keep: read("keep", n), cli: strings.TrimSpace(read("cli", n)),
		}
		if _, err := fmt.Sscan(read("exit", n), &r.exit); err != nil {
			t.Fatalf("exit.%d: %v", n, err)
		}
		res = append(res, r)
	}
	return res
}

const wantHyperPodConfig = `# Generated by ctattrib: this node's calls name it in CloudTrail.
[default]
region = us-east-1
role_arn = arn:aws:iam::111122223333:role/HyperPodClusterRole
credential_source = Ec2InstanceMetadata
role_session_name = hyperpod.ml-cluster.i-0a1b2c3d4e5f60718
sts_regional_endpoints = regional
`

// TestHyperPodSandbox runs the node script twice on a "node" whose
// /etc/environment has a setting of its own, and checks the files, that
// logins and su sessions of ubuntu find the config, and that the real AWS
// CLI in a root login assumes the cluster role with the node's name.
func TestHyperPodSandbox(t *testing.T) {
	srv := fakeaws.New(t)
	srv.SetInstanceRole("HyperPodClusterRole")
	srv.SetInstanceID("i-0a1b2c3d4e5f60718")
	script := mustHyperPodScript(t, HyperPodParams{Cluster: "ml-cluster", RoleARN: hyperPodRole}) // region from metadata
	res := runHyperPodSandbox(t, srv, "LANG=C.UTF-8\nAWS_CONFIG_FILE=/old/place\n", true, script, script)
	wantEnv := "LANG=C.UTF-8\nAWS_CONFIG_FILE=" + HyperPodConfigFile + "\n"
	for i, r := range res {
		if r.exit != 0 {
			t.Fatalf("run %d exited %d:\n%s", i+1, r.exit, r.log)
		}
		if diff := cmp.Diff(wantHyperPodConfig, r.config); diff != "" {
			t.Errorf("run %d config (-want +got):\n%s", i+1, diff)
		}
		if diff := cmp.Diff(wantEnv, r.environment); diff != "" {
			t.Errorf("run %d /etc/environment (-want +got):\n%s", i+1, diff)
		}
		if want := "644 root\n644 root\n644 root"; r.stat != want {
			t.Errorf("run %d: files are %q, want %q", i+1, r.stat, want)
		}
		if r.login != HyperPodConfigFile || r.pam != HyperPodConfigFile {
			t.Errorf("run %d: ubuntu's AWS_CONFIG_FILE is %q in a login and %q under su, want %s", i+1, r.login, r.pam, HyperPodConfigFile)
		}
		if r.keep != "/mine" {
			t.Errorf("run %d: a login shell with AWS_CONFIG_FILE=/mine has %q, want the user's value kept", i+1, r.keep)
		}
		if !strings.Contains(r.log, "assumed-role/HyperPodClusterRole/hyperpod.ml-cluster.i-0a1b2c3d4e5f60718") {
			t.Errorf("run %d log does not say what CloudTrail will show:\n%s", i+1, r.log)
		}
	}
	if !strings.Contains(res[0].log, "Wrote /etc/ctattrib/aws-config") || !strings.Contains(res[1].log, "/etc/ctattrib/aws-config already up to date") {
		t.Errorf("logs do not say the first run wrote and the second found it done:\n%s\n%s", res[0].log, res[1].log)
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed; files and environment checked")
	}
	want := "hyperpod.ml-cluster.i-0a1b2c3d4e5f60718\narn:aws:sts::111122223333:assumed-role/HyperPodClusterRole/hyperpod.ml-cluster.i-0a1b2c3d4e5f60718"
	for i, r := range res {
		if r.cli != want {
			t.Errorf("run %d: aws configure get role_session_name; aws sts get-caller-identity in a root login =\n%s\nwant\n%s", i+1, r.cli, want)
		}
	}
	var sessions []any
	for _, c := range assumeRoleCalls(srv) {
		if c[0] != hyperPodRole {
			t.Errorf("AssumeRole of %v, want %s", c[0], hyperPodRole)
		}
		sessions = append(sessions, c[1])
	}
	// The CLI caches the assumed role's credentials in root's home (in
	// the sandbox), so the second run may reuse them.
	if len(sessions) == 0 || sessions[0] != "hyperpod.ml-cluster.i-0a1b2c3d4e5f60718" {
		t.Errorf("AssumeRole session names %v, want hyperpod.ml-cluster.i-0a1b2c3d4e5f60718", sessions)
	}
}

func mustHyperPodScript(t *testing.T, p HyperPodParams) []byte {
	t.Helper()
	s, err := HyperPodScript(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHyperPodSandboxRefusesBadMetadata: an instance id that is no
// instance id, or no instance metadata at all, writes nothing and fails
// the node's on_create.
func TestHyperPodSandboxRefusesBadMetadata(t *testing.T) {
	tests := []struct{ name, id, wantLog string }{
		{"hostile id", "i-0a1b2c3d$(reboot)", "not an EC2 instance id"},
		{"short id", "i-123", "not an EC2 instance id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeaws.New(t)
			srv.SetInstanceID(tt.id)
			res := runHyperPodSandbox(t, srv, "", false, mustHyperPodScript(t, hyperPodParams))
			if res[0].exit == 0 || !strings.Contains(res[0].log, tt.wantLog) {
				t.Errorf("exit %d, log:\n%s\nwant a failure saying %q", res[0].exit, res[0].log, tt.wantLog)
			}
			if res[0].config != "" || res[0].profile != "" || res[0].environment != "" {
				t.Errorf("files written despite bad metadata: %q %q %q", res[0].config, res[0].profile, res[0].environment)
			}
		})
	}
}

// TestHyperPodSDKAssumesRoleAsNode loads the config the node script wrote
// with the real aws-sdk-go-v2 config loader, instance metadata and STS on
// loopback, as TestSDKAssumesRoleAsInstance does for notebooks.
func TestHyperPodSDKAssumesRoleAsNode(t *testing.T) {
	srv := fakeaws.New(t)
	srv.SetInstanceRole("HyperPodClusterRole")
	srv.SetInstanceID("i-0a1b2c3d4e5f60718")
	res := runHyperPodSandbox(t, srv, "", false, mustHyperPodScript(t, hyperPodParams))
	if res[0].exit != 0 {
		t.Fatalf("script exited %d:\n%s", res[0].exit, res[0].log)
	}
	cfgFile := filepath.Join(t.TempDir(), "aws-config")
	if err := os.WriteFile(cfgFile, []byte(res[0].config), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.ResetCalls()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithSharedConfigFiles([]string{cfgFile}),
		config.WithSharedCredentialsFiles([]string{os.DevNull}),
	)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:sts::111122223333:assumed-role/HyperPodClusterRole/hyperpod.ml-cluster.i-0a1b2c3d4e5f60718"
	if got := aws.ToString(out.Arn); got != want {
		t.Errorf("GetCallerIdentity().Arn = %s, want %s", got, want)
	}
	if diff := cmp.Diff([][2]any{{hyperPodRole, "hyperpod.ml-cluster.i-0a1b2c3d4e5f60718"}}, assumeRoleCalls(srv)); diff != "" {
		t.Errorf("AssumeRole calls [RoleArn RoleSessionName] (-want +got):\n%s", diff)
	}
}
