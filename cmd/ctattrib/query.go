package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctattrib/ctattrib/query"
	"github.com/ctattrib/ctattrib/store"
)

// queryFlags are the flags every query shares. They are bound once, as
// persistent flags of the query command; each query's options embed them.
type queryFlags struct {
	Format, Output  string
	Since, Until    string
	Account, Region string
}

// bind binds the shared flags to cmd and its subcommands.
func (f *queryFlags) bind(cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVarP(&f.Format, "format", "f", "table", "output `format`: table, csv, json, jsonl, parquet or arrow")
	pf.StringVarP(&f.Output, "output", "o", "", "write to `FILE` instead of standard output (required for parquet and arrow)")
	bindTimeFlags(pf, &f.Since, &f.Until, "events")
	pf.StringVar(&f.Account, "account", "", "only this account `ID`")
	pf.StringVar(&f.Region, "region", "", "only this `region`")
}

// filtered reports whether any of --since, --until, --account and
// --region was given.
func (f *queryFlags) filtered() bool {
	return f.Since != "" || f.Until != "" || f.Account != "" || f.Region != ""
}

// filter is the shared filters as the query package takes them.
func (f *queryFlags) filter(now time.Time) (query.Filter, error) {
	since, until, err := parseTimeFlags(f.Since, f.Until, now)
	if err != nil {
		return query.Filter{}, err
	}
	return query.Filter{Since: since, Until: until, Account: f.Account, Region: f.Region}, nil
}

// newQueryCmd is the query command. Each query is one file, query_NAME.go
// (options, flags, help, validation and run function), whose constructor
// is added here.
func newQueryCmd(a *app) *cobra.Command {
	var flags queryFlags
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

  # Compute credentials used from somewhere else, most severe first
  ctattrib query findings --since 7d

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
	flags.bind(cmd)
	cmd.AddCommand(
		newQueryWhodidCmd(a, &flags),
		newQueryActivityCmd(a, &flags),
		newQueryInstancesCmd(a, &flags),
		newQueryComputeCmd(a, &flags),
		newQueryDeniedCmd(a, &flags),
		newQueryCoverageCmd(a, &flags),
		newQueryFindingsCmd(a, &flags),
		newQuerySQLCmd(a, &flags),
	)
	return cmd
}

// queryFunc runs one query on db, narrowed by filter.
type queryFunc func(ctx context.Context, db *store.DB, filter query.Filter) (*query.Rows, error)

// runQuery checks the shared flags, opens the database read-only, runs fn
// and writes its rows in --format to standard output or --output.
func runQuery(ctx context.Context, a *app, flags *queryFlags, name string, fn queryFunc) error {
	format, err := query.ParseFormat(flags.Format)
	if err != nil {
		return usageErrorf("--format: %v", err)
	}
	if format.Binary() && flags.Output == "" {
		return usageErrorf("--format %s writes a file: give --output FILE", format)
	}
	if format.Binary() && flags.Output == "-" && a.OutTTY {
		return usageErrorf("refusing to write %s to a terminal", format)
	}
	filter, err := flags.filter(a.Now())
	if err != nil {
		return err
	}

	db, err := a.open(ctx, store.ReadOnly, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := fn(ctx, db, filter)
	if err != nil {
		return err
	}
	defer rows.Close()

	out, wopts := a.Out, query.WriteOptions{}
	if flags.Output != "" && flags.Output != "-" {
		f, err := createOutput(flags.Output)
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
	a.Log.Info("Query done", "query", name, "rows", sum.Rows, "format", string(format))
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
