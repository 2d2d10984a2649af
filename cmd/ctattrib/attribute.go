package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/attribution"
)

type attributeOptions struct {
	Full        bool
	MemoryLimit string
}

func newAttributeCmd(a *app) *cobra.Command {
	var opts attributeOptions
	cmd := &cobra.Command{
		Use:   "attribute [--db FILE] [--full] [--memory-limit SIZE]",
		Short: "Work out which notebook instance or other compute made each call",
		Long: `Attribute every event in the database to the notebook instance, Studio
user profile, EC2 instance, Lambda function, ECS task, person or AWS service
that made it, and record how (method) and how sure (confidence). Events
that cannot be attributed get actor_kind 'unattributed' and a reason.

ingest runs this at the end of every run. By default only new events, and
older events whose evidence changed (an AssumeRole that links their key, a
notebook the inventory gained), are recomputed; --full recomputes all.
The result is the same either way. Query the attributions table, or see
the notebook inventory with 'ctattrib inventory list'.

DuckDB's memory stays under --memory-limit, as in ingest: beyond it, joins
spill to a folder next to the database. Raise it on a machine with memory
to spare; lower it when other processes need the memory.`,
		Example: `  ctattrib attribute --db audit.duckdb
  ctattrib attribute --full --memory-limit 2GB`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAttribute(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Full, "full", false, "recompute every event, not only what changed")
	cmd.Flags().StringVar(&opts.MemoryLimit, "memory-limit", defaultMemoryLimit, "cap on DuckDB's buffer `memory` (joins spill to disk beyond it)")
	bindSummaryJSON(a, cmd)
	return cmd
}

func runAttribute(ctx context.Context, a *app, opts attributeOptions) error {
	db, err := openForAttribution(ctx, a, opts.MemoryLimit)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.MemoryLimit(ctx)
	if err != nil {
		return err
	}
	a.Log.Info("Attributing", "db", a.DBPath, "full", opts.Full, "memory_limit", applied)
	sum, err := attribution.Run(ctx, db, attribution.Options{Full: opts.Full, Log: a.Log, Now: a.Now})
	if err != nil {
		return err
	}
	printAttribution(a, sum)
	return nil
}

// printAttribution writes a run's summary: counts by kind, method and
// confidence, and the unattributed total.
func printAttribution(a *app, sum attribution.Summary) {
	a.summary.attributed(sum)
	fmt.Fprintf(a.Out, "attributed: %d events (%d recomputed), %d unattributed\n",
		sum.Events, sum.Recomputed, sum.Unattributed)
	if len(sum.Counts) == 0 {
		return
	}
	tw := tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTOR KIND\tMETHOD\tCONFIDENCE\tEVENTS")
	for _, c := range sum.Counts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", c.ActorKind, c.Method, c.Confidence, c.Events)
	}
	tw.Flush()
}
