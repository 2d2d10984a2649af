package attribution

import (
	"regexp"
	"strings"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

// SessionClass is what an assumed-role session name says about the caller,
// by the naming conventions of AWS services and SDKs.
type SessionClass string

// Session classes. The SQL in this package applies the same patterns
// (sessionPatterns), so classifySession is the documentation of what the
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

// The session-name patterns sql.go puts into its SQL. The AWS facts are
// awsid's; these names stay so that sql.go reads them as before.
const (
	ec2InstanceIDPattern = awsid.EC2InstanceIDPattern
	ecsTaskIDPattern     = awsid.ECSTaskIDPattern
	botocorePattern      = awsid.BotocoreSessionPattern
	sdkDefaultPattern    = awsid.SDKSessionPattern
	// emailPattern is not an AWS rule but how IAM Identity Center and
	// SAML sessions are usually named.
	emailPattern = `[^@]+@[^@]+\.[^@]+`
)

var emailRE = regexp.MustCompile(`^(?:` + emailPattern + `)$`)

// classifySession says what kind of caller a session name points to.
// Order matters where classes overlap: "SageMaker" is checked before the
// generic patterns, and a 32-hex name is an ECS task even though a person
// could pick it.
func classifySession(name string) SessionClass {
	switch {
	case !awsid.IsSessionName(name):
		return SessionInvalid
	case name == awsid.SageMakerSessionName:
		return SessionSageMakerDefault
	case awsid.IsEC2InstanceID(name):
		return SessionEC2Instance
	case awsid.IsECSTaskID(name):
		return SessionECSTask
	case awsid.IsBotocoreSessionName(name):
		return SessionBotocoreDefault
	case awsid.IsSDKSessionName(name):
		return SessionSDKDefault
	case emailRE.MatchString(name):
		return SessionEmail
	}
	return SessionOther
}

// IsSSORole reports whether a role name is one IAM Identity Center creates
// for a permission set (AWSReservedSSO_<set>_<suffix>); its sessions are
// named after the signed-in user.
func IsSSORole(roleName string) bool { return awsid.IsSSORoleName(roleName) }

// RoleNameFromARN returns the role name of an IAM role ARN, without its
// path ("arn:aws:iam::111122223333:role/service-role/R" gives "R"), or ""
// when arn is not a role ARN. Role names are unique per account whatever
// the path, so ctattrib compares roles by account and name.
func RoleNameFromARN(arn string) string {
	r, _ := awsid.ParseRoleARN(arn)
	return r.Name
}

// AccountFromARN returns the account id field of an ARN, or "".
func AccountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
