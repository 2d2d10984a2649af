package query

import (
	"context"
	"errors"
	"fmt"
	"text/template"

	"github.com/ctattrib/ctattrib/store"
)

// ErrMissingParam is returned by a named query called without a parameter
// it cannot do without, such as Whodid without an event name.
var ErrMissingParam = errors.New("missing parameter")

// run renders the named query's template with data and runs it on db with
// args. The caller must Close the result.
func run(ctx context.Context, db *store.DB, t *template.Template, data any, args []any) (*Rows, error) {
	text, err := render(t, data)
	if err != nil {
		return nil, err
	}
	rs, err := db.SQL.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", t.Name(), err)
	}
	return fromSQL(rs)
}
