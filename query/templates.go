package query

import (
	"bytes"
	"database/sql"
	"embed"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Every named query's SQL is one file in sql/, rendered with text/template
// for the parts that vary (optional filters) and bound with sql.Named
// parameters ($name in the SQL). User input only ever travels as a bound
// parameter; templates splice in nothing but text from this package.

//go:embed sql/*.sql
var sqlFS embed.FS

var sqlTemplates = template.Must(template.New("sql").
	Option("missingkey=error").
	Funcs(template.FuncMap{"on": on, "literal": literal}).
	ParseFS(sqlFS, "sql/*.sql"))

func mustTemplate(name string) *template.Template {
	if t := sqlTemplates.Lookup(name); t != nil {
		return t
	}
	panic("no SQL template " + name)
}

// render executes t with data.
func render(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %s: %w", t.Name(), err)
	}
	return b.String(), nil
}

// Filter narrows a named query to a time window, an account and a region.
// The zero value means "no filter".
type Filter struct {
	// Since and Until bound event_time: Since <= event_time < Until.
	Since, Until time.Time
	// Account and Region keep only events of one account ID and region.
	Account, Region string
}

// args are the filter's bound parameters: $since, $until, $account and
// $region. Every query passes all of them, whichever its SQL uses.
func (f Filter) args() []any {
	return []any{
		sql.Named("since", rfc3339(f.Since)),
		sql.Named("until", rfc3339(f.Until)),
		sql.Named("account", f.Account),
		sql.Named("region", f.Region),
	}
}

// rfc3339 passes times as text with an explicit offset, so the comparison
// with TIMESTAMPTZ does not depend on the session's TimeZone; the zero
// time is NULL.
func rfc3339(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// filterOn is a Filter applied to a table alias, for the "filter" template.
type filterOn struct {
	Alias string
	Filter
}

// on is the template function {{template "filter" on "e" .Filter}}: alias
// is events or attributions, which carry the same event_time,
// recipient_account_id and aws_region.
func on(alias string, f Filter) filterOn { return filterOn{Alias: alias, Filter: f} }

// eventSourceArg accepts "sagemaker" for "sagemaker.amazonaws.com".
func eventSourceArg(s string) string {
	if s != "" && !strings.Contains(s, ".") {
		return s + ".amazonaws.com"
	}
	return s
}

// Templates returns a copy of the query package's SQL templates, for a
// package that renders its own queries with the same shared definitions
// ("filter", "current_lifetime", "denied") and functions: it parses its
// own files into the copy.
func Templates() *template.Template {
	return template.Must(sqlTemplates.Clone())
}

// Args are the filter's bound parameters ($since, $until, $account and
// $region), for SQL rendered with the "filter" template of Templates.
func (f Filter) Args() []any { return f.args() }
