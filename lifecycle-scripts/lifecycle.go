// Package lifecycle renders SageMaker notebook lifecycle-configuration
// scripts from shell templates embedded at build time, the IAM policy
// statements those scripts depend on, and rolls them out to notebook
// instances.
//
// The script makes ec2-user's default AWS profile assume the notebook's
// execution role again with the instance name as the role session name, so
// that CloudTrail shows assumed-role/ROLE/INSTANCE-NAME for every call made
// from the notebook.
//
// HyperPodScript does the same for the nodes of a SageMaker HyperPod
// cluster, from the cluster's on_create.sh: a node-local AWS config whose
// session name is hyperpod.CLUSTER.INSTANCE-ID, which AWS_CONFIG_FILE
// points every login and job at.
//
// Its import path ends in lifecycle-scripts.
package lifecycle

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

// scriptFuncs are the functions templates call: sh quotes a value for
// bash; the ...RE functions are awsid's patterns, anchored, which bash's
// [[ =~ ]] reads as Go does.
var scriptFuncs = template.FuncMap{
	"sh":                shellQuote,
	"regionRE":          func() string { return "^" + awsid.RegionPattern + "$" },
	"roleARNRE":         func() string { return "^" + awsid.RoleARNPattern + "$" },
	"instanceIDRE":      func() string { return "^" + awsid.EC2InstanceIDPattern + "$" },
	"hyperPodSessionRE": func() string { return "^" + awsid.HyperPodSessionPattern + "$" },
}

//go:embed templates/*.sh.tmpl
var templateFS embed.FS

var tmpl = template.Must(template.New("").
	Funcs(scriptFuncs).
	Option("missingkey=error").
	ParseFS(templateFS, "templates/*.sh.tmpl"))

// MaxScriptBytes is the largest script Render produces. SageMaker limits a
// lifecycle script to 16,384 characters of base64, which is 12,288 bytes.
const MaxScriptBytes = 12288

// GenericConfigName is the lifecycle configuration name used for the
// generic script when none is given.
const GenericConfigName = "ctattrib-session-name"

// Format is an output form of a lifecycle script.
type Format string

// The formats Render writes.
const (
	FormatShell          Format = "shell"          // the script itself
	FormatBase64         Format = "base64"         // the script, base64-encoded, as OnStart Content takes it
	FormatJSON           Format = "json"           // aws sagemaker create-notebook-instance-lifecycle-config --cli-input-json
	FormatCloudFormation Format = "cloudformation" // an AWS::SageMaker::NotebookInstanceLifecycleConfig resource
	FormatTerraform      Format = "terraform"      // an aws_sagemaker_notebook_instance_lifecycle_configuration resource
)

// Formats lists every Format, for flag help and validation.
var Formats = []Format{FormatShell, FormatBase64, FormatJSON, FormatCloudFormation, FormatTerraform}

// ParseFormat returns the Format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("format %q: want one of %s: %w", s, strings.Join(names, ", "), ErrInvalid)
}

// Params are the values baked into a script.
type Params struct {
	// Instance and RoleARN are set together for a per-instance script, or
	// both left empty for the generic script, which reads them on the
	// notebook at start-up.
	Instance string
	RoleARN  string
	// Region is optional; the script reads it from the notebook's metadata
	// when empty.
	Region string
	// ConfigName is the lifecycle configuration name the json,
	// cloudformation and terraform formats use; ConfigName(Instance) when
	// empty.
	ConfigName string
}

// Generic reports whether p describes the generic script.
func (p Params) Generic() bool { return p.Instance == "" && p.RoleARN == "" }

// Validate checks every value in p, so that nothing unchecked reaches a
// script.
func (p Params) Validate() error {
	if (p.Instance == "") != (p.RoleARN == "") {
		return fmt.Errorf("instance name and role ARN go together: give both for a per-instance script, or neither for the generic one: %w", ErrInvalid)
	}
	if !p.Generic() {
		if err := ValidateInstanceName(p.Instance); err != nil {
			return err
		}
	}
	var arn RoleARN
	if p.RoleARN != "" {
		var err error
		if arn, err = ParseRoleARN(p.RoleARN); err != nil {
			return err
		}
	}
	if p.Region != "" {
		if err := ValidateRegion(p.Region); err != nil {
			return err
		}
		if part, _ := awsid.PartitionOfRegion(p.Region); arn.Partition != "" && part != arn.Partition {
			return fmt.Errorf("region %s is not in partition %s of role %s: %w", p.Region, arn.Partition, p.RoleARN, ErrInvalid)
		}
	}
	if p.ConfigName != "" {
		if err := validateName("lifecycle configuration name", p.ConfigName); err != nil {
			return err
		}
	}
	return nil
}

