package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// querySQLOptions are the flags and argument of query sql.
type querySQLOptions struct {
	*queryFlags
	SQL string
}

func newQuerySQLCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := querySQLOptions{queryFlags: shared}
	return &cobra.Command{
		Use:   `sql "SQL"`,
		Short: "run read-only SQL on the database (- reads it from standard input)",
		Long: `Run SQL on the database, read-only: the tables are events, objects,
notebook_instances and attributions.

The statement cannot change anything. The file is opened in DuckDB's
read-only mode (INSERT, UPDATE, DELETE, CREATE, DROP fail), external access
is turned off (COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL and LOAD fail,
and so do read_parquet, read_csv and read_json on other files), and the
configuration is locked so that SET cannot undo it. Temporary tables work
and vanish when the command ends.`,
		Example: `  ctattrib query sql "SELECT count(*) FROM events"
  ctattrib query sql --format json "SELECT actor, count(*) AS calls FROM attributions GROUP BY ALL"
  ctattrib query sql --format parquet --output s3.parquet - < s3-events.sql`,
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.SQL = args[0]
			if opts.SQL == "-" {
				b, err := io.ReadAll(a.In)
				if err != nil {
					return fmt.Errorf("read SQL: %w", err)
				}
				opts.SQL = string(b)
			}
			if strings.TrimSpace(opts.SQL) == "" {
				return &usageError{msg: "empty SQL", usage: cmd.UsageString()}
			}
			if opts.filtered() {
				return &usageError{msg: "query sql takes no filters: put them in the SQL", usage: cmd.UsageString()}
			}
			return runQuerySQL(cmd.Context(), a, opts)
		},
	}
}

func runQuerySQL(ctx context.Context, a *app, opts querySQLOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "sql", func(ctx context.Context, db *store.DB, _ query.Filter) (*query.Rows, error) {
		return query.SQL(ctx, db, opts.SQL)
	})
}
