package awsid

import "strings"

// AccountPattern matches an AWS account id: twelve digits, leading zeros
// included.
const AccountPattern = `[0-9]{12}`

// AccessKeyIDPattern matches an access-key id that can sign a request: AKIA
// for an IAM user's long-term key, ASIA for temporary (STS) credentials,
// then upper-case letters and digits, 16 to 128 characters in all as IAM
// documents. Placeholders that redacted or sample logs carry ("REDACTED",
// "SAMPLE_ACCESS_KEY", "HIDDEN_DUE_TO_SECURITY_REASONS") do not match.
const AccessKeyIDPattern = `(AKIA|ASIA)[A-Z0-9]{12,124}`

var (
	accountRE     = full(AccountPattern)
	accessKeyIDRE = full(AccessKeyIDPattern)
)

// IsAccount reports whether s is an AWS account id.
func IsAccount(s string) bool { return accountRE.MatchString(s) }

// IsAccessKeyID reports whether s is an access-key id.
func IsAccessKeyID(s string) bool { return accessKeyIDRE.MatchString(s) }

// IsTemporaryAccessKeyID reports whether s is the access-key id of
// temporary credentials, which belong to one STS session.
func IsTemporaryAccessKeyID(s string) bool {
	return strings.HasPrefix(s, "ASIA") && IsAccessKeyID(s)
}