// ConfigName returns the lifecycle configuration name ctattrib uses for a
// notebook instance: ctattrib-INSTANCE, or, when that would pass SageMaker's
// 63-character limit, a shortened name ending in a hash of the instance name
// so that it stays unique. An empty instance gives GenericConfigName.
func ConfigName(instance string) string {
	if instance == "" {
		return GenericConfigName
	}
	name := "ctattrib-" + instance
	if len(name) <= MaxNameLen {
		return name
	}
	sum := sha256.Sum256([]byte(instance))
	return name[:MaxNameLen-9] + "-" + hex.EncodeToString(sum[:4])
}

func (p Params) configName() string {
	if p.ConfigName != "" {
		return p.ConfigName
	}
	return ConfigName(p.Instance)
}

// Script returns the shell script for p.
func Script(p Params) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	name := "instance.sh.tmpl"
	if p.Generic() {
		name = "generic.sh.tmpl"
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		return nil, fmt.Errorf("render %s: %v", name, err)
	}
	if buf.Len() > MaxScriptBytes {
		return nil, fmt.Errorf("script is %d bytes, more than SageMaker's %d", buf.Len(), MaxScriptBytes)
	}
	return buf.Bytes(), nil
}

// Render writes the script for p to w in format f.
func Render(w io.Writer, f Format, p Params) error {
	script, err := Script(p)
	if err != nil {
		return err
	}
	var out []byte
	switch f {
	case FormatShell:
		out = script
	case FormatBase64:
		out = []byte(base64.StdEncoding.EncodeToString(script) + "\n")
	case FormatJSON:
		out, err = cliInputJSON(p.configName(), script)
	case FormatCloudFormation:
		out = cloudFormation(p, script)
	case FormatTerraform:
		out = terraform(p, script)
	default:
		_, err = ParseFormat(string(f))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

func cliInputJSON(name string, script []byte) ([]byte, error) {
	type hook struct {
		Content string
	}
	doc := struct {
		NotebookInstanceLifecycleConfigName string
		OnStart                             []hook
	}{name, []hook{{base64.StdEncoding.EncodeToString(script)}}}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// identifier turns a lifecycle configuration name into the parts of a
// CloudFormation logical ID or Terraform resource name.
func identifierParts(name string) []string {
	return strings.FieldsFunc(name, func(r rune) bool { return r == '-' })
}

func cloudFormation(p Params, script []byte) []byte {
	name := p.configName()
	var id strings.Builder
	for _, part := range identifierParts(name) {
		id.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "AWSTemplateFormatVersion: '2010-09-09'\n")
	fmt.Fprintf(&b, "Description: ctattrib lifecycle configuration %s\n", name)
	fmt.Fprintf(&b, "Resources:\n")
	fmt.Fprintf(&b, "  %s:\n", id.String())
	fmt.Fprintf(&b, "    Type: AWS::SageMaker::NotebookInstanceLifecycleConfig\n")
	fmt.Fprintf(&b, "    Properties:\n")
	fmt.Fprintf(&b, "      NotebookInstanceLifecycleConfigName: %s\n", name)
	fmt.Fprintf(&b, "      OnStart:\n")
	fmt.Fprintf(&b, "        - Content: !Base64 |\n")
	// A literal block keeps the script byte for byte: every line is
	// indented, empty lines stay empty, and the clip chomping keeps the one
	// final newline.
	for _, line := range strings.SplitAfter(string(script), "\n") {
		if line == "" {
			continue
		}
		if line == "\n" {
			b.WriteString(line)
			continue
		}
		b.WriteString("            " + line)
	}
	fmt.Fprintf(&b, "Outputs:\n")
	fmt.Fprintf(&b, "  LifecycleConfigName:\n")
	fmt.Fprintf(&b, "    Value: %s\n", name)
	return b.Bytes()
}

// terraformHeredoc is the heredoc delimiter; no script line equals it.
const terraformHeredoc = "CTATTRIB_SCRIPT"

func terraform(p Params, script []byte) []byte {
	name := p.configName()
	id := strings.Join(identifierParts(name), "_")
	// Terraform interpolates ${ and %{ inside heredocs; $${ and %%{ are
	// the literal forms.
	body := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(string(script))
	var b bytes.Buffer
	fmt.Fprintf(&b, "resource \"aws_sagemaker_notebook_instance_lifecycle_configuration\" %q {\n", id)
	fmt.Fprintf(&b, "  name = %q\n", name)
	fmt.Fprintf(&b, "  on_start = base64encode(<<%s\n", terraformHeredoc)
	b.WriteString(body)
	fmt.Fprintf(&b, "%s\n  )\n}\n", terraformHeredoc)
	return b.Bytes()
}

// shellQuote quotes s for POSIX shells: inside single quotes nothing is
// special, and each single quote becomes the four characters quote,
// backslash, quote, quote: it ends the quoted part, adds an escaped quote
// and starts a new quoted part.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
