package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/spf13/cobra"

	lifecycle "github.com/ctattrib/ctattrib/lifecycle-scripts"
)

// lifecycleSageMakerAPI is what the lifecycle commands need from SageMaker.
type lifecycleSageMakerAPI interface {
	lifecycle.SageMakerAPI
	lifecycle.StudioAPI
}

// lifecycleClients are the clients the apply and studio commands use, and the
// region they were made for.
type lifecycleClients struct {
	SageMaker lifecycleSageMakerAPI
	IAM       lifecycle.IAMAPI
	Region    string
}

// newLifecycleClients makes the clients of the apply and studio commands
// from a's AWS configuration.
func newLifecycleClients(ctx context.Context, a *app, flags awsFlags) (lifecycleClients, error) {
	cfg, err := a.awsConfig(ctx, flags)
	if err != nil {
		return lifecycleClients{}, err
	}
	return lifecycleClients{
		SageMaker: sagemaker.NewFromConfig(cfg),
		IAM:       iam.NewFromConfig(cfg),
		Region:    cfg.Region,
	}, nil
}

func newLifecycleCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lifecycle",
		Short: "Make notebook instances' AWS calls show their name in CloudTrail",
		Long: `Every notebook instance that uses an execution role appears in CloudTrail
as assumed-role/ROLE/SageMaker. An on-start lifecycle script can make
ec2-user's default AWS profile assume the role again with the instance
name as session name, so that the notebook's calls appear as
assumed-role/ROLE/INSTANCE-NAME.

  script   print the lifecycle script (shell, base64, json, CloudFormation, Terraform)
  policy   print the IAM statements the script depends on
  apply    create, attach and roll out the script to notebook instances
  studio   make Studio calls carry the user profile in sourceIdentity
  hyperpod print the addition to a HyperPod cluster's on_create.sh that
           names each node's calls hyperpod.CLUSTER.INSTANCE-ID`,
		Args: cobraArgs(cobra.NoArgs),
	}
	cmd.AddCommand(
		newLifecycleScriptCmd(a),
		newLifecyclePolicyCmd(a),
		newLifecycleApplyCmd(a),
		newLifecycleStudioCmd(a),
		newLifecycleHyperPodCmd(a),
	)
	return cmd
}

type lifecycleScriptOptions struct {
	Instance, RoleARN, Region, Format, Name string
}

