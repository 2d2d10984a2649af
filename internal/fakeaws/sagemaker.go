package fakeaws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "SageMaker.")
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "UnknownOperationException", "message": target})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	in := map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "SerializationException", "message": err.Error()})
			return
		}
	}
	s.record(Call{Service: "SageMaker", Op: op, Input: in})

	s.mu.Lock()
	out, aerr := s.sagemaker(op, in)
	s.mu.Unlock()
	if aerr != nil {
		w.Header().Set("X-Amzn-ErrorType", aerr.code)
		writeJSON(w, aerr.status, map[string]string{"__type": aerr.code, "message": aerr.message})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func str(in map[string]any, key string) string {
	v, _ := in[key].(string)
	return v
}

// sagemaker runs one operation; s.mu is held.
func (s *Server) sagemaker(op string, in map[string]any) (any, *apiError) {
	switch op {
	case "ListNotebookInstances":
		return s.listNotebooks(in)
	case "DescribeNotebookInstance":
		nb, err := s.notebook(str(in, "NotebookInstanceName"))
		if err != nil {
			return nil, err
		}
		return s.notebookJSON(nb, true), nil
	case "UpdateNotebookInstance":
		nb, err := s.notebook(str(in, "NotebookInstanceName"))
		if err != nil {
			return nil, err
		}
		if nb.Status != StatusStopped && nb.Status != StatusFailed {
			return nil, validation("Status (%s) not in ([Stopped, Failed]). Unable to transition to (Updating) for Notebook Instance (%s).", nb.Status, s.notebookARN(nb.Name))
		}
		if name := str(in, "LifecycleConfigName"); name != "" {
			if _, ok := s.configs[name]; !ok {
				return nil, validation("Unable to describe Notebook Instance Lifecycle Config '%s'", name)
			}
			nb.LifecycleConfigName = name
		}
		if d, _ := in["DisassociateLifecycleConfig"].(bool); d {
			nb.LifecycleConfigName = ""
		}
		if role := str(in, "RoleArn"); role != "" {
			nb.RoleARN = role
		}
		return map[string]any{}, nil
	case "StopNotebookInstance":
		nb, err := s.notebook(str(in, "NotebookInstanceName"))
		if err != nil {
			return nil, err
		}
		if nb.Status != StatusInService {
			return nil, validation("Status (%s) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (%s).", nb.Status, s.notebookARN(nb.Name))
		}
		nb.Status = StatusStopping
		return map[string]any{}, nil
	case "StartNotebookInstance":
		nb, err := s.notebook(str(in, "NotebookInstanceName"))
		if err != nil {
			return nil, err
		}
		if nb.Status != StatusStopped && nb.Status != StatusFailed {
			return nil, validation("Status (%s) not in ([Stopped, Failed]). Unable to transition to (Pending) for Notebook Instance (%s).", nb.Status, s.notebookARN(nb.Name))
		}
		nb.Status = StatusPending
		return map[string]any{}, nil
	case "DescribeNotebookInstanceLifecycleConfig":
		name := str(in, "NotebookInstanceLifecycleConfigName")
		c, ok := s.configs[name]
		if !ok {
			return nil, validation("Unable to describe Notebook Instance Lifecycle Config '%s'", name)
		}
		out := map[string]any{
			"NotebookInstanceLifecycleConfigName": c.Name,
			"NotebookInstanceLifecycleConfigArn":  s.configARN(c.Name),
		}
		if c.OnStart != "" {
			out["OnStart"] = []map[string]string{{"Content": c.OnStart}}
		}
		if c.OnCreate != "" {
			out["OnCreate"] = []map[string]string{{"Content": c.OnCreate}}
		}
		return out, nil
	case "CreateNotebookInstanceLifecycleConfig", "UpdateNotebookInstanceLifecycleConfig":
		name := str(in, "NotebookInstanceLifecycleConfigName")
		_, exists := s.configs[name]
		if op == "CreateNotebookInstanceLifecycleConfig" && exists {
			return nil, validation("Unable to create Notebook Instance Lifecycle Config %s. (Details: Notebook Instance Lifecycle Config %s already exists.)", s.configARN(name), s.configARN(name))
		}
		if op == "UpdateNotebookInstanceLifecycleConfig" && !exists {
			return nil, validation("Unable to describe Notebook Instance Lifecycle Config '%s'", name)
		}
		c := &LifecycleConfig{Name: name}
		var err *apiError
		if c.OnStart, err = hookContent(in, "OnStart"); err != nil {
			return nil, err
		}
		if c.OnCreate, err = hookContent(in, "OnCreate"); err != nil {
			return nil, err
		}
		s.configs[name] = c
		return map[string]any{"NotebookInstanceLifecycleConfigArn": s.configARN(name)}, nil
	case "DescribeDomain":
		d, ok := s.domains[str(in, "DomainId")]
		if !ok {
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFound", fmt.Sprintf("Domain %s not found", str(in, "DomainId"))}
		}
		return map[string]any{
			"DomainId":             d.ID,
			"DomainName":           d.Name,
			"DomainArn":            s.domainARN(d.ID),
			"Status":               "InService",
			"DefaultUserSettings":  map[string]any{"ExecutionRole": d.ExecutionRole},
			"DefaultSpaceSettings": map[string]any{"ExecutionRole": d.SpaceExecutionRole},
			"DomainSettings":       map[string]any{"ExecutionRoleIdentityConfig": d.ExecutionRoleIdentityConfig},
			"CreationTime":         epoch(d.Created),
		}, nil
	case "UpdateDomain":
		d, ok := s.domains[str(in, "DomainId")]
		if !ok {
			return nil, &apiError{http.StatusBadRequest, "ResourceNotFound", fmt.Sprintf("Domain %s not found", str(in, "DomainId"))}
		}
		if set, ok := in["DomainSettingsForUpdate"].(map[string]any); ok {
			if v := str(set, "ExecutionRoleIdentityConfig"); v != "" {
				d.ExecutionRoleIdentityConfig = v
			}
		}
		return map[string]any{"DomainArn": s.domainARN(d.ID)}, nil
	}
	if out, aerr, ok := s.computeOp(op, in); ok {
		return out, aerr
	}
	return nil, &apiError{http.StatusBadRequest, "UnknownOperationException", "fakeaws does not implement SageMaker." + op}
}

// hookContent checks a lifecycle hook the way SageMaker does: at most one
// script, base64, at most 16,384 characters.
func hookContent(in map[string]any, key string) (string, *apiError) {
	hooks, _ := in[key].([]any)
	switch len(hooks) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", validation("%s: member must have length less than or equal to 1", key)
	}
	h, _ := hooks[0].(map[string]any)
	content := str(h, "Content")
	if len(content) > 16384 {
		return "", validation("%s.1.member.content: member must have length less than or equal to 16384", key)
	}
	if _, err := base64.StdEncoding.DecodeString(content); err != nil {
		return "", validation("%s content is not valid base64", key)
	}
	return content, nil
}

