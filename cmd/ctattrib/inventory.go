package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/store"
)

func newInventoryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "List, import or sync the notebook instances attribution matches sessions with",
		Long: `The inventory holds one row per lifetime of a notebook instance: names are
unique only per account and region and can be reused after deletion. It is
built from Create/Update/DeleteNotebookInstance events in the database
(source cloudtrail), and can be completed from the SageMaker API (sync) or
a CSV file (import). Run 'ctattrib attribute' afterwards to use it.`,
		Args: cobraArgs(cobra.NoArgs),
	}
	cmd.AddCommand(newInventoryListCmd(a), newInventoryImportCmd(a), newInventorySyncCmd(a))
	return cmd
}

func newInventoryListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list [--db FILE]",
		Short: "Print the notebook inventory as a table",
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInventoryList(cmd.Context(), a)
		},
	}
}

func runInventoryList(ctx context.Context, a *app) error {
	db, err := a.open(ctx, store.ReadWrite, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := attribution.RefreshInventory(ctx, db); err != nil {
		return err
	}
	nbs, err := attribution.ListInventory(ctx, db)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tREGION\tNAME\tROLE\tLIFECYCLE CONFIG\tCREATED\tDELETED\tSTATUS\tSOURCE")
	for _, nb := range nbs {
		role := attribution.RoleNameFromARN(nb.RoleARN)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", nb.AccountID, nb.Region, nb.Name, dash(role),
			dash(nb.LifecycleConfigName), fmtTime(nb.CreatedAt), fmtTime(nb.DeletedAt), dash(nb.Status), nb.Source)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func newInventoryImportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "import [--db FILE] FILE.csv",
		Short: "Add notebook instances or other SageMaker compute from a CSV file",
		Long: `Add notebook instances from a CSV file with the header

  account_id,region,name,role_arn,lifecycle_config_name,created_at,deleted_at

or other SageMaker compute (kind hyperpod-cluster, training-job,
processing-job, transform-job, endpoint, studio-domain or
studio-user-profile; part an instance group, or empty) from one with the
header

  account_id,region,kind,name,part,role_arn,created_at,ended_at

Times are RFC 3339 or YYYY-MM-DD; leave created_at empty when unknown and
deleted_at or ended_at empty while it exists. Every bad line is reported
with its number and nothing is imported. The file replaces earlier CSV rows
for the names it lists.`,
		Example: `  ctattrib inventory import notebooks.csv && ctattrib attribute
  ctattrib inventory import clusters.csv && ctattrib attribute`,
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInventoryImport(cmd.Context(), a, args[0])
		},
	}
}

func runInventoryImport(ctx context.Context, a *app, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if head, _ := br.Peek(len("account_id,region,kind,")); string(head) == "account_id,region,kind," {
		return runComputeImport(ctx, a, path, br)
	}
	nbs, err := attribution.ParseInventoryCSV(br)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := a.open(ctx, store.ReadWrite, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := attribution.ImportInventory(ctx, db, nbs); err != nil {
		return err
	}
	fmt.Fprintf(a.Out, "imported %d notebook instances from %s\n", len(nbs), path)
	return nil
}

// runComputeImport imports a compute inventory file, whose header names a
// kind column.
func runComputeImport(ctx context.Context, a *app, path string, r io.Reader) error {
	cs, err := attribution.ParseComputeCSV(r)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := a.open(ctx, store.ReadWrite, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := attribution.ImportCompute(ctx, db, cs); err != nil {
		return err
	}
	fmt.Fprintf(a.Out, "imported %d SageMaker compute rows from %s\n", len(cs), path)
	return nil
}

type inventorySyncOptions struct {
	Regions []string
	// AWS.Region is unused: --region is a list here.
	AWS awsFlags
}

func newInventorySyncCmd(a *app) *cobra.Command {
	var opts inventorySyncOptions
	cmd := &cobra.Command{
		Use:   "sync [--region R]... [--profile P] [--endpoint-url URL]",
		Short: "Read notebook instances, jobs, clusters, endpoints and Studio settings from the SageMaker API",
		Long: `Read the notebook instances of the calling account from the SageMaker API
(ListNotebookInstances, then DescribeNotebookInstance for each) in every
--region, and store them in the inventory with source api. The account id
comes from STS GetCallerIdentity. Instances an earlier sync stored that
the API no longer lists are marked deleted.

It reads the training, processing and transform jobs (List*Jobs,
Describe*Job: the role and the real end; a transform job's role is its
model's, DescribeModel), the HyperPod clusters (ListClusters,
DescribeCluster: each instance group with instances and its execution
role), the endpoints (ListEndpoints, DescribeEndpoint,
DescribeEndpointConfig, DescribeModel: each model's execution role) and
the Studio domains and user profiles (ListDomains, DescribeDomain: the
default user and space settings' execution roles; ListUserProfiles,
DescribeUserProfile: the profile's execution role) too, replacing what an
earlier sync stored for the region; ctattrib query compute lists them.`,
		Example: `  ctattrib inventory sync --profile audit --region us-east-1 --region eu-west-1`,
		Args:    cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInventorySync(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Regions, "region", nil, "AWS `region` to read (repeatable; default: the profile's region)")
	opts.AWS.bind(cmd.Flags(), "", "SageMaker and STS endpoint `URL` (for tests and private endpoints)")
	return cmd
}

func runInventorySync(ctx context.Context, a *app, opts inventorySyncOptions) error {
	regions := opts.Regions
	if len(regions) == 0 {
		regions = []string{""}
	}
	db, err := a.open(ctx, store.ReadWrite, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	for _, region := range regions {
		flags := opts.AWS
		flags.Region = region
		cfg, err := a.awsConfig(ctx, flags)
		if err != nil {
			return err
		}
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return fmt.Errorf("get caller identity: %w", err)
		}
		account := aws.ToString(id.Account)
		region = cfg.Region
		client := sagemaker.NewFromConfig(cfg)
		nbs, err := attribution.Sync(ctx, db, client, account, region, a.Now())
		if err != nil {
			return err
		}
		comp, err := attribution.SyncCompute(ctx, db, client, account, region, time.Time{})
		if err != nil {
			return err
		}
		a.Log.Info("Synced notebook instances and compute", "account", account, "region", region, "instances", len(nbs), "compute", len(comp))
		fmt.Fprintf(a.Out, "%s %s: %d notebook instances, %d jobs, HyperPod instance groups, endpoint models and Studio settings\n",
			account, region, len(nbs), len(comp))
	}
	return nil
}
