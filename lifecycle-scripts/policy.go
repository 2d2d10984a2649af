package lifecycle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Statement is one IAM policy statement. Action is a string or a list of
// strings, as IAM writes them.
type Statement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    any            `json:"Action"`
	Resource  any            `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

const policyVersion = "2012-10-17"

// Statement IDs ctattrib gives the statements it adds, so that a later run
// recognises and replaces its own.
const (
	SelfTrustSid      = "CtattribSelfAssume"
	StudioTrustSid    = "CtattribStudioSourceIdentity"
	assumeSelfSid     = "CtattribAssumeSelf"
	describeSelfSid   = "CtattribDescribeNotebookInstance"
	sagemakerService  = "sagemaker.amazonaws.com"
	actionAssumeRole  = "sts:AssumeRole"
	actionSetSourceID = "sts:SetSourceIdentity"
)

// SelfTrustStatement returns the trust-policy statement that lets a role
// assume itself. Since IAM's 2022 change, a role may assume itself only
// when its trust policy names it explicitly.
func SelfTrustStatement(roleARN string) (Statement, error) {
	if _, err := ParseRoleARN(roleARN); err != nil {
		return Statement{}, err
	}
	return Statement{
		Sid:       SelfTrustSid,
		Effect:    "Allow",
		Principal: map[string]any{"AWS": roleARN},
		Action:    actionAssumeRole,
	}, nil
}

// StudioTrustStatement returns the trust-policy statement that lets
// SageMaker set the source identity when it assumes a Studio execution
// role, so that calls carry the user profile name in sourceIdentity.
func StudioTrustStatement() Statement {
	return Statement{
		Sid:       StudioTrustSid,
		Effect:    "Allow",
		Principal: map[string]any{"Service": sagemakerService},
		Action:    actionSetSourceID,
	}
}

// IdentityPolicy returns the identity policy the execution role needs for
// the script: sts:AssumeRole on itself and, for the generic script,
// sagemaker:DescribeNotebookInstance on the account's notebook instances.
func IdentityPolicy(roleARN string, generic bool) (Policy, error) {
	arn, err := ParseRoleARN(roleARN)
	if err != nil {
		return Policy{}, err
	}
	p := Policy{Version: policyVersion, Statement: []Statement{{
		Sid: assumeSelfSid, Effect: "Allow", Action: actionAssumeRole, Resource: roleARN,
	}}}
	if generic {
		p.Statement = append(p.Statement, Statement{
			Sid: describeSelfSid, Effect: "Allow", Action: "sagemaker:DescribeNotebookInstance",
			Resource: fmt.Sprintf("arn:%s:sagemaker:*:%s:notebook-instance/*", arn.Partition, arn.Account),
		})
	}
	return p, nil
}

// MergeTrust adds stmt to the trust policy document doc, keeping every
// existing statement. A statement with stmt's Sid is replaced. When an
// existing unconditional statement already grants what stmt grants, doc is
// left as it is and changed is false. The result is indented JSON.
func MergeTrust(doc []byte, stmt Statement) (merged []byte, changed bool, err error) {
	var in struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id,omitempty"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(doc, &in); err != nil {
		return nil, false, fmt.Errorf("parse trust policy: %w", err)
	}
	var raw []json.RawMessage
	switch s := bytes.TrimSpace(in.Statement); {
	case len(s) == 0 || string(s) == "null":
	case s[0] == '{':
		raw = []json.RawMessage{s}
	default:
		if err := json.Unmarshal(s, &raw); err != nil {
			return nil, false, fmt.Errorf("parse trust policy statements: %w", err)
		}
	}
	ours, err := json.Marshal(stmt)
	if err != nil {
		return nil, false, err
	}
	replaced := false
	for i, r := range raw {
		var st map[string]any
		if err := json.Unmarshal(r, &st); err != nil {
			return nil, false, fmt.Errorf("parse trust policy statement %d: %w", i+1, err)
		}
		if st["Sid"] == stmt.Sid && stmt.Sid != "" {
			changed = !jsonEqual(r, ours)
			raw[i] = ours
			replaced = true
			continue
		}
		if grants(st, stmt) {
			out, _, err := indentPolicy(in.Version, in.ID, raw)
			return out, changed, err
		}
	}
	if !replaced {
		raw = append(raw, ours)
		changed = true
	}
	out, _, err := indentPolicy(in.Version, in.ID, raw)
	return out, changed, err
}

// trustGrants reports whether the trust policy document doc already grants
// what stmt grants.
func trustGrants(doc []byte, stmt Statement) (bool, error) {
	_, changed, err := MergeTrust(doc, stmt)
	return !changed, err
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func indentPolicy(version, id string, stmts []json.RawMessage) ([]byte, bool, error) {
	if version == "" {
		version = policyVersion
	}
	out, err := json.MarshalIndent(struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id,omitempty"`
		Statement []json.RawMessage `json:"Statement"`
	}{version, id, stmts}, "", "  ")
	if err != nil {
		return nil, false, err
	}
	return append(out, '\n'), false, nil
}

// grants reports whether the existing statement st allows everything want
// allows, without conditions.
func grants(st map[string]any, want Statement) bool {
	if st["Effect"] != "Allow" || st["Condition"] != nil || st["NotPrincipal"] != nil || st["NotAction"] != nil {
		return false
	}
	principal, _ := st["Principal"].(map[string]any)
	for key, v := range want.Principal {
		if !containsFold(principal[key], v.(string)) {
			return false
		}
	}
	for _, a := range stringList(want.Action) {
		service, _, _ := strings.Cut(a, ":")
		if !containsFold(st["Action"], a) && !containsFold(st["Action"], service+":*") && !containsFold(st["Action"], "*") {
			return false
		}
	}
	return true
}

func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func containsFold(v any, s string) bool {
	for _, x := range stringList(v) {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
