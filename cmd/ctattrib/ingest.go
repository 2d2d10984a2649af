package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/ingest"
	"github.com/ctattrib/ctattrib/store"
)

type ingestOptions struct {
	Sources     []string
	Workers     int
	Accounts    []string
	Regions     []string
	Since       string
	Until       string
	AWS         awsFlags
	NoAttribute bool
	MemoryLimit string
	Relist      bool
	ReadTimeout time.Duration
}

func newIngestCmd(a *app) *cobra.Command {
	var opts ingestOptions
	cmd := &cobra.Command{
		Use:   "ingest [--db FILE] SOURCE...",
		Short: "Load CloudTrail logs from S3 or local folders into the DuckDB file",
		Long: `Load CloudTrail logs into the DuckDB file, then attribute the new events.

SOURCE is s3://bucket[/prefix] or a local file or folder. ingest understands
the layout CloudTrail writes to S3,

  [prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz

and --account, --region, --since and --until prune the listing by that
layout (digest and Insight objects are never read). Each object may be
gzip or plain JSON in any of these forms, detected from content, and a
bucket may mix them: {"Records":[...]} as CloudTrail writes it, a JSON
array of events, JSON lines (CloudTrail Lake exports), the output of
'aws cloudtrail lookup-events' (whole, or one entry per line), EventBridge
events, Cribl records (_raw a string or an object), and CloudWatch Logs
subscription records as Firehose delivers them.

A record that is not a CloudTrail event (no eventName, eventSource or
eventTime) is never stored: it is counted, the object's manifest row
names the first (objects.rejected, rejected_reason), the summary lists
them and the command exits with status 3. An object with no event at all
fails, with what it looks like. 'ctattrib check' checks any database.

Runs are incremental: objects already loaded (same ETag) are skipped,
failed objects are retried, and events are deduplicated by eventID. A
malformed object never stops the run; it is recorded as failed and the
command exits with status 3.

CloudTrail delivers each file into the folder of the day it delivers it, so
older day folders do not change. After a run that listed to the end, the
next lists each region folder from the day before the latest day folder it
saw, not from the first: a nightly run costs what is new, not the whole
bucket. An older object that failed is retried from its day folder alone.
Logs copied into older day folders later are found with --relist, or
--since.

Exit status: 0 all loaded, 1 error, 2 bad usage, 3 some objects failed
or records were rejected, 130 interrupted.`,
		Example: `  # A trail's bucket, last week only, one account
  ctattrib ingest s3://my-trail-bucket --account 111122223333 --since 7d

  # An organisation trail with a key prefix, through a named profile
  ctattrib ingest --profile audit s3://org-trail/prefix/AWSLogs/o-a1b2c3d4e5/

  # A folder of downloaded logs or lookup-events output
  ctattrib ingest --db audit.duckdb ./logs`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			return runIngest(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&opts.Workers, "workers", "j", 0, "concurrent downloads and decodes (default: number of CPUs)")
	f.StringSliceVar(&opts.Accounts, "account", nil, "only these account `IDs` (repeatable, comma-separated)")
	f.StringSliceVar(&opts.Regions, "region-filter", nil, "only log files of these `regions`")
	f.StringVar(&opts.Since, "since", "", "only log files from this `time` on: RFC 3339, YYYY-MM-DD, or a duration ago like 36h or 7d")
	f.StringVar(&opts.Until, "until", "", "only log files up to this `time` (same forms as --since)")
	opts.AWS.bind(f, "AWS `region` of the bucket (discovered when unset)", "S3-compatible endpoint `URL` (path-style addressing); AWS_ENDPOINT_URL_S3 works too")
	f.BoolVar(&opts.NoAttribute, "no-attribute", false, "do not run attribution after loading")
	f.BoolVar(&opts.Relist, "relist", false, "list every day folder, not only those since the last complete run (for logs copied into older folders)")
	f.DurationVar(&opts.ReadTimeout, "read-timeout", ingest.DefaultReadTimeout, "fail an S3 object or listing page that sends nothing for this `duration` (retries included); it is retried next run")
	f.StringVar(&opts.MemoryLimit, "memory-limit", defaultMemoryLimit, "cap on DuckDB's buffer `memory` (joins and sorts spill to disk beyond it); while loading, DuckDB gets 60% of it (at least 300MB) and records in flight the rest")
	bindSummaryJSON(a, cmd)
	return cmd
}

func runIngest(ctx context.Context, a *app, opts ingestOptions) error {
	now := a.Now()
	since, err := parseTimeFlag("--since", opts.Since, now)
	if err != nil {
		return err
	}
	until, err := parseTimeFlag("--until", opts.Until, now)
	if err != nil {
		return err
	}
	if opts.Workers < 0 {
		return usageErrorf("--workers must be positive")
	}
	if opts.ReadTimeout <= 0 {
		return usageErrorf("--read-timeout must be positive")
	}
	store.TuneGoHeapForLoading()
	srcOpts := ingest.SourceOptions{ReadTimeout: opts.ReadTimeout}
	if slices.ContainsFunc(opts.Sources, func(uri string) bool { return strings.HasPrefix(uri, "s3://") }) {
		// S3 comes from the same AWS configuration as every other client;
		// without a region, ingest asks S3 where the bucket is.
		cfg, err := a.AWSConfig(ctx, opts.AWS)
		if err != nil {
			return err
		}
		srcOpts.Config = &cfg
	}

	loading, err := scaleSize(opts.MemoryLimit, 0.6, 300<<20)
	if err != nil {
		return usageErrorf("--memory-limit: %v", err)
	}
	db, err := a.open(ctx, store.ReadWrite, store.Options{MemoryLimit: loading})
	if err != nil {
		return err
	}
	defer db.Close()

	var total ingest.Summary
	var loadErr error
	for _, uri := range opts.Sources {
		src, err := ingest.OpenSource(ctx, uri, srcOpts)
		if err != nil {
			return err
		}
		a.Log.Info("Ingesting", "source", src.String(), "db", a.DBPath)
		bar := newProgress(a, src.String())
		sum, err := ingest.Load(ctx, db, src, ingest.Options{
			Workers:  opts.Workers,
			Filter:   ingest.Filter{Accounts: opts.Accounts, Regions: opts.Regions, Since: since, Until: until},
			Relist:   opts.Relist,
			Progress: bar.update,
			Log:      a.Log,
			Now:      a.Now,
		})
		bar.finish()
		addSummary(&total, sum)
		// Failed objects and folders that could not be listed are named in
		// the summary and retried next run; everything else committed.
		partial := errors.Is(err, ingest.ErrObjectsFailed) || errors.Is(err, ingest.ErrListingFailed) ||
			errors.Is(err, ingest.ErrRecordsRejected)
		if err != nil && !partial {
			printSummary(a, total)
			return err
		}
		if err != nil {
			loadErr = err
		}
	}
	attribute := !opts.NoAttribute
	if attribute && total.EventsNew == 0 {
		// Even an incremental attribution reads the whole inventory;
		// Pending costs two row counts.
		pending, err := attribution.Pending(ctx, db)
		if err != nil {
			return err
		}
		if !pending {
			a.Log.Info("Attribution up to date: no new events")
			attribute = false
		}
	}
	if attribute {
		// Attribution holds no records in Go: DuckDB may have it all.
		if err := db.SetMemoryLimit(ctx, opts.MemoryLimit); err != nil {
			return err
		}
		if err := attributeAfterIngest(ctx, a, db); err != nil {
			printSummary(a, total)
			return err
		}
	}
	printSummary(a, total)
	if loadErr != nil {
		return &partialError{msg: partialMessage(total)}
	}
	return nil
}

// partialMessage says what a run that finished with failures left out.
func partialMessage(s ingest.Summary) string {
	var parts []string
	if s.ObjectsFailed > 0 {
		parts = append(parts, plural(s.ObjectsFailed, "object")+" failed to load")
	}
	if s.ListingsFailed > 0 {
		parts = append(parts, plural(s.ListingsFailed, "folder")+" could not be listed")
	}
	tail := " (listed above; retried next run)"
	if s.RecordsRejected > 0 {
		if len(parts) == 0 {
			tail = " (listed above)"
		}
		parts = append(parts, fmt.Sprintf("%s in %s are not CloudTrail events and were left out",
			plural(int(s.RecordsRejected), "record"), plural(s.ObjectsRejecting, "object")))
	}
	return strings.Join(parts, " and ") + tail
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func addSummary(t *ingest.Summary, s ingest.Summary) {
	t.ObjectsListed += s.ObjectsListed
	t.ObjectsLoaded += s.ObjectsLoaded
	t.ObjectsUnchanged += s.ObjectsUnchanged
	t.ObjectsSkipped += s.ObjectsSkipped
	t.ObjectsFailed += s.ObjectsFailed
	t.EventsNew += s.EventsNew
	t.EventsDuplicate += s.EventsDuplicate
	t.FoldersResumed += s.FoldersResumed
	t.ListingsFailed += s.ListingsFailed
	t.Bytes += s.Bytes
	t.Failures = append(t.Failures, s.Failures...)
	t.RecordsRejected += s.RecordsRejected
	t.ObjectsRejecting += s.ObjectsRejecting
	t.Rejections = append(t.Rejections, s.Rejections...)
	t.ControlMessages += s.ControlMessages
	t.Elapsed += s.Elapsed
}

// printSummary writes the run's outcome to stdout: it is the result of the
// command, what a nightly job's log keeps.
func printSummary(a *app, s ingest.Summary) {
	a.summary.ingested(s)
	rate := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = float64(s.EventsNew+s.EventsDuplicate) / secs
	}
	fmt.Fprintf(a.Out, "objects: %d loaded, %d unchanged, %d skipped, %d failed\n",
		s.ObjectsLoaded, s.ObjectsUnchanged, s.ObjectsSkipped, s.ObjectsFailed)
	fmt.Fprintf(a.Out, "events:  %d new, %d duplicate (%.0f events/s, %s)\n",
		s.EventsNew, s.EventsDuplicate, rate, s.Elapsed.Round(time.Millisecond))
	if s.FoldersResumed > 0 {
		fmt.Fprintf(a.Out, "listing: resumed in %d region folders, at the day before the latest a complete run saw (--relist lists every day)\n", s.FoldersResumed)
	}
	for _, f := range s.Failures {
		fmt.Fprintf(a.Out, "failed:  %s: %s\n", f.URI, f.Err)
	}
	if n := s.ObjectsFailed - len(s.Failures); n > 0 {
		fmt.Fprintf(a.Out, "failed:  ... and %d more (SELECT uri, error FROM objects WHERE status = 'failed')\n", n)
	}
	if s.RecordsRejected > 0 {
		fmt.Fprintf(a.Out, "records: %d rejected in %s, not CloudTrail events (no eventName, eventSource or time)\n",
			s.RecordsRejected, plural(s.ObjectsRejecting, "object"))
	}
	for _, r := range s.Rejections {
		fmt.Fprintf(a.Out, "rejected: %s: %s\n", r.URI, r.Err)
	}
	if n := s.ObjectsRejecting - len(s.Rejections); n > 0 {
		fmt.Fprintf(a.Out, "rejected: ... and %d more (SELECT uri, rejected, rejected_reason FROM objects WHERE rejected > 0)\n", n)
	}
}
