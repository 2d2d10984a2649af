package fakeaws

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Job is a training or processing job.
type Job struct {
	Name    string
	RoleARN string
	Status  string    // InProgress, Completed, Failed, Stopping or Stopped
	Created time.Time // CreationTime
	Ended   time.Time // TrainingEndTime or ProcessingEndTime; zero while it runs
}

// ClusterGroup is an instance group of a HyperPod cluster.
type ClusterGroup struct {
	Name          string
	ExecutionRole string
	CurrentCount  int
}

// Cluster is a SageMaker HyperPod cluster.
type Cluster struct {
	Name    string
	ID      string // the last part of its ARN
	Status  string // InService when empty
	Created time.Time
	Groups  []ClusterGroup
}

// Endpoint is a SageMaker endpoint with its endpoint config's models.
type Endpoint struct {
	Name       string
	ConfigName string
	Models     []Model // the config's production variants, one model each
	Created    time.Time
}

// Model is a SageMaker model.
type Model struct {
	Name    string
	RoleARN string // ExecutionRoleArn
}

// TransformJob is a batch transform job, which runs as its model's role.
type TransformJob struct {
	Name      string
	ModelName string
	Status    string    // InProgress, Completed, Failed, Stopping or Stopped
	Created   time.Time // CreationTime
	Ended     time.Time // TransformEndTime; zero while it runs
}

// UserProfile is a Studio user profile in a domain.
type UserProfile struct {
	DomainID      string
	Name          string
	ExecutionRole string // UserSettings.ExecutionRole; none when empty
	Created       time.Time
}

// AddModel adds or replaces a model that no endpoint serves, such as a
// transform job's.
func (s *Server) AddModel(m Model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models[m.Name] = &m
}

// AddTransformJob adds or replaces a transform job.
func (s *Server) AddTransformJob(j TransformJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transformJobs[j.Name] = &j
}

// AddUserProfile adds or replaces a user profile of a domain.
func (s *Server) AddUserProfile(u UserProfile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userProfiles[u.DomainID+"/"+u.Name] = &u
}

// AddEndpoint adds or replaces an endpoint, its endpoint config and its
// models.
func (s *Server) AddEndpoint(e Endpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpoints[e.Name] = &e
}

// AddTrainingJob adds or replaces a training job.
func (s *Server) AddTrainingJob(j Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trainingJobs[j.Name] = &j
}

// AddProcessingJob adds or replaces a processing job.
func (s *Server) AddProcessingJob(j Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.processingJobs[j.Name] = &j
}

// AddCluster adds or replaces a HyperPod cluster.
func (s *Server) AddCluster(c Cluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Status == "" {
		c.Status = "InService"
	}
	s.clusters[c.Name] = &c
}

