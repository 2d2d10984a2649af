// Package fakeaws is an in-memory stand-in for the parts of SageMaker, IAM,
// STS and the EC2 instance metadata service that ctattrib uses, served over
// HTTP on loopback so that tests can point the real AWS SDK (or the AWS
// CLI) at it.
//
// One Server speaks all of them:
//
//   - SageMaker's JSON 1.1 protocol (POST /, X-Amz-Target SageMaker.OP):
//     ListNotebookInstances (paginated), DescribeNotebookInstance,
//     UpdateNotebookInstance, StopNotebookInstance, StartNotebookInstance,
//     Create/Update/DescribeNotebookInstanceLifecycleConfig, DescribeDomain
//     and UpdateDomain; ListTrainingJobs, DescribeTrainingJob,
//     ListProcessingJobs, DescribeProcessingJob, ListClusters and
//     DescribeCluster, ListEndpoints, DescribeEndpoint,
//     DescribeEndpointConfig, DescribeModel, ListTransformJobs,
//     DescribeTransformJob, ListDomains, ListUserProfiles and
//     DescribeUserProfile (paginated like ListNotebookInstances);
//   - IAM's and STS's Query protocol (form POST, XML responses): GetRole,
//     UpdateAssumeRolePolicy, AssumeRole and GetCallerIdentity;
//   - IMDSv2 under /latest/: the session token, the instance's role
//     credentials, its region and its instance id.
//
// Point SDK clients at URL with BaseEndpoint and static credentials; point
// credential chains at it with AWS_EC2_METADATA_SERVICE_ENDPOINT and
// AWS_ENDPOINT_URL_STS. Every request is recorded; Calls returns the log.
//
// Notebook status changes the way SageMaker's do, but without a clock:
// StopNotebookInstance moves an instance to Stopping and the next read
// (Describe or List) finds it Stopped; StartNotebookInstance moves it to
// Pending and the next read finds it InService.
package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// Notebook statuses, as SageMaker spells them.
const (
	StatusPending   = "Pending"
	StatusInService = "InService"
	StatusStopping  = "Stopping"
	StatusStopped   = "Stopped"
	StatusFailed    = "Failed"
)

// Notebook is a notebook instance.
type Notebook struct {
	Name                string
	Status              string // StatusStopped when empty
	RoleARN             string
	LifecycleConfigName string
	InstanceType        string // ml.t3.medium when empty
	CreationTime        time.Time
}

// LifecycleConfig is a notebook instance lifecycle configuration. OnStart
// and OnCreate hold the base64 content SageMaker stores, or "" for none.
type LifecycleConfig struct {
	Name     string
	OnStart  string
	OnCreate string
}

// Role is an IAM role. TrustPolicy is the assume-role policy document as
// JSON (not URL-encoded).
type Role struct {
	Name        string
	Path        string // "/" when empty
	TrustPolicy string
}

// Domain is a SageMaker Studio domain.
type Domain struct {
	ID                          string
	Name                        string
	ExecutionRole               string // default user settings' execution role
	SpaceExecutionRole          string // default space settings' execution role; none when empty
	ExecutionRoleIdentityConfig string // "USER_PROFILE_NAME" or "DISABLED"
	Created                     time.Time
}

// Call is one request the server received.
type Call struct {
	Service string         // "SageMaker", "IAM", "STS" or "IMDS"
	Op      string         // e.g. "DescribeNotebookInstance"; for IMDS the method and path
	Input   map[string]any // JSON input, or form values (strings) for Query calls
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:PORT.
	URL string
	// Region and Account are used in the ARNs the server returns.
	Region, Account string
	// PageSize is the largest page ListNotebookInstances returns when the
	// request gives no MaxResults (default 2, to exercise pagination).
	PageSize int

	srv            *httptest.Server
	mu             sync.Mutex
	notebooks      map[string]*Notebook
	configs        map[string]*LifecycleConfig
	roles          map[string]*Role
	domains        map[string]*Domain
	trainingJobs   map[string]*Job
	processingJobs map[string]*Job
	clusters       map[string]*Cluster
	endpoints      map[string]*Endpoint
	models         map[string]*Model        // models no endpoint serves
	transformJobs  map[string]*TransformJob // by name
	userProfiles   map[string]*UserProfile  // by domain id and name
	sessions       map[string]string        // access key ID -> caller ARN
	instanceRole   string
	instanceID     string
	calls          []Call
	seq            int
}

