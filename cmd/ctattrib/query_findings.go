package main

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryFindingsOptions are the flags of query findings.
type queryFindingsOptions struct {
	*queryFlags
	Kind  string
	Actor string
}

func newQueryFindingsCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryFindingsOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "findings [--kind KIND] [--actor NAME]",
		Short: "credentials of compute used from elsewhere, after it ended, or from many places at once",
		Long: `One row per finding, most severe first: kind, severity (high, medium, low),
account_id, actor_kind and actor (whose credentials), access_key_id (the
session key the calls were made with), first_seen, last_seen, source_ips
and user_agents (where the calls came from), events (how many),
event_ids and reason, in words an analyst can act on. The lists are JSON
arrays in json and jsonl; in csv and table, IDs and addresses are
separated by spaces and user agents by " | ".

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
Attribution still names whose credentials the calls used (query activity
marks them in its finding column); ctattrib explain EVENT_ID shows the
chain behind one of them.

--since and --until keep findings whose calls overlap the window;
--account keeps those on credentials of that account's compute; --region
those with a call recorded in the region.`,
		Example: `  ctattrib query findings --since 7d
  ctattrib query findings --kind credentials-used-off-compute --format json | jq -r '.[].event_ids[]'`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Kind != "" && !slices.Contains(findingKinds, opts.Kind) {
				return usageErrorf("--kind %q is none of %s", opts.Kind, strings.Join(findingKinds, ", "))
			}
			return runQueryFindings(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Kind, "kind", "", "only this `kind` of finding")
	f.StringVar(&opts.Actor, "actor", "", "only findings on this actor's credentials")
	return cmd
}

// findingKinds are the kinds --kind takes.
var findingKinds = []string{attribution.FindingOffCompute, attribution.FindingAfterEnded, attribution.FindingManyPlaces}

func runQueryFindings(ctx context.Context, a *app, opts queryFindingsOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "findings", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Findings(ctx, db, query.FindingsParams{Filter: filter, Kind: opts.Kind, Actor: opts.Actor})
	})
}
