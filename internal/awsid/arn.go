package awsid

import "regexp"

// NamePattern matches the name of an IAM role or user: up to 64 letters,
// digits and the characters _+=,.@- .
const NamePattern = `[A-Za-z0-9_+=,.@-]{1,64}`

// PathPattern matches an IAM path: "/" or "/a/b/". IAM allows any printable
// ASCII character in a path; this pattern allows only the characters of a
// name, which every real path uses and which need no quoting in a shell or
// an INI file. A path is at most MaxPathLen characters, which the pattern
// does not check.
const PathPattern = `(/[A-Za-z0-9_+=,.@-]+)*/`

// MaxPathLen is the longest IAM path.
const MaxPathLen = 512

// RoleARNPattern matches an IAM role ARN,
// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME. Its groups are numbered by
// the RoleARNGroup constants.
const RoleARNPattern = `arn:` + PartitionPattern + `:iam::(` + AccountPattern + `):role(` + PathPattern + `)(` + NamePattern + `)`

// UserARNPattern matches an IAM user ARN,
// arn:PARTITION:iam::ACCOUNT:user/[PATH/]NAME, with the groups of
// RoleARNPattern.
const UserARNPattern = `arn:` + PartitionPattern + `:iam::(` + AccountPattern + `):user(` + PathPattern + `)(` + NamePattern + `)`

// The groups of RoleARNPattern and UserARNPattern, for regexp_extract.
const (
	ARNGroupPartition = 1
	ARNGroupAccount   = 2
	ARNGroupPath      = 3
	ARNGroupName      = 5 // group 4 is the last segment of the path
)

var (
	roleARNRE = full(RoleARNPattern)
	userARNRE = full(UserARNPattern)
)

// IAMARN is a parsed IAM role or user ARN.
type IAMARN struct {
	Partition string
	Account   string
	Path      string // "/" or "/service-role/"
	Name      string
}

// RoleARN is a parsed IAM role ARN.
type RoleARN IAMARN

// String returns the ARN.
func (r RoleARN) String() string {
	return "arn:" + r.Partition + ":iam::" + r.Account + ":role" + r.Path + r.Name
}

// UserARN is a parsed IAM user ARN.
type UserARN IAMARN

// String returns the ARN.
func (u UserARN) String() string {
	return "arn:" + u.Partition + ":iam::" + u.Account + ":user" + u.Path + u.Name
}

// ParseRoleARN parses an IAM role ARN (RoleARNPattern, with a path of at
// most MaxPathLen characters).
func ParseRoleARN(s string) (RoleARN, bool) {
	a, ok := parseIAM(s, roleARNRE)
	return RoleARN(a), ok
}

// ParseUserARN parses an IAM user ARN (UserARNPattern, with a path of at
// most MaxPathLen characters).
func ParseUserARN(s string) (UserARN, bool) {
	a, ok := parseIAM(s, userARNRE)
	return UserARN(a), ok
}

func parseIAM(s string, re *regexp.Regexp) (IAMARN, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil || len(m[ARNGroupPath]) > MaxPathLen {
		return IAMARN{}, false
	}
	return IAMARN{Partition: m[ARNGroupPartition], Account: m[ARNGroupAccount], Path: m[ARNGroupPath], Name: m[ARNGroupName]}, true
}

// SessionARNPattern matches an assumed-role session ARN,
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION. A role's path is
// not part of it, and neither name contains '/'. Its groups are numbered by
// the SessionARNGroup constants.
const SessionARNPattern = `arn:` + PartitionPattern + `:sts::(` + AccountPattern + `):assumed-role/(` + NamePattern + `)/(` + SessionNamePattern + `)`

// The groups of SessionARNPattern, for regexp_extract.
const (
	SessionARNGroupPartition = 1
	SessionARNGroupAccount   = 2
	SessionARNGroupRole      = 3
	SessionARNGroupSession   = 4
)

var sessionARNRE = full(SessionARNPattern)

// SessionARN is a parsed assumed-role session ARN.
type SessionARN struct {
	Partition   string
	Account     string
	RoleName    string
	SessionName string
}

// String returns the ARN.
func (s SessionARN) String() string {
	return "arn:" + s.Partition + ":sts::" + s.Account + ":assumed-role/" + s.RoleName + "/" + s.SessionName
}

// ParseSessionARN parses an assumed-role session ARN in any partition.
func ParseSessionARN(s string) (SessionARN, bool) {
	m := sessionARNRE.FindStringSubmatch(s)
	if m == nil {
		return SessionARN{}, false
	}
	return SessionARN{
		Partition:   m[SessionARNGroupPartition],
		Account:     m[SessionARNGroupAccount],
		RoleName:    m[SessionARNGroupRole],
		SessionName: m[SessionARNGroupSession],
	}, true
}
