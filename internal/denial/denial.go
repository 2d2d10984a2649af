// Package denial explains AWS access-denied errors: it reads the forms AWS
// writes denial messages in, maps a CloudTrail event to the IAM action it
// needs, and says which policy to change. Its functions are pure: they see
// one event's fields and touch no database.
package denial

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

// Denial is what an AWS access-denied message says.
type Denial struct {
	// Principal is the ARN after "User:", when the message names one.
	Principal string
	// Action is the IAM action, such as "s3:GetObject".
	Action string
	// Resource is the ARN after "on resource:", when given.
	Resource string
	// Explicit is true for "with an explicit deny in ...".
	Explicit bool
	// PolicyType is the kind of policy the message blames: one of the
	// Policy* constants, or "" when the message does not say.
	PolicyType string
	// PolicyARN is the denying policy, when the message names it.
	PolicyARN string
}

// The policy types AWS names in access-denied messages.
const (
	PolicyIdentity      = "identity-based policy"
	PolicySCP           = "service control policy"
	PolicyRCP           = "resource control policy"
	PolicyBoundary      = "permissions boundary"
	PolicySession       = "session policy"
	PolicyResource      = "resource-based policy"
	PolicyVPCEndpoint   = "VPC endpoint policy"
	PolicyUnknown       = "unknown"
	reasonBare          = "unknown (bare message)"
	reasonIdentityAllow = "no identity-based policy allows"
)

var (
	reNotAuthorized = regexp.MustCompile(`(?s)^(?:User: )?(\S+) is not authorized to perform: ([A-Za-z0-9-]+:[A-Za-z0-9*]+)(?: on resource: (\S+?))?(?:\s+(?:because|with)\s+(.*?))?\.?\s*$`)
	reImplicit      = regexp.MustCompile(`^no (.+?) allows\b`)
	reExplicit      = regexp.MustCompile(`^an explicit deny in (?:an? )?(.+?)(?::\s*(\S+?))?\.?$`)
)

// policyTypes maps the wording of messages to a policy type, longest first
// so that "resource control policy" is not read as a resource-based one.
var policyTypes = []struct{ words, kind string }{
	{"identity-based policy", PolicyIdentity},
	{"service control policy", PolicySCP},
	{"resource control policy", PolicyRCP},
	{"permissions boundary", PolicyBoundary},
	{"permissions boundary policy", PolicyBoundary},
	{"session policy", PolicySession},
	{"resource-based policy", PolicyResource},
	{"vpc endpoint policy", PolicyVPCEndpoint},
}

func policyType(words string) string {
	w := strings.ToLower(strings.TrimSpace(words))
	for _, p := range policyTypes {
		if w == p.words {
			return p.kind
		}
	}
	for _, p := range policyTypes {
		if strings.Contains(w, p.words) {
			return p.kind
		}
	}
	return w
}

// Parse reads the forms AWS writes access-denied messages in:
//
//	User: ARN is not authorized to perform: ACTION on resource: ARN because no identity-based policy allows the ACTION action
//	User: ARN is not authorized to perform: ACTION on resource: ARN with an explicit deny in a service control policy
//	User: ARN is not authorized to perform: ACTION with an explicit deny in an identity-based policy: POLICY-ARN
//	User: ARN is not authorized to perform: ACTION on resource: ARN
//
// It returns false for bare messages ("Access Denied", "You are not
// authorized to perform this operation.").
func Parse(msg string) (Denial, bool) {
	m := reNotAuthorized.FindStringSubmatch(strings.TrimSpace(msg))
	if m == nil {
		return Denial{}, false
	}
	// S3's newer messages quote the resource ARN.
	d := Denial{Principal: m[1], Action: m[2], Resource: strings.Trim(m[3], `"'`)}
	tail := strings.TrimSpace(m[4])
	if i := strings.Index(tail, ". "); i >= 0 {
		tail = tail[:i] // "... Encoded authorization failure message: ..."
	}
	if x := reImplicit.FindStringSubmatch(tail); x != nil {
		d.PolicyType = policyType(x[1])
	} else if x := reExplicit.FindStringSubmatch(tail); x != nil {
		d.Explicit = true
		d.PolicyType = policyType(x[1])
		d.PolicyARN = x[2]
	}
	return d, true
}