// New starts a server on loopback and stops it when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{
		Region:         "us-east-1",
		Account:        "111122223333",
		PageSize:       2,
		notebooks:      map[string]*Notebook{},
		configs:        map[string]*LifecycleConfig{},
		roles:          map[string]*Role{},
		domains:        map[string]*Domain{},
		trainingJobs:   map[string]*Job{},
		processingJobs: map[string]*Job{},
		clusters:       map[string]*Cluster{},
		endpoints:      map[string]*Endpoint{},
		models:         map[string]*Model{},
		transformJobs:  map[string]*TransformJob{},
		userProfiles:   map[string]*UserProfile{},
		sessions:       map[string]string{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// AddNotebook adds or replaces a notebook instance.
func (s *Server) AddNotebook(nb Notebook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if nb.Status == "" {
		nb.Status = StatusStopped
	}
	if nb.InstanceType == "" {
		nb.InstanceType = "ml.t3.medium"
	}
	if nb.CreationTime.IsZero() {
		nb.CreationTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	s.notebooks[nb.Name] = &nb
}

// Notebook returns the notebook instance called name as it is now.
func (s *Server) Notebook(name string) (Notebook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[name]
	if !ok {
		return Notebook{}, false
	}
	return *nb, true
}

// AddLifecycleConfig adds or replaces a lifecycle configuration.
func (s *Server) AddLifecycleConfig(c LifecycleConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configs[c.Name] = &c
}

// LifecycleConfig returns the lifecycle configuration called name.
func (s *Server) LifecycleConfig(name string) (LifecycleConfig, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.configs[name]
	if !ok {
		return LifecycleConfig{}, false
	}
	return *c, true
}

// AddRole adds or replaces an IAM role.
func (s *Server) AddRole(r Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Path == "" {
		r.Path = "/"
	}
	s.roles[r.Name] = &r
}

// Role returns the IAM role called name.
func (s *Server) Role(name string) (Role, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.roles[name]
	if !ok {
		return Role{}, false
	}
	return *r, true
}

// RoleARN returns the ARN of a role with this path and name in the
// server's account.
func (s *Server) RoleARN(path, name string) string {
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:aws:iam::%s:role%s%s", s.Account, path, name)
}

// AddDomain adds or replaces a Studio domain.
func (s *Server) AddDomain(d Domain) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ExecutionRoleIdentityConfig == "" {
		d.ExecutionRoleIdentityConfig = "DISABLED"
	}
	s.domains[d.ID] = &d
}

// Domain returns the Studio domain with this ID.
func (s *Server) Domain(id string) (Domain, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.domains[id]
	if !ok {
		return Domain{}, false
	}
	return *d, true
}

// Calls returns every request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Ops returns "Service.Op" for every request received so far, in order.
func (s *Server) Ops() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ops := make([]string, len(s.calls))
	for i, c := range s.calls {
		ops[i] = c.Service + "." + c.Op
	}
	return ops
}

// Mutations returns "Service.Op" for the requests received so far that
// change state (creates, updates, starts and stops), in order. A run that
// changes nothing leaves it empty.
func (s *Server) Mutations() []string {
	var out []string
	for _, op := range s.Ops() {
		if mutating[op] {
			out = append(out, op)
		}
	}
	return out
}

var mutating = map[string]bool{
	"SageMaker.CreateNotebookInstanceLifecycleConfig": true,
	"SageMaker.UpdateNotebookInstanceLifecycleConfig": true,
	"SageMaker.UpdateNotebookInstance":                true,
	"SageMaker.StopNotebookInstance":                  true,
	"SageMaker.StartNotebookInstance":                 true,
	"SageMaker.UpdateDomain":                          true,
	"IAM.UpdateAssumeRolePolicy":                      true,
}

// ResetCalls forgets the calls received so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case len(r.URL.Path) >= 8 && r.URL.Path[:8] == "/latest/":
		s.serveIMDS(w, r)
	case r.Header.Get("X-Amz-Target") != "":
		s.serveJSON(w, r)
	case r.Method == http.MethodPost:
		s.serveQuery(w, r)
	default:
		http.Error(w, "fakeaws: unsupported request "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// apiError is an error returned in the protocol's error shape.
type apiError struct {
	status  int
	code    string
	message string
}

func validation(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
