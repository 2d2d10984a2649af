package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

type exportOptions struct {
	Dir          string
	Since, Until string
	Append       bool
	AthenaDDL    string // an S3 location: print the table over it instead
	AthenaTable  string
}

func newExportCmd(a *app) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "export [--since T] [--until T] [--append] DIR | export --athena-ddl s3://BUCKET/PREFIX/",
		Short: "Write events and their attributions as partitioned Parquet for Athena, Spark or Trino",
		Long: `Write every event, joined with its attribution, as zstd-compressed Parquet
files under DIR, partitioned Hive-style by account_id, region and day
(DIR/account_id=111122223333/region=us-east-1/day=2026-11-01/events_….parquet).

Copy DIR to S3 and point an Athena table at it, or read it from Spark or
Trino, when the data outgrows one machine. DIR must be empty unless
--append is given; with --append, export only what is new (--since) to
avoid duplicates.

--athena-ddl LOCATION prints, instead of exporting, the CREATE EXTERNAL TABLE
statement for an export copied to LOCATION: the exported columns with their
types, partitions found by projection (no MSCK REPAIR TABLE), the database's
accounts and regions as enums and days from the first. Run it again when
new accounts or regions appear.`,
		Example: `  # Everything, once
  ctattrib export --db trail.duckdb ./parquet

  # Each night, yesterday's events into the same tree
  ctattrib export --db trail.duckdb --append --since 2026-11-22 --until 2026-11-23 ./parquet

  # The Athena table over it, once copied to S3
  aws s3 sync ./parquet s3://audit-bucket/ctattrib/events/
  ctattrib export --db trail.duckdb --athena-ddl s3://audit-bucket/ctattrib/events/ > table.sql`,
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.AthenaDDL != "" && len(args) > 0:
				return usageErrorf("give DIR or --athena-ddl, not both")
			case opts.AthenaDDL == "" && len(args) == 0:
				return usageErrorf("export needs DIR (or --athena-ddl LOCATION)")
			case opts.AthenaDDL != "":
				return runAthenaDDL(cmd.Context(), a, opts)
			}
			opts.Dir = args[0]
			return runExport(cmd.Context(), a, opts)
		},
	}
	bindTimeFlags(cmd.Flags(), &opts.Since, &opts.Until, "events")
	cmd.Flags().BoolVar(&opts.Append, "append", false, "add files to a folder that already holds an export")
	cmd.Flags().StringVar(&opts.AthenaDDL, "athena-ddl", "", "print the Athena CREATE TABLE for an export copied to this S3 `location`, instead of exporting")
	cmd.Flags().StringVar(&opts.AthenaTable, "athena-table", "ctattrib_events", "the Athena table's `name` ([database.]table)")
	return cmd
}

func runExport(ctx context.Context, a *app, opts exportOptions) error {
	since, until, err := parseTimeFlags(opts.Since, opts.Until, a.Now())
	if err != nil {
		return err
	}
	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := query.Export(ctx, db, opts.Dir, query.ExportOptions{Since: since, Until: until, Append: opts.Append})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Out, "exported %d events to %s\n", n, opts.Dir)
	return nil
}

func runAthenaDDL(ctx context.Context, a *app, opts exportOptions) error {
	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	ddl, err := query.AthenaDDL(ctx, db, opts.AthenaDDL, opts.AthenaTable)
	if errors.Is(err, query.ErrAthenaTarget) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprint(a.Out, ddl)
	return nil
}
