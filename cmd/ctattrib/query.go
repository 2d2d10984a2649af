package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryOptions are the flags every query shares, plus the named query's own
// parameters.
type queryOptions struct {
	Name   string // a named query, or "sql"
	SQL    string
	Format string
	Output string
	Since  string
	Until  string
	Params query.Params
	// run, when set, runs a named query that has its own typed function
	// (findings) with the parsed filters.
	run func(ctx context.Context, db *store.DB, p query.Params) (*query.Rows, error)
}

func newQueryCmd(a *app) *cobra.Command {
	var opts queryOptions
	cmd := &cobra.Command{
		Use:   "query NAME [--format table|csv|json|jsonl|parquet|arrow] [--output FILE] [flags]",
		Short: "Ask the database who did what, what was denied and what is not attributed",
		Long: `Run a named analyst query, or read-only SQL, on the database that ingest
filled and attribute explained.

Every query takes --since and --until (RFC 3339, YYYY-MM-DD, or a duration
ago like 36h or 7d; --since is inclusive, --until exclusive), --account and
--region. Times are printed in RFC 3339, UTC.

Formats: table (the default: aligned columns, cut to the terminal's width
when writing to one, at most 10000 rows), csv (header always), json (an
array of objects, [] when empty), jsonl (one object per line), parquet and
arrow (an Arrow IPC file), which need --output. An empty result prints the
header and exits 0.

The database is opened read-only, so queries can run while nothing writes.`,
		Example: `  # Which notebook instance called CreateEndpoint last week?
  ctattrib query whodid --event-name CreateEndpoint --since 7d

  # Every notebook instance, whether its lifecycle config is in effect, as CSV
  ctattrib query instances --account 111122223333 --format csv > instances.csv

  # What one notebook did that failed, newest first
  ctattrib query activity --actor research-nb-1 --errors-only

  # Access denials with the policy that would fix them, for a notebook (pandas, polars)
  ctattrib query denied --format parquet --output denied.parquet

  # Rollout progress: which roles still make calls nobody can attribute
  ctattrib query coverage

  # Anything else, in SQL
  ctattrib query sql --format json "SELECT event_name, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC LIMIT 10"`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &usageError{msg: fmt.Sprintf("unknown query %q", args[0]), usage: cmd.UsageString()}
			}
			return cmd.Help()
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVarP(&opts.Format, "format", "f", "table", "output `format`: table, csv, json, jsonl, parquet or arrow")
	pf.StringVarP(&opts.Output, "output", "o", "", "write to `FILE` instead of standard output (required for parquet and arrow)")
	pf.StringVar(&opts.Since, "since", "", "only events from this `time` on: RFC 3339, YYYY-MM-DD, or a duration ago like 36h or 7d")
	pf.StringVar(&opts.Until, "until", "", "only events before this `time` (same forms as --since)")
	pf.StringVar(&opts.Params.Account, "account", "", "only this account `ID`")
	pf.StringVar(&opts.Params.Region, "region", "", "only this `region`")

	for _, spec := range query.Specs() {
		cmd.AddCommand(newNamedQueryCmd(a, &opts, spec))
	}
	cmd.AddCommand(newFindingsQueryCmd(a, &opts))
	cmd.AddCommand(newSQLQueryCmd(a, &opts))
	return cmd
}

