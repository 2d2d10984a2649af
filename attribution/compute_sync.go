package attribution

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"

	"github.com/ctattrib/ctattrib/store"
)

// Compute is one part of a SageMaker resource running on one execution
// role, as compute_resources holds it: a job, a HyperPod instance group.
type Compute struct {
	AccountID, Region, Kind, Name string
	Parent                        string // a user profile's domain id; "" for the rest
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
	sagemaker.ListTransformJobsAPIClient
	DescribeTransformJob(context.Context, *sagemaker.DescribeTransformJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeTransformJobOutput, error)
	sagemaker.ListDomainsAPIClient
	DescribeDomain(context.Context, *sagemaker.DescribeDomainInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error)
	sagemaker.ListUserProfilesAPIClient
	DescribeUserProfile(context.Context, *sagemaker.DescribeUserProfileInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error)
}

var (
	stepComputeDeleteAPI = newStep("compute_delete_api.sql")
	stepComputeInsert    = newStep("compute_insert.sql")
)

// SyncCompute reads the training, processing and transform jobs created
// since since (all when zero), the HyperPod clusters, the endpoints and the
// Studio domains and user profiles of one account and region from the
// SageMaker API, and stores them with source 'api', replacing what an
// earlier sync stored there. A job's end is the API's; a transform job
// runs as its model's role; a cluster is one row per instance group that
// has instances, an endpoint one per model its endpoint config serves, on
// the model's role, since the endpoint was last updated; a domain one per
// default settings (user, space) that name a role, and a user profile
// (its domain id as parent) one when its settings name a role. Rows are
// named and split into parts as the CloudTrail inventory names them.
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
	xp := sagemaker.NewListTransformJobsPaginator(api, &sagemaker.ListTransformJobsInput{CreationTimeAfter: after})
	for xp.HasMorePages() {
		page, err := xp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list transform jobs in %s: %w", region, err)
		}
		for _, s := range page.TransformJobSummaries {
			c, err := describeTransformJob(ctx, api, aws.ToString(s.TransformJobName))
			if err != nil {
				return nil, fmt.Errorf("%w in %s", err, region)
			}
			add(c)
		}
	}
	cs, err := studioCompute(ctx, api)
	if err != nil {
		return nil, fmt.Errorf("%w in %s", err, region)
	}
	for _, c := range cs {
		add(c)
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

// describeTransformJob returns a transform job on its model's role. A
// model deleted since the job ran leaves the job without a role rather
// than failing the sync.
func describeTransformJob(ctx context.Context, api ComputeAPI, name string) (Compute, error) {
	d, err := api.DescribeTransformJob(ctx, &sagemaker.DescribeTransformJobInput{TransformJobName: aws.String(name)})
	if err != nil {
		return Compute{}, fmt.Errorf("describe transform job %s: %w", name, err)
	}
	c := Compute{Kind: "transform-job", Name: aws.ToString(d.TransformJobName), Part: "model " + aws.ToString(d.ModelName),
		ARN: aws.ToString(d.TransformJobArn), Status: string(d.TransformJobStatus),
		CreatedAt: utc(d.CreationTime), EndedAt: utc(d.TransformEndTime)}
	m, err := api.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: d.ModelName})
	var ae smithy.APIError
	switch {
	case err == nil:
		c.RoleARN = aws.ToString(m.ExecutionRoleArn)
	case errors.As(err, &ae) && ae.ErrorCode() == "ValidationException":
		// SageMaker reports a missing model this way.
	default:
		return Compute{}, fmt.Errorf("describe model %s of transform job %s: %w", aws.ToString(d.ModelName), name, err)
	}
	return c, nil
}

// studioCompute returns the Studio domains' default settings and the user
// profiles that name an execution role.
func studioCompute(ctx context.Context, api ComputeAPI) ([]Compute, error) {
	var out []Compute
	dp := sagemaker.NewListDomainsPaginator(api, &sagemaker.ListDomainsInput{})
	for dp.HasMorePages() {
		page, err := dp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list domains: %w", err)
		}
		for _, s := range page.Domains {
			id := aws.ToString(s.DomainId)
			d, err := api.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: s.DomainId})
			if err != nil {
				return nil, fmt.Errorf("describe domain %s: %w", id, err)
			}
			parts := []struct{ part, role string }{{"default user settings", ""}, {"default space settings", ""}}
			if d.DefaultUserSettings != nil {
				parts[0].role = aws.ToString(d.DefaultUserSettings.ExecutionRole)
			}
			if d.DefaultSpaceSettings != nil {
				parts[1].role = aws.ToString(d.DefaultSpaceSettings.ExecutionRole)
			}
			for _, p := range parts {
				if p.role == "" {
					continue
				}
				out = append(out, Compute{Kind: "studio-domain", Name: id, Part: p.part, ARN: aws.ToString(d.DomainArn),
					RoleARN: p.role, Status: string(d.Status), CreatedAt: utc(d.CreationTime)})
			}
			up := sagemaker.NewListUserProfilesPaginator(api, &sagemaker.ListUserProfilesInput{DomainIdEquals: s.DomainId})
			for up.HasMorePages() {
				page, err := up.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("list user profiles of domain %s: %w", id, err)
				}
				for _, u := range page.UserProfiles {
					p, err := api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: s.DomainId, UserProfileName: u.UserProfileName})
					if err != nil {
						return nil, fmt.Errorf("describe user profile %s of domain %s: %w", aws.ToString(u.UserProfileName), id, err)
					}
					if p.UserSettings == nil || aws.ToString(p.UserSettings.ExecutionRole) == "" {
						continue
					}
					out = append(out, Compute{Kind: "studio-user-profile", Name: aws.ToString(p.UserProfileName), Parent: id,
						ARN: aws.ToString(p.UserProfileArn), RoleARN: aws.ToString(p.UserSettings.ExecutionRole),
						Status: string(p.Status), CreatedAt: utc(p.CreationTime)})
				}
			}
		}
	}
	return out, nil
}
