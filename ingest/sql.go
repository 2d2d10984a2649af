package ingest

import (
	"embed"
	"errors"
	"fmt"
	"strings"
	"text/template"
)

// The SQL ingest runs lives in sql/, one step per file, rendered once with
// text/template where a piece varies and bound with named parameters
// ($batch, $uris, ...) at each run.

//go:embed sql/*.sql
var sqlFS embed.FS

var sqlTemplates = template.Must(template.New("sql").Option("missingkey=error").Funcs(template.FuncMap{
	"s":       func(string) (string, error) { return "", errors.New("s reads a JSON path only in insert_events.sql") },
	"literal": sqlLiteral,
}).ParseFS(sqlFS, "sql/*.sql"))

func mustTemplate(name string) *template.Template {
	if t := sqlTemplates.Lookup(name); t != nil {
		return t
	}
	panic("no SQL template " + name)
}

// mustRender renders a template that is fixed at build time; the tests
// render every one, so a failure here is a bug, not bad input.
func mustRender(t *template.Template, data any) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("render %s: %v", t.Name(), err))
	}
	return b.String()
}

// sqlLiteral quotes s as an SQL string literal, for the few constants
// DuckDB needs at bind time (a regular expression with named groups).
func sqlLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

var (
	sessionSQL           = mustRender(mustTemplate("session.sql"), nil)
	batchKeysSQL         = mustRender(mustTemplate("batch_keys.sql"), nil)
	batchStoredSQL       = mustRender(mustTemplate("batch_stored.sql"), nil)
	batchKeepSQL         = mustRender(mustTemplate("batch_keep.sql"), nil)
	batchObjectsSQL      = mustRender(mustTemplate("batch_objects.sql"), nil)
	manifestSQL          = mustRender(mustTemplate("manifest.sql"), nil)
	batchCountsSQL       = mustRender(mustTemplate("batch_counts.sql"), nil)
	batchResetSQL        = mustRender(mustTemplate("batch_reset.sql"), nil)
	batchBadSQL          = mustRender(mustTemplate("batch_bad.sql"), nil)
	failBadSQL           = mustRender(mustTemplate("fail_bad.sql"), nil)
	badObjectsSQL        = mustRender(mustTemplate("bad_objects.sql"), nil)
	knownObjectsSQL      = mustRender(mustTemplate("known_objects.sql"), nil)
	listedThroughSQL     = mustRender(mustTemplate("listed_through.sql"), nil)
	failedObjectsSQL     = mustRender(mustTemplate("failed_objects.sql"), nil)
	stagingSaveSQL       = mustRender(mustTemplate("staging_save.sql"), nil)
	stagingClearSQL      = mustRender(mustTemplate("staging_clear.sql"), nil)
	stagingPickSQL       = mustRender(mustTemplate("staging_pick.sql"), nil)
	stagingFailSQL       = mustRender(mustTemplate("staging_fail.sql"), nil)
	saveListedThroughSQL = mustRender(mustTemplate("save_listed_through.sql"), nil)
	checkEventsSQL       = mustRender(mustTemplate("check_events.sql"), nil)
	checkCountsSQL       = mustRender(mustTemplate("check_counts.sql"), nil)

	// insertEventsSQL reads the JSON paths eventPaths lists, bound as
	// $paths.
	insertEventsSQL, eventPaths = renderInsertEvents()
)

// renderInsertEvents renders insert_events.sql, whose {{ s "PATH" }} reads
// the text at a JSON path: it collects the paths, in the order first used,
// and names each by its place in the list.
func renderInsertEvents() (string, []string) {
	var paths []string
	set := template.Must(sqlTemplates.Clone()).Funcs(template.FuncMap{"s": func(path string) string {
		i := 0
		for i < len(paths) && paths[i] != path {
			i++
		}
		if i == len(paths) {
			paths = append(paths, path)
		}
		return fmt.Sprintf("s[%d]", i+1)
	}})
	q := mustRender(set.Lookup("insert_events.sql"), struct{ SessionARNPattern string }{sessionARNPattern})
	return q, paths
}