// computeOp runs the List and Describe operations of jobs and clusters;
// ok is false for any other operation. s.mu is held.
func (s *Server) computeOp(op string, in map[string]any) (out any, aerr *apiError, ok bool) {
	switch op {
	case "ListTrainingJobs":
		out, aerr = page(in, s.PageSize, "TrainingJobSummaries", sortedKeys(s.trainingJobs), func(name string) any {
			j := s.trainingJobs[name]
			return map[string]any{"TrainingJobName": j.Name, "TrainingJobArn": s.arn("training-job", j.Name),
				"TrainingJobStatus": j.Status, "CreationTime": epoch(j.Created)}
		})
	case "DescribeTrainingJob":
		j, found := s.trainingJobs[str(in, "TrainingJobName")]
		if !found {
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFound", "Requested resource not found."}, true
		}
		d := map[string]any{"TrainingJobName": j.Name, "TrainingJobArn": s.arn("training-job", j.Name), "RoleArn": j.RoleARN,
			"TrainingJobStatus": j.Status, "CreationTime": epoch(j.Created), "TrainingStartTime": epoch(j.Created)}
		if !j.Ended.IsZero() {
			d["TrainingEndTime"] = epoch(j.Ended)
		}
		out = d
	case "ListProcessingJobs":
		out, aerr = page(in, s.PageSize, "ProcessingJobSummaries", sortedKeys(s.processingJobs), func(name string) any {
			j := s.processingJobs[name]
			return map[string]any{"ProcessingJobName": j.Name, "ProcessingJobArn": s.arn("processing-job", j.Name),
				"ProcessingJobStatus": j.Status, "CreationTime": epoch(j.Created)}
		})
	case "DescribeProcessingJob":
		j, found := s.processingJobs[str(in, "ProcessingJobName")]
		if !found {
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFound", "Requested resource not found."}, true
		}
		d := map[string]any{"ProcessingJobName": j.Name, "ProcessingJobArn": s.arn("processing-job", j.Name), "RoleArn": j.RoleARN,
			"ProcessingJobStatus": j.Status, "CreationTime": epoch(j.Created)}
		if !j.Ended.IsZero() {
			d["ProcessingEndTime"] = epoch(j.Ended)
		}
		out = d
	case "ListClusters":
		out, aerr = page(in, s.PageSize, "ClusterSummaries", sortedKeys(s.clusters), func(name string) any {
			c := s.clusters[name]
			return map[string]any{"ClusterName": c.Name, "ClusterArn": s.arn("cluster", c.ID),
				"ClusterStatus": c.Status, "CreationTime": epoch(c.Created)}
		})
	case "DescribeCluster":
		name := str(in, "ClusterName")
		if strings.HasPrefix(name, "arn:") {
			for _, c := range s.clusters {
				if s.arn("cluster", c.ID) == name {
					name = c.Name
				}
			}
		}
		c, found := s.clusters[name]
		if !found {
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFound", fmt.Sprintf("Cluster %s not found", name)}, true
		}
		groups := []any{}
		for _, g := range c.Groups {
			groups = append(groups, map[string]any{"InstanceGroupName": g.Name, "ExecutionRole": g.ExecutionRole,
				"CurrentCount": g.CurrentCount, "TargetCount": g.CurrentCount, "InstanceType": "ml.m5.xlarge"})
		}
		out = map[string]any{"ClusterName": c.Name, "ClusterArn": s.arn("cluster", c.ID), "ClusterStatus": c.Status,
			"CreationTime": epoch(c.Created), "InstanceGroups": groups}
	case "ListEndpoints":
		out, aerr = page(in, s.PageSize, "Endpoints", sortedKeys(s.endpoints), func(name string) any {
			e := s.endpoints[name]
			return map[string]any{"EndpointName": e.Name, "EndpointArn": s.arn("endpoint", e.Name),
				"EndpointStatus": "InService", "CreationTime": epoch(e.Created), "LastModifiedTime": epoch(e.Created)}
		})
	case "DescribeEndpoint":
		e, found := s.endpoints[str(in, "EndpointName")]
		if !found {
			return nil, validation("Could not find endpoint %q.", str(in, "EndpointName")), true
		}
		out = map[string]any{"EndpointName": e.Name, "EndpointArn": s.arn("endpoint", e.Name), "EndpointConfigName": e.ConfigName,
			"EndpointStatus": "InService", "CreationTime": epoch(e.Created), "LastModifiedTime": epoch(e.Created)}
	case "DescribeEndpointConfig":
		for _, e := range s.endpoints {
			if e.ConfigName != str(in, "EndpointConfigName") {
				continue
			}
			variants := []any{}
			for i, m := range e.Models {
				variants = append(variants, map[string]any{"VariantName": fmt.Sprintf("variant-%d", i+1), "ModelName": m.Name,
					"InitialInstanceCount": 1, "InstanceType": "ml.m5.large"})
			}
			return map[string]any{"EndpointConfigName": e.ConfigName, "EndpointConfigArn": s.arn("endpoint-config", e.ConfigName),
				"ProductionVariants": variants, "CreationTime": epoch(e.Created)}, nil, true
		}
		return nil, validation("Could not find endpoint configuration %q.", str(in, "EndpointConfigName")), true
	case "ListTransformJobs":
		out, aerr = page(in, s.PageSize, "TransformJobSummaries", sortedKeys(s.transformJobs), func(name string) any {
			j := s.transformJobs[name]
			return map[string]any{"TransformJobName": j.Name, "TransformJobArn": s.arn("transform-job", j.Name),
				"TransformJobStatus": j.Status, "CreationTime": epoch(j.Created)}
		})
	case "DescribeTransformJob":
		j, found := s.transformJobs[str(in, "TransformJobName")]
		if !found {
			return nil, validation("Could not find requested job with name %s", str(in, "TransformJobName")), true
		}
		d := map[string]any{"TransformJobName": j.Name, "TransformJobArn": s.arn("transform-job", j.Name), "ModelName": j.ModelName,
			"TransformJobStatus": j.Status, "CreationTime": epoch(j.Created), "TransformStartTime": epoch(j.Created)}
		if !j.Ended.IsZero() {
			d["TransformEndTime"] = epoch(j.Ended)
		}
		out = d
	case "ListDomains":
		out, aerr = page(in, s.PageSize, "Domains", sortedKeys(s.domains), func(id string) any {
			d := s.domains[id]
			return map[string]any{"DomainId": d.ID, "DomainName": d.Name, "DomainArn": s.domainARN(d.ID),
				"Status": "InService", "CreationTime": epoch(d.Created)}
		})
	case "ListUserProfiles":
		var keys []string
		for _, k := range sortedKeys(s.userProfiles) {
			if id := str(in, "DomainIdEquals"); id == "" || s.userProfiles[k].DomainID == id {
				keys = append(keys, k)
			}
		}
		out, aerr = page(in, s.PageSize, "UserProfiles", keys, func(k string) any {
			u := s.userProfiles[k]
			return map[string]any{"DomainId": u.DomainID, "UserProfileName": u.Name, "Status": "InService",
				"CreationTime": epoch(u.Created)}
		})
	case "DescribeUserProfile":
		u, found := s.userProfiles[str(in, "DomainId")+"/"+str(in, "UserProfileName")]
		if !found {
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFound", "User profile not found"}, true
		}
		out = map[string]any{"DomainId": u.DomainID, "UserProfileName": u.Name, "Status": "InService",
			"UserProfileArn": fmt.Sprintf("arn:aws:sagemaker:%s:%s:user-profile/%s/%s", s.Region, s.Account, u.DomainID, u.Name),
			"CreationTime":   epoch(u.Created), "UserSettings": map[string]any{"ExecutionRole": u.ExecutionRole}}
	case "DescribeModel":
		if m, found := s.models[str(in, "ModelName")]; found {
			return map[string]any{"ModelName": m.Name, "ModelArn": s.arn("model", m.Name),
				"ExecutionRoleArn": m.RoleARN, "CreationTime": 0}, nil, true
		}
		for _, e := range s.endpoints {
			for _, m := range e.Models {
				if m.Name == str(in, "ModelName") {
					return map[string]any{"ModelName": m.Name, "ModelArn": s.arn("model", m.Name),
						"ExecutionRoleArn": m.RoleARN, "CreationTime": epoch(e.Created)}, nil, true
				}
			}
		}
		return nil, validation("Could not find model %q.", str(in, "ModelName")), true
	default:
		return nil, nil, false
	}
	return out, aerr, true
}

func (s *Server) arn(kind, name string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:%s/%s", s.Region, s.Account, kind, strings.ToLower(name))
}

func epoch(t time.Time) float64 { return float64(t.Unix()) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// page returns one page of a List operation's summaries, NextToken as
// ListNotebookInstances spells it.
func page(in map[string]any, pageSize int, field string, names []string, summary func(string) any) (any, *apiError) {
	start := 0
	if tok := str(in, "NextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || n < 0 || n > len(names) {
			return nil, validation("Invalid pagination token %q", tok)
		}
		start = n
	}
	size := pageSize
	if m, ok := in["MaxResults"].(float64); ok && m > 0 {
		size = int(m)
	}
	if size <= 0 {
		size = 10
	}
	end := min(start+size, len(names))
	list := []any{}
	for _, name := range names[start:end] {
		list = append(list, summary(name))
	}
	out := map[string]any{field: list}
	if end < len(names) {
		out["NextToken"] = "page-" + strconv.Itoa(end)
	}
	return out, nil
}