func newLifecycleScriptCmd(a *app) *cobra.Command {
	var opts lifecycleScriptOptions
	cmd := &cobra.Command{
		Use:   "script [--instance NAME --role-arn ARN] [--region R] [--format F]",
		Short: "Print the on-start lifecycle script",
		Long: `Print the on-start lifecycle script that sets ec2-user's default AWS profile
to assume the execution role with the notebook instance name as session
name.

With --instance and --role-arn the name and role are baked in and the
script makes no AWS call at start-up. Without them it is generic: it reads
the name from /opt/ml/metadata/resource-metadata.json and the role from
'aws sagemaker describe-notebook-instance' (so the role needs
sagemaker:DescribeNotebookInstance; see 'ctattrib lifecycle policy').

Formats: shell (the script), base64 (OnStart Content), json (input for
'aws sagemaker create-notebook-instance-lifecycle-config --cli-input-json'),
cloudformation (an AWS::SageMaker::NotebookInstanceLifecycleConfig
resource) and terraform (an
aws_sagemaker_notebook_instance_lifecycle_configuration resource).`,
		Example: `  ctattrib lifecycle script --instance test-2 \
    --role-arn arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole \
    --region us-east-1

  # One generic configuration for every notebook instance
  ctattrib lifecycle script --format json > lcc.json
  aws sagemaker create-notebook-instance-lifecycle-config --cli-input-json file://lcc.json`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(_ *cobra.Command, _ []string) error {
			return runLifecycleScript(a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Instance, "instance", "", "notebook instance `name` to bake in (with --role-arn)")
	f.StringVar(&opts.RoleARN, "role-arn", "", "execution role `ARN` to bake in (with --instance)")
	f.StringVar(&opts.Region, "region", "", "AWS `region` to write into the profile (default: read on the notebook)")
	f.StringVar(&opts.Format, "format", "shell", "output `format`: shell, base64, json, cloudformation or terraform")
	f.StringVar(&opts.Name, "name", "", "lifecycle configuration `name` for json, cloudformation and terraform (default ctattrib-INSTANCE or "+lifecycle.GenericConfigName+")")
	return cmd
}

func runLifecycleScript(a *app, opts lifecycleScriptOptions) error {
	format, err := lifecycle.ParseFormat(opts.Format)
	if err != nil {
		return usageErrorf("--format: %v", err)
	}
	p := lifecycle.Params{Instance: opts.Instance, RoleARN: opts.RoleARN, Region: opts.Region, ConfigName: opts.Name}
	if (p.Instance == "") != (p.RoleARN == "") {
		return usageErrorf("--instance and --role-arn go together: give both for a per-instance script, or neither for the generic one")
	}
	if err := p.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	return lifecycle.Render(a.Out, format, p)
}

type lifecyclePolicyOptions struct {
	RoleARN, TrustPolicy, Format string
	Generic                      bool
}

func newLifecyclePolicyCmd(a *app) *cobra.Command {
	var opts lifecyclePolicyOptions
	cmd := &cobra.Command{
		Use:   "policy --role-arn ARN [--trust-policy FILE] [--generic] [--format json|text]",
		Short: "Print the IAM statements the lifecycle script needs",
		Long: `Print what the execution role needs for the lifecycle script to work:

  - an identity-policy statement allowing sts:AssumeRole on the role itself
    (and, with --generic, sagemaker:DescribeNotebookInstance, which the
    generic script calls);
  - a trust-policy statement letting the role assume itself. Since IAM's
    2022 change a role can assume itself only when its trust policy names
    it explicitly.

With --trust-policy FILE (- for standard input) print instead the role's
trust policy with that statement merged in, every existing statement kept.
FILE is the policy document or the output of 'aws iam get-role'.`,
		Example: `  ctattrib lifecycle policy --role-arn arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole --format text

  aws iam get-role --role-name AmazonSageMaker-ExecutionRole > role.json
  ctattrib lifecycle policy --role-arn arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole \
    --trust-policy role.json > trust.json
  aws iam update-assume-role-policy --role-name AmazonSageMaker-ExecutionRole --policy-document file://trust.json`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(_ *cobra.Command, _ []string) error {
			if opts.RoleARN == "" {
				return usageErrorf("--role-arn is required")
			}
			if opts.Format != "json" && opts.Format != "text" {
				return usageErrorf("--format %q: want json or text", opts.Format)
			}
			return runLifecyclePolicy(a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.RoleARN, "role-arn", "", "the execution role's `ARN`")
	f.StringVar(&opts.TrustPolicy, "trust-policy", "", "print this trust policy `file` (- for stdin) with the self-trust statement merged in")
	f.BoolVar(&opts.Generic, "generic", false, "include what the generic script needs (sagemaker:DescribeNotebookInstance)")
	f.StringVar(&opts.Format, "format", "json", "output `format`: json or text")
	return cmd
}

func runLifecyclePolicy(a *app, opts lifecyclePolicyOptions) error {
	arn, err := lifecycle.ParseRoleARN(opts.RoleARN)
	if err != nil {
		return usageErrorf("--role-arn: %v", err)
	}
	trust, _ := lifecycle.SelfTrustStatement(opts.RoleARN)
	if opts.TrustPolicy != "" {
		doc, err := readTrustPolicy(a.In, opts.TrustPolicy)
		if err != nil {
			return err
		}
		merged, changed, err := lifecycle.MergeTrust(doc, trust)
		if err != nil {
			return fmt.Errorf("%s: %w", opts.TrustPolicy, err)
		}
		if !changed {
			a.Log.Warn("The trust policy already lets the role assume itself", "role", opts.RoleARN)
		}
		_, err = a.Out.Write(merged)
		return err
	}
	identity, _ := lifecycle.IdentityPolicy(opts.RoleARN, opts.Generic)
	if opts.Format == "json" {
		out, err := json.MarshalIndent(struct {
			IdentityPolicy lifecycle.Policy
			TrustStatement lifecycle.Statement
		}{identity, trust}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.Out, "%s\n", out)
		return err
	}
	idJSON, _ := json.MarshalIndent(identity, "", "  ")
	trustJSON, _ := json.MarshalIndent(trust, "", "  ")
	_, err = fmt.Fprintf(a.Out, `Identity policy for role %[1]s
(attach it as an inline policy, e.g. saved as identity.json):

%[2]s

  aws iam put-role-policy --role-name %[1]s --policy-name ctattrib-session-name \
    --policy-document file://identity.json

Trust-policy statement that lets the role assume itself:

%[3]s

Merge it into the role's trust policy, keeping the existing statements:

  aws iam get-role --role-name %[1]s > role.json
  ctattrib lifecycle policy --role-arn %[4]s --trust-policy role.json > trust.json
  aws iam update-assume-role-policy --role-name %[1]s --policy-document file://trust.json

or let 'ctattrib lifecycle apply --update-trust' do it.
`, arn.Name, idJSON, trustJSON, opts.RoleARN)
	return err
}

// readTrustPolicy reads a trust policy document, or the output of
// 'aws iam get-role', from a file or stdin.
func readTrustPolicy(stdin io.Reader, path string) ([]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var getRole struct {
		Role struct {
			AssumeRolePolicyDocument json.RawMessage
		}
	}
	if json.Unmarshal(data, &getRole) == nil && len(getRole.Role.AssumeRolePolicyDocument) > 0 {
		return getRole.Role.AssumeRolePolicyDocument, nil
	}
	return data, nil
}

type lifecycleApplyOptions struct {
	AWS                                        awsFlags
	Instances                                  []string
	All, UpdateTrust, Restart, Replace, DryRun bool
}

func newLifecycleApplyCmd(a *app) *cobra.Command {
	var opts lifecycleApplyOptions
	cmd := &cobra.Command{
		Use:   "apply (--instance NAME... | --all) [--update-trust] [--restart] [--dry-run]",
		Short: "Roll the lifecycle script out to notebook instances",
		Long: `Give each notebook instance its own lifecycle configuration,
ctattrib-INSTANCE, holding the script with its name and execution role
baked in, and attach it.

apply prints its plan first, then carries it out:

  - the configuration is created, updated, or left unchanged when it
    already holds the same script;
  - SageMaker attaches a configuration only to a stopped instance. A
    running one is reported as pending restart, and is stopped, attached
    and started again only with --restart;
  - an instance that uses another lifecycle configuration is left alone
    (conflict) unless --replace is given; rather add the script to that
    configuration;
  - with --update-trust, execution roles that cannot assume themselves get
    the self-trust statement in their trust policy (iam:GetRole and
    iam:UpdateAssumeRolePolicy). Without it they are only reported.

--dry-run prints the plan and changes nothing. Running apply twice changes
nothing the second time. --endpoint-url sends both the SageMaker and the
IAM calls to that URL.`,
		Example: `  ctattrib lifecycle apply --all --region us-east-1 --dry-run
  ctattrib lifecycle apply --instance test-1 --instance test-2 --update-trust
  ctattrib lifecycle apply --all --update-trust --restart`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.All == (len(opts.Instances) > 0) {
				return usageErrorf("give --instance NAME (repeatable) or --all")
			}
			for _, name := range opts.Instances {
				if err := lifecycle.ValidateInstanceName(name); err != nil {
					return usageErrorf("--instance: %v", err)
				}
			}
			if opts.AWS.Region != "" {
				if err := lifecycle.ValidateRegion(opts.AWS.Region); err != nil {
					return usageErrorf("--region: %v", err)
				}
			}
			return runLifecycleApply(cmd.Context(), a, opts)
		},
	}
	opts.AWS.bind(cmd.Flags(), "AWS `region` (default from the profile or AWS_REGION)", "send SageMaker and IAM calls to this `URL` (a test server or VPC endpoint)")
	f := cmd.Flags()
	f.StringSliceVar(&opts.Instances, "instance", nil, "notebook instance `name` (repeatable, comma-separated)")
	f.BoolVar(&opts.All, "all", false, "every notebook instance in the region")
	f.BoolVar(&opts.UpdateTrust, "update-trust", false, "add the self-trust statement to execution roles that lack it")
	f.BoolVar(&opts.Restart, "restart", false, "stop running instances, attach, and start them again")
	f.BoolVar(&opts.Replace, "replace", false, "replace another lifecycle configuration attached to an instance")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	return cmd
}

func runLifecycleApply(ctx context.Context, a *app, opts lifecycleApplyOptions) error {
	c, err := newLifecycleClients(ctx, a, opts.AWS)
	if err != nil {
		return err
	}
	ro := lifecycle.RolloutOptions{
		Instances:   opts.Instances,
		All:         opts.All,
		Region:      c.Region,
		UpdateTrust: opts.UpdateTrust,
		Restart:     opts.Restart,
		Replace:     opts.Replace,
		Log:         a.Log,
	}
	plan, err := lifecycle.NewPlan(ctx, c.SageMaker, c.IAM, ro)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) || errors.Is(err, lifecycle.ErrInvalid) {
			return usageErrorf("%v", err)
		}
		return err
	}
	if err := plan.Write(a.Out); err != nil {
		return err
	}
	switch {
	case opts.DryRun:
		_, err = fmt.Fprintln(a.Out, "Dry run: nothing changed.")
		return err
	case plan.Changes() == 0:
		return nil
	}
	if err := plan.Apply(ctx, c.SageMaker, c.IAM, ro); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.Out, "Applied %d change(s).\n", plan.Changes())
	return err
}

