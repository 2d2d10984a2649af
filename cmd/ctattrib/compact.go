package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/store"
)

type compactOptions struct {
	MemoryLimit string
}

func newCompactCmd(a *app) *cobra.Command {
	var opts compactOptions
	cmd := &cobra.Command{
		Use:   "compact [--db FILE] [--memory-limit SIZE]",
		Short: "Give the space of deleted events back to the file system",
		Long: `Rewrite the database into a new file without the space deleted events left,
and put it in place of the old one.

DuckDB reuses that space for the events loaded next, but the file never
shrinks by itself: after pruning years of history, run compact once. It
copies what is left (every table, view and the manifest) into FILE.compact
next to the database, then renames it over FILE. It needs free disk for
the copy, about the size of what is left. Nothing else can use the
database meanwhile, and if it fails or is interrupted the old file is kept
as it was. When there is nothing to give back (no free space inside the
file, or a copy that would not be smaller) it leaves the file alone and
says so.`,
		Example: `  ctattrib prune --before 365d && ctattrib compact
  ctattrib compact --db audit.duckdb --memory-limit 2GB`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCompact(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.MemoryLimit, "memory-limit", defaultMemoryLimit, "cap on DuckDB's buffer `memory` while copying")
	return cmd
}

func runCompact(ctx context.Context, a *app, opts compactOptions) error {
	limit, err := memoryLimitFlag(opts.MemoryLimit)
	if err != nil {
		return err
	}
	a.Log.Info("Compacting", "db", a.DBPath, "memory_limit", limit)
	res, err := store.Compact(ctx, a.DBPath, a.storeOptions(store.Options{MemoryLimit: limit}))
	if err != nil {
		return err
	}
	switch {
	case res.Kept && res.Copy > 0:
		fmt.Fprintf(a.Out, "compact: nothing to give back: a copy of %s (%s) took %s; the file was left as it was\n",
			a.DBPath, sizeText(res.Before), sizeText(res.Copy))
	case res.Kept:
		fmt.Fprintf(a.Out, "compact: nothing to give back: %s (%s) has no free space inside; the file was left as it was\n",
			a.DBPath, sizeText(res.Before))
	default:
		fmt.Fprintf(a.Out, "compacted %s: %s -> %s (%s freed)\n", a.DBPath, sizeText(res.Before), sizeText(res.After), sizeText(res.Before-res.After))
	}
	return nil
}

// sizeText is n bytes in the largest binary unit that keeps it at 1 or more.
func sizeText(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for (v >= unit || v <= -unit) && i < 3 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[i])
}
