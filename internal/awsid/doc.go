// Package awsid holds what ctattrib knows about AWS identifiers: partitions
// and their regions, account ids, access-key ids, IAM role and user ARNs,
// assumed-role session ARNs, the session names AWS services and SDKs
// choose, and the names ctattrib's HyperPod lifecycle script gives each
// cluster node (hyperpod.CLUSTER.INSTANCE-ID). Each is one RE2 pattern and
// one Go function over it.
//
// The patterns are exported so that SQL (DuckDB's regexp_full_match and
// regexp_extract, which are RE2 too) and shell scripts are generated from the
// same text as the Go checks. They are written without anchors, so a caller
// anchors them ("^" + p + "$" or regexp_full_match), and without a top-level
// "|", so anchoring needs no extra group. RegionPattern, AccountPattern and
// RoleARNPattern use only the syntax RE2 shares with POSIX extended regular
// expressions (no \w, \d or (?:...)), so bash's [[ =~ ]] reads them alike.
//
// The patterns accept what AWS issues, not what an anonymiser or a test
// fixture writes: a 14-digit account, a placeholder such as "REDACTED" for a
// key, or a region such as "aa-b-99" are not identifiers.
package awsid
