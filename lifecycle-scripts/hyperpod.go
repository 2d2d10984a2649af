package lifecycle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

// HyperPodScriptName is the file name the HyperPod node script takes next
// to a cluster's on_create.sh.
const HyperPodScriptName = "ctattrib-node-session.sh"

// HyperPodConfigFile is the node-local AWS config the HyperPod node script
// writes and points AWS_CONFIG_FILE at.
const HyperPodConfigFile = "/etc/ctattrib/aws-config"

// HyperPodParams are the values baked into a HyperPod node script.
type HyperPodParams struct {
	// Cluster is the HyperPod cluster's name.
	Cluster string
	// RoleARN is the execution role of the cluster's instance groups.
	RoleARN string
	// Region is optional; the script reads it from instance metadata when
	// empty.
	Region string
	// SourceS3URI is optional: the cluster's lifecycle-script location
	// (s3://BUCKET/PREFIX), for the upload commands and the S3 statements.
	SourceS3URI string
}

// S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit. Prefixes here are limited to
// characters that need no quoting in an IAM resource or a shell and hold no
// IAM wildcard.
var (
	bucketPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	s3PrefixPattern = regexp.MustCompile(`^[A-Za-z0-9/_.=+-]*$`)
)

// managedBucketPrefix is the bucket-name prefix the managed policy
// AmazonSageMakerClusterInstanceRolePolicy lets a cluster read its
// lifecycle scripts from.
const managedBucketPrefix = "sagemaker-"

// S3Location is a parsed s3://BUCKET/PREFIX.
type S3Location struct {
	Bucket string
	Prefix string // without leading or trailing slash; "" for the whole bucket
}

// String returns the location as s3://BUCKET/PREFIX.
func (l S3Location) String() string {
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// ParseS3URI parses and validates an s3://BUCKET[/PREFIX] URI.
func ParseS3URI(s string) (S3Location, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	switch {
	case !ok:
		return S3Location{}, fmt.Errorf("S3 URI %q: want s3://BUCKET/PREFIX: %w", s, ErrInvalid)
	case !bucketPattern.MatchString(bucket) || strings.Contains(bucket, ".."):
		return S3Location{}, fmt.Errorf("S3 URI %q: bucket %q is not an S3 bucket name: %w", s, bucket, ErrInvalid)
	case !s3PrefixPattern.MatchString(prefix) || strings.Contains(prefix, "//") || len(prefix) > 900:
		return S3Location{}, fmt.Errorf("S3 URI %q: want a prefix of letters, digits and /_.=+-: %w", s, ErrInvalid)
	}
	return S3Location{Bucket: bucket, Prefix: prefix}, nil
}

// Validate checks every value in p, so that nothing unchecked reaches a
// script, a policy or a printed command.
func (p HyperPodParams) Validate() error {
	if !awsid.IsHyperPodClusterName(p.Cluster) {
		return fmt.Errorf("cluster name %q: want up to %d letters, digits and hyphens, starting and ending with a letter or digit: %w",
			p.Cluster, awsid.MaxHyperPodClusterNameLen, ErrInvalid)
	}
	arn, err := ParseRoleARN(p.RoleARN)
	if err != nil {
		return err
	}
	if p.Region != "" {
		if err := ValidateRegion(p.Region); err != nil {
			return err
		}
		if part, _ := awsid.PartitionOfRegion(p.Region); part != arn.Partition {
			return fmt.Errorf("region %s is not in partition %s of role %s: %w", p.Region, arn.Partition, p.RoleARN, ErrInvalid)
		}
	}
	if p.SourceS3URI != "" {
		if _, err := ParseS3URI(p.SourceS3URI); err != nil {
			return err
		}
	}
	return nil
}

// hyperPodData is what templates/hyperpod.sh.tmpl reads.
type hyperPodData struct {
	HyperPodParams
	ClusterPart string
	ScriptName  string
}

// HyperPodScript returns the node script for p: run from on_create.sh, it
// gives the node's AWS calls the session name
// hyperpod.CLUSTER.INSTANCE-ID (awsid.HyperPodSessionName).
func HyperPodScript(p HyperPodParams) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	data := hyperPodData{HyperPodParams: p, ClusterPart: awsid.HyperPodClusterPart(p.Cluster), ScriptName: HyperPodScriptName}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "hyperpod.sh.tmpl", data); err != nil {
		return nil, fmt.Errorf("render hyperpod.sh.tmpl: %v", err)
	}
	return buf.Bytes(), nil
}

