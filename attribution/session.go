package attribution

import (
	"regexp"
	"strings"
)

// SessionClass is what an assumed-role session name says about the caller,
// by the naming conventions of AWS services and SDKs.
type SessionClass string

// Session classes. The SQL in this package applies the same patterns
// (sessionPatterns), so ClassifySession is the documentation of what the
// set-based attribution recognises.
const (
	// SessionSageMakerDefault is "SageMaker": the execution-role session
	// that SageMaker hands to every notebook instance and Studio app on the
	// role, whichever made the call.
	SessionSageMakerDefault SessionClass = "sagemaker-default"
	// SessionEC2Instance is an EC2 instance id (i- and 8 or 17 hex digits),
	// the session name of instance-profile credentials.
	SessionEC2Instance SessionClass = "ec2-instance"
	// SessionECSTask is a 32-hex-digit ECS task id, the session name of
	// task-role credentials.
	SessionECSTask SessionClass = "ecs-task"
	// SessionBotocoreDefault is "botocore-session-<seconds>": boto3, the AWS
	// CLI or an assume-role profile that set no role_session_name.
	SessionBotocoreDefault SessionClass = "botocore-default"
	// SessionSDKDefault is another SDK's generated name ("aws-go-sdk-<ns>",
	// "aws-sdk-java-<ms>", "aws-sdk-js-session-<ms>").
	SessionSDKDefault SessionClass = "sdk-default"
	// SessionEmail is an e-mail address, the usual session name of IAM
	// Identity Center and SAML sessions.
	SessionEmail SessionClass = "email"
	// SessionOther is any other name: possibly a notebook instance, a Lambda
	// function, or a name chosen by whoever assumed the role.
	SessionOther SessionClass = "other"
	// SessionInvalid is a name STS would not issue (empty, too long, or with
	// characters outside [\w+=,.@-]).
	SessionInvalid SessionClass = "invalid"
)

// The patterns are RE2, shared by Go and DuckDB (regexp_full_match), so
// both classify alike.
const (
	ec2InstanceIDPattern = `i-[0-9a-fA-F]{8}([0-9a-fA-F]{9})?`
	ecsTaskIDPattern     = `[0-9a-f]{32}`
	botocorePattern      = `botocore-session-[0-9]+`
	sdkDefaultPattern    = `(aws-go-sdk-[0-9]+|aws-sdk-java-[0-9]+|aws-sdk-js-session-[0-9]+|aws-sdk-js-[0-9]+)`
	emailPattern         = `[^@]+@[^@]+\.[^@]+`
	ssoRolePattern       = `AWSReservedSSO_.+`
	// sessionNamePattern is what STS accepts for RoleSessionName.
	sessionNamePattern = `[\w+=,.@-]{2,64}`
)

var (
	ec2InstanceIDRE = full(ec2InstanceIDPattern)
	ecsTaskIDRE     = full(ecsTaskIDPattern)
	botocoreRE      = full(botocorePattern)
	sdkDefaultRE    = full(sdkDefaultPattern)
	emailRE         = full(emailPattern)
	ssoRoleRE       = full(ssoRolePattern)
	sessionNameRE   = full(sessionNamePattern)
)

func full(p string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + p + `)$`) }

// ClassifySession says what kind of caller a session name points to.
// Order matters where classes overlap: "SageMaker" is checked before the
// generic patterns, and a 32-hex name is an ECS task even though a person
// could pick it.
func ClassifySession(name string) SessionClass {
	switch {
	case !sessionNameRE.MatchString(name):
		return SessionInvalid
	case name == "SageMaker":
		return SessionSageMakerDefault
	case ec2InstanceIDRE.MatchString(name):
		return SessionEC2Instance
	case ecsTaskIDRE.MatchString(name):
		return SessionECSTask
	case botocoreRE.MatchString(name):
		return SessionBotocoreDefault
	case sdkDefaultRE.MatchString(name):
		return SessionSDKDefault
	case emailRE.MatchString(name):
		return SessionEmail
	}
	return SessionOther
}

// IsSSORole reports whether a role name is one IAM Identity Center creates
// for a permission set (AWSReservedSSO_<set>_<suffix>); its sessions are
// named after the signed-in user.
func IsSSORole(roleName string) bool { return ssoRoleRE.MatchString(roleName) }

// RoleNameFromARN returns the role name of an IAM role ARN, without its
// path ("arn:aws:iam::1:role/service-role/R" gives "R"), or "" when arn is
// not a role ARN. Role names are unique per account whatever the path, so
// ctattrib compares roles by account and name.
func RoleNameFromARN(arn string) string {
	i := strings.Index(arn, ":role/")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return ""
	}
	rest := arn[i+len(":role/"):]
	if j := strings.LastIndexByte(rest, '/'); j >= 0 {
		rest = rest[j+1:]
	}
	return rest
}

// AccountFromARN returns the account id field of an ARN, or "".
func AccountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
