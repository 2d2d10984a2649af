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

	who := query("whodid", "--event-name", "CreateEndpoint", "--account", "111111111111")
	if len(who) != 1 || who[0]["actor_kind"] != "notebook-instance" || who[0]["actor"] != "nb-alice" || who[0]["confidence"] != "high" {
		t.Errorf("whodid CreateEndpoint = %v, want nb-alice, a notebook instance, high confidence", who)
	}

	// One denial of each message form AWS writes, with who made the call:
	// the policy type that denied and, only for a missing identity-based
	// Allow or a bare message (as a candidate), a policy that fixes it.
	const alice, bobDefault = "nb-alice", "arn:aws:sts::111111111111:assumed-role/AmazonSageMaker-ExecutionRole-DS/SageMaker"
	want := map[string]struct{ actor, resource, policyType, policy string }{
		"sagemaker:CreatePresignedDomainUrl": {alice, "arn:aws:sagemaker:us-east-1:111111111111:user-profile/d-abc123example/alice", "identity-based policy", `"Action":"sagemaker:CreatePresignedDomainUrl"`},
		"sagemaker:CreateTrainingJob":        {alice, "arn:aws:sagemaker:us-east-1:111111111111:training-job/churn-gpu", "service control policy", ""},
		"kms:Decrypt":                        {alice, "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "permissions boundary", ""},
		"s3:PutObject":                       {bobDefault, "arn:aws:s3:::ml-restricted/exports/churn.csv", "unknown", `"Action":"s3:PutObject"`},
		"s3:GetObject":                       {alice, "arn:aws:s3:::ml-restricted/raw/customers.csv", "resource-based policy", ""},
		"athena:DeleteWorkGroup":             {"carol", "arn:aws:athena:us-east-1:111111111111:workgroup/primary", "session policy", ""},
		"iam:PassRole":                       {alice, "arn:aws:iam::111111111111:role/AdminRole", "permissions boundary", ""},
		"sagemaker:DeleteEndpoint":           {alice, "arn:aws:sagemaker:us-east-1:111111111111:endpoint/fraud-model", "identity-based policy", ""},
		"kms:GenerateDataKey":                {alice, "arn:aws:kms:us-east-1:111111111111:key/9876fedc-98fe-76dc-54ba-9876543210fe", "resource-based policy", ""},
		"ec2:RunInstances":                   {"i-0abc1234def567890", "*", "unknown", `"Action":"ec2:RunInstances"`},
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
		if d["actor"] != w.actor || d["resource"] != w.resource || d["policy_type"] != w.policyType {
			t.Errorf("denial of %s: actor %q, resource %q, policy type %q; want %q, %q, %q",
				d["action"], d["actor"], d["resource"], d["policy_type"], w.actor, w.resource, w.policyType)
		}
		if w.policy == "" && d["suggested_policy"] != "" {
			t.Errorf("denial of %s by an explicit deny or another policy type suggests an Allow: %s", d["action"], d["suggested_policy"])
		}
		if !strings.Contains(d["suggested_policy"], w.policy) {
			t.Errorf("denial of %s: suggested policy %q lacks %s", d["action"], d["suggested_policy"], w.policy)
		}
		if d["reason"] == "" || (w.policy == "" && !strings.Contains(d["checks"], w.policyType) && !strings.Contains(d["checks"], "key policy")) {
			t.Errorf("denial of %s: reason %q, checks %q; want a reason and checks that name the %s", d["action"], d["reason"], d["checks"], w.policyType)
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
