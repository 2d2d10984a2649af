package ingest

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Session is an STS assumed-role session named by its ARN,
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION.
type Session struct {
	Partition   string
	AccountID   string
	RoleName    string
	SessionName string
}

// ParseSessionARN parses an assumed-role session ARN in any partition
// (aws, aws-cn, aws-us-gov, ...). STS session names and role names never
// contain '/' (a role's path is not part of the session ARN), so the role is
// the part between the first and second '/' and the session the rest.
func ParseSessionARN(s string) (Session, bool) {
	if !strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":assumed-role/") {
		return Session{}, false
	}
	a, err := arn.Parse(s)
	if err != nil || a.Service != "sts" {
		return Session{}, false
	}
	rest, ok := strings.CutPrefix(a.Resource, "assumed-role/")
	if !ok {
		return Session{}, false
	}
	role, session, ok := strings.Cut(rest, "/")
	if !ok || role == "" || session == "" {
		return Session{}, false
	}
	return Session{Partition: a.Partition, AccountID: a.AccountID, RoleName: role, SessionName: session}, true
}
