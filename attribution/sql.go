package attribution

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"strings"
	"text/template"
	"time"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

// The SQL of this package, one step or statement per file, numbered in
// the order Run executes them. Files starting with _ hold {{define}}
// blocks that several steps share.
//
//go:embed sql/*.sql
var sqlFS embed.FS

var sqlTemplates = template.Must(template.New("sql").
	Funcs(template.FuncMap{
		"pattern":             sqlPattern,
		"group":               sqlGroup,
		"literal":             sqlLiteral,
		"isAssumeRole":        func() string { return isAssumeRole },
		"isNotebookLifecycle": func() string { return isNotebookLifecycle },
		// hyperPodActor extracts CLUSTER/INSTANCE-ID from a HyperPod node's
		// session name (awsid.HyperPodSessionName) in the column named col.
		"hyperPodActor":      hyperPodActor,
		"isComputeLifecycle": func() string { return isComputeLifecycle },
	}).
	Option("missingkey=error").
	ParseFS(sqlFS, "sql/*.sql"))

func mustTemplate(name string) *template.Template {
	if t := sqlTemplates.Lookup(name); t != nil {
		return t
	}
	panic("no SQL template " + name)
}

// The events attribution reads as evidence for other events: notebook
// lifecycle events (the inventory; stops and starts for the findings of
// credentials used after a notebook ended), other SageMaker compute
// lifecycle events (the compute inventory) and the calls that issue a
// role's credentials (key links): AssumeRole, its web identity and SAML
// forms, and EKS Pod Identity's AssumeRoleForPodIdentity. Prune keeps
// them; the SQL files read them as {{ isNotebookLifecycle }},
// {{ isComputeLifecycle }} and {{ isAssumeRole }}.
const (
	isNotebookLifecycle = `event_source = 'sagemaker.amazonaws.com'
		AND event_name IN ('CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance',
			'StopNotebookInstance', 'StartNotebookInstance')`
	isComputeLifecycle = `event_source = 'sagemaker.amazonaws.com'
		AND event_name IN ('CreateCluster', 'UpdateCluster', 'DeleteCluster',
			'CreateTrainingJob', 'StopTrainingJob', 'CreateProcessingJob', 'StopProcessingJob',
			'CreateTransformJob', 'StopTransformJob', 'CreateModel', 'DeleteModel',
			'CreateEndpointConfig', 'DeleteEndpointConfig', 'CreateEndpoint', 'UpdateEndpoint', 'DeleteEndpoint',
			'CreateDomain', 'UpdateDomain', 'DeleteDomain',
			'CreateUserProfile', 'UpdateUserProfile', 'DeleteUserProfile')`
	isAssumeRole = `((event_source = 'sts.amazonaws.com'
			AND event_name IN ('AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'))
		OR (event_source = 'eks-auth.amazonaws.com' AND event_name = 'AssumeRoleForPodIdentity'))`
)

// sessionPatterns are the session-name patterns of session.go that the SQL
// applies, by the name {{ pattern "name" }} takes.
var sessionPatterns = map[string]string{
	"ec2":      ec2InstanceIDPattern,
	"ecs":      ecsTaskIDPattern,
	"botocore": botocorePattern,
	"sdk":      sdkDefaultPattern,
	"email":    emailPattern,
	// HyperPod nodes named by 'ctattrib lifecycle hyperpod'.
	"hyperpod": awsid.HyperPodSessionPattern,
	// Access-key ids; placeholders in redacted logs ("REDACTED",
	// "SAMPLE_ACCESS_KEY") are not keys.
	"accesskey": awsid.AccessKeyIDPattern,
	// Web identity subjects and providers, Pod Identity session names.
	"serviceaccount": awsid.ServiceAccountSubjectPattern,
	"github":         awsid.GitHubSubjectPattern,
	"eksoidc":        awsid.EKSOIDCProviderPattern,
	"podsuffix":      awsid.PodSessionSuffixPattern,
}

// sqlGroups are the regexp_extract groups of sessionPatterns, by the name
// {{ group "name" }} takes.
var sqlGroups = map[string]int{
	"serviceaccount_namespace": awsid.ServiceAccountGroupNamespace,
	"serviceaccount_name":      awsid.ServiceAccountGroupName,
	"github_repo":              awsid.GitHubGroupRepo,
	"github_context":           awsid.GitHubGroupContext,
	"eksoidc_region":           awsid.EKSOIDCGroupRegion,
	"eksoidc_id":               awsid.EKSOIDCGroupID,
}

