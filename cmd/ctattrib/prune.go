package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/store"
)

type pruneOptions struct {
	Before      string
	DryRun      bool
	MemoryLimit string
}

func newPruneCmd(a *app) *cobra.Command {
	var opts pruneOptions
	cmd := &cobra.Command{
		Use:   "prune --before TIME [--db FILE] [--dry-run]",
		Short: "Delete events older than a time, to keep a bounded history",
		Long: `Delete the events before --before from the database, and the attributions
of those events, then bring the attributions of the rest up to date.

What later events are attributed by stays: the notebook lifecycle events
(Create/Update/DeleteNotebookInstance) the inventory is built from, and the
AssumeRole calls of the 12 hours before --before, whose keys may still be
used after it. The events left are attributed as they were.

The manifest keeps the log files the deleted events came from, so ingest
does not load them again. The database file does not shrink: the space the
events took is reused by the next ingest, and 'ctattrib compact' gives it
back to the file system. Run prune from the nightly job, after ingest, to
keep a year, say.`,
		Example: `  ctattrib prune --before 365d --dry-run
  ctattrib prune --before 2025-01-01 --db audit.duckdb`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Before == "" {
				return usageErrorf("--before is required")
			}
			return runPrune(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Before, "before", "", "delete events before this `time`: RFC 3339, YYYY-MM-DD, or a duration ago like 365d")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "count what would be deleted, delete nothing")
	cmd.Flags().StringVar(&opts.MemoryLimit, "memory-limit", defaultMemoryLimit, "cap on DuckDB's buffer `memory` while attributing")
	bindSummaryJSON(a, cmd)
	return cmd
}

func runPrune(ctx context.Context, a *app, opts pruneOptions) error {
	before, err := parseTimeFlag("--before", opts.Before, a.Now())
	if err != nil {
		return err
	}
	if before.After(a.Now()) {
		// Most likely a mistyped year; it would delete today's events and
		// the AssumeRole calls whose keys are still in use.
		return usageErrorf("--before %s is in the future: it would delete every event but the notebook lifecycle events", before.Format(time.RFC3339))
	}
	db, err := openForAttribution(ctx, a, opts.MemoryLimit)
	if err != nil {
		return err
	}
	defer db.Close()
	a.Log.Info("Pruning", "db", a.DBPath, "before", before, "dry_run", opts.DryRun)
	start := a.Now()
	sum, err := attribution.Prune(ctx, db, before, opts.DryRun)
	if err != nil {
		return err
	}
	a.summary.pruned(sum, opts.DryRun, a.Now().Sub(start))
	verb, after := "deleted", ""
	if opts.DryRun {
		verb, after = "would delete", fmt.Sprintf(" (%d once pruned)", sum.Remaining-sum.Deleted)
	}
	remain := "remain"
	if sum.Remaining == 1 {
		remain = "remains"
	}
	fmt.Fprintf(a.Out, "pruned: %s %s before %s, keeping %s and %s as evidence; %s %s%s\n",
		verb, count(sum.Deleted, "event"), before.Format(time.RFC3339), count(sum.KeptNotebookEvents, "notebook lifecycle event"),
		count(sum.KeptAssumeRole, "AssumeRole call"), count(sum.Remaining, "event"), remain, after)
	if opts.DryRun || !sum.Stale {
		return nil
	}
	store.CrashPoint(store.PhasePruned)
	asum, err := attribution.Run(ctx, db, attribution.Options{Log: a.Log, Now: a.Now})
	if err != nil {
		return fmt.Errorf("attribute after pruning (the next ingest or attribute finishes it): %w", err)
	}
	printAttribution(a, asum)
	return nil
}

// count is n and noun, in the plural unless n is 1.
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
