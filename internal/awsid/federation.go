package awsid

import (
	"regexp"
	"strings"
)

// The subjects of the web identity tokens STS exchanges for a role's
// credentials (AssumeRoleWithWebIdentity), and the OIDC providers that
// issue them. A token's subject is what CloudTrail records as
// responseElements.subjectFromWebIdentityToken and userIdentity.userName;
// the provider is the IAM OIDC provider's ARN (responseElements.provider,
// userIdentity.identityProvider).
const (
	// ServiceAccountSubjectPattern matches the subject of a Kubernetes
	// service account token, system:serviceaccount:NAMESPACE:NAME, as an
	// EKS cluster's OIDC issuer signs it for IRSA.
	ServiceAccountSubjectPattern = `system:serviceaccount:([^:]+):([^:]+)`
	// GitHubSubjectPattern matches the subject of a GitHub Actions token,
	// repo:OWNER/REPO:CONTEXT, where CONTEXT is ref:refs/heads/BRANCH,
	// environment:NAME, pull_request or what a custom subject template
	// adds.
	GitHubSubjectPattern = `repo:([^:/]+/[^:]+):(.+)`
	// EKSOIDCProviderPattern matches the issuer of an EKS cluster,
	// oidc.eks.REGION.amazonaws.com/id/ID, inside an OIDC provider ARN
	// (arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks...) or URL. It is a
	// pattern to search for, not to match whole.
	EKSOIDCProviderPattern = `oidc\.eks\.(` + RegionPattern + `)\.amazonaws\.com(\.cn)?/id/([0-9A-Za-z]+)`
	// GitHubOIDCProvider is the host of GitHub Actions' OIDC issuer, the
	// last part of its IAM OIDC provider ARN.
	GitHubOIDCProvider = "token.actions.githubusercontent.com"
)

// The groups of the subject and provider patterns, for regexp_extract.
const (
	ServiceAccountGroupNamespace = 1
	ServiceAccountGroupName      = 2
	GitHubGroupRepo              = 1
	GitHubGroupContext           = 2
	EKSOIDCGroupRegion           = 1
	EKSOIDCGroupID               = 5 // groups 2 and 3 are inside RegionPattern, 4 the .cn suffix
)

// The kinds of caller a federated session stands for, as attribution
// names them (actor_kind).
const (
	KindServiceAccount = "kubernetes-service-account"
	KindGitHubActions  = "github-actions"
	KindWebIdentity    = "web-identity"
)

var (
	serviceAccountRE = full(ServiceAccountSubjectPattern)
	gitHubSubjectRE  = full(GitHubSubjectPattern)
	eksOIDCRE        = regexp.MustCompile(EKSOIDCProviderPattern)
)

// WebIdentity is whom a web identity token names: the kind of caller, the
// actor (NAMESPACE/NAME for a service account, OWNER/REPO for a GitHub
// workflow, else the subject) and what else the token says (the cluster's
// OIDC id, the workflow's ref or environment, the provider).
type WebIdentity struct {
	Kind, Actor, Note string
}

// ParseWebIdentity reads a token's subject and the OIDC provider that
// issued it. A service-account subject is a Kubernetes pod's whatever the
// issuer; a repo: subject is a GitHub workflow's only when GitHub issued it
// (or the provider is unknown). ok is false for an empty subject.
func ParseWebIdentity(subject, provider string) (id WebIdentity, ok bool) {
	if subject == "" {
		return id, false
	}
	if m := serviceAccountRE.FindStringSubmatch(subject); m != nil {
		id = WebIdentity{Kind: KindServiceAccount, Actor: m[ServiceAccountGroupNamespace] + "/" + m[ServiceAccountGroupName]}
		if c := eksOIDCRE.FindStringSubmatch(provider); c != nil {
			id.Note = "IRSA, EKS cluster OIDC id " + c[EKSOIDCGroupID] + " in " + c[EKSOIDCGroupRegion]
		} else if provider != "" {
			id.Note = "IRSA, OIDC provider " + provider
		}
		return id, true
	}
	if m := gitHubSubjectRE.FindStringSubmatch(subject); m != nil && (provider == "" || strings.Contains(provider, GitHubOIDCProvider)) {
		return WebIdentity{Kind: KindGitHubActions, Actor: m[GitHubGroupRepo], Note: "GitHub Actions " + m[GitHubGroupContext]}, true
	}
	id = WebIdentity{Kind: KindWebIdentity, Actor: subject}
	if provider != "" {
		id.Note = "OIDC provider " + provider
	}
	return id, true
}

// PodIdentitySessionPrefix starts the session name EKS Pod Identity gives
// a pod's role session: eks-CLUSTER-POD-SUFFIX, where SUFFIX is random and
// the whole is cut to STS's 64 characters.
const PodIdentitySessionPrefix = "eks-"

// PodSessionSuffixPattern matches the random suffix EKS Pod Identity
// ends a session name with when the name is not cut short: "-" and a UUID.
const PodSessionSuffixPattern = `-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}`

// uuidSuffixRE splits a name that ends in PodSessionSuffixPattern.
var uuidSuffixRE = regexp.MustCompile(`^(.+)` + PodSessionSuffixPattern + `$`)

// PodOfSession returns the pod name inside an EKS Pod Identity session
// name of cluster: what lies between "eks-CLUSTER-" and the random suffix
// (a UUID, else the last "-" part). The name may be cut short; ok is false
// when session is not one of cluster's.
func PodOfSession(session, cluster string) (pod string, ok bool) {
	rest, found := strings.CutPrefix(session, PodIdentitySessionPrefix+cluster+"-")
	if !found || cluster == "" {
		return "", false
	}
	if m := uuidSuffixRE.FindStringSubmatch(rest); m != nil {
		return m[1], true
	}
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 {
		return "", false
	}
	return rest[:i], true
}
