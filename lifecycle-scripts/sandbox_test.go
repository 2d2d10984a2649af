package lifecycle

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
)

// The sandbox runs a generated script as root, unchanged, in a private
// mount namespace (unshare --mount) where temp folders are bind-mounted
// over /home and /opt and a copy of /etc/passwd and /etc/group that adds
// ec2-user over the real ones. We chose this over environment overrides in
// the script because the script under test is then byte for byte the one
// that ships, with no test-only knobs a notebook user could turn, and the
// real machine's /home, /opt and users are never touched: the mounts
// vanish with the namespace.

const sandboxUID = 4242 // ec2-user in the sandbox; not a user on the host

// sandboxRun describes one sandbox: what is on the "notebook" before the
// scripts run, and the scripts to run in order.
type sandboxRun struct {
	fs       string            // "bind" (a temp folder, supports chattr) or "ramfs" (no chattr)
	metadata string            // content of /opt/ml/metadata/resource-metadata.json
	files    map[string]string // files to create under /home/ec2-user, owned by ec2-user
	symlinks map[string]string // symlinks to create under /home/ec2-user
	scripts  [][]byte
	env      []string // extra environment for the scripts
}

// sandboxResult is what each script run left behind.
type sandboxResult struct {
	log    string // stdout and stderr
	exit   int
	config string // /home/ec2-user/.aws/config, "" when absent
	stat   string // "MODE UID GID" of ~/.aws and of the config
	attrs  string // lsattr of the config
}

func requireSandbox(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the notebook sandbox needs root (unshare --mount and bind mounts); CI runs as root")
	}
	if err := exec.Command("unshare", "--mount", "true").Run(); err != nil {
		t.Skipf("the notebook sandbox needs unshare --mount: %v", err)
	}
}

const sandboxWrapper = `set -euo pipefail
T=$1 FS=$2 N=$3
if [ "$FS" = ramfs ]; then
	mount -t ramfs ramfs /home
	cp -a "$T/home/." /home/
else
	mount --bind "$T/home" /home
fi
mount --bind "$T/opt" /opt
mount --bind "$T/passwd" /etc/passwd
mount --bind "$T/group" /etc/group
for i in $(seq 1 "$N"); do
	code=0
	bash "$T/script.$i" >"$T/out/log.$i" 2>&1 || code=$?
	echo "$code" >"$T/out/exit.$i"
	cfg=/home/ec2-user/.aws/config
	if [ -f "$cfg" ] && [ ! -L "$cfg" ]; then
		cp "$cfg" "$T/out/config.$i"
		stat -c '%a %u %g' /home/ec2-user/.aws "$cfg" >"$T/out/stat.$i"
		lsattr "$cfg" 2>/dev/null | cut -d' ' -f1 >"$T/out/attrs.$i" || true
	fi
done
# Leave nothing immutable behind for the temp folder's cleanup.
chattr -i /home/ec2-user/.aws/config 2>/dev/null || true
`

