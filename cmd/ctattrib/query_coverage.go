package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryCoverageOptions are the flags of query coverage.
type queryCoverageOptions struct {
	*queryFlags
}

func newQueryCoverageCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryCoverageOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "coverage",
		Short: "attributed and unattributed calls per account and execution role",
		Long: `Per account and execution role: calls, attributed, unattributed and
attributed_share of the assumed-role calls in the window, findings (those
that are credential-misuse findings: see query findings), the number of
notebook instances on the role, instances_without_config (the ones with no
lifecycle config, so their calls carry no session name), and the most
common reason calls stay unattributed. Calls attribution has not processed
yet count as unattributed.`,
		Example: `  ctattrib query coverage --since 7d
  ctattrib query coverage --account 111122223333 --format csv`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQueryCoverage(cmd.Context(), a, opts)
		},
	}
	return cmd
}

func runQueryCoverage(ctx context.Context, a *app, opts queryCoverageOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "coverage", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Coverage(ctx, db, query.CoverageParams{Filter: filter})
	})
}
