// Command ctgen writes a deterministic CloudTrail corpus to a local folder
// for demos, tests and benchmarks: gzip'd log files in CloudTrail's S3
// layout, a few digest objects, and optionally truth.csv naming the actor
// behind every event.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/internal/corpus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ctgen: %v\n", err)
		if errors.Is(err, context.Canceled) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

type options struct {
	Out           string
	Events        int
	Seed          uint64
	Start         string
	EventsPerFile int
	Scenario      string
	Prefix        string
	DupRate       float64
	GovCloud      bool
	Truth         bool
	Misuse        bool
	Federated     bool
	Compute       bool
	Workers       int
	Quiet         bool
}

func newRootCmd(out, errw io.Writer) *cobra.Command {
	var opts options
	cmd := &cobra.Command{
		Use:   "ctgen --out DIR [--events N] [--scenario demo|bench]",
		Short: "Write a deterministic CloudTrail corpus to a folder",
		Long: `ctgen writes gzip'd CloudTrail log files in the layout CloudTrail uses in S3
(AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/...json.gz), a few
CloudTrail-Digest objects and, with --truth, truth.csv naming the actor behind
every event. The same flags always give byte-identical output.

--misuse injects, in every account and region, stolen credentials of notebook
instances (also through an AssumeRole hop, and after the instance stopped),
EC2 instances, Lambda functions and ECS tasks used from laptops, other clouds
and another VPC, and a session copied to another network; and decoys that
must not look stolen: NAT gateway address changes and notebooks moving between
subnets behind their VPC endpoint. truth.csv then has a sixth column, finding:
the kind of misuse a call is, or empty.

--compute adds, in every account and region of the bench scenario, a training
job and a HyperPod cluster, each the one compute on an execution role of its
own, calling under the role's default SageMaker session (truth kinds
training-job and hyperpod-cluster).`,
		Example: `  ctgen --out /tmp/ct --events 1000000 --truth
  ctgen --out testdata/demo --scenario demo --events 3000 --seed 1 --start 2026-11-01T00:00:00Z --truth
  ctgen --out /tmp/ct-misuse --events 1000000 --events-per-file 1000 --misuse --truth`,
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Out == "" {
				return errors.New("--out is required")
			}
			return run(cmd.Context(), opts, out)
		},
	}
	cmd.SetOut(out)
	cmd.SetErr(errw)
	f := cmd.Flags()
	f.StringVar(&opts.Out, "out", "", "output `folder`")
	f.IntVar(&opts.Events, "events", 10000, "number of distinct events")
	f.Uint64Var(&opts.Seed, "seed", 1, "random seed")
	f.StringVar(&opts.Start, "start", corpus.DefaultStart.Format(time.RFC3339), "start of the first log window (RFC 3339)")
	f.IntVar(&opts.EventsPerFile, "events-per-file", 0, "average events per log file (default 1000, demo 25)")
	f.StringVar(&opts.Scenario, "scenario", corpus.ScenarioBench, "scenario: demo or bench")
	f.StringVar(&opts.Prefix, "prefix", "", "trail S3 key prefix above AWSLogs/")
	f.Float64Var(&opts.DupRate, "duplicate-rate", 0, "share of events delivered twice (default 0.001, negative for none)")
	f.BoolVar(&opts.GovCloud, "govcloud", false, "add an aws-us-gov account (always on for the demo scenario)")
	f.BoolVar(&opts.Truth, "truth", false, "write truth.csv next to the logs")
	f.BoolVar(&opts.Federated, "federated", false, "add pods (IRSA, EKS Pod Identity), a GitHub Actions workflow, a SAML user and a pod's role in another account")
	f.BoolVar(&opts.Misuse, "misuse", false, "inject stolen compute credentials used elsewhere, and decoys; truth.csv gains a finding column")
	f.BoolVar(&opts.Compute, "compute", false, "add a training job and a HyperPod cluster per account and region (bench scenario)")
	f.IntVar(&opts.Workers, "workers", 0, "files built at once (default GOMAXPROCS; output does not depend on it)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "do not print the summary")
	return cmd
}

func run(ctx context.Context, opts options, out io.Writer) error {
	start, err := time.Parse(time.RFC3339, opts.Start)
	if err != nil {
		return fmt.Errorf("--start: %v", err)
	}
	cfg := corpus.Config{
		Seed:          opts.Seed,
		Start:         start,
		Events:        opts.Events,
		EventsPerFile: opts.EventsPerFile,
		Scenario:      opts.Scenario,
		Prefix:        opts.Prefix,
		DuplicateRate: opts.DupRate,
		GovCloud:      opts.GovCloud || opts.Scenario == corpus.ScenarioDemo,
		Workers:       opts.Workers,
		Misuse:        opts.Misuse,
		Federated:     opts.Federated,
		Compute:       opts.Compute,
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	var truth *os.File
	var tw io.Writer
	if opts.Truth {
		truth, err = os.Create(filepath.Join(opts.Out, "truth.csv"))
		if err != nil {
			return err
		}
		defer truth.Close()
		tw = truth
	}
	began := time.Now()
	st, err := corpus.Generate(ctx, cfg, corpus.DirWriter(opts.Out), tw)
	if err != nil {
		return err
	}
	if truth != nil {
		if err := truth.Close(); err != nil {
			return err
		}
	}
	if !opts.Quiet {
		el := time.Since(began)
		fmt.Fprintf(out, "%d events (+%d duplicates) in %d files and %d digests: %.1f MB gzip, %.1f MB raw, %v (%.0f events/s)\n",
			st.Events, st.Duplicates, st.Files, st.Digests, float64(st.Bytes)/1e6, float64(st.RawBytes)/1e6,
			el.Round(time.Millisecond), float64(st.Events)/el.Seconds())
	}
	return nil
}
