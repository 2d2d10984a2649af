package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/store"
)

// Exit codes. They are part of the interface that batch schedulers see, so
// the README documents them.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitPartial     = 3 // the run finished but some objects failed to load
	exitInterrupted = 130
)

// app holds what commands need from the outside world. Only main wires up
// real implementations; tests pass buffers, loopback servers and a fixed clock.
type app struct {
	Out, Err io.Writer
	In       io.Reader
	Log      *slog.Logger
	Now      func() time.Time
	Getenv   func(string) string
	// IsTTY reports whether Err is a terminal (progress bars);
	// OutTTY whether Out is (table width).
	IsTTY, OutTTY bool

	// DBPath is set by the persistent --db flag.
	DBPath string
	// Verbose counts -v flags.
	Verbose int
	// RetryLock is the persistent --retry-lock flag: how long to wait for
	// another process to let go of the database.
	RetryLock time.Duration

	// AWSConfig is where every S3, SageMaker, IAM and STS client's
	// configuration comes from; tests return static credentials and a
	// loopback endpoint.
	AWSConfig awsConfigFunc

	// summary collects the run's summary while a command given
	// --summary-json runs (nil otherwise; its methods do nothing on nil).
	summary *runSummary

	logLevel *slog.LevelVar
	// watched is the context watchDisk gave the command, if any, and
	// stopWatch ends the watch.
	watched   context.Context
	stopWatch context.CancelFunc
}

// usageError is an error in how the command was called: exit code 2.
type usageError struct {
	msg   string
	usage string
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// partialError reports a run that completed but could not load everything.
type partialError struct{ msg string }

func (e *partialError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue *usageError
	var pe *partialError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &pe):
		return exitPartial
	}
	return exitError
}

// hintFor returns one line telling the user what to do next, for errors we
// recognise.
func hintFor(err error) string {
	switch {
	case errors.Is(err, store.ErrInUse):
		return "Another ctattrib process has this database open; wait for it to finish (--retry-lock 10m waits up to ten minutes) or use another --db."
	case errors.Is(err, store.ErrNotExist):
		return "Load some CloudTrail logs first: ctattrib ingest --db FILE SOURCE"
	case store.IsDiskFull(err):
		return "Free some space on that disk (or move the database) and run the command again: the database is as its last completed step left it."
	case errors.Is(err, store.ErrUnreplayable):
		return "Run ctattrib ingest or attribute once: they recover what an interrupted first run of an older version left. If they cannot, keep a copy of the file and its .wal (see docs/operations.md)."
	}
	return ""
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "ctattrib",
		Short: "Attribute CloudTrail calls to the SageMaker notebook or other compute that made them",
		Long: `ctattrib loads CloudTrail logs (from S3 or a local folder) into an embedded
DuckDB file and works out, for every call made under an assumed role, which
notebook instance, Studio user profile, EC2 instance or other compute made it.

All notebook instances that share an execution role appear in CloudTrail as
assumed-role/ROLE/SageMaker. ctattrib uses the session name, AssumeRole key
chains, sourceIdentity and naming conventions to tell them apart, and says
why when it cannot.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if a.DBPath == "" {
				a.DBPath = a.Getenv("CTATTRIB_DB")
			}
			if a.DBPath == "" {
				a.DBPath = "ctattrib.duckdb"
			}
			if a.RetryLock < 0 {
				return usageErrorf("--retry-lock must not be negative")
			}
			if err := a.watchDisk(cmd); err != nil {
				return err
			}
			if a.logLevel != nil {
				switch {
				case a.Verbose >= 2:
					a.logLevel.Set(slog.LevelDebug)
				case a.Verbose == 1:
					a.logLevel.Set(slog.LevelInfo)
				}
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.DBPath, "db", a.DBPath, "DuckDB `file` (default $CTATTRIB_DB or ./ctattrib.duckdb)")
	root.PersistentFlags().CountVarP(&a.Verbose, "verbose", "v", "log more (-v info, -vv debug)")
	root.PersistentFlags().DurationVar(&a.RetryLock, "retry-lock", 0, "while another process has the database open, keep trying for up to this `duration` (e.g. 10m) instead of failing")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{msg: err.Error(), usage: cmd.UsageString()}
	})
	root.SetOut(a.Out)
	root.SetErr(a.Err)

	root.AddCommand(
		newIngestCmd(a),
		newAttributeCmd(a),
		newPruneCmd(a),
		newCompactCmd(a),
		newInventoryCmd(a),
		newQueryCmd(a),
		newLifecycleCmd(a),
		newExportCmd(a),
		newExplainCmd(a),
		newCheckCmd(a),
		newReportCmd(a),
	)
	return root
}

// cobraArgs wraps a cobra positional-argument check so that its failure is
// a usage error (exit 2).
func cobraArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &usageError{msg: err.Error(), usage: cmd.UsageString()}
		}
		return nil
	}
}

// open opens the --db file as every command does: with opts, and waiting
// for up to --retry-lock while another process holds it.
func (a *app) open(ctx context.Context, mode store.Mode, opts store.Options) (*store.DB, error) {
	return store.OpenWith(ctx, a.DBPath, mode, a.storeOptions(opts))
}

// storeOptions adds --retry-lock to opts, and a warning when it waits.
func (a *app) storeOptions(opts store.Options) store.Options {
	opts.RetryLock = a.RetryLock
	opts.Waiting = func(err error) {
		a.Log.Warn("Database in use; waiting", "err", err, "retry_lock", a.RetryLock)
	}
	opts.Recovered = func(aside string) {
		a.Log.Warn("Database left unreadable by an interrupted first run: set its log aside and created it again", "db", a.DBPath, "log", aside)
	}
	return opts
}

func newDiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
