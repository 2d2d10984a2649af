package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/store"
)

type checkOptions struct {
	Limit int
}

func newCheckCmd(a *app) *cobra.Command {
	var opts checkOptions
	cmd := &cobra.Command{
		Use:   "check [--db FILE]",
		Short: "Check that every stored event has a name, a source and a time",
		Long: `Check the database for events stored without event_name or event_source,
which every CloudTrail event has, or without event_time although their
record holds a time. Events whose record holds no time at all (rule-test
fixtures, exports with "eventTime": "redacted") are stored without one;
check counts them but does not fail on them.

ingest never stores such a record: it rejects it and counts it in the
manifest (objects.rejected). A database loaded by an older ctattrib may
hold some, from lookup-events entries or other records that are not
events. check names the first of them and the object each came from;
delete those objects' events and ingest them again, or prune them.

Exit status: 0 every event is whole, 1 some are not (or an error).`,
		Example: `  ctattrib check --db audit.duckdb`,
		Args:    cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Limit < 0 {
				return usageErrorf("--limit must not be negative")
			}
			return runCheck(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().IntVar(&opts.Limit, "limit", 10, "name at most this many bad `events`")
	return cmd
}

func runCheck(ctx context.Context, a *app, opts checkOptions) error {
	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := ingest.Check(ctx, db, opts.Limit)
	if err != nil {
		return err
	}
	if res.Untimed > 0 {
		fmt.Fprintf(a.Out, "events: %d stored without a time: their record holds none\n", res.Untimed)
	}
	if res.Bad == 0 {
		fmt.Fprintf(a.Out, "events: %d checked, each has a name, a source and the time its record holds\n", res.Checked)
		return nil
	}
	for _, b := range res.Samples {
		fmt.Fprintf(a.Out, "%s\t%s\tlacks %s\n", b.EventID, b.SourceURI, b.Lacks)
	}
	return fmt.Errorf("%d of %d events lack a name, a source or a time", res.Bad, res.Checked)
}
