package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// imdsToken is the IMDSv2 session token the server issues and requires.
const imdsToken = "fake-imds-token"

// SetInstanceRole makes the instance metadata service hand out credentials
// for the role called name, as a notebook instance's metadata
// service hands out its execution role. Calls made with those credentials
// are, as on a notebook, assumed-role/NAME/SageMaker.
func (s *Server) SetInstanceRole(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.instanceRole = name
	s.sessions["ASIAFAKEINSTANCE"] = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/SageMaker", s.Account, name)
}

// SetInstanceID sets the EC2 instance id the instance metadata service
// reports (i-0123456789abcdef0 until set), as a HyperPod node's does.
func (s *Server) SetInstanceID(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.instanceID = id
}

func (s *Server) serveIMDS(w http.ResponseWriter, r *http.Request) {
	s.record(Call{Service: "IMDS", Op: r.Method + " " + r.URL.Path})
	if r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" {
		if r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "" {
			http.Error(w, "missing token TTL", http.StatusBadRequest)
			return
		}
		// The SDKs read the token's lifetime back from the response.
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds"))
		fmt.Fprint(w, imdsToken)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("X-Aws-Ec2-Metadata-Token") != imdsToken {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	role := s.instanceRole
	region := s.Region
	instanceID := s.instanceID
	s.mu.Unlock()
	const credsPath = "/latest/meta-data/iam/security-credentials/"
	switch {
	case r.URL.Path == "/latest/meta-data/placement/region":
		fmt.Fprint(w, region)
	case r.URL.Path == "/latest/meta-data/instance-id":
		if instanceID == "" {
			instanceID = "i-0123456789abcdef0"
		}
		fmt.Fprint(w, instanceID)
	case r.URL.Path == credsPath && role != "":
		fmt.Fprint(w, role)
	case r.URL.Path == credsPath+role && role != "":
		_ = json.NewEncoder(w).Encode(map[string]string{
			"Code":            "Success",
			"LastUpdated":     "2026-01-02T03:04:05Z",
			"Type":            "AWS-HMAC",
			"AccessKeyId":     "ASIAFAKEINSTANCE",
			"SecretAccessKey": "fake-instance-secret",
			"Token":           "fake-instance-token",
			"Expiration":      credentialsExpiry.Format(time.RFC3339),
		})
	case strings.HasPrefix(r.URL.Path, "/latest/"):
		http.NotFound(w, r)
	}
}