func (sb sandboxRun) run(t *testing.T) []sandboxResult {
	t.Helper()
	requireSandbox(t)
	T := t.TempDir()
	home := filepath.Join(T, "home", "ec2-user")
	for _, d := range []string{home, filepath.Join(T, "opt", "ml", "metadata"), filepath.Join(T, "out")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(home, sandboxUID, sandboxUID); err != nil {
		t.Fatal(err)
	}
	if sb.metadata != "" {
		if err := os.WriteFile(filepath.Join(T, "opt", "ml", "metadata", "resource-metadata.json"), []byte(sb.metadata), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range sb.files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		for d := p; d != home; d = filepath.Dir(d) {
			if err := os.Chown(d, sandboxUID, sandboxUID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, target := range sb.symlinks {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"passwd", "group"} {
		host, err := os.ReadFile("/etc/" + f)
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("ec2-user:x:%d:%d:EC2 Default User:/home/ec2-user:/bin/bash\n", sandboxUID, sandboxUID)
		if f == "group" {
			line = fmt.Sprintf("ec2-user:x:%d:\n", sandboxUID)
		}
		if err := os.WriteFile(filepath.Join(T, f), append(host, line...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range sb.scripts {
		if err := os.WriteFile(filepath.Join(T, fmt.Sprintf("script.%d", i+1)), s, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fs := sb.fs
	if fs == "" {
		fs = "bind"
	}
	cmd := exec.CommandContext(t.Context(), "unshare", "--mount", "--propagation", "private", "--",
		"bash", "-c", sandboxWrapper, "sandbox", T, fs, fmt.Sprint(len(sb.scripts)))
	// Scripts run with a clean environment, as SageMaker runs them, plus
	// what the test adds.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(T, "out")}, sb.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sandbox: %v\n%s", err, out)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(T, "out", name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	var results []sandboxResult
	for i := range sb.scripts {
		n := i + 1
		r := sandboxResult{
			log:    read(fmt.Sprintf("log.%d", n)),
			config: read(fmt.Sprintf("config.%d", n)),
			stat:   strings.TrimSpace(read(fmt.Sprintf("stat.%d", n))),
			attrs:  strings.TrimSpace(read(fmt.Sprintf("attrs.%d", n))),
		}
		if _, err := fmt.Sscan(read(fmt.Sprintf("exit.%d", n)), &r.exit); err != nil {
			t.Fatalf("exit.%d: %v", n, err)
		}
		results = append(results, r)
	}
	return results
}

const testMetadata = `{
  "ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/test-2",
  "ResourceName": "test-2"
}
`

const wantFreshConfig = `[default]
region = us-east-1
role_arn = arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole
credential_source = Ec2InstanceMetadata
role_session_name = test-2
sts_regional_endpoints = regional
`

func mustScript(t *testing.T, p Params) []byte {
	t.Helper()
	s, err := Script(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSandboxFreshInstance(t *testing.T) {
	script := mustScript(t, instanceParams)
	res := sandboxRun{metadata: testMetadata, scripts: [][]byte{script, script}}.run(t)
	wantStat := fmt.Sprintf("700 %d %d\n600 %d %d", sandboxUID, sandboxUID, sandboxUID, sandboxUID)
	for i, r := range res {
		if r.exit != 0 {
			t.Fatalf("run %d exited %d:\n%s", i+1, r.exit, r.log)
		}
		if diff := cmp.Diff(wantFreshConfig, r.config); diff != "" {
			t.Errorf("run %d config (-want +got):\n%s", i+1, diff)
		}
		if r.stat != wantStat {
			t.Errorf("run %d: ~/.aws and config are %q, want %q", i+1, r.stat, wantStat)
		}
		if !strings.Contains(r.attrs, "i") {
			t.Errorf("run %d: config attributes %q, want immutable (i)", i+1, r.attrs)
		}
		if !strings.Contains(r.log, "assumed-role/AmazonSageMaker-ExecutionRole/test-2") {
			t.Errorf("run %d log does not say what CloudTrail will show:\n%s", i+1, r.log)
		}
	}
	if !strings.Contains(res[0].log, "Wrote [default]") || !strings.Contains(res[1].log, "already up to date") {
		t.Errorf("logs do not say the first run wrote and the second found it done:\n%s\n%s", res[0].log, res[1].log)
	}
}

func TestSandboxKeepsOtherSettings(t *testing.T) {
	existing := "[profile other]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111122223333:role/other\n\n" +
		"[default]\noutput = json\nregion = eu-central-1\nrole_session_name = SageMaker\nsource_profile = other\ns3 =\n  region = nested-stays\n"
	want := "[profile other]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111122223333:role/other\n\n" +
		"[default]\nregion = us-east-1\nrole_arn = " + testRole + "\ncredential_source = Ec2InstanceMetadata\n" +
		"role_session_name = test-2\nsts_regional_endpoints = regional\noutput = json\ns3 =\n  region = nested-stays\n"
	script := mustScript(t, instanceParams)
	res := sandboxRun{
		metadata: testMetadata,
		files:    map[string]string{".aws/config": existing},
		scripts:  [][]byte{script, script},
	}.run(t)
	for i, r := range res {
		if r.exit != 0 {
			t.Fatalf("run %d exited %d:\n%s", i+1, r.exit, r.log)
		}
		if diff := cmp.Diff(want, r.config); diff != "" {
			t.Errorf("run %d config (-want +got):\n%s", i+1, diff)
		}
	}
}

// TestSandboxReapply re-applies a changed configuration on an instance
// whose config an earlier run made immutable.
func TestSandboxReapply(t *testing.T) {
	other := instanceParams
	other.RoleARN = "arn:aws:iam::111122223333:role/NewRole"
	res := sandboxRun{
		metadata: testMetadata,
		scripts:  [][]byte{mustScript(t, instanceParams), mustScript(t, other)},
	}.run(t)
	if res[1].exit != 0 {
		t.Fatalf("second run exited %d:\n%s", res[1].exit, res[1].log)
	}
	want := strings.Replace(wantFreshConfig, testRole, other.RoleARN, 1)
	if diff := cmp.Diff(want, res[1].config); diff != "" {
		t.Errorf("config after re-apply (-want +got):\n%s", diff)
	}
}

func TestSandboxNoChattr(t *testing.T) {
	script := mustScript(t, Params{Instance: "test-2", RoleARN: testRole}) // region from metadata
	res := sandboxRun{fs: "ramfs", metadata: testMetadata, scripts: [][]byte{script, script}}.run(t)
	for i, r := range res {
		if r.exit != 0 {
			t.Fatalf("run %d on ramfs exited %d:\n%s", i+1, r.exit, r.log)
		}
		if !strings.Contains(r.log, "chattr +i is not supported here") {
			t.Errorf("run %d log lacks the chattr note:\n%s", i+1, r.log)
		}
		if diff := cmp.Diff(wantFreshConfig, r.config); diff != "" {
			t.Errorf("run %d config (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestSandboxRefusesSymlink(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := sandboxRun{
		metadata: testMetadata,
		symlinks: map[string]string{".aws/config": victim},
		scripts:  [][]byte{mustScript(t, instanceParams)},
	}.run(t)
	if res[0].exit == 0 || !strings.Contains(res[0].log, "refusing to write through it") {
		t.Errorf("script followed a planted symlink: exit %d\n%s", res[0].exit, res[0].log)
	}
	if b, _ := os.ReadFile(victim); string(b) != "secret\n" {
		t.Errorf("symlink target changed to %q", b)
	}
}

// TestSandboxGeneric runs the generic script, which reads the name from
// the metadata file and asks SageMaker (the AWS CLI against fakeaws) for
// the role.
func TestSandboxGeneric(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed; the generic script needs it")
	}
	srv := fakeaws.New(t)
	srv.AddNotebook(fakeaws.Notebook{Name: "test-2", Status: fakeaws.StatusInService, RoleARN: testRole})
	env := []string{
		"AWS_ENDPOINT_URL_SAGEMAKER=" + srv.URL,
		"AWS_ACCESS_KEY_ID=AKIDFAKE", "AWS_SECRET_ACCESS_KEY=fake",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	script := mustScript(t, genericParams)
	res := sandboxRun{metadata: testMetadata, scripts: [][]byte{script, script}, env: env}.run(t)
	for i, r := range res {
		if r.exit != 0 {
			t.Fatalf("run %d exited %d:\n%s", i+1, r.exit, r.log)
		}
		if diff := cmp.Diff(wantFreshConfig, r.config); diff != "" {
			t.Errorf("run %d config (-want +got):\n%s", i+1, diff)
		}
	}
	var described []any
	for _, c := range srv.Calls() {
		if c.Op == "DescribeNotebookInstance" {
			described = append(described, c.Input["NotebookInstanceName"])
		}
	}
	if diff := cmp.Diff([]any{"test-2", "test-2"}, described); diff != "" {
		t.Errorf("DescribeNotebookInstance calls (-want +got):\n%s", diff)
	}
}

func TestSandboxGenericRefusesBadMetadata(t *testing.T) {
	tests := []struct{ name, metadata, wantLog string }{
		{"hostile name", `{"ResourceArn":"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x","ResourceName":"x$(reboot)"}`, "is not a valid SageMaker name"},
		{"no name", `{"ResourceArn":"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x"}`, "no ResourceName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := sandboxRun{metadata: tt.metadata, scripts: [][]byte{mustScript(t, genericParams)}}.run(t)
			if res[0].exit == 0 || !strings.Contains(res[0].log, tt.wantLog) {
				t.Errorf("exit %d, log:\n%s\nwant a failure saying %q", res[0].exit, res[0].log, tt.wantLog)
			}
			if res[0].config != "" {
				t.Errorf("config written despite bad metadata:\n%s", res[0].config)
			}
		})
	}
}

// freshConfigFile runs the per-instance script in the sandbox and returns
// the path of a copy of the config it wrote.
func freshConfigFile(t *testing.T) string {
	t.Helper()
	res := sandboxRun{metadata: testMetadata, scripts: [][]byte{mustScript(t, instanceParams)}}.run(t)
	if res[0].exit != 0 {
		t.Fatalf("script exited %d:\n%s", res[0].exit, res[0].log)
	}
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(res[0].config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// assumeRoleCalls returns RoleArn and RoleSessionName of every AssumeRole
// call the fake saw.
func assumeRoleCalls(srv *fakeaws.Server) [][2]any {
	var out [][2]any
	for _, c := range srv.Calls() {
		if c.Service == "STS" && c.Op == "AssumeRole" {
			out = append(out, [2]any{c.Input["RoleArn"], c.Input["RoleSessionName"]})
		}
	}
	return out
}

// TestSDKAssumesRoleAsInstance loads the config the script wrote with the
// real aws-sdk-go-v2 config loader, instance metadata and STS on loopback,
// and checks that the SDK assumes the execution role with the instance
// name as session name. Unlike other tests this one must call
// config.LoadDefaultConfig: how the SDK reads a shared config file is what
// it tests. Every input is pinned (files, environment, endpoints), so it
// stays hermetic.
func TestSDKAssumesRoleAsInstance(t *testing.T) {
	cfgFile := freshConfigFile(t)
	srv := fakeaws.New(t)
	srv.SetInstanceRole("AmazonSageMaker-ExecutionRole")
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

	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigFiles([]string{cfgFile}),
		config.WithSharedCredentialsFiles([]string{os.DevNull}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-1" {
		t.Errorf("region = %q, want us-east-1 from the config", cfg.Region)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole/test-2"
	if got := aws.ToString(out.Arn); got != want {
		t.Errorf("GetCallerIdentity().Arn = %s, want %s", got, want)
	}
	if diff := cmp.Diff([][2]any{{testRole, "test-2"}}, assumeRoleCalls(srv)); diff != "" {
		t.Errorf("AssumeRole calls [RoleArn RoleSessionName] (-want +got):\n%s", diff)
	}
	if !hasCall(srv, "IMDS", "GET /latest/meta-data/iam/security-credentials/AmazonSageMaker-ExecutionRole") {
		t.Errorf("the SDK never read the instance role's credentials from instance metadata; calls: %v", srv.Ops())
	}
}

func hasCall(srv *fakeaws.Server, service, op string) bool {
	for _, c := range srv.Calls() {
		if c.Service == service && c.Op == op {
			return true
		}
	}
	return false
}

// TestCLIAssumesRoleAsInstance does the same with the AWS CLI.
func TestCLIAssumesRoleAsInstance(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	cfgFile := freshConfigFile(t)
	srv := fakeaws.New(t)
	srv.SetInstanceRole("AmazonSageMaker-ExecutionRole")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cmd := exec.CommandContext(ctx, awsCLI, "sts", "get-caller-identity", "--query", "Arn", "--output", "text")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(), // the CLI caches assumed-role credentials under ~/.aws/cli/cache
		"AWS_CONFIG_FILE=" + cfgFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + srv.URL,
		"AWS_ENDPOINT_URL_STS=" + srv.URL,
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, stderr.Bytes())
	}
	want := "arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole/test-2"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("aws sts get-caller-identity = %s, want %s", got, want)
	}
	if diff := cmp.Diff([][2]any{{testRole, "test-2"}}, assumeRoleCalls(srv)); diff != "" {
		t.Errorf("AssumeRole calls [RoleArn RoleSessionName] (-want +got):\n%s", diff)
	}
}
