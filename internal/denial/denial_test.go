package denial

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const role = "arn:aws:sts::111122223333:assumed-role/SageMakerExec/SageMaker"

func TestExplain(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want Explanation // Checks compared by prefix count only
		// policy is whether a suggested policy is expected.
		policy bool
	}{
		{
			name: "no identity-based policy allows",
			ev: Event{EventSource: "sagemaker.amazonaws.com", EventName: "CreatePresignedDomainUrl", ErrorCode: "AccessDeniedException",
				ErrorMessage: "User: " + role + " is not authorized to perform: sagemaker:CreatePresignedDomainUrl on resource: arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice because no identity-based policy allows the sagemaker:CreatePresignedDomainUrl action"},
			want:   Explanation{Action: "sagemaker:CreatePresignedDomainUrl", Resource: "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice", Reason: "no identity-based policy allows", PolicyType: PolicyIdentity},
			policy: true,
		},
		{
			name: "explicit deny in a service control policy",
			ev: Event{EventSource: "sagemaker.amazonaws.com", EventName: "CreateEndpoint",
				ErrorMessage: "User: " + role + " is not authorized to perform: sagemaker:CreateEndpoint on resource: arn:aws:sagemaker:us-east-1:111122223333:endpoint/x with an explicit deny in a service control policy"},
			want: Explanation{Action: "sagemaker:CreateEndpoint", Resource: "arn:aws:sagemaker:us-east-1:111122223333:endpoint/x", Reason: "explicit deny in a service control policy", PolicyType: PolicySCP},
		},
		{
			name: "explicit deny in a resource control policy",
			ev: Event{EventSource: "sqs.amazonaws.com", EventName: "SendMessage",
				ErrorMessage: "User: " + role + " is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:111122223333:q with an explicit deny in a resource control policy"},
			want: Explanation{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q", Reason: "explicit deny in a resource control policy", PolicyType: PolicyRCP},
		},
		{
			name: "explicit deny in a permissions boundary",
			ev: Event{EventSource: "iam.amazonaws.com", EventName: "CreateRole",
				ErrorMessage: "User: " + role + " is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/x with an explicit deny in a permissions boundary"},
			want: Explanation{Action: "iam:CreateRole", Resource: "arn:aws:iam::111122223333:role/x", Reason: "explicit deny in a permissions boundary", PolicyType: PolicyBoundary},
		},
		{
			name: "explicit deny in a session policy",
			ev: Event{EventSource: "ec2.amazonaws.com", EventName: "TerminateInstances",
				ErrorMessage: "User: " + role + " is not authorized to perform: ec2:TerminateInstances on resource: arn:aws:ec2:us-east-1:111122223333:instance/i-1 with an explicit deny in a session policy"},
			want: Explanation{Action: "ec2:TerminateInstances", Resource: "arn:aws:ec2:us-east-1:111122223333:instance/i-1", Reason: "explicit deny in a session policy", PolicyType: PolicySession},
		},
		{
			name: "explicit deny in a resource-based policy",
			ev: Event{EventSource: "s3.amazonaws.com", EventName: "GetObject", Bucket: "b", ObjectKey: "k",
				ErrorMessage: `User: ` + role + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" with an explicit deny in a resource-based policy`},
			want: Explanation{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Reason: "explicit deny in a resource-based policy", PolicyType: PolicyResource},
		},
		{
			name: "explicit deny in an identity-based policy naming it",
			ev: Event{EventSource: "s3.amazonaws.com", EventName: "DeleteBucket", Bucket: "b",
				ErrorMessage: "User: " + role + " is not authorized to perform: s3:DeleteBucket with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/NoDeletes"},
			want: Explanation{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b", Reason: "explicit deny in an identity-based policy", PolicyType: PolicyIdentity},
		},
		{
			name: "no resource-based policy allows (KMS key policy)",
			ev: Event{EventSource: "kms.amazonaws.com", EventName: "Decrypt",
				ErrorMessage: "User: " + role + " is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/k1 because no resource-based policy allows the kms:Decrypt action"},
			want: Explanation{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k1", Reason: "no resource-based policy allows", PolicyType: PolicyResource},
		},
		{
			name: "no permissions boundary allows",
			ev: Event{EventSource: "sagemaker.amazonaws.com", EventName: "CreateTrainingJob",
				ErrorMessage: "User: " + role + " is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/t because no permissions boundary allows the sagemaker:CreateTrainingJob action"},
			want: Explanation{Action: "sagemaker:CreateTrainingJob", Resource: "arn:aws:sagemaker:us-east-1:111122223333:training-job/t", Reason: "no permissions boundary allows", PolicyType: PolicyBoundary},
		},
		{
			name: "no session policy allows",
			ev: Event{EventSource: "s3.amazonaws.com", EventName: "ListObjectsV2", Bucket: "b",
				ErrorMessage: "User: " + role + " is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::b\" because no session policy allows the s3:ListBucket action"},
			want: Explanation{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Reason: "no session policy allows", PolicyType: PolicySession},
		},
		{
			name: "older form without a reason",
			ev: Event{EventSource: "lambda.amazonaws.com", EventName: "CreateFunction20150331",
				ErrorMessage: "User: " + role + " is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:f"},
			want:   Explanation{Action: "lambda:CreateFunction", Resource: "arn:aws:lambda:us-east-1:111122223333:function:f", Reason: "no identity-based policy allows", PolicyType: PolicyIdentity},
			policy: true,
		},
		{
			name: "bare S3 Access Denied",
			ev: Event{EventSource: "s3.amazonaws.com", EventName: "PutObject", Region: "us-east-1", ErrorCode: "AccessDenied",
				ErrorMessage: "Access Denied", Bucket: "data-bucket", ObjectKey: "out/x.csv"},
			want:   Explanation{Action: "s3:PutObject", Resource: "arn:aws:s3:::data-bucket/out/x.csv", Reason: "unknown (bare message)", PolicyType: PolicyUnknown},
			policy: true,
		},
		{
			name:   "bare S3 ListObjects is a bucket action",
			ev:     Event{EventSource: "s3.amazonaws.com", EventName: "ListObjects", Region: "cn-north-1", ErrorMessage: "Access Denied", Bucket: "b", ObjectKey: "ignored"},
			want:   Explanation{Action: "s3:ListBucket", Resource: "arn:aws-cn:s3:::b", Reason: "unknown (bare message)", PolicyType: PolicyUnknown},
			policy: true,
		},
		{
			name: "bare EC2 UnauthorizedOperation",
			ev: Event{EventSource: "ec2.amazonaws.com", EventName: "RunInstances", ErrorCode: "Client.UnauthorizedOperation",
				ErrorMessage: "You are not authorized to perform this operation. Encoded authorization failure message: AbC"},
			want:   Explanation{Action: "ec2:RunInstances", Resource: "*", Reason: "unknown (bare message)", PolicyType: PolicyUnknown},
			policy: true,
		},
		{
			name: "bare KMS with a key id",
			ev: Event{EventSource: "kms.amazonaws.com", EventName: "GenerateDataKey", Region: "eu-west-1", Account: "111122223333",
				ErrorMessage: "", KMSKey: "1234abcd"},
			want:   Explanation{Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", Reason: "unknown (bare message)", PolicyType: PolicyUnknown},
			policy: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.ev)
			if diff := cmp.Diff(tt.want, got, cmpIgnoreAdvice); diff != "" {
				t.Errorf("Explain() (-want +got):\n%s", diff)
			}
			if tt.policy != (got.SuggestedPolicy != "") {
				t.Fatalf("Explain().SuggestedPolicy = %q, want a policy: %v", got.SuggestedPolicy, tt.policy)
			}
			if got.SuggestedPolicy != "" {
				checkPolicy(t, got.SuggestedPolicy, got.Action, got.Resource)
			}
			if strings.HasPrefix(got.Reason, "explicit deny") && !strings.Contains(strings.Join(got.Checks, ";"), got.PolicyType) {
				t.Errorf("Explain().Checks = %q, want them to name the %s", got.Checks, got.PolicyType)
			}
			if strings.HasPrefix(got.Action, "s3:") && !strings.Contains(strings.Join(got.Checks, ";"), "sagemaker-*") {
				t.Errorf("S3 denial checks lack the sagemaker-* managed policy hint: %q", got.Checks)
			}
			if strings.HasPrefix(got.Action, "kms:") && !strings.Contains(strings.Join(got.Checks, ";"), "key policy") {
				t.Errorf("KMS denial checks lack the key policy: %q", got.Checks)
			}
			if encoded := strings.Contains(tt.ev.ErrorMessage, "Encoded authorization failure"); encoded != strings.Contains(strings.Join(got.Checks, ";"), "decode-authorization-message") {
				t.Errorf("Explain().Checks = %q: want decode-authorization-message named exactly when the message is encoded (%v)", got.Checks, encoded)
			}
		})
	}
}

var cmpIgnoreAdvice = cmp.FilterPath(func(p cmp.Path) bool {
	f := p.Last().String()
	return f == ".Checks" || f == ".SuggestedPolicy"
}, cmp.Ignore())

// checkPolicy checks that doc is an IAM policy document granting exactly
// action on resource.
func checkPolicy(t *testing.T, doc, action, resource string) {
	t.Helper()
	var p struct {
		Version   string
		Statement []map[string]any
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("policy %s is not valid JSON of the IAM shape: %v", doc, err)
	}
	// JSON carries text as UTF-8: invalid bytes come back as U+FFFD.
	want := []map[string]any{{"Effect": "Allow", "Action": strings.ToValidUTF8(action, "\uFFFD"), "Resource": strings.ToValidUTF8(resource, "\uFFFD")}}
	if p.Version != "2012-10-17" {
		t.Errorf("policy Version = %q, want 2012-10-17", p.Version)
	}
	if diff := cmp.Diff(want, p.Statement); diff != "" {
		t.Errorf("policy Statement (-want +got):\n%s", diff)
	}
}

func TestIAMAction(t *testing.T) {
	tests := []struct{ source, name, want string }{
		{"sagemaker.amazonaws.com", "CreatePresignedDomainUrl", "sagemaker:CreatePresignedDomainUrl"},
		{"s3.amazonaws.com", "PutObject", "s3:PutObject"},
		{"s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"},
		{"s3.amazonaws.com", "ListObjects", "s3:ListBucket"},
		{"s3.amazonaws.com", "HeadObject", "s3:GetObject"},
		{"s3.amazonaws.com", "GetObject", "s3:GetObject"},
		{"s3.amazonaws.com", "CreateMultipartUpload", "s3:PutObject"},
		{"s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"},
		{"monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData"},
		{"lambda.amazonaws.com", "CreateFunction20150331", "lambda:CreateFunction"},
		{"lambda.amazonaws.com", "GetFunction20150331v2", "lambda:GetFunction"},
		{"cloudfront.amazonaws.com", "CreateDistribution2020_05_31", "cloudfront:CreateDistribution"},
		{"ec2.amazonaws.com", "RunInstances", "ec2:RunInstances"},
		{"api.ecr.amazonaws.com", "GetAuthorizationToken", "ecr:GetAuthorizationToken"},
		{"runtime.sagemaker.amazonaws.com", "InvokeEndpoint", "sagemaker:InvokeEndpoint"},
		{"kms.amazonaws.com", "Decrypt", "kms:Decrypt"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := IAMAction(tt.source, tt.name); got != tt.want {
			t.Errorf("IAMAction(%q, %q) = %q, want %q", tt.source, tt.name, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Access Denied",
		"User: " + role + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action",
		"User: " + role + " is not authorized to perform: kms:Decrypt with an explicit deny in an identity-based policy: arn:aws:iam::1:policy/p",
		"You are not authorized to perform this operation. Encoded authorization failure message: x",
		"User: x is not authorized to perform: a:b on resource: c",
	} {
		f.Add(s, "s3.amazonaws.com", "PutObject", "b", "k")
	}
	f.Fuzz(func(t *testing.T, msg, source, name, bucket, key string) {
		d, ok := Parse(msg)
		if ok && !strings.Contains(d.Action, ":") {
			t.Errorf("Parse(%q).Action = %q, want service:action", msg, d.Action)
		}
		ex := Explain(Event{EventSource: source, EventName: name, ErrorMessage: msg, Bucket: bucket, ObjectKey: key, Region: "us-east-1"})
		if ex.SuggestedPolicy != "" {
			if d.Explicit {
				t.Errorf("Explain(%q) suggests an Allow for an explicit deny", msg)
			}
			checkPolicy(t, ex.SuggestedPolicy, ex.Action, ex.Resource)
		}
	})
}
