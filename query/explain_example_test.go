package query_test

import (
	"os"
	"time"

	"github.com/ctattrib/ctattrib/query"
)

func ExampleWriteExplanationsText() {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	role := "arn:aws:iam::111111111111:role/service-role/SMExec"
	chain := []query.EvidenceEvent{
		{EventID: "ev-create", Found: true, EventTime: at("2024-06-01T08:00:00Z"), AccountID: "111111111111",
			EventSource: "sagemaker.amazonaws.com", EventName: "CreateNotebookInstance",
			Notebook: "nb-1", NotebookRoleARN: role,
			Lifetime: &query.Lifetime{Name: "nb-1", CreatedAt: at("2024-06-01T08:00:00Z")}},
		{EventID: "ev-assume", Found: true, EventTime: at("2024-06-01T09:00:00Z"), AccountID: "111111111111",
			EventSource: "sts.amazonaws.com", EventName: "AssumeRole", IdentityType: "AssumedRole",
			SessionName: "SageMaker", RoleARN: role, AccessKeyID: "ASIADEFAULT",
			TargetRoleARN: role, TargetSession: "nb-1", IssuedKey: "ASIANB1"},
	}
	x := query.Explanation{
		Call: query.Call{EventID: "ev-call", EventTime: at("2024-06-01T09:05:00Z"), AccountID: "111111111111",
			Region: "us-east-1", EventSource: "s3.amazonaws.com", EventName: "GetObject", AccessKeyID: "ASIANB1"},
		Answer: &query.Answer{ActorKind: "notebook-instance", Actor: "nb-1", AccountID: "111111111111",
			Region: "us-east-1", Method: "access-key-chain", Confidence: "high"},
	}
	for _, e := range chain {
		x.Evidence = append(x.Evidence, query.Evidence{EventID: e.EventID, EventTime: e.EventTime,
			EventName: e.EventName, AccountID: e.AccountID, Proves: query.Proves(e)})
	}
	if err := query.WriteExplanationsText(os.Stdout, []query.Explanation{x}); err != nil {
		panic(err)
	}
	// Output:
	// event ev-call
	//   time        2024-06-01T09:05:00Z
	//   account     111111111111 us-east-1
	//   call        s3.amazonaws.com GetObject
	//   access key  ASIANB1
	//   answer      notebook-instance nb-1
	//   method      access-key-chain, confidence high
	//   finding     none
	//   evidence    2 events, from the compute to the key that made the call
	//     2024-06-01T08:00:00Z  111111111111  CreateNotebookInstance  ev-create  CreateNotebookInstance nb-1 on role arn:aws:iam::111111111111:role/service-role/SMExec (lifetime from 2024-06-01T08:00:00Z, not deleted)
	//     2024-06-01T09:00:00Z  111111111111  AssumeRole              ev-assume  AssumeRole called with ASIADEFAULT, the default SageMaker session key of role arn:aws:iam::111111111111:role/service-role/SMExec, issued ASIANB1 to session nb-1 on role arn:aws:iam::111111111111:role/service-role/SMExec
}
