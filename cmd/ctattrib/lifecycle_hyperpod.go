package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	lifecycle "github.com/ctattrib/ctattrib/lifecycle-scripts"
)

type lifecycleHyperPodOptions struct {
	Cluster, RoleARN, Region, SourceS3URI, Format string
}

func newLifecycleHyperPodCmd(a *app) *cobra.Command {
	var opts lifecycleHyperPodOptions
	cmd := &cobra.Command{
		Use:   "hyperpod --cluster NAME --role-arn ARN [--region R] [--source-s3-uri S3URI] [--format shell|json|text]",
		Short: "Print the addition to a HyperPod cluster's on_create.sh that names each node",
		Long: `HyperPod nodes all call AWS as assumed-role/ROLE/SageMaker. hyperpod prints
a script for the cluster's lifecycle scripts that gives each node's AWS
CLI and SDK calls the session name hyperpod.CLUSTER.INSTANCE-ID, so that
CloudTrail, and ctattrib, can tell the nodes apart. Save it as
` + lifecycle.HyperPodScriptName + ` next to on_create.sh and call it from there.

On each node it reads the instance id from instance metadata and writes a
node-local AWS config, ` + lifecycle.HyperPodConfigFile + `, whose default profile
assumes the cluster's execution role again (role_arn, credential_source =
Ec2InstanceMetadata, role_session_name), and points AWS_CONFIG_FILE at it
for logins (/etc/profile.d, /etc/environment) and so for the Slurm jobs
they submit. Users' home folders are left alone: on the shared file system
they would carry one node's name to all. A cluster name longer than 35
characters is cut and ends in a hash of the whole name, to fit STS's 64
characters.

Formats: shell (the script), json (the execution role's identity policy
and the trust statement that lets it assume itself) and text (the steps:
the on_create.sh line, the upload, the IAM policies and the commands that
apply them). With --source-s3-uri, the cluster's lifecycle-script location,
the steps name it, and when its bucket's name does not start with
sagemaker- (which the managed AmazonSageMakerClusterInstanceRolePolicy
covers) the identity policy adds s3:ListBucket and s3:GetObject on it.`,
		Example: `  ctattrib lifecycle hyperpod --cluster ml-cluster \
    --role-arn arn:aws:iam::111122223333:role/HyperPodClusterRole > ctattrib-node-session.sh

  ctattrib lifecycle hyperpod --cluster ml-cluster \
    --role-arn arn:aws:iam::111122223333:role/HyperPodClusterRole \
    --source-s3-uri s3://ml-team-artifacts/hyperpod/lifecycle --format text`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(_ *cobra.Command, _ []string) error {
			if opts.Cluster == "" || opts.RoleARN == "" {
				return usageErrorf("--cluster and --role-arn are required")
			}
			if opts.Format != "shell" && opts.Format != "json" && opts.Format != "text" {
				return usageErrorf("--format %q: want shell, json or text", opts.Format)
			}
			return runLifecycleHyperPod(a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Cluster, "cluster", "", "HyperPod cluster `name`")
	f.StringVar(&opts.RoleARN, "role-arn", "", "the `ARN` of the execution role of the cluster's instance groups")
	f.StringVar(&opts.Region, "region", "", "AWS `region` to write into the profile (default: read on the node)")
	f.StringVar(&opts.SourceS3URI, "source-s3-uri", "", "the cluster's lifecycle-script location, s3://BUCKET/PREFIX (`URI`)")
	f.StringVar(&opts.Format, "format", "shell", "output `format`: shell, json or text")
	return cmd
}

func runLifecycleHyperPod(a *app, opts lifecycleHyperPodOptions) error {
	p := lifecycle.HyperPodParams{Cluster: opts.Cluster, RoleARN: opts.RoleARN, Region: opts.Region, SourceS3URI: opts.SourceS3URI}
	if err := p.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	switch opts.Format {
	case "text":
		return lifecycle.WriteHyperPodSteps(a.Out, p)
	case "json":
		pols, err := lifecycle.NewHyperPodPolicies(p)
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(pols, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.Out, "%s\n", out)
		return err
	}
	script, err := lifecycle.HyperPodScript(p)
	if err != nil {
		return err
	}
	_, err = a.Out.Write(script)
	return err
}
