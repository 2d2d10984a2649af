package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryWhodidOptions are the flags of query whodid.
type queryWhodidOptions struct {
	*queryFlags
	EventName   string
	EventSource string
	Resource    string
}

func newQueryWhodidCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryWhodidOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "whodid --event-name NAME [--event-source S] [--resource TEXT]",
		Short: "which actor made the calls to an API (--event-name)",
		Long: `Which actor made the matching calls, newest first: event_time, event_name,
actor_kind, actor, method, confidence, account_id, region, event_id.

--event-name is CloudTrail's eventName, exactly (CreateEndpoint, PutObject).
--event-source keeps one service (sagemaker or sagemaker.amazonaws.com);
--resource keeps calls whose request, response or resources mention the
text, case-insensitively. Calls attribution could not explain show
actor_kind unattributed.`,
		Example: `  # Which notebook instance called CreateEndpoint?
  ctattrib query whodid --event-name CreateEndpoint

  # Who deleted this model, as JSON
  ctattrib query whodid --event-name DeleteModel --resource churn-model --format json`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.EventName == "" {
				return &usageError{msg: "--event-name is required", usage: cmd.UsageString()}
			}
			return runQueryWhodid(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.EventName, "event-name", "", "CloudTrail eventName, such as CreateEndpoint (required)")
	f.StringVar(&opts.EventSource, "event-source", "", "only this service: sagemaker or sagemaker.amazonaws.com")
	f.StringVar(&opts.Resource, "resource", "", "only calls whose request, response or resources contain this `text`")
	return cmd
}

func runQueryWhodid(ctx context.Context, a *app, opts queryWhodidOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "whodid", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Whodid(ctx, db, query.WhodidParams{
			Filter:      filter,
			EventName:   opts.EventName,
			EventSource: opts.EventSource,
			Resource:    opts.Resource,
		})
	})
}
