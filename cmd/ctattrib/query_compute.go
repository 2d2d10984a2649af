package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryComputeOptions are the flags of query compute.
type queryComputeOptions struct {
	*queryFlags
}

func newQueryComputeCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryComputeOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "compute",
		Short: "one row per SageMaker compute on an execution role: kind, role, lifetime, calls",
		Long: `One row per lifetime of every SageMaker compute that runs with an
execution role: notebook instances, HyperPod clusters, training,
processing and transform jobs, endpoints, Studio domains and user
profiles, from CloudTrail, inventory sync and inventory import.

Columns: kind, name (a user profile as DOMAIN/NAME), account_id, region,
role (its execution roles), parts (instance groups, an endpoint's
models, a notebook's lifecycle config), started_at, ended_at (empty while
it runs), ended_by (the event that ended it, stopping-condition for a job
stopped by its maximum runtime, assumed-maximum when the request set
none, update when an update took the role away), source, calls and
calls_sole_on_role (its calls in the window, and those attributed because
it was the one compute alive on its role), last_seen, attributable and how.

All of these call AWS as assumed-role/ROLE/SageMaker. attributable says
whether a call of the kind names its compute (yes: notebook instances
with a session-name lifecycle config, Studio user profiles with
sourceIdentity) or is known only while the compute is the one alive on its
role (when alone on its role); how says what would name it.

query instances stays the notebook view.`,
		Example: `  ctattrib query compute
  ctattrib query compute --account 111122223333 --since 7d --format json`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQueryCompute(cmd.Context(), a, opts)
		},
	}
	return cmd
}

func runQueryCompute(ctx context.Context, a *app, opts queryComputeOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "compute", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Compute(ctx, db, query.ComputeParams{Filter: filter})
	})
}