// Event is what Explain needs from a denied call.
type Event struct {
	EventSource, EventName  string
	Region, Account         string
	ErrorCode, ErrorMessage string
	// Bucket, ObjectKey and KMSKey come from requestParameters
	// (bucketName, key, keyId); ResourceARN from resources[0].ARN.
	Bucket, ObjectKey, KMSKey string
	ResourceARN               string
	ViaVPCEndpoint            bool
}

// Explanation says why a call was denied and what to do about it.
type Explanation struct {
	Action, Resource string
	// Reason is the message's own wording: "no identity-based policy
	// allows", "explicit deny in a service control policy", ... or
	// "unknown (bare message)".
	Reason     string
	PolicyType string
	// SuggestedPolicy is an identity-based policy document granting Action
	// on Resource, when a missing identity-based permission is (or, for a
	// bare message, may be) the cause. Empty for explicit denies.
	SuggestedPolicy string
	// Checks are what to look at next, from AWS's troubleshooting guides.
	Checks []string
}

// Explain parses ev's message, filling in from the event what a bare
// message leaves out.
func Explain(ev Event) Explanation {
	d, ok := Parse(ev.ErrorMessage)
	ex := Explanation{Action: d.Action, Resource: d.Resource}
	if ex.Action == "" {
		ex.Action = IAMAction(ev.EventSource, ev.EventName)
	}
	if ex.Resource == "" {
		ex.Resource = requestResource(ev, ex.Action)
	}
	service, _, _ := strings.Cut(ex.Action, ":")
	switch {
	case !ok:
		ex.Reason, ex.PolicyType = reasonBare, PolicyUnknown
		ex.SuggestedPolicy = allowPolicy(ex.Action, ex.Resource)
		ex.Checks = append(ex.Checks, "the message does not say which policy denied: the suggested policy helps only if the identity-based policy is missing the permission; also check SCPs, permissions boundaries and resource policies")
	case d.Explicit:
		ex.Reason, ex.PolicyType = "explicit deny in "+article(d.PolicyType)+d.PolicyType, d.PolicyType
		ex.Checks = append(ex.Checks, explicitCheck(d))
	case d.PolicyType != "":
		ex.Reason, ex.PolicyType = "no "+d.PolicyType+" allows", d.PolicyType
		if d.PolicyType == PolicyIdentity {
			ex.SuggestedPolicy = allowPolicy(ex.Action, ex.Resource)
		} else {
			ex.Checks = append(ex.Checks, implicitCheck(d.PolicyType, service))
		}
	default:
		// The older form without "because ...": AWS did not evaluate an
		// explicit deny, so a missing Allow is the usual cause.
		ex.Reason, ex.PolicyType = reasonIdentityAllow, PolicyIdentity
		ex.SuggestedPolicy = allowPolicy(ex.Action, ex.Resource)
	}
	if strings.Contains(ev.ErrorMessage, "Encoded authorization failure message") {
		ex.Checks = append(ex.Checks, decodeCheck)
	}
	switch service {
	case "s3":
		ex.Checks = append(ex.Checks, s3Checks(ev)...)
	case "kms":
		ex.Checks = append(ex.Checks, kmsChecks...)
	}
	return ex
}

// decodeCheck is the check for messages that carry an encoded
// authorization failure (EC2 and a few others): decoding it names the
// statement and policy type that denied.
const decodeCheck = "decode the message's encoded failure with aws sts decode-authorization-message --encoded-message (needs sts:DecodeAuthorizationMessage): it names the policy type and statement that denied"

func explicitCheck(d Denial) string {
	where := map[string]string{
		PolicySCP:         "a Deny in a service control policy attached to the account or an OU above it (AWS Organizations, management account); an Allow elsewhere cannot override it",
		PolicyRCP:         "a Deny in a resource control policy attached to the account or an OU above it (AWS Organizations); an Allow elsewhere cannot override it",
		PolicyBoundary:    "a Deny in the permissions boundary set on the role or user",
		PolicySession:     "a Deny in the session policy passed to AssumeRole or GetFederationToken by whoever created the session",
		PolicyResource:    "a Deny in the resource's own policy (bucket policy, key policy, ...)",
		PolicyIdentity:    "a Deny statement in a policy attached to the role, user or its groups",
		PolicyVPCEndpoint: "a Deny in the policy of the VPC endpoint the call went through",
	}[d.PolicyType]
	if where == "" {
		where = "a Deny in a " + d.PolicyType
	}
	if d.PolicyARN != "" {
		where += " (" + d.PolicyARN + ")"
	}
	return "explicit deny in " + article(d.PolicyType) + d.PolicyType + ": do not add an Allow; change " + where
}

