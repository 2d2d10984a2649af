package report

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/query"
)

// TestRenderedSQL renders each of the report's SQL files with no filter
// and with every one, so that a reviewer sees what DuckDB runs, and checks
// every $name is bound.
func TestRenderedSQL(t *testing.T) {
	all := query.Filter{
		Since:   time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Until:   time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		Account: "111122223333",
		Region:  "us-east-1",
	}
	extra := map[*template.Template][]any{
		timelineSQL:     {sql.Named("width", 300)},
		roleTimelineSQL: {sql.Named("width", 300)},
		stripsSQL:       {sql.Named("width", 300), sql.Named("top", 40)},
	}
	for _, tm := range steps {
		for suffix, f := range map[string]query.Filter{"": {}, "_all": all} {
			name := strings.TrimSuffix(tm.Name(), ".sql") + suffix
			t.Run(name, func(t *testing.T) {
				var b strings.Builder
				if err := tm.Execute(&b, data{f}); err != nil {
					t.Fatal(err)
				}
				got := b.String()
				if strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
					t.Errorf("rendered with template text left:\n%s", got)
				}
				// duckdb-go binds a $name it is not given to the argument
				// in that position instead of failing.
				bound := map[string]bool{}
				for _, a := range append(f.Args(), extra[tm]...) {
					bound[a.(sql.NamedArg).Name] = true
				}
				for _, m := range paramRe.FindAllStringSubmatch(got, -1) {
					if !bound[m[1]] {
						t.Errorf("uses $%s, which the report does not bind", m[1])
					}
				}
				golden.Check(t, filepath.Join("testdata", "sql", name+".sql.golden"), []byte(got))
			})
		}
	}
}

var paramRe = regexp.MustCompile(`\$([a-z_]+)`)

// steps are the report's own SQL templates.
var steps = []*template.Template{headlineSQL, methodsSQL, timelineSQL, accountsSQL, roleTimelineSQL, stripsSQL, unattributedSQL}

// TestSQLFiles checks that every file in sql/ is one of the steps, and
// that none takes the name of a query package template, which it would
// silently replace in the shared set.
func TestSQLFiles(t *testing.T) {
	used := map[string]bool{}
	for _, tm := range steps {
		used[tm.Name()] = true
	}
	theirs := query.Templates()
	entries, err := sqlFS.ReadDir("sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			t.Errorf("sql/%s is rendered by no step", e.Name())
		}
		if theirs.Lookup(e.Name()) != nil {
			t.Errorf("sql/%s has the name of a query package template", e.Name())
		}
	}
}
