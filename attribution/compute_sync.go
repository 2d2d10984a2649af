package attribution

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/ctattrib/ctattrib/store"
)

// Compute is one part of a SageMaker resource running on one execution
// role, as compute_resources holds it: a job, a HyperPod instance group.
type Compute struct {
	AccountID, Region, Kind, Name string
	Part                          string // instance group; "" for a job
	ARN, RoleARN, Status          string
	CreatedAt, EndedAt            *time.Time
	Source                        string // "cloudtrail", "api" or "csv"
}

// ComputeAPI is the part of the SageMaker client SyncCompute uses.
type ComputeAPI interface {
	sagemaker.ListTrainingJobsAPIClient
	DescribeTrainingJob(context.Context, *sagemaker.DescribeTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeTrainingJobOutput, error)
	sagemaker.ListProcessingJobsAPIClient
	DescribeProcessingJob(context.Context, *sagemaker.DescribeProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeProcessingJobOutput, error)
	sagemaker.ListClustersAPIClient
	DescribeCluster(context.Context, *sagemaker.DescribeClusterInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeClusterOutput, error)
	sagemaker.ListEndpointsAPIClient
	DescribeEndpoint(context.Context, *sagemaker.DescribeEndpointInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error)
	DescribeEndpointConfig(context.Context, *sagemaker.DescribeEndpointConfigInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointConfigOutput, error)
	DescribeModel(context.Context, *sagemaker.DescribeModelInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeModelOutput, error)
}

var (
	stepComputeDeleteAPI = newStep("compute_delete_api.sql")
	stepComputeInsert    = newStep("compute_insert.sql")
)

// SyncCompute reads the training and processing jobs created since since
// (all when zero), the HyperPod clusters and the endpoints of one account
// and region from the SageMaker API, and stores them with source 'api',
// replacing what an earlier sync stored there. A job's end is the API's; a
// cluster is one row per instance group that has instances, an endpoint
// one per model its endpoint config serves, on the model's role, since
// the endpoint was last updated.
func SyncCompute(ctx context.Context, db *store.DB, api ComputeAPI, account, region string, since time.Time) ([]Compute, error) {
	var out []Compute
	add := func(c Compute) {
		c.AccountID, c.Region, c.Source = account, region, "api"
		out = append(out, c)
	}
	var after *time.Time
	if !since.IsZero() {
		after = aws.Time(since)
	}
	tp := sagemaker.NewListTrainingJobsPaginator(api, &sagemaker.ListTrainingJobsInput{CreationTimeAfter: after})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list training jobs in %s: %w", region, err)
		}
		for _, s := range page.TrainingJobSummaries {
			d, err := api.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: s.TrainingJobName})
			if err != nil {
				return nil, fmt.Errorf("describe training job %s in %s: %w", aws.ToString(s.TrainingJobName), region, err)
			}
			add(Compute{Kind: "training-job", Name: aws.ToString(d.TrainingJobName), ARN: aws.ToString(d.TrainingJobArn),
				RoleARN: aws.ToString(d.RoleArn), Status: string(d.TrainingJobStatus),
				CreatedAt: utc(d.CreationTime), EndedAt: utc(d.TrainingEndTime)})
		}
	}
	pp := sagemaker.NewListProcessingJobsPaginator(api, &sagemaker.ListProcessingJobsInput{CreationTimeAfter: after})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list processing jobs in %s: %w", region, err)
		}
		for _, s := range page.ProcessingJobSummaries {
			d, err := api.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: s.ProcessingJobName})
			if err != nil {
				return nil, fmt.Errorf("describe processing job %s in %s: %w", aws.ToString(s.ProcessingJobName), region, err)
			}
			add(Compute{Kind: "processing-job", Name: aws.ToString(d.ProcessingJobName), ARN: aws.ToString(d.ProcessingJobArn),
				RoleARN: aws.ToString(d.RoleArn), Status: string(d.ProcessingJobStatus),
				CreatedAt: utc(d.CreationTime), EndedAt: utc(d.ProcessingEndTime)})
		}
	}
	cp := sagemaker.NewListClustersPaginator(api, &sagemaker.ListClustersInput{})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list clusters in %s: %w", region, err)
		}
		for _, s := range page.ClusterSummaries {
			d, err := api.DescribeCluster(ctx, &sagemaker.DescribeClusterInput{ClusterName: s.ClusterArn})
			if err != nil {
				return nil, fmt.Errorf("describe cluster %s in %s: %w", aws.ToString(s.ClusterName), region, err)
			}
			for _, g := range d.InstanceGroups {
				// A group scaled to no instances runs nothing.
				if aws.ToInt32(g.CurrentCount) == 0 {
					continue
				}
				add(Compute{Kind: "hyperpod-cluster", Name: aws.ToString(d.ClusterName), Part: aws.ToString(g.InstanceGroupName),
					ARN: aws.ToString(d.ClusterArn), RoleARN: aws.ToString(g.ExecutionRole), Status: string(d.ClusterStatus),
					CreatedAt: utc(d.CreationTime)})
			}
		}
	}
	ep := sagemaker.NewListEndpointsPaginator(api, &sagemaker.ListEndpointsInput{})
	for ep.HasMorePages() {
		page, err := ep.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list endpoints in %s: %w", region, err)
		}
		for _, s := range page.Endpoints {
			cs, err := describeEndpoint(ctx, api, aws.ToString(s.EndpointName))
			if err != nil {
				return nil, fmt.Errorf("%w in %s", err, region)
			}
			for _, c := range cs {
				add(c)
			}
		}
	}
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	r := quiet(tx)
	if _, err := r.exec(ctx, stepComputeDeleteAPI, sql.Named("account_id", account), sql.Named("region", region)); err != nil {
		return nil, err
	}
	if err := insertCompute(ctx, r, out); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// describeEndpoint returns an endpoint's models, each on its role.
func describeEndpoint(ctx context.Context, api ComputeAPI, name string) ([]Compute, error) {
	d, err := api.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("describe endpoint %s: %w", name, err)
	}
	cfg, err := api.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: d.EndpointConfigName})
	if err != nil {
		return nil, fmt.Errorf("describe endpoint config %s of endpoint %s: %w", aws.ToString(d.EndpointConfigName), name, err)
	}
	var out []Compute
	for _, v := range cfg.ProductionVariants {
		m, err := api.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: v.ModelName})
		if err != nil {
			return nil, fmt.Errorf("describe model %s of endpoint %s: %w", aws.ToString(v.ModelName), name, err)
		}
		started := d.LastModifiedTime
		if started == nil {
			started = d.CreationTime
		}
		out = append(out, Compute{Kind: "endpoint", Name: name, Part: "model " + aws.ToString(v.ModelName),
			ARN: aws.ToString(d.EndpointArn), RoleARN: aws.ToString(m.ExecutionRoleArn), Status: string(d.EndpointStatus),
			CreatedAt: utc(started)})
	}
	return out, nil
}