// article is "an " before identity-based and other vowel sounds, else "a ".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an "
	}
	return "a "
}

func implicitCheck(policyType, service string) string {
	switch policyType {
	case PolicyBoundary:
		return "the role's permissions boundary must also allow the action: widen the boundary, an identity policy alone is not enough"
	case PolicySession:
		return "the session policy passed when the session was created must also allow the action"
	case PolicyResource:
		if service == "kms" {
			return "the KMS key policy does not allow this principal: add a key policy statement for it, or one delegating to IAM"
		}
		return "the resource's policy must allow this principal (cross-account access needs an Allow on both sides)"
	case PolicySCP, PolicyRCP:
		return "the " + policyType + " must allow the action: an Allow in identity policies is not enough"
	case PolicyVPCEndpoint:
		return "the VPC endpoint policy must allow the action on the resource"
	}
	return "no " + policyType + " allows the action"
}

func s3Checks(ev Event) []string {
	bucket := ev.Bucket
	if bucket == "" {
		bucket = "the bucket"
	}
	checks := []string{
		"S3: check the bucket policy of " + bucket + " for a Deny (aws:SourceVpce, aws:PrincipalOrgID, encryption or TLS conditions) and, across accounts, for an Allow to this principal",
		"S3: if the bucket or object uses SSE-KMS, the KMS key policy must allow kms:Decrypt (reads) or kms:GenerateDataKey (writes) to this principal",
		"S3: the role's permissions boundary must allow the action",
		"S3: the AmazonSageMakerFullAccess managed policy only grants S3 access to buckets with sagemaker in the name (sagemaker-*); other buckets need their own policy",
	}
	if ev.ViaVPCEndpoint {
		checks = append(checks, "S3: the call came through a VPC endpoint: its endpoint policy must allow the action")
	}
	return checks
}

var kmsChecks = []string{
	"KMS: the key policy must allow this principal or delegate to IAM (Principal: the account root); check its conditions (kms:ViaService, kms:CallerAccount, encryption context)",
	"KMS: check grants on the key, that the key is enabled and in this region, and the role's permissions boundary",
}

// policyDocument is an IAM policy; the field order is the one AWS shows.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect   string `json:"Effect"`
	Action   string `json:"Action"`
	Resource string `json:"Resource"`
}

// allowPolicy returns an identity-based policy granting exactly action on
// resource.
func allowPolicy(action, resource string) string {
	if action == "" {
		return ""
	}
	if resource == "" {
		resource = "*"
	}
	// A policy is JSON text: invalid UTF-8 from a request (an object key)
	// becomes one replacement character per bad run, as the other formats
	// show it, rather than json's one per byte.
	b, err := json.Marshal(policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{Effect: "Allow",
			Action: strings.ToValidUTF8(action, "\uFFFD"), Resource: strings.ToValidUTF8(resource, "\uFFFD")}},
	})
	if err != nil {
		return ""
	}
	return string(b)
}

// serviceNames are event-source hosts whose IAM service prefix is not
// their first label.
var serviceNames = map[string]string{
	"monitoring":        "cloudwatch",
	"email":             "ses",
	"api.ecr":           "ecr",
	"runtime.sagemaker": "sagemaker",
	"api.sagemaker":     "sagemaker",
	"runtime.lex":       "lex",
	"models.lex":        "lex",
	"tagging":           "tag",
	"data.iot":          "iot",
	"api.mediatailor":   "mediatailor",
	"execute-api":       "execute-api",
}