// namedQueryHelp is each named query's manual.
var namedQueryHelp = map[string]struct{ use, long, example string }{
	"whodid": {
		use: "whodid --event-name NAME [--event-source S] [--resource TEXT]",
		long: `Which actor made the matching calls, newest first: event_time, event_name,
actor_kind, actor, method, confidence, account_id, region, event_id.

--event-name is CloudTrail's eventName, exactly (CreateEndpoint, PutObject).
--event-source keeps one service (sagemaker or sagemaker.amazonaws.com);
--resource keeps calls whose request, response or resources mention the
text, case-insensitively. Calls attribution could not explain show
actor_kind unattributed.`,
		example: `  # Which notebook instance called CreateEndpoint?
  ctattrib query whodid --event-name CreateEndpoint

  # Who deleted this model, as JSON
  ctattrib query whodid --event-name DeleteModel --resource churn-model --format json`,
	},
	"activity": {
		use: "activity --actor NAME [--errors-only]",
		long: `The timeline of one actor's calls, newest first: event_time, event_source,
event_name, actor_kind, actor, error_code, error_message, session_name,
source_ip, account_id, region, event_id.

NAME is the actor as whodid shows it: a notebook instance name, user
profile, instance ID, function name, ...`,
		example: `  ctattrib query activity --actor research-nb-1 --since 2024-05-01 --until 2024-05-02
  ctattrib query activity --actor research-nb-1 --errors-only --format csv`,
	},
	"instances": {
		use: "instances",
		long: `One row per notebook instance per account and region: calls, errors,
denied, distinct_actions, first_seen and last_seen over the attributed
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
		example: `  ctattrib query instances
  ctattrib query instances --region eu-west-1 --since 30d --format json`,
	},
	"denied": {
		use: "denied [--actor NAME] [--event-source S]",
		long: `Access denials (AccessDenied, AccessDeniedException, UnauthorizedOperation,
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
		example: `  ctattrib query denied
  ctattrib query denied --actor research-nb-1 --format json | jq -r '.[].suggested_policy'`,
	},
	"coverage": {
		use: "coverage",
		long: `Per account and execution role: calls, attributed, unattributed and
attributed_share of the assumed-role calls in the window, the number of
notebook instances on the role, instances_without_config (the ones with no
lifecycle config, so their calls carry no session name), and the most
common reason calls stay unattributed. Calls attribution has not processed
yet count as unattributed.`,
		example: `  ctattrib query coverage --since 7d
  ctattrib query coverage --account 111122223333 --format csv`,
	},
}

func newNamedQueryCmd(a *app, opts *queryOptions, spec query.Spec) *cobra.Command {
	h := namedQueryHelp[spec.Name]
	cmd := &cobra.Command{
		Use:     h.use,
		Short:   spec.Short,
		Long:    h.long,
		Example: h.example,
		Args:    cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Name = spec.Name
			missing := ""
			switch {
			case spec.Name == "whodid" && opts.Params.EventName == "":
				missing = "--event-name"
			case spec.Name == "activity" && opts.Params.Actor == "":
				missing = "--actor"
			}
			if missing != "" {
				return &usageError{msg: missing + " is required", usage: cmd.UsageString()}
			}
			return runQuery(cmd.Context(), a, *opts)
		},
	}
	f := cmd.Flags()
	switch spec.Name {
	case "whodid":
		f.StringVar(&opts.Params.EventName, "event-name", "", "CloudTrail eventName, such as CreateEndpoint (required)")
		f.StringVar(&opts.Params.EventSource, "event-source", "", "only this service: sagemaker or sagemaker.amazonaws.com")
		f.StringVar(&opts.Params.Resource, "resource", "", "only calls whose request, response or resources contain this `text`")
	case "activity":
		f.StringVar(&opts.Params.Actor, "actor", "", "the actor's `name`, as whodid shows it (required)")
		f.BoolVar(&opts.Params.ErrorsOnly, "errors-only", false, "only calls that failed")
		f.StringVar(&opts.Params.EventSource, "event-source", "", "only this service")
		f.StringVar(&opts.Params.EventName, "event-name", "", "only this eventName")
	case "denied":
		f.StringVar(&opts.Params.Actor, "actor", "", "only this actor's denials")
		f.StringVar(&opts.Params.EventSource, "event-source", "", "only this service")
	}
	return cmd
}

