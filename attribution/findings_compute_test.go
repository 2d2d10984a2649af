package attribution_test

import (
	"strings"
	"testing"
)

// TestFindingsAfterJobEnded: a training job's default key assumes a role;
// the key that AssumeRole issued is used while the job runs (its own
// call) and again after the job was stopped, and after the stopping
// condition of another job ended it. Only the late calls are findings,
// and the reason says when and how the job ended.
func TestFindingsAfterJobEnded(t *testing.T) {
	db := openDB(t)
	role := computeRole("JobRole")
	def := assumed("aws", acctC, role, "SageMaker", "ASIAJOBDEFAULT000001", "2024-06-01T10:00:00Z")
	chain := assumed("aws", acctC, computeRole("Reader"), "job-reader", "ASIAJOBCHAIN00000001", "2024-06-01T10:10:00Z")
	def2 := assumed("aws", acctC, computeRole("JobRole2"), "SageMaker", "ASIAJOB2DEFAULT00001", "2024-06-01T10:00:00Z")
	chain2 := assumed("aws", acctC, computeRole("Reader"), "job2-reader", "ASIAJOB2CHAIN0000001", "2024-06-01T10:10:00Z")
	loadFile(t, db, "jobs",
		sagemakerCall("j-01-create", "2024-06-01T10:00:00Z", "us-east-1", "CreateTrainingJob",
			ev{"trainingJobName": "fraud-train", "roleArn": role, "stoppingCondition": ev{"maxRuntimeInSeconds": 86400}}, nil),
		computeCall("j-02-own-call", "2024-06-01T10:05:00Z", "us-east-1", "JobRole", "ASIAJOBDEFAULT000001"),
		assumeRole("j-03-assume", "2024-06-01T10:10:00Z", "us-east-1", acctC, def, computeRole("Reader"), "job-reader",
			"ASIAJOBCHAIN00000001", "2024-06-01T22:10:00Z"),
		event("j-04-chain-while-running", "2024-06-01T10:15:00Z", "us-east-1", acctC, "s3.amazonaws.com", "GetObject", "10.9.0.10", chain, nil, nil),
		sagemakerCall("j-05-stop", "2024-06-01T10:20:00Z", "us-east-1", "StopTrainingJob", ev{"trainingJobName": "fraud-train"}, nil),
		event("j-06-chain-after-stop", "2024-06-01T11:00:00Z", "us-east-1", acctC, "s3.amazonaws.com", "GetObject", "203.0.113.9", chain, nil, nil),
		// A second job ended by its stopping condition (one hour).
		sagemakerCall("j-11-create", "2024-06-01T10:00:00Z", "us-east-1", "CreateTrainingJob",
			ev{"trainingJobName": "fraud-train-2", "roleArn": computeRole("JobRole2"), "stoppingCondition": ev{"maxRuntimeInSeconds": 3600}}, nil),
		assumeRole("j-13-assume", "2024-06-01T10:10:00Z", "us-east-1", acctC, def2, computeRole("Reader"), "job2-reader",
			"ASIAJOB2CHAIN0000001", "2024-06-01T22:10:00Z"),
		event("j-14-chain-while-running", "2024-06-01T10:30:00Z", "us-east-1", acctC, "s3.amazonaws.com", "GetObject", "10.9.0.11", chain2, nil, nil),
		event("j-16-chain-after-max", "2024-06-01T12:00:00Z", "us-east-1", acctC, "s3.amazonaws.com", "GetObject", "10.9.0.11", chain2, nil, nil),
	)
	attribute(t, db, true)
	got := queryLines(t, db, `SELECT concat_ws(' ', event_id, actor_kind, actor, coalesce(finding, '-')) FROM attributions
		WHERE event_id LIKE 'j-%' AND event_id NOT IN ('j-01-create', 'j-05-stop', 'j-11-create') ORDER BY event_id`)
	want := []string{
		"j-02-own-call training-job fraud-train -",
		"j-03-assume training-job fraud-train -",
		"j-04-chain-while-running training-job fraud-train -",
		"j-06-chain-after-stop training-job fraud-train credentials-used-after-compute-ended",
		"j-13-assume training-job fraud-train-2 -",
		"j-14-chain-while-running training-job fraud-train-2 -",
		"j-16-chain-after-max training-job fraud-train-2 credentials-used-after-compute-ended",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("attributions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reasons := queryLines(t, db, `SELECT actor || ': ' || reason FROM findings WHERE kind = 'credentials-used-after-compute-ended' ORDER BY actor`)
	if len(reasons) != 2 || !strings.Contains(reasons[0], "after the training job was stopped at 2024-06-01T10:20:00Z") ||
		!strings.Contains(reasons[1], "after the training job was stopped at its maximum runtime at 2024-06-01T11:00:00Z") {
		t.Errorf("after-ended findings = %q, want one per job saying when and how it ended", reasons)
	}
}