// notebook returns a notebook and advances a pending status change, as a
// read after some time would find it; s.mu is held.
func (s *Server) notebook(name string) (*Notebook, *apiError) {
	nb, ok := s.notebooks[name]
	if !ok {
		return nil, validation("RecordNotFound")
	}
	s.advance(nb)
	return nb, nil
}

func (s *Server) advance(nb *Notebook) {
	switch nb.Status {
	case StatusStopping:
		nb.Status = StatusStopped
	case StatusPending:
		nb.Status = StatusInService
	}
}

func (s *Server) listNotebooks(in map[string]any) (any, *apiError) {
	names := make([]string, 0, len(s.notebooks))
	for name, nb := range s.notebooks {
		if c := str(in, "NameContains"); c != "" && !strings.Contains(name, c) {
			continue
		}
		s.advance(nb)
		if st := str(in, "StatusEquals"); st != "" && nb.Status != st {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	start := 0
	if tok := str(in, "NextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || n < 0 || n > len(names) {
			return nil, validation("Invalid pagination token %q", tok)
		}
		start = n
	}
	size := s.PageSize
	if m, ok := in["MaxResults"].(float64); ok && m > 0 {
		size = int(m)
	}
	if size <= 0 {
		size = 10
	}
	end := min(start+size, len(names))
	list := []any{}
	for _, name := range names[start:end] {
		list = append(list, s.notebookJSON(s.notebooks[name], false))
	}
	out := map[string]any{"NotebookInstances": list}
	if end < len(names) {
		out["NextToken"] = "page-" + strconv.Itoa(end)
	}
	return out, nil
}

func (s *Server) notebookJSON(nb *Notebook, full bool) map[string]any {
	out := map[string]any{
		"NotebookInstanceName":   nb.Name,
		"NotebookInstanceArn":    s.notebookARN(nb.Name),
		"NotebookInstanceStatus": nb.Status,
		"InstanceType":           nb.InstanceType,
		"CreationTime":           float64(nb.CreationTime.Unix()),
		"LastModifiedTime":       float64(nb.CreationTime.Unix()),
		"Url":                    nb.Name + ".notebook." + s.Region + ".sagemaker.aws",
	}
	if nb.LifecycleConfigName != "" {
		out["NotebookInstanceLifecycleConfigName"] = nb.LifecycleConfigName
	}
	if full {
		out["RoleArn"] = nb.RoleARN
		out["DirectInternetAccess"] = "Enabled"
		out["RootAccess"] = "Enabled"
		out["VolumeSizeInGB"] = 5
	}
	return out
}

func (s *Server) notebookARN(name string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance/%s", s.Region, s.Account, strings.ToLower(name))
}

func (s *Server) configARN(name string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance-lifecycle-config/%s", s.Region, s.Account, strings.ToLower(name))
}

func (s *Server) domainARN(id string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:domain/%s", s.Region, s.Account, id)
}
