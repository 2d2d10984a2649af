package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryDeniedOptions are the flags of query denied.
type queryDeniedOptions struct {
	*queryFlags
	Actor       string
	EventSource string
}

func newQueryDeniedCmd(a *app, shared *queryFlags) *cobra.Command {
	opts := queryDeniedOptions{queryFlags: shared}
	cmd := &cobra.Command{
		Use:   "denied [--actor NAME] [--event-source S]",
		Short: "access denials by actor, action and resource, with the policy that would fix them",
		Long: `Access denials (AccessDenied, AccessDeniedException, UnauthorizedOperation,
Client.UnauthorizedOperation, ...) grouped by account_id, actor, principal,
action, resource and reason, with count, first_seen and last_seen.

action and resource come from the message ("User: ARN is not authorized to
perform: ACTION on resource: ARN because ..."), or from the event when the
message is bare (S3's "Access Denied": s3:PutObject on
arn:aws:s3:::bucket/key). reason is AWS's wording ("no identity-based
policy allows", "explicit deny in a service control policy", ...), and
policy_type the kind of policy at fault.

suggested_policy is an identity-based policy granting exactly that action
on that resource, when a missing Allow is the cause (or may be, for bare
messages). An explicit deny gets no suggestion: checks says which policy
to change. checks also lists what AWS's troubleshooting guides say to look
at for S3 (bucket policy, KMS key policy, permissions boundary, a managed
policy limited to sagemaker-* buckets) and KMS (key policy, grants).`,
		Example: `  ctattrib query denied
  ctattrib query denied --actor research-nb-1 --format json | jq -r '.[].suggested_policy'`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQueryDenied(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Actor, "actor", "", "only this actor's denials")
	f.StringVar(&opts.EventSource, "event-source", "", "only this service")
	return cmd
}

func runQueryDenied(ctx context.Context, a *app, opts queryDeniedOptions) error {
	return runQuery(ctx, a, opts.queryFlags, "denied", func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error) {
		return query.Denied(ctx, db, query.DeniedParams{
			Filter:      filter,
			Actor:       opts.Actor,
			EventSource: opts.EventSource,
		})
	})
}
