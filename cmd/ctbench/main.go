// Command ctbench is what make bench runs: it measures ctattrib on a
// generated corpus, in one run, against DuckDB's own read_json on the same
// files, and prints every figure the performance targets name.
//
//	go run ./cmd/ctbench [--events 1000000] [--query-events 10000000] [--cache DIR]
//
// The corpus (and the large database the queries run on) are generated
// once and cached outside the repository. Every measured step runs as a
// child process, so that its wall time and peak RSS are its own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// children are the subcommands ctbench runs as its own child processes.
var children = map[string]func(args []string) error{
	"baseline":  runBaseline, // ctbench baseline DIR DB: DuckDB's read_json
	"decode":    runDecode,   // ctbench decode DIR: gunzip and split alone
	"generate":  runGenerate, // ctbench generate DIR EVENTS SEED START STATS: a corpus
	"migrate":   runMigrate,
	"replicate": runReplicate,
}

// runChild runs, and exits with, the child subcommand os.Args names, if
// it names one. Work on a database runs in a child: a child's peak RSS
// counts its parent's at the time it starts (Linux carries the high-water
// mark across exec), so ctbench itself must stay small.
func runChild() {
	if len(os.Args) < 2 {
		return
	}
	run, ok := children[os.Args[1]]
	if !ok {
		return
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "ctbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	os.Exit(0)
}

func main() {
	runChild()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "ctbench: %v\n", err)
		os.Exit(1)
	}
}

type config struct {
	Events      int
	QueryEvents int
	Cache       string
	Work        string // scratch folder for databases (default: a temp dir)
	Seed        uint64
	SkipS3      bool
	SkipQueries bool
	Markdown    string // also write the results as a markdown table here
	Runs        int    // runs of each query; the best is reported
}

func parseFlags(args []string, errw io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("ctbench", flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.IntVar(&c.Events, "events", 1_000_000, "events in the ingest corpus")
	fs.IntVar(&c.QueryEvents, "query-events", 10_000_000, "events in the database the queries and attribute run on")
	fs.StringVar(&c.Cache, "cache", defaultCache(), "folder for the generated corpora and databases, kept between runs")
	fs.StringVar(&c.Work, "work", "", "scratch folder for the databases of this run (default: a new temp folder)")
	fs.Uint64Var(&c.Seed, "seed", 1, "corpus seed")
	fs.BoolVar(&c.SkipS3, "skip-s3", false, "skip the loopback S3 ingest")
	fs.BoolVar(&c.SkipQueries, "skip-queries", false, "skip attribute and the queries on the large database")
	fs.StringVar(&c.Markdown, "markdown", "", "also write the results as a markdown table to this `file`")
	fs.IntVar(&c.Runs, "runs", 3, "runs of each query (the best is reported)")
	fs.Usage = func() {
		fmt.Fprintf(errw, "usage: ctbench [flags]\n\nMeasures ctattrib on a generated corpus (see make bench).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Events < 1000 || c.QueryEvents < c.Events || c.Runs < 1 {
		fmt.Fprintln(errw, "ctbench: want --events >= 1000, --query-events >= --events and --runs >= 1")
		return c, errors.New("bad flags")
	}
	return c, nil
}

func defaultCache() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "ctattrib-bench")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "ctattrib-bench")
	}
	return filepath.Join(os.TempDir(), "ctattrib-bench")
}
