package awsid

// SessionNamePattern matches what STS accepts as a RoleSessionName: 2 to 64
// letters, digits and the characters _+=,.@- .
const SessionNamePattern = `[A-Za-z0-9_+=,.@-]{2,64}`

// SageMakerSessionName is the session name of the execution-role
// credentials SageMaker gives every notebook instance and Studio app.
const SageMakerSessionName = "SageMaker"

// The session names that AWS services and SDKs choose when the caller
// names none.
const (
	// EC2InstanceIDPattern matches an EC2 instance id, the session name of
	// instance-profile credentials: i- and 8 or 17 hex digits. Upper-case
	// digits are accepted because anonymised public logs mix cases.
	EC2InstanceIDPattern = `i-[0-9a-fA-F]{8}([0-9a-fA-F]{9})?`
	// ECSTaskIDPattern matches an ECS task id, the session name of
	// task-role credentials: 32 lower-case hex digits.
	ECSTaskIDPattern = `[0-9a-f]{32}`
	// BotocoreSessionPattern matches "botocore-session-<seconds>", the
	// name boto3, the AWS CLI and assume-role profiles use when
	// role_session_name is not set.
	BotocoreSessionPattern = `botocore-session-[0-9]+`
	// SDKSessionPattern matches the names other AWS SDKs generate:
	// "aws-go-sdk-<ns>", "aws-sdk-java-<ms>", "aws-sdk-js-session-<ms>" and
	// "aws-sdk-js-<ms>".
	SDKSessionPattern = `(aws-go-sdk-[0-9]+|aws-sdk-java-[0-9]+|aws-sdk-js-session-[0-9]+|aws-sdk-js-[0-9]+)`
	// SSORolePattern matches the name of a role IAM Identity Center creates
	// for a permission set, AWSReservedSSO_<set>_<suffix>.
	SSORolePattern = `AWSReservedSSO_.+`
)

var (
	sessionNameRE = full(SessionNamePattern)
	ec2InstanceRE = full(EC2InstanceIDPattern)
	ecsTaskRE     = full(ECSTaskIDPattern)
	botocoreRE    = full(BotocoreSessionPattern)
	sdkSessionRE  = full(SDKSessionPattern)
	ssoRoleRE     = full(SSORolePattern)
)

// IsSessionName reports whether STS would accept s as a role session name.
func IsSessionName(s string) bool { return sessionNameRE.MatchString(s) }

// IsEC2InstanceID reports whether s is an EC2 instance id.
func IsEC2InstanceID(s string) bool { return ec2InstanceRE.MatchString(s) }

// IsECSTaskID reports whether s is an ECS task id.
func IsECSTaskID(s string) bool { return ecsTaskRE.MatchString(s) }

// IsBotocoreSessionName reports whether s is botocore's default session
// name.
func IsBotocoreSessionName(s string) bool { return botocoreRE.MatchString(s) }

// IsSDKSessionName reports whether s is a default session name of another
// AWS SDK.
func IsSDKSessionName(s string) bool { return sdkSessionRE.MatchString(s) }

// IsSSORoleName reports whether s is the name of a role IAM Identity Center
// created for a permission set; its sessions are named after the signed-in
// user.
func IsSSORoleName(s string) bool { return ssoRoleRE.MatchString(s) }