// HyperPodIdentityPolicy returns the identity policy the cluster's
// execution role needs: sts:AssumeRole on itself, and, when the lifecycle
// scripts live in a bucket whose name does not start with sagemaker-
// (which the managed AmazonSageMakerClusterInstanceRolePolicy covers),
// s3:ListBucket and s3:GetObject on their location.
func HyperPodIdentityPolicy(p HyperPodParams) (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	pol, err := IdentityPolicy(p.RoleARN, false)
	if err != nil {
		return Policy{}, err
	}
	if p.SourceS3URI == "" {
		return pol, nil
	}
	loc, _ := ParseS3URI(p.SourceS3URI)
	if strings.HasPrefix(loc.Bucket, managedBucketPrefix) {
		return pol, nil
	}
	arn, _ := ParseRoleARN(p.RoleARN)
	bucketARN := "arn:" + arn.Partition + ":s3:::" + loc.Bucket
	list := Statement{Sid: "CtattribListLifecycleScripts", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketARN}
	objects := bucketARN + "/*"
	if loc.Prefix != "" {
		list.Condition = map[string]any{"StringLike": map[string]any{"s3:prefix": []string{loc.Prefix, loc.Prefix + "/*"}}}
		objects = bucketARN + "/" + loc.Prefix + "/*"
	}
	pol.Statement = append(pol.Statement, list,
		Statement{Sid: "CtattribGetLifecycleScripts", Effect: "Allow", Action: "s3:GetObject", Resource: objects})
	return pol, nil
}

// HyperPodPolicies is what `lifecycle hyperpod --format json` prints: the
// identity policy of the execution role and the trust statement that lets
// it assume itself.
type HyperPodPolicies struct {
	IdentityPolicy Policy
	TrustStatement Statement
}

// NewHyperPodPolicies returns the policies p's cluster role needs.
func NewHyperPodPolicies(p HyperPodParams) (HyperPodPolicies, error) {
	identity, err := HyperPodIdentityPolicy(p)
	if err != nil {
		return HyperPodPolicies{}, err
	}
	trust, err := SelfTrustStatement(p.RoleARN)
	if err != nil {
		return HyperPodPolicies{}, err
	}
	return HyperPodPolicies{IdentityPolicy: identity, TrustStatement: trust}, nil
}

// WriteHyperPodSteps writes, for a person, how to roll the node script out
// to p's cluster: the line on_create.sh needs, the upload, the IAM
// statements and the commands that apply them.
func WriteHyperPodSteps(w io.Writer, p HyperPodParams) error {
	pols, err := NewHyperPodPolicies(p)
	if err != nil {
		return err
	}
	arn, _ := ParseRoleARN(p.RoleARN)
	dest := "s3://BUCKET/PREFIX"
	if p.SourceS3URI != "" {
		loc, _ := ParseS3URI(p.SourceS3URI)
		dest = loc.String()
	}
	gen := "ctattrib lifecycle hyperpod --cluster " + p.Cluster + " --role-arn " + p.RoleARN
	if p.Region != "" {
		gen += " --region " + p.Region
	}
	idJSON, _ := json.MarshalIndent(pols.IdentityPolicy, "  ", "  ")
	trustJSON, _ := json.MarshalIndent(pols.TrustStatement, "  ", "  ")
	session, _ := awsid.HyperPodSessionName(p.Cluster, "i-0123456789abcdef0")
	var b strings.Builder
	fmt.Fprintf(&b, `HyperPod cluster %[1]s: each node's calls will show in CloudTrail as
  assumed-role/%[2]s/%[3]s
(hyperpod.CLUSTER.INSTANCE-ID) instead of assumed-role/%[2]s/SageMaker.

1. Save the node script next to the cluster's on_create.sh:

  %[4]s > %[5]s

   and call it from on_create.sh, before any final exit:

  bash "$(dirname "${BASH_SOURCE[0]}")/%[5]s"

2. Upload both to the cluster's lifecycle-script location:

  aws s3 cp %[5]s %[6]s/%[5]s
  aws s3 cp on_create.sh %[6]s/on_create.sh

`, p.Cluster, arn.Name, session, gen, HyperPodScriptName, dest)
	if len(pols.IdentityPolicy.Statement) > 1 {
		fmt.Fprintf(&b, `   The bucket's name does not start with %s, so the managed policy
   AmazonSageMakerClusterInstanceRolePolicy does not let the nodes read it:
   the identity policy below adds s3:ListBucket and s3:GetObject on it.

`, managedBucketPrefix)
	}
	fmt.Fprintf(&b, `3. Let the execution role assume itself with a node's name. Identity policy
   (save it as identity.json):

  %[1]s

  aws iam put-role-policy --role-name %[2]s --policy-name ctattrib-hyperpod-node \
    --policy-document file://identity.json

   Trust-policy statement (IAM lets a role assume itself only when its
   trust policy names it):

  %[3]s

  aws iam get-role --role-name %[2]s > role.json
  ctattrib lifecycle policy --role-arn %[4]s --trust-policy role.json > trust.json
  aws iam update-assume-role-policy --role-name %[2]s --policy-document file://trust.json

4. Nodes run on_create.sh when they are created: new clusters, added and
   replaced nodes. On nodes that already run, run the script once as root
   (for example over SSM, or with srun on every Slurm node):

  sudo bash %[5]s

   The node's AWS config is %[6]s; logins and Slurm jobs find it
   through AWS_CONFIG_FILE. Check in a new login on a node with:

  aws configure get role_session_name
  aws sts get-caller-identity
`, idJSON, arn.Name, trustJSON, p.RoleARN, HyperPodScriptName, HyperPodConfigFile)
	_, err = io.WriteString(w, b.String())
	return err
}
