package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

type findingsOptions struct {
	Kind  string
	Actor string
}

func newFindingsQueryCmd(a *app, qopts *queryOptions) *cobra.Command {
	var opts findingsOptions
	cmd := &cobra.Command{
		Use:   "findings [--kind KIND] [--actor NAME]",
		Short: "credentials of compute used from elsewhere, after it ended, or from many places at once",
		Long: `One row per finding, most severe first: kind, severity (high, medium, low),
account_id, actor_kind and actor (whose credentials), access_key_id (the
session key the calls were made with), first_seen, last_seen, source_ips
and user_agents (where the calls came from), events (how many),
event_ids (a JSON array in json and jsonl, space-separated in csv and
table) and reason, in words an analyst can act on.

Kinds:

  credentials-used-off-compute          a notebook's, Studio app's, EC2 instance's, Lambda
                                        function's, ECS task's or job's credentials (or a
                                        role chain that starts from them) used from a network
                                        or client the compute itself does not call from
  credentials-used-after-compute-ended  a notebook's, job's or cluster's credentials used
                                        after it was stopped or deleted
  one-session-many-places               one session key used from distant networks within
                                        minutes

Calls AWS services make on a session's behalf are never findings.
Attribution still names whose credentials the calls used; ctattrib explain
EVENT_ID shows the chain behind one of them.

--since and --until keep findings whose calls overlap the window;
--account keeps those on credentials of that account's compute; --region
those with a call recorded in the region.`,
		Example: `  ctattrib query findings --since 7d
  ctattrib query findings --kind credentials-used-off-compute --format json | jq -r '.[].event_ids[]'`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			qopts.Name = "findings"
			qopts.run = func(ctx context.Context, db *store.DB, p query.Params) (*query.Rows, error) {
				return query.Findings(ctx, db, query.FindingsParams{
					Since: p.Since, Until: p.Until, Account: p.Account, Region: p.Region,
					Kind: opts.Kind, Actor: opts.Actor,
				})
			}
			return runQuery(cmd.Context(), a, *qopts)
		},
	}
	cmd.Flags().StringVar(&opts.Kind, "kind", "", "only this `kind` of finding")
	cmd.Flags().StringVar(&opts.Actor, "actor", "", "only findings on this actor's credentials")
	return cmd
}
