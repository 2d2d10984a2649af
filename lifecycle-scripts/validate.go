package lifecycle

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrInvalid is wrapped by every error about a value that cannot go into a
// script or a policy: a notebook instance name, a role ARN, a region or a
// lifecycle-configuration name.
var ErrInvalid = errors.New("invalid value")

// The same patterns are repeated, in bash syntax, in templates/common.sh.tmpl
// so that the generic script validates what it reads at start-up.
var (
	// SageMaker's own pattern for notebook instance and lifecycle
	// configuration names.
	namePattern = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`)
	// IAM role ARNs of the three public partitions. IAM allows almost any
	// printable character in a path; we allow only the characters IAM
	// allows in a role name, which every real path we have seen uses.
	roleARNPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role/((?:[A-Za-z0-9_+=,.@-]+/)*)([A-Za-z0-9_+=,.@-]{1,64})$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
)

// MaxNameLen is the longest notebook instance name SageMaker accepts. It
// also fits the 64-character limit STS puts on a role session name.
const MaxNameLen = 63

// ValidateInstanceName checks a notebook instance name against SageMaker's
// rules.
func ValidateInstanceName(name string) error {
	return validateName("notebook instance name", name)
}

func validateName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty %s: %w", what, ErrInvalid)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%s %.20q... is %d characters, more than %d: %w", what, name, len(name), MaxNameLen, ErrInvalid)
	case !namePattern.MatchString(name):
		return fmt.Errorf("%s %q: want letters, digits and hyphens, starting and ending with a letter or digit: %w", what, name, ErrInvalid)
	}
	return nil
}

// RoleARN is a parsed IAM role ARN.
type RoleARN struct {
	Partition string // aws, aws-cn or aws-us-gov
	Account   string
	Path      string // "/" or "/service-role/"
	Name      string
}

// String returns the ARN.
func (r RoleARN) String() string {
	return "arn:" + r.Partition + ":iam::" + r.Account + ":role" + r.Path + r.Name
}

// ParseRoleARN parses and validates an IAM role ARN. It accepts only the
// aws, aws-cn and aws-us-gov partitions.
func ParseRoleARN(s string) (RoleARN, error) {
	m := roleARNPattern.FindStringSubmatch(s)
	if m == nil {
		return RoleARN{}, fmt.Errorf("role ARN %q: want arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME in the aws, aws-cn or aws-us-gov partition: %w", s, ErrInvalid)
	}
	if len(m[3]) > 510 {
		return RoleARN{}, fmt.Errorf("role ARN %.40q...: path longer than IAM allows: %w", s, ErrInvalid)
	}
	return RoleARN{Partition: m[1], Account: m[2], Path: "/" + m[3], Name: m[4]}, nil
}

// ValidateRegion checks that region looks like an AWS region name.
func ValidateRegion(region string) error {
	if !regionPattern.MatchString(region) {
		return fmt.Errorf("region %q: want a region name such as us-east-1: %w", region, ErrInvalid)
	}
	return nil
}

// regionPartition returns the partition a region belongs to.
func regionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
