package main

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/query/report"
	"github.com/ctattrib/ctattrib/store"
)

type reportOptions struct {
	Output          string
	Since, Until    string
	Account, Region string
	Top             int
}

func newReportCmd(a *app) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report --output FILE.html [--since T] [--until T] [--account A] [--region R]",
		Short: "Write one self-contained HTML report: coverage, compute, findings, denials",
		Long: `Write one HTML file that answers, for the events in the window: how many
calls attribution explained and by which method; how coverage changed per
hour, day or week, per account and per execution role (the lifecycle
roll-out working or not); what each notebook instance and other compute
did, and whether its lifecycle config is in effect; which compute
credentials look borrowed, with the evidence; what was denied and the
policy that would allow it; and why the rest stays unattributed, with the
fix.

The file needs nothing else: no network, fonts or scripts. It opens in any
browser, follows the system's light or dark mode, and prints to PDF. Its
colours are safe for colour-vision deficiencies, and every series is also
named. It lists the top --top rows of each list, so it stays small on any
database. The same database and flags give the same bytes.`,
		Example: `  ctattrib report --output report.html
  ctattrib report --since 30d --account 111122223333 --output rollout.html`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Output == "" {
				return usageErrorf("--output is required: the report is a file, FILE.html")
			}
			if opts.Top < 0 {
				return usageErrorf("--top must not be negative")
			}
			return runReport(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE.html`")
	bindTimeFlags(f, &opts.Since, &opts.Until, "events")
	f.StringVar(&opts.Account, "account", "", "only this account `ID`")
	f.StringVar(&opts.Region, "region", "", "only this `region`")
	f.IntVar(&opts.Top, "top", report.DefaultTop, "list at most `N` notebook instances, other computes, roles, findings and denial groups")
	return cmd
}

func runReport(ctx context.Context, a *app, opts reportOptions) error {
	since, until, err := parseTimeFlags(opts.Since, opts.Until, a.Now())
	if err != nil {
		return err
	}
	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := report.Build(ctx, db, report.Params{
		Filter: query.Filter{Since: since, Until: until, Account: opts.Account, Region: opts.Region},
		Top:    opts.Top,
		Log:    a.Log,
	})
	if err != nil {
		return err
	}
	out, err := createOutput(opts.Output)
	if err != nil {
		return err
	}
	defer out.abort()
	if err := report.Write(out, r); err != nil {
		return err
	}
	// A report is made to be shared, unlike the temporary file's 0600.
	if err := os.Chmod(out.Name(), 0o644); err != nil {
		return err
	}
	if err := out.commit(); err != nil {
		return err
	}
	a.Log.Info("Report written", "output", opts.Output, "events", r.Headline.Events,
		"sections", strings.Join(r.Sections(), ","))
	return nil
}
