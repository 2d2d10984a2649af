package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryActivityOptions are the flags of query activity.
type queryActivityOptions struct {
	*queryFlags
	Actor       string
	ErrorsOnly  bool
	EventSource string
	EventName   string
}

func newQueryActivityCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryActivityOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "activity --actor NAME [--errors-only]",
		Short: "the timeline of one actor's calls, newest first (--actor)",
		Long: `The timeline of one actor's calls, newest first: event_time, event_source,
event_name, actor_kind, actor, finding, error_code, error_message,
session_name, source_ip, account_id, region, event_id.

finding marks the calls that are credential-misuse findings (the kind, as
query findings lists them): the actor's credentials used from elsewhere,
after it ended, or from many places at once. It is empty for the actor's
own calls.

NAME is the actor as whodid shows it: a notebook instance name, user
profile, instance ID, function name, ...`,
		Example: `  ctattrib query activity --actor research-nb-1 --since 2024-05-01 --until 2024-05-02
  ctattrib query activity --actor research-nb-1 --errors-only --format csv`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Actor == "" {
				return &usageError{msg: "--actor is required", usage: cmd.UsageString()}
			}
			return runQueryActivity(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Actor, "actor", "", "the actor's `name`, as whodid shows it (required)")
	f.BoolVar(&opts.ErrorsOnly, "errors-only", false, "only calls that failed")
	f.StringVar(&opts.EventSource, "event-source", "", "only this service")
	f.StringVar(&opts.EventName, "event-name", "", "only this eventName")
	return cmd
}

func runQueryActivity(ctx context.Context, a *app, opts queryActivityOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "activity", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Activity(ctx, db, query.ActivityParams{
			Filter:      filter,
			Actor:       opts.Actor,
			ErrorsOnly:  opts.ErrorsOnly,
			EventSource: opts.EventSource,
			EventName:   opts.EventName,
		})
	})
}
