package query

import (
	"path/filepath"
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
	tests := []struct {
		name string
		tmpl *template.Template
		data any
	}{
		{"whodid", whodidSQL, WhodidParams{EventName: "CreateEndpoint"}},
		{"whodid_all", whodidSQL, WhodidParams{Filter: all, EventName: "CreateEndpoint", EventSource: "sagemaker", Resource: "churn"}},
		{"activity", activitySQL, ActivityParams{Actor: "nb-1"}},
		{"activity_all", activitySQL, ActivityParams{Filter: all, Actor: "nb-1", ErrorsOnly: true, EventSource: "s3", EventName: "PutObject"}},
		{"instances", instancesSQL, InstancesParams{}},
		{"instances_all", instancesSQL, InstancesParams{all}},
		{"denied", deniedSQL, DeniedParams{}},
		{"denied_all", deniedSQL, DeniedParams{Filter: all, Actor: "nb-1", EventSource: "s3", EventName: "PutObject"}},
		{"coverage", coverageSQL, coverageData{}},
		{"coverage_all_pending", coverageSQL, coverageData{CoverageParams{all}, true}},
		{"export", exportSQL, nil},
		{"athena_columns", athenaColumnsSQL, nil},
		{"athena_partitions", athenaPartitionsSQL, nil},
		{"findings", findingsSQL, FindingsParams{}},
		{"findings_all", findingsSQL, FindingsParams{Filter: all, Kind: "credentials-used-off-compute", Actor: "nb-1"}},
		{"explain", explainCallsSQL, nil},
		{"explain_evidence", explainEvidenceSQL, nil},
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
			golden.Check(t, filepath.Join("testdata", "sql", tt.name+".sql.golden"), []byte(got))
		})
	}
}

// TestSQLTemplatesUsed checks that every file in sql/ is rendered by some
// query, so none is left behind when a query goes.
func TestSQLTemplatesUsed(t *testing.T) {
	used := map[string]bool{}
	for _, tm := range []*template.Template{whodidSQL, activitySQL, instancesSQL, deniedSQL, coverageSQL, exportSQL, athenaColumnsSQL, athenaPartitionsSQL,
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
