package awsid

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const irsaProvider = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

var webIdentityTests = []struct {
	name, subject, provider string
	want                    WebIdentity
	ok                      bool
}{
	{"IRSA", "system:serviceaccount:ml:trainer", irsaProvider,
		WebIdentity{KindServiceAccount, "ml/trainer", "IRSA, EKS cluster OIDC id EXAMPLED539D4633E53DE1B71EXAMPLE in us-east-1"}, true},
	{"IRSA in China", "system:serviceaccount:kube-system:aws-node",
		"arn:aws-cn:iam::111111111111:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC123",
		WebIdentity{KindServiceAccount, "kube-system/aws-node", "IRSA, EKS cluster OIDC id ABC123 in cn-north-1"}, true},
	{"service account of another issuer", "system:serviceaccount:ci:runner", "arn:aws:iam::1:oidc-provider/k8s.example.com",
		WebIdentity{KindServiceAccount, "ci/runner", "IRSA, OIDC provider arn:aws:iam::1:oidc-provider/k8s.example.com"}, true},
	{"service account, no provider", "system:serviceaccount:ml:trainer", "", WebIdentity{KindServiceAccount, "ml/trainer", ""}, true},
	{"GitHub branch", "repo:octo-org/octo-repo:ref:refs/heads/main", "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com",
		WebIdentity{KindGitHubActions, "octo-org/octo-repo", "GitHub Actions ref:refs/heads/main"}, true},
	{"GitHub environment", "repo:octo-org/deploy:environment:prod", "token.actions.githubusercontent.com",
		WebIdentity{KindGitHubActions, "octo-org/deploy", "GitHub Actions environment:prod"}, true},
	{"repo: subject from another issuer", "repo:octo-org/octo-repo:pull_request", "arn:aws:iam::1:oidc-provider/gitlab.example.com",
		WebIdentity{KindWebIdentity, "repo:octo-org/octo-repo:pull_request", "OIDC provider arn:aws:iam::1:oidc-provider/gitlab.example.com"}, true},
	{"GitHub subject without context", "repo:octo-org/octo-repo", GitHubOIDCProvider,
		WebIdentity{KindWebIdentity, "repo:octo-org/octo-repo", "OIDC provider token.actions.githubusercontent.com"}, true},
	{"Cognito", "us-east-1:12345678-1234-1234-1234-123456789012", "cognito-identity.amazonaws.com",
		WebIdentity{KindWebIdentity, "us-east-1:12345678-1234-1234-1234-123456789012", "OIDC provider cognito-identity.amazonaws.com"}, true},
	{"no subject", "", irsaProvider, WebIdentity{}, false},
	{"service account with too many parts", "system:serviceaccount:a:b:c", "",
		WebIdentity{KindWebIdentity, "system:serviceaccount:a:b:c", ""}, true},
}

func TestParseWebIdentity(t *testing.T) {
	for _, tt := range webIdentityTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseWebIdentity(tt.subject, tt.provider)
			if ok != tt.ok {
				t.Fatalf("ParseWebIdentity(%q, %q) ok = %v, want %v", tt.subject, tt.provider, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseWebIdentity(%q, %q) mismatch (-want +got):\n%s", tt.subject, tt.provider, diff)
			}
		})
	}
}

// TestFederationGroupsInDuckDB: regexp_extract with the exported group
// numbers finds the parts ParseWebIdentity finds.
func TestFederationGroupsInDuckDB(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tt := range webIdentityTests {
		var sa, repo, oidc sql.NullString
		err := db.QueryRowContext(t.Context(), `SELECT
			CASE WHEN regexp_full_match($1, $2) THEN regexp_extract($1, '^' || $2 || '$', 1) || '/' || regexp_extract($1, '^' || $2 || '$', 2) END,
			CASE WHEN regexp_full_match($1, $3) THEN regexp_extract($1, '^' || $3 || '$', 1) END,
			nullif(regexp_extract($4, $5, 5), '')`,
			tt.subject, ServiceAccountSubjectPattern, GitHubSubjectPattern, tt.provider, EKSOIDCProviderPattern).Scan(&sa, &repo, &oidc)
		if err != nil {
			t.Fatal(err)
		}
		switch tt.want.Kind {
		case KindServiceAccount:
			if sa.String != tt.want.Actor {
				t.Errorf("%s: DuckDB reads service account %q, Go %q", tt.name, sa.String, tt.want.Actor)
			}
			if oidc.Valid && !strings.Contains(tt.want.Note, oidc.String) {
				t.Errorf("%s: DuckDB reads OIDC id %q, Go notes %q", tt.name, oidc.String, tt.want.Note)
			}
		case KindGitHubActions:
			if repo.String != tt.want.Actor {
				t.Errorf("%s: DuckDB reads repo %q, Go %q", tt.name, repo.String, tt.want.Actor)
			}
		}
		if sa.Valid != (tt.want.Kind == KindServiceAccount) {
			t.Errorf("%s: DuckDB service-account match %v, Go kind %q", tt.name, sa.Valid, tt.want.Kind)
		}
	}
}

func TestPodOfSession(t *testing.T) {
	tests := []struct {
		session, cluster, want string
		ok                     bool
	}{
		{"eks-prod-trainer-7d9f-x2kq-0a1b2c3d-4e5f-6789-abcd-ef0123456789", "prod", "trainer-7d9f-x2kq", true},
		{"eks-prod-web-5c7b-abcd12", "prod", "web-5c7b", true},
		{"eks-prod-abc", "prod", "", false},
		{"eks-staging-web-1-x", "prod", "", false},
		{"SageMaker", "prod", "", false},
		{"eks--web-x", "", "", false},
	}
	for _, tt := range tests {
		got, ok := PodOfSession(tt.session, tt.cluster)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PodOfSession(%q, %q) = %q, %v, want %q, %v", tt.session, tt.cluster, got, ok, tt.want, tt.ok)
		}
	}
}
