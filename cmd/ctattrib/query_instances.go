package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryInstancesOptions are the flags of query instances.
type queryInstancesOptions struct {
	*queryFlags
}

func newQueryInstancesCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryInstancesOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "instances",
		Short: "one row per notebook instance: calls, errors, lifecycle config in effect",
		Long: `One row per notebook instance per account and region: calls, errors,
denied, findings (calls that are credential-misuse findings: see query
findings), distinct_actions, first_seen and last_seen over the attributed
calls in the window; lifecycle_config_attached from the inventory; and
session_name_in_effect, which says whether the calls made since the
instance last started carry its name:

  yes                   every call since the start carries the name
  partial               some do
  no                    none do (attribution found them by other means)
  no calls since start  nothing to judge by

finding flags "lifecycle config attached but not in effect" (no: attached
while running and not restarted, or the script failed), "N calls since
start bypassed the named profile" (partial: some process still calls with
the default session key), "no lifecycle config" and "not in inventory". Instances in the inventory with no calls
are listed with zeros.`,
		Example: `  ctattrib query instances
  ctattrib query instances --region eu-west-1 --since 30d --format json`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQueryInstances(cmd.Context(), a, opts)
		},
	}
	return cmd
}

func runQueryInstances(ctx context.Context, a *app, opts queryInstancesOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "instances", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Instances(ctx, db, query.InstancesParams{Filter: filter})
	})
}