// s3Actions are S3 API operations whose IAM action has another name.
var s3Actions = map[string]string{
	"ListObjects":                        "ListBucket",
	"ListObjectsV2":                      "ListBucket",
	"HeadBucket":                         "ListBucket",
	"ListObjectVersions":                 "ListBucketVersions",
	"ListMultipartUploads":               "ListBucketMultipartUploads",
	"ListParts":                          "ListMultipartUploadParts",
	"HeadObject":                         "GetObject",
	"SelectObjectContent":                "GetObject",
	"CopyObject":                         "PutObject",
	"CreateMultipartUpload":              "PutObject",
	"UploadPart":                         "PutObject",
	"UploadPartCopy":                     "PutObject",
	"CompleteMultipartUpload":            "PutObject",
	"DeleteObjects":                      "DeleteObject",
	"ListBuckets":                        "ListAllMyBuckets",
	"GetBucketEncryption":                "GetEncryptionConfiguration",
	"PutBucketEncryption":                "PutEncryptionConfiguration",
	"DeleteBucketEncryption":             "PutEncryptionConfiguration",
	"GetBucketLifecycle":                 "GetLifecycleConfiguration",
	"GetBucketLifecycleConfiguration":    "GetLifecycleConfiguration",
	"PutBucketLifecycle":                 "PutLifecycleConfiguration",
	"PutBucketLifecycleConfiguration":    "PutLifecycleConfiguration",
	"DeleteBucketLifecycle":              "PutLifecycleConfiguration",
	"GetBucketReplication":               "GetReplicationConfiguration",
	"PutBucketReplication":               "PutReplicationConfiguration",
	"GetBucketPublicAccessBlock":         "GetBucketPublicAccessBlock",
	"GetObjectAttributes":                "GetObjectAttributes",
	"DeleteBucketPolicy":                 "DeleteBucketPolicy",
	"GetBucketNotificationConfiguration": "GetBucketNotification",
	"PutBucketNotificationConfiguration": "PutBucketNotification",
}

var (
	reLambdaVersion     = regexp.MustCompile(`\d{8}(v\d+)?$`)
	reCloudFrontVersion = regexp.MustCompile(`\d{4}_\d{2}_\d{2}$`)
)

// IAMAction returns the IAM action a CloudTrail event needs: the service
// prefix from eventSource and the action from eventName, with the API
// version suffixes (Lambda, CloudFront) and S3's renamed operations mapped.
func IAMAction(eventSource, eventName string) string {
	host := strings.TrimSuffix(strings.ToLower(eventSource), ".amazonaws.com")
	service, ok := serviceNames[host]
	if !ok {
		service = host
		if i := strings.LastIndexByte(host, '.'); i >= 0 {
			service = host[i+1:]
		}
	}
	name := eventName
	switch service {
	case "lambda":
		name = reLambdaVersion.ReplaceAllString(name, "")
	case "cloudfront":
		name = reCloudFrontVersion.ReplaceAllString(name, "")
	case "s3":
		if a, ok := s3Actions[name]; ok {
			name = a
		}
	}
	if service == "" || name == "" {
		return ""
	}
	return service + ":" + name
}

// s3BucketActions act on the bucket, not on objects in it.
func s3BucketAction(name string) bool {
	switch name {
	case "ListBucket", "ListBucketVersions", "ListBucketMultipartUploads", "CreateBucket", "DeleteBucket",
		"GetLifecycleConfiguration", "PutLifecycleConfiguration", "GetEncryptionConfiguration",
		"PutEncryptionConfiguration", "GetReplicationConfiguration", "PutReplicationConfiguration":
		return true
	}
	return strings.HasPrefix(name, "GetBucket") || strings.HasPrefix(name, "PutBucket") || strings.HasPrefix(name, "DeleteBucket")
}

func partition(region string) string {
	if p, ok := awsid.PartitionOfRegion(region); ok {
		return p
	}
	return "aws"
}

// requestResource derives the resource ARN of a denied call from its
// request, for messages that do not name one.
func requestResource(ev Event, action string) string {
	service, name, _ := strings.Cut(action, ":")
	switch service {
	case "s3":
		if name == "ListAllMyBuckets" {
			return "*"
		}
		if ev.Bucket != "" {
			arn := "arn:" + partition(ev.Region) + ":s3:::" + ev.Bucket
			if ev.ObjectKey != "" && !s3BucketAction(name) {
				arn += "/" + ev.ObjectKey
			}
			return arn
		}
	case "kms":
		if strings.HasPrefix(ev.ResourceARN, "arn:") {
			return ev.ResourceARN
		}
		switch k := ev.KMSKey; {
		case strings.HasPrefix(k, "arn:"):
			return k
		case strings.HasPrefix(k, "alias/"):
			return fmt.Sprintf("arn:%s:kms:%s:%s:%s", partition(ev.Region), ev.Region, ev.Account, k)
		case k != "":
			return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition(ev.Region), ev.Region, ev.Account, k)
		}
	}
	if strings.HasPrefix(ev.ResourceARN, "arn:") {
		return ev.ResourceARN
	}
	return "*"
}