func newSQLQueryCmd(a *app, opts *queryOptions) *cobra.Command {
	return &cobra.Command{
		Use:   `sql "SQL"`,
		Short: "run read-only SQL on the database (- reads it from standard input)",
		Long: `Run SQL on the database, read-only: the tables are events, objects,
notebook_instances and attributions.

The statement cannot change anything. The file is opened in DuckDB's
read-only mode (INSERT, UPDATE, DELETE, CREATE, DROP fail), external access
is turned off (COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL and LOAD fail,
and so do read_parquet, read_csv and read_json on other files), and the
configuration is locked so that SET cannot undo it. Temporary tables work
and vanish when the command ends.`,
		Example: `  ctattrib query sql "SELECT count(*) FROM events"
  ctattrib query sql --format json "SELECT actor, count(*) AS calls FROM attributions GROUP BY ALL"
  ctattrib query sql --format parquet --output s3.parquet - < s3-events.sql`,
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = "sql"
			opts.SQL = args[0]
			if opts.SQL == "-" {
				b, err := io.ReadAll(a.In)
				if err != nil {
					return fmt.Errorf("read SQL: %w", err)
				}
				opts.SQL = string(b)
			}
			if strings.TrimSpace(opts.SQL) == "" {
				return &usageError{msg: "empty SQL", usage: cmd.UsageString()}
			}
			if opts.Since != "" || opts.Until != "" || opts.Params.Account != "" || opts.Params.Region != "" {
				return &usageError{msg: "query sql takes no filters: put them in the SQL", usage: cmd.UsageString()}
			}
			return runQuery(cmd.Context(), a, *opts)
		},
	}
}

func runQuery(ctx context.Context, a *app, opts queryOptions) error {
	format, err := query.ParseFormat(opts.Format)
	if err != nil {
		return usageErrorf("--format: %v", err)
	}
	if format.Binary() && opts.Output == "" {
		return usageErrorf("--format %s writes a file: give --output FILE", format)
	}
	if format.Binary() && opts.Output == "-" && a.OutTTY {
		return usageErrorf("refusing to write %s to a terminal", format)
	}
	now := a.Now()
	if opts.Params.Since, err = parseTimeFlag("--since", opts.Since, now); err != nil {
		return err
	}
	if opts.Params.Until, err = parseTimeFlag("--until", opts.Until, now); err != nil {
		return err
	}

	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	var rows *query.Rows
	switch {
	case opts.run != nil:
		rows, err = opts.run(ctx, db, opts.Params)
	case opts.Name == "sql":
		rows, err = query.SQL(ctx, db, opts.SQL)
	default:
		rows, err = query.Run(ctx, db, opts.Name, opts.Params)
	}
	if errors.Is(err, query.ErrMissingParam) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	defer rows.Close()

	out, wopts := a.Out, query.WriteOptions{}
	if opts.Output != "" && opts.Output != "-" {
		f, err := createOutput(opts.Output)
		if err != nil {
			return err
		}
		defer f.abort()
		out = f
	} else if format == query.Table && a.OutTTY {
		wopts.Width = termWidth(a)
	}
	sum, err := query.Write(ctx, out, rows, format, wopts)
	if err != nil {
		return fmt.Errorf("write %s: %w", format, err)
	}
	if f, ok := out.(*outputFile); ok {
		if err := f.commit(); err != nil {
			return err
		}
	}
	if sum.Truncated {
		fmt.Fprintf(a.Err, "ctattrib: showing the first %d rows; use --format csv, jsonl or parquet, or narrow the query, for all of them\n", sum.Rows)
	}
	a.Log.Info("Query done", "query", opts.Name, "rows", sum.Rows, "format", string(format))
	return nil
}

// outputFile writes to a temporary file next to the target and renames it
// into place on commit, so a failed query never leaves half a file.
type outputFile struct {
	*os.File
	target string
	done   bool
}

func createOutput(path string) (*outputFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create output: %w", err)
	}
	return &outputFile{File: f, target: path}, nil
}

func (f *outputFile) commit() error {
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	if err := os.Rename(f.Name(), f.target); err != nil {
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	f.done = true
	return nil
}

func (f *outputFile) abort() {
	if !f.done {
		f.Close()
		os.Remove(f.Name())
	}
}

// termWidth is the width of the terminal a.Out writes to, or $COLUMNS, or
// 0 (no truncation) when neither is known.
func termWidth(a *app) int {
	if f, ok := a.Out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if a.Getenv != nil {
		if w, err := strconv.Atoi(a.Getenv("COLUMNS")); err == nil && w > 0 {
			return w
		}
	}
	return 0
}