type lifecycleStudioOptions struct {
	AWS                awsFlags
	DomainID           string
	Apply, UpdateTrust bool
}

func newLifecycleStudioCmd(a *app) *cobra.Command {
	var opts lifecycleStudioOptions
	cmd := &cobra.Command{
		Use:   "studio --domain-id D [--apply] [--update-trust]",
		Short: "Make Studio calls carry the user profile name in sourceIdentity",
		Long: `Studio user profiles share execution roles too, but their session names
are not the profile name. With the domain setting
ExecutionRoleIdentityConfig=USER_PROFILE_NAME SageMaker sets the user
profile name as sourceIdentity, which CloudTrail records on every call;
the execution role's trust policy must then allow sagemaker.amazonaws.com
sts:SetSourceIdentity.

studio prints what the domain and its default execution role need, and
the AWS CLI commands that do it. With --apply it updates the domain, and
with --update-trust as well the role's trust policy. Roles set on
individual user profiles or spaces need the same trust statement.`,
		Example: `  ctattrib lifecycle studio --domain-id d-abc123example
  ctattrib lifecycle studio --domain-id d-abc123example --apply --update-trust`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lifecycle.ValidateDomainID(opts.DomainID); err != nil {
				return usageErrorf("--domain-id: %v", err)
			}
			if opts.UpdateTrust && !opts.Apply {
				return usageErrorf("--update-trust needs --apply")
			}
			return runLifecycleStudio(cmd.Context(), a, opts)
		},
	}
	opts.AWS.bind(cmd.Flags(), "AWS `region` (default from the profile or AWS_REGION)", "send SageMaker and IAM calls to this `URL` (a test server or VPC endpoint)")
	f := cmd.Flags()
	f.StringVar(&opts.DomainID, "domain-id", "", "Studio domain `ID` (d-...)")
	f.BoolVar(&opts.Apply, "apply", false, "update the domain setting")
	f.BoolVar(&opts.UpdateTrust, "update-trust", false, "with --apply, also add sts:SetSourceIdentity to the default execution role's trust policy")
	return cmd
}

func runLifecycleStudio(ctx context.Context, a *app, opts lifecycleStudioOptions) error {
	c, err := newLifecycleClients(ctx, a, opts.AWS)
	if err != nil {
		return err
	}
	plan, err := lifecycle.NewStudioPlan(ctx, c.SageMaker, c.IAM, opts.DomainID, opts.UpdateTrust)
	if err != nil {
		return err
	}
	if err := plan.Write(a.Out); err != nil {
		return err
	}
	if !opts.Apply || plan.Changes() == 0 {
		return nil
	}
	if err := plan.Apply(ctx, c.SageMaker, c.IAM); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.Out, "Applied %d change(s).\n", plan.Changes())
	return err
}
