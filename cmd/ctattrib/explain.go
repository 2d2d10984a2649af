package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

type explainOptions struct {
	IDs    []string
	Format string // text or json
}

func newExplainCmd(a *app) *cobra.Command {
	var opts explainOptions
	cmd := &cobra.Command{
		Use:   "explain EVENT_ID... [--format text|json]",
		Short: "Show why a call was attributed as it was: the answer and the chain of events behind it",
		Long: `For each CloudTrail event ID: the call (time, account, region, service and
event name, principal, access key, source address, user agent), the
answer attribution gave (actor_kind, actor, method, confidence, reason,
note, and the credential-misuse finding the call belongs to, with why:
see query findings) and the evidence, one line per event in chain order
from the compute outwards to the key that made the call: time, account,
event name, event ID and what the event proves.

A notebook's chain starts with the CreateNotebookInstance or
UpdateNotebookInstance that defines the lifetime matched (or inventory:api,
inventory:csv when the inventory came from the SageMaker API or a CSV
file, inventory:cloudtrail when the trail lacks that event), then the AssumeRole its default SageMaker session made to name the
session, then every AssumeRole hop down to the key that made the call,
across accounts too. EC2 instances, Lambda functions and ECS tasks start
with the service's AssumeRole, or the call whose user agent shows the
compute. Methods that rest on the call alone (IAM users, Identity Center,
sourceIdentity, ...) have no evidence.

--format json prints an array, one object per event: event_id, the call's
fields, actor_kind, actor, method, confidence, reason, note, finding,
finding_reason and evidence (objects with event_id, event_time,
event_name, account_id, region, proves).

An event ID that is not in the database is an error naming it (exit 1);
the other IDs are still explained. The database is opened read-only.`,
		Example: `  # Why is this GetObject a notebook's?
  ctattrib explain 3f1c9a2e-5b7d-4c1e-9f0a-1b2c3d4e5f60

  # Several calls, for a script
  ctattrib explain --format json EVENT_ID_1 EVENT_ID_2 | jq '.[].evidence[].proves'`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Format != "text" && opts.Format != "json" {
				return usageErrorf("--format: want text or json, not %q", opts.Format)
			}
			opts.IDs = args
			return runExplain(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output `format`: text or json")
	return cmd
}

func runExplain(ctx context.Context, a *app, opts explainOptions) error {
	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	xs, err := query.Explain(ctx, db, opts.IDs)
	if err != nil && !errors.Is(err, query.ErrUnknownEvent) {
		return err
	}
	// The known IDs are explained even when some are unknown; the error
	// naming those comes after.
	write := query.WriteExplanationsText
	if opts.Format == "json" {
		write = query.WriteExplanationsJSON
	}
	if werr := write(a.Out, xs); werr != nil {
		return fmt.Errorf("write: %w", werr)
	}
	return err
}
