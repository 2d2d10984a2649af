package main

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
)

// TestScenarioAnswers runs, on the scenario fixture, the three questions
// the queries exist for, as an analyst would: who created the endpoint,
// why calls were denied, and which roles still have calls no one can be
// named for.
func TestScenarioAnswers(t *testing.T) {
	a, _, errb := testApp(t)
	if code := execute(t, a, "ingest", filepath.Join("..", "..", "testdata", "scenario")); code != 0 {
		t.Fatalf("ingest exit = %d:\n%s", code, errb)
	}
	query := func(args ...string) []map[string]string {
		t.Helper()
		b, out, errb := testApp(t)
		b.DBPath = a.DBPath
		if code := execute(t, b, append(append([]string{"query"}, args...), "--format", "csv")...); code != 0 {
			t.Fatalf("query %v exit = %d:\n%s", args, code, errb)
		}
		recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
		if err != nil || len(recs) == 0 {
			t.Fatalf("query %v: %v\n%s", args, err, out)
		}
		var rows []map[string]string
		for _, rec := range recs[1:] {
			row := map[string]string{}
			for i, col := range recs[0] {
				row[col] = rec[i]
			}
			rows = append(rows, row)
		}
		return rows
	}

	who := query("whodid", "--event-name", "CreateEndpoint")
	if len(who) != 1 || who[0]["actor_kind"] != "notebook-instance" || who[0]["actor"] != "nb-alice" || who[0]["confidence"] != "high" {
		t.Errorf("whodid CreateEndpoint = %v, want nb-alice, a notebook instance, high confidence", who)
	}

	want := map[string]struct{ resource, policyType, policy string }{
		"sagemaker:CreatePresignedDomainUrl": {"arn:aws:sagemaker:us-east-1:111111111111:user-profile/d-abc123example/alice", "identity-based policy", `"Action":"sagemaker:CreatePresignedDomainUrl"`},
		"sagemaker:CreateTrainingJob":        {"arn:aws:sagemaker:us-east-1:111111111111:training-job/churn-gpu", "service control policy", ""},
		"kms:Decrypt":                        {"arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "permissions boundary", ""},
		"s3:PutObject":                       {"arn:aws:s3:::ml-restricted/exports/churn.csv", "unknown", `"Action":"s3:PutObject"`},
	}
	denied := query("denied")
	if len(denied) != len(want) {
		t.Errorf("denied has %d rows, want %d: %v", len(denied), len(want), denied)
	}
	for _, d := range denied {
		w, ok := want[d["action"]]
		if !ok {
			t.Errorf("unexpected denial %v", d)
			continue
		}
		if d["resource"] != w.resource || d["policy_type"] != w.policyType {
			t.Errorf("denial of %s: resource %q, policy type %q; want %q, %q", d["action"], d["resource"], d["policy_type"], w.resource, w.policyType)
		}
		if w.policy == "" && d["suggested_policy"] != "" {
			t.Errorf("denial of %s by an explicit deny or boundary suggests an Allow: %s", d["action"], d["suggested_policy"])
		}
		if !strings.Contains(d["suggested_policy"], w.policy) {
			t.Errorf("denial of %s: suggested policy %q lacks %s", d["action"], d["suggested_policy"], w.policy)
		}
	}

	unattributed := map[string]bool{}
	for _, c := range query("coverage") {
		if c["unattributed"] != "0" {
			unattributed[c["role_arn"]] = true
		}
	}
	for _, role := range []string{
		"arn:aws:iam::111111111111:role/service-role/AmazonSageMaker-ExecutionRole-DS", // nb-bob has no session-name config
		"arn:aws:iam::111111111111:role/AdminRole",                                     // botocore default session name
	} {
		if !unattributed[role] {
			t.Errorf("coverage does not list %s as having unattributed calls (listed: %v)", role, unattributed)
		}
	}
	if unattributed["arn:aws:iam::111111111111:role/AmazonSageMaker-ExecutionRole-Studio"] {
		t.Error("coverage lists the Studio role, whose calls all carry sourceIdentity, as having unattributed calls")
	}
}