// sqlLiterals are the AWS names the SQL compares with, by the name
// {{ literal "name" }} takes.
var sqlLiterals = map[string]string{
	"githubprovider": awsid.GitHubOIDCProvider,
	"podprefix":      awsid.PodIdentitySessionPrefix,
}

// sqlPattern returns a session-name pattern as a SQL string literal.
func sqlPattern(name string) (string, error) {
	p, ok := sessionPatterns[name]
	if !ok {
		return "", fmt.Errorf("no session-name pattern %q", name)
	}
	return fmt.Sprintf("'%s'", strings.ReplaceAll(p, "'", "''")), nil
}

// hyperPodActor returns the SQL expression that turns the HyperPod node
// session name in column col into the actor CLUSTER/INSTANCE-ID (CLUSTER
// in its truncated form when the cluster's name was too long), with the
// groups of awsid.HyperPodSessionPattern.
func hyperPodActor(col string) (string, error) {
	p, err := sqlPattern("hyperpod")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("regexp_extract(%[1]s, '^' || %[2]s || '$', %[3]d) || '/' || regexp_extract(%[1]s, '^' || %[2]s || '$', %[4]d)",
		col, p, awsid.HyperPodGroupCluster, awsid.HyperPodGroupInstance), nil
}

// sqlGroup returns a group number of a pattern.
func sqlGroup(name string) (int, error) {
	g, ok := sqlGroups[name]
	if !ok {
		return 0, fmt.Errorf("no pattern group %q", name)
	}
	return g, nil
}

// sqlLiteral returns an AWS name as a SQL string literal.
func sqlLiteral(name string) (string, error) {
	v, ok := sqlLiterals[name]
	if !ok {
		return "", fmt.Errorf("no literal %q", name)
	}
	return fmt.Sprintf("'%s'", strings.ReplaceAll(v, "'", "''")), nil
}

// sqlData is what the templates read.
type sqlData struct {
	// Subject is the relation the classification reads: events, or a
	// temporary table holding some of them.
	Subject string
}

// step is one SQL file, rendered with its data.
type step struct {
	name string
	tmpl *template.Template
	data sqlData
}

func newStep(file string) step {
	return step{name: strings.TrimSuffix(file, ".sql"), tmpl: mustTemplate(file)}
}

// on returns the step reading subject.
func (s step) on(subject string) step {
	s.data.Subject = subject
	return s
}

func (s step) render() (string, error) {
	var b strings.Builder
	if err := s.tmpl.Execute(&b, s.data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// execer is a transaction or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// runner executes steps on one transaction or connection, and logs each
// one's time at debug level.
type runner struct {
	db  execer
	log *slog.Logger
}

// exec executes a step, all its statements in order; only the last one
// may have parameters (sql.Named).
func (r runner) exec(ctx context.Context, s step, args ...any) (sql.Result, error) {
	q, err := s.render()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	t0 := time.Now()
	res, err := r.db.ExecContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	r.log.Debug("Attribution step", "step", s.name, "elapsed", time.Since(t0).Round(time.Millisecond))
	return res, nil
}

// run executes steps in order, without parameters.
func (r runner) run(ctx context.Context, steps ...step) error {
	for _, s := range steps {
		if _, err := r.exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// scan executes a step that returns one row and scans it into dest.
func (r runner) scan(ctx context.Context, s step, args []any, dest ...any) error {
	q, err := s.render()
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	t0 := time.Now()
	if err := r.db.QueryRowContext(ctx, q, args...).Scan(dest...); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	r.log.Debug("Attribution step", "step", s.name, "elapsed", time.Since(t0).Round(time.Millisecond))
	return nil
}

// query executes a step that returns rows.
func (r runner) query(ctx context.Context, s step, args ...any) (*sql.Rows, error) {
	q, err := s.render()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	return rows, nil
}

// quiet returns a runner that does not log.
func quiet(db execer) runner {
	return runner{db: db, log: slog.New(slog.DiscardHandler)}
}
