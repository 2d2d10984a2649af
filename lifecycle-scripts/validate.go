package lifecycle

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

// ErrInvalid is wrapped by every error about a value that cannot go into a
// script or a policy: a notebook instance name, a role ARN, a region or a
// lifecycle-configuration name.
var ErrInvalid = errors.New("invalid value")

// SageMaker's own pattern for notebook instance and lifecycle configuration
// names. It is repeated, in bash syntax, in templates/common.sh.tmpl so that
// the generic script validates what it reads at start-up; the role ARN and
// region patterns go into the scripts from awsid (scriptFuncs).
var namePattern = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`)

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
type RoleARN = awsid.RoleARN

// ParseRoleARN parses and validates an IAM role ARN in any AWS partition.
// Its path may hold only the characters of a role name, so that it needs
// no quoting in a script or an INI file.
func ParseRoleARN(s string) (RoleARN, error) {
	arn, ok := awsid.ParseRoleARN(s)
	if !ok {
		return RoleARN{}, fmt.Errorf("role ARN %q: want arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME: %w", s, ErrInvalid)
	}
	return arn, nil
}

// ValidateRegion checks that region is the name of a region in an AWS
// partition.
func ValidateRegion(region string) error {
	if !awsid.IsRegion(region) {
		return fmt.Errorf("region %q: want a region name such as us-east-1: %w", region, ErrInvalid)
	}
	return nil
}
