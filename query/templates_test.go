package query

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestRenderedSQL renders each query's SQL with no optional parameter and
// with every one, so that a reviewer sees what DuckDB runs.
func TestRenderedSQL(t *testing.T) {
	all := Filter{
		Since:   time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Until:   time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		Account: "111122223333",
		Region:  "us-east-1",
	}
	whodidAll := WhodidParams{Filter: all, EventName: "CreateEndpoint", EventSource: "sagemaker", Resource: "churn"}
	activityAll := ActivityParams{Filter: all, Actor: "nb-1", ErrorsOnly: true, EventSource: "s3", EventName: "PutObject"}
	deniedAll := DeniedParams{Filter: all, Actor: "nb-1", EventSource: "s3", EventName: "PutObject"}
	findingsAll := FindingsParams{Filter: all, Kind: "credentials-used-off-compute", Actor: "nb-1"}
	exportArgs := append(exportArgs(all.Since, all.Until), sql.Named("dir", "/tmp/x"))
	tests := []struct {
		name string
		tmpl *template.Template
		data any
		args []any // what the query binds
	}{
		{"whodid", whodidSQL, WhodidParams{EventName: "CreateEndpoint"}, WhodidParams{}.args()},
		{"whodid_all", whodidSQL, whodidAll, whodidAll.args()},
		{"activity", activitySQL, ActivityParams{Actor: "nb-1"}, ActivityParams{}.args()},
		{"activity_all", activitySQL, activityAll, activityAll.args()},
		{"instances", instancesSQL, InstancesParams{}, all.args()},
		{"instances_all", instancesSQL, InstancesParams{all}, all.args()},
		{"compute", computeSQL, ComputeParams{}, all.args()},
		{"compute_all", computeSQL, ComputeParams{all}, all.args()},
		{"denied", deniedSQL, DeniedParams{}, deniedAll.args()},
		{"denied_all", deniedSQL, deniedAll, deniedAll.args()},
		{"coverage", coverageSQL, coverageData{}, all.args()},
		{"coverage_all_pending", coverageSQL, coverageData{CoverageParams{all}, true}, all.args()},
		{"export", exportSQL, nil, exportArgs},
		{"athena_columns", athenaColumnsSQL, nil, exportArgs[:2]},
		{"athena_partitions", athenaPartitionsSQL, nil, nil},
		{"findings", findingsSQL, FindingsParams{}, FindingsParams{}.args()},
		{"findings_all", findingsSQL, findingsAll, findingsAll.args()},
		{"explain", explainCallsSQL, nil, explainArgs(nil)},
		{"explain_evidence", explainEvidenceSQL, nil, explainArgs(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := render(tt.tmpl, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s rendered with template text left:\n%s", tt.name, got)
			}
			// duckdb-go binds a $name it is not given to the argument in
			// that position instead of failing: every name must be bound.
			bound := map[string]bool{}
			for _, a := range tt.args {
				bound[a.(sql.NamedArg).Name] = true
			}
			for _, m := range paramRe.FindAllStringSubmatch(got, -1) {
				if !bound[m[1]] {
					t.Errorf("%s uses $%s, which the query does not bind", tt.name, m[1])
				}
			}
			golden.Check(t, filepath.Join("testdata", "sql", tt.name+".sql.golden"), []byte(got))
		})
	}
}

// paramRe matches a named parameter outside quotes well enough for our SQL,
// whose string literals hold no $.
var paramRe = regexp.MustCompile(`\$([a-z_]+)`)

// TestSQLTemplatesUsed checks that every file in sql/ is rendered by some
// query, so none is left behind when a query goes.
func TestSQLTemplatesUsed(t *testing.T) {
	used := map[string]bool{}
	for _, tm := range []*template.Template{whodidSQL, activitySQL, instancesSQL, computeSQL, deniedSQL, coverageSQL, exportSQL, athenaColumnsSQL, athenaPartitionsSQL, athenaDDL,
		findingsSQL, explainCallsSQL, explainEvidenceSQL} {
		used[tm.Name()] = true
	}
	used["filter.sql"] = true // defines "filter" and "denied" only
	entries, err := sqlFS.ReadDir("sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			t.Errorf("sql/%s is rendered by no query", e.Name())
		}
	}
}
