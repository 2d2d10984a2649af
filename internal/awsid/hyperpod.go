package awsid

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// HyperPodClusterNamePattern matches a SageMaker HyperPod cluster name: up
// to 63 letters, digits and hyphens, starting and ending with a letter or
// digit. It uses only POSIX ERE syntax, so bash reads it alike.
const HyperPodClusterNamePattern = `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`

// MaxHyperPodClusterNameLen is the longest HyperPod cluster name.
const MaxHyperPodClusterNameLen = 63

// HyperPodSessionPrefix starts the role session name ctattrib's HyperPod
// lifecycle script gives each node: hyperpod.CLUSTER.INSTANCE-ID.
const HyperPodSessionPrefix = "hyperpod."

// The cluster part of a HyperPod session name fits what STS allows (64
// characters) with the longest instance id (19): 64 - len("hyperpod.") - 1
// - 19 = 35. A longer cluster name keeps its first 26 characters, then "="
// and 8 hex digits of its SHA-256, so that the part stays unique and can be
// matched against the full name. The part does not depend on the instance
// id, so the lifecycle script can bake it in and add the id on the node.
const (
	hyperPodPartLen   = 35
	hyperPodKeepLen   = 26
	hyperPodHashChars = 8
)

// HyperPodSessionPattern matches a HyperPod node's session name,
// hyperpod.CLUSTER-PART.INSTANCE-ID, where CLUSTER-PART is the cluster
// name or its truncated form (26 characters, "=", 8 hex digits). Its groups
// are numbered by HyperPodGroupCluster and HyperPodGroupInstance. It uses
// only POSIX ERE syntax, so bash reads it alike.
const HyperPodSessionPattern = `hyperpod\.([A-Za-z0-9][A-Za-z0-9-]{0,34}|[A-Za-z0-9][A-Za-z0-9-]{25}=[0-9a-f]{8})\.(` +
	EC2InstanceIDPattern + `)`

// The groups of HyperPodSessionPattern, for regexp_extract.
const (
	HyperPodGroupCluster  = 1
	HyperPodGroupInstance = 2
)

var (
	hyperPodClusterRE = full(HyperPodClusterNamePattern)
	hyperPodSessionRE = regexp.MustCompile(`^` + HyperPodSessionPattern + `$`)
)

// IsHyperPodClusterName reports whether s is a valid HyperPod cluster name.
func IsHyperPodClusterName(s string) bool {
	return len(s) <= MaxHyperPodClusterNameLen && hyperPodClusterRE.MatchString(s)
}

// HyperPodClusterPart returns the cluster part of the session names of a
// cluster's nodes: the name itself when it fits, else its truncated form.
func HyperPodClusterPart(cluster string) string {
	if len(cluster) <= hyperPodPartLen {
		return cluster
	}
	sum := sha256.Sum256([]byte(cluster))
	return cluster[:hyperPodKeepLen] + "=" + hex.EncodeToString(sum[:])[:hyperPodHashChars]
}

// HyperPodSessionName returns the role session name of the node with EC2
// instance id instanceID in the cluster named cluster, or false when either
// is not valid.
func HyperPodSessionName(cluster, instanceID string) (string, bool) {
	if !IsHyperPodClusterName(cluster) || !IsEC2InstanceID(instanceID) {
		return "", false
	}
	return HyperPodSessionPrefix + HyperPodClusterPart(cluster) + "." + instanceID, true
}

// HyperPodSession is a parsed HyperPod node session name.
type HyperPodSession struct {
	// ClusterPart is the cluster name, or its truncated form when the
	// name was too long (see Truncated).
	ClusterPart string
	InstanceID  string
}

// ParseHyperPodSessionName parses a session name that
// HyperPodSessionName builds. It accepts exactly what
// HyperPodSessionPattern matches.
func ParseHyperPodSessionName(s string) (HyperPodSession, bool) {
	m := hyperPodSessionRE.FindStringSubmatch(s)
	if m == nil {
		return HyperPodSession{}, false
	}
	return HyperPodSession{ClusterPart: m[HyperPodGroupCluster], InstanceID: m[HyperPodGroupInstance]}, true
}

// Truncated reports whether the cluster's name was too long for the
// session name, so that ClusterPart holds only its start and a hash.
func (s HyperPodSession) Truncated() bool {
	return len(s.ClusterPart) == hyperPodPartLen && s.ClusterPart[hyperPodKeepLen] == '='
}

// IsCluster reports whether the session belongs to a node of the cluster
// named cluster.
func (s HyperPodSession) IsCluster(cluster string) bool {
	return s.ClusterPart == HyperPodClusterPart(cluster)
}

// String returns the session name.
func (s HyperPodSession) String() string {
	return HyperPodSessionPrefix + s.ClusterPart + "." + s.InstanceID
}
