package query

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/internal/golden"
	"github.com/ctattrib/ctattrib/store"
)

func TestProves(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const sm = "arn:aws:iam::111111111111:role/service-role/SMExec"
	tests := []struct {
		name string
		e    EvidenceEvent
		want string
	}{
		{
			name: "default session AssumeRole names the notebook",
			e: EvidenceEvent{EventID: "a", Found: true, EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
				IdentityType: "AssumedRole", SessionName: "SageMaker", RoleARN: sm, AccessKeyID: "ASIADEFAULT",
				TargetRoleARN: sm, TargetSession: "nb-1", IssuedKey: "ASIANB1", Expiration: "2024-06-01T10:00:00Z"},
			want: "AssumeRole called with ASIADEFAULT, the default SageMaker session key of role " + sm +
				", issued ASIANB1 to session nb-1 on role " + sm + ", valid until 2024-06-01T10:00:00Z",
		},
		{
			name: "chained AssumeRole hop",
			e: EvidenceEvent{EventID: "b", Found: true, EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
				IdentityType: "AssumedRole", SessionName: "nb-1", RoleARN: sm, AccessKeyID: "ASIANB1",
				TargetRoleARN: "arn:aws:iam::222222222222:role/Data", TargetSession: "etl", IssuedKey: "ASIAHOP1"},
			want: "AssumeRole called with ASIANB1 (session nb-1 on role " + sm +
				") issued ASIAHOP1 to session etl on role arn:aws:iam::222222222222:role/Data",
		},
		{
			name: "service AssumeRole for an EC2 instance",
			e: EvidenceEvent{EventID: "c", Found: true, EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
				IdentityType: "AWSService", InvokedBy: "ec2.amazonaws.com",
				TargetRoleARN: "arn:aws:iam::111111111111:role/App", TargetSession: "i-0123456789abcdef0", IssuedKey: "ASIAEC2"},
			want: "AssumeRole called by ec2.amazonaws.com issued ASIAEC2 to session i-0123456789abcdef0 on role arn:aws:iam::111111111111:role/App",
		},
		{
			name: "expiration as CloudTrail writes it",
			e: EvidenceEvent{EventID: "b2", Found: true, EventName: "AssumeRole", IdentityType: "AWSService",
				InvokedBy: "ec2.amazonaws.com", TargetRoleARN: "R", TargetSession: "i-1", IssuedKey: "K",
				Expiration: "Nov 1, 2026, 1:01:38 PM"},
			want: "AssumeRole called by ec2.amazonaws.com issued K to session i-1 on role R, valid until 2026-11-01T13:01:38Z",
		},
		{
			name: "unreadable expiration",
			e: EvidenceEvent{EventID: "b3", Found: true, EventName: "AssumeRole", IdentityType: "AWSService",
				InvokedBy: "lambda.amazonaws.com", TargetRoleARN: "R", TargetSession: "f", IssuedKey: "K",
				Expiration: "soon"},
			want: "AssumeRole called by lambda.amazonaws.com issued K to session f on role R, valid until soon",
		},
		{
			name: "AssumeRole by an IAM user whose response was not recorded",
			e: EvidenceEvent{EventID: "d", Found: true, EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
				IdentityType: "IAMUser", UserName: "bob", AccessKeyID: "AKIABOB", TargetRoleARN: "arn:aws:iam::1:role/R"},
			want: "AssumeRole called with AKIABOB by IAM user bob (its response names no key) for session (unknown) on role arn:aws:iam::1:role/R",
		},
		{
			name: "AssumeRole with every field missing",
			e:    EvidenceEvent{EventID: "e", Found: true, EventName: "AssumeRole"},
			want: "AssumeRole called with an unrecorded key (its response names no key) for session (unknown) on role (unknown)",
		},
		{
			name: "failed AssumeRole",
			e: EvidenceEvent{EventID: "f", Found: true, EventName: "AssumeRole", IdentityType: "AssumedRole",
				SessionName: "x", RoleARN: "R", AccessKeyID: "K", ErrorCode: "AccessDenied"},
			want: "AssumeRole called with K (session x on role R) failed (AccessDenied)",
		},
		{
			name: "IRSA web identity",
			e: EvidenceEvent{EventID: "w1", Found: true, EventSource: "sts.amazonaws.com", EventName: "AssumeRoleWithWebIdentity",
				IdentityType: "WebIdentityUser", UserName: "system:serviceaccount:ml:trainer",
				Subject: "system:serviceaccount:ml:trainer", Provider: "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
				TargetRoleARN: "R", TargetSession: "botocore-session-1", IssuedKey: "ASIAPOD", Expiration: "Nov 1, 2026, 1:01:38 AM"},
			want: "AssumeRoleWithWebIdentity by system:serviceaccount:ml:trainer via OIDC provider arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" +
				" issued ASIAPOD to session botocore-session-1 on role R, valid until 2026-11-01T01:01:38Z",
		},
		{
			name: "SAML without subject in the response",
			e: EvidenceEvent{EventID: "w2", Found: true, EventName: "AssumeRoleWithSAML", UserName: "erin@example.com",
				Provider: "http://idp", TargetRoleARN: "R", TargetSession: "erin", IssuedKey: "ASIASAML"},
			want: "AssumeRoleWithSAML by erin@example.com via SAML issuer http://idp issued ASIASAML to session erin on role R",
		},
		{
			name: "EKS Pod Identity, pod from the session name",
			e: EvidenceEvent{EventID: "w3", Found: true, EventSource: "eks-auth.amazonaws.com", EventName: "AssumeRoleForPodIdentity",
				IdentityType: "AssumedRole", AccessKeyID: "ASIANODE", SessionName: "i-0123456789abcdef0", RoleARN: "N",
				Cluster: "prod", Namespace: "serving", ServiceAccount: "inference",
				TargetSession: "eks-prod-web-1-0a1b2c3d-4e5f-6789-abcd-ef0123456789", TargetRoleARN: "R", IssuedKey: "ASIAPODID"},
			want: "AssumeRoleForPodIdentity for service account serving/inference in EKS cluster prod, pod web-1," +
				" called with ASIANODE (session i-0123456789abcdef0 on role N) issued ASIAPODID to session eks-prod-web-1-0a1b2c3d-4e5f-6789-abcd-ef0123456789 on role R",
		},
		{
			name: "web identity with nothing recorded",
			e:    EvidenceEvent{EventID: "w4", Found: true, EventName: "AssumeRoleWithWebIdentity"},
			want: "AssumeRoleWithWebIdentity by (unknown) via OIDC provider (unknown) (its response names no key) for session (unknown) on role (unknown)",
		},
		{
			name: "CreateNotebookInstance and its lifetime",
			e: EvidenceEvent{EventID: "g", Found: true, EventSource: "sagemaker.amazonaws.com", EventName: "CreateNotebookInstance",
				Notebook: "nb-1", NotebookRoleARN: sm, NotebookLCC: "session-name", NotebookInstanceType: "ml.t3.medium",
				Lifetime: &Lifetime{Name: "nb-1", CreatedAt: at("2024-06-01T08:00:00Z"), DeletedAt: at("2024-06-03T08:00:00Z"), Source: "cloudtrail"}},
			want: "CreateNotebookInstance nb-1 on role " + sm + ", with lifecycle config session-name, instance type ml.t3.medium" +
				" (lifetime from 2024-06-01T08:00:00Z to 2024-06-03T08:00:00Z)",
		},
		{
			name: "UpdateNotebookInstance removing the config, lifetime begun before the trail",
			e: EvidenceEvent{EventID: "h", Found: true, EventSource: "sagemaker.amazonaws.com", EventName: "UpdateNotebookInstance",
				NotebookLCCRemoved: true, Lifetime: &Lifetime{Name: "nb-2"}},
			want: "UpdateNotebookInstance nb-2 lifecycle config removed (lifetime from before the trail starts, not deleted)",
		},
		{
			name: "notebook event with no lifetime",
			e: EvidenceEvent{EventID: "i", Found: true, EventSource: "sagemaker.amazonaws.com", EventName: "DeleteNotebookInstance",
				Notebook: "nb-3"},
			want: "DeleteNotebookInstance nb-3 (no lifetime in the inventory)",
		},
		{
			name: "inventory from the API",
			e: EvidenceEvent{EventID: InventoryAPI, Found: true, Lifetime: &Lifetime{Name: "nb-4", RoleARN: sm,
				LifecycleConfig: "session-name", CreatedAt: at("2024-05-01T00:00:00Z"), Source: "api"}},
			want: "inventory from the SageMaker API: notebook instance nb-4 on role " + sm +
				" with lifecycle config session-name (lifetime from 2024-05-01T00:00:00Z, not deleted)",
		},
		{
			name: "inventory from a CSV that no longer lists it",
			e:    EvidenceEvent{EventID: InventoryCSV},
			want: "inventory from a CSV file, which no longer lists the instance",
		},
		{
			name: "inventory from CloudTrail without its defining event",
			e:    EvidenceEvent{EventID: InventoryCloudTrail, Found: true, Lifetime: &Lifetime{Name: "nb-5", Source: "cloudtrail"}},
			want: "inventory from CloudTrail: notebook instance nb-5 (lifetime from before the trail starts, not deleted)",
		},
		{
			name: "pruned event",
			e:    EvidenceEvent{EventID: "j"},
			want: "not in the database: pruned, or in logs not ingested",
		},
		{
			name: "Lambda runtime call",
			e: EvidenceEvent{EventID: "k", Found: true, EventSource: "s3.amazonaws.com", EventName: "PutObject",
				IdentityType: "AssumedRole", SessionName: "resize", RoleARN: "R", AccessKeyID: "ASIAL",
				UserAgent: "aws-sdk-js/3 exec-env/AWS_Lambda_nodejs20.x md/x"},
			want: "PutObject called with ASIAL as session resize on role R from a Lambda runtime (exec-env/AWS_Lambda_nodejs20.x)",
		},
		{
			name: "ECS task call",
			e: EvidenceEvent{EventID: "l", Found: true, EventName: "SendMessage", AccessKeyID: "ASIAE",
				SessionName: "abc", RoleARN: "R", UserAgent: "aws-sdk-go-v2/1 exec-env/AWS_ECS_FARGATE"},
			want: "SendMessage called with ASIAE as session abc on role R from an ECS task (exec-env/AWS_ECS_FARGATE)",
		},
		{
			name: "EC2 instance-profile call",
			e: EvidenceEvent{EventID: "m", Found: true, EventName: "DescribeInstances", AccessKeyID: "ASIAI",
				SessionName: "i-1", RoleARN: "R", EC2RoleDelivery: "2.0", SourceIP: "10.0.0.1"},
			want: "DescribeInstances called with ASIAI as session i-1 on role R with EC2 instance-profile credentials (ec2RoleDelivery 2.0)",
		},
		{
			name: "plain call",
			e:    EvidenceEvent{EventID: "n", Found: true, SourceIP: "10.0.0.1"},
			want: "(unknown) called with an unrecorded key from 10.0.0.1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Proves(tt.e); got != tt.want {
				t.Errorf("Proves(%+v) =\n%q, want\n%q", tt.e, got, tt.want)
			}
		})
	}
}

// explainIDs are the calls the explain goldens show, one per method of the
// explain scenario (testdata/explain at the repository root).
var explainIDs = []string{
	"x-06-hop2-call",      // two hops across accounts, starting on a notebook
	"x-03-nb-call",        // the notebook's named session, from the AssumeRole that named it
	"x-17-named-call",     // a named session with no AssumeRole in the data: the session name
	"x-18-csv-call",       // the same, for a notebook known only from an inventory file
	"x-07-default-direct", // the notebook's default SageMaker key, used directly
	"x-09-ec2-call",       // EC2 instance profile
	"x-11-lambda-call",    // Lambda function
	"x-19-stolen-lambda",  // the Lambda function's key used from a laptop: a finding
	"x-12-ecs-call",       // ECS task
	"x-13-studio-call",    // Studio user profile by sourceIdentity
	"x-14-sso-call",       // Identity Center permission set
	"x-01-create-nb",      // IAM user
	"x-16-service",        // AWS service
	"x-15-unattributed",   // nothing to go on
}

// explainDB ingests the explain scenario and its inventory file,
// attributes it and reopens it read-only.
func explainDB(t *testing.T) *store.DB {
	t.Helper()
	return attributedDB(t, filepath.Join("..", "testdata", "explain"), func(ctx context.Context, db *store.DB) error {
		// nb-csv is known only from an inventory file.
		f, err := os.Open(filepath.Join("testdata", "explain_inventory.csv"))
		if err != nil {
			return err
		}
		defer f.Close()
		nbs, err := attribution.ParseInventoryCSV(f)
		if err != nil {
			return err
		}
		return attribution.ImportInventory(ctx, db, nbs)
	})
}

func TestExplainGolden(t *testing.T) {
	db := explainDB(t)
	xs, err := Explain(t.Context(), db, explainIDs)
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	if len(xs) != len(explainIDs) {
		t.Fatalf("Explain returned %d explanations, want %d", len(xs), len(explainIDs))
	}
	var text, js bytes.Buffer
	if err := WriteExplanationsText(&text, xs); err != nil {
		t.Fatal(err)
	}
	if err := WriteExplanationsJSON(&js, xs); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "explain.txt.golden"), text.Bytes())
	golden.Check(t, filepath.Join("testdata", "explain.json.golden"), js.Bytes())
}

// TestExplainChain checks the chain of the two-hop cross-account call
// link by link, independently of the wording the goldens hold.
// TestExplainFindingsGolden lists the findings of the explain scenario:
// the Lambda function's key used from a laptop, and none of the compute's
// own calls.
func TestExplainFindingsGolden(t *testing.T) {
	db := explainDB(t)
	for _, f := range []Format{Table, JSON} {
		r, err := Findings(t.Context(), db, FindingsParams{})
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, goldenName("", "explain_findings", f), renderRows(t, r, f))
	}
}

func TestExplainChain(t *testing.T) {
	db := explainDB(t)
	xs, err := Explain(t.Context(), db, []string{"x-06-hop2-call"})
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 1 || xs[0].Answer == nil {
		t.Fatalf("Explain(x-06-hop2-call) = %+v, want one attributed call", xs)
	}
	if a := xs[0].Answer; a.ActorKind != "notebook-instance" || a.Actor != "nb-chain" {
		t.Errorf("answer = %s %s, want notebook-instance nb-chain", a.ActorKind, a.Actor)
	}
	var got []string
	for _, e := range xs[0].Evidence {
		got = append(got, e.EventID)
	}
	want := []string{"x-01-create-nb", "x-02-default-assume", "x-04-hop1-assume", "x-05-hop2-assume"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("evidence = %v, want %v", got, want)
	}
}

func TestExplainUnknownID(t *testing.T) {
	db := explainDB(t)
	xs, err := Explain(t.Context(), db, []string{"x-03-nb-call", "no-such-event", "x-09-ec2-call", "x-03-nb-call"})
	if !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("Explain error = %v, want ErrUnknownEvent", err)
	}
	if !strings.Contains(err.Error(), `"no-such-event"`) {
		t.Errorf("error %q does not name the unknown ID", err)
	}
	var got []string
	for _, x := range xs {
		got = append(got, x.Call.EventID)
	}
	if want := "x-03-nb-call x-09-ec2-call"; strings.Join(got, " ") != want {
		t.Errorf("explained %v, want %s", got, want)
	}
}

func TestExplainNothing(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteExplanationsJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("WriteExplanationsJSON(nil) = %q, want []", buf.String())
	}
	if _, err := os.Stat(filepath.Join("..", "testdata", "explain")); err != nil {
		t.Fatalf("explain scenario missing: %v", err)
	}
}

func TestWriteExplanationsText(t *testing.T) {
	call := Call{EventID: "e1", AccountID: "222222222222", Region: "us-east-1", EventName: "GetObject"}
	tests := []struct {
		name string
		x    Explanation
		want []string // lines the output must hold
	}{
		{
			name: "not attributed yet",
			x:    Explanation{Call: call},
			want: []string{"event e1", "  answer   not attributed yet: run ctattrib attribute"},
		},
		{
			name: "unattributed",
			x:    Explanation{Call: call, Answer: &Answer{ActorKind: "unattributed", Method: "none", Confidence: "low", Reason: "no clue"}},
			want: []string{"  answer    unattributed", "  reason    no clue", "  finding   none", "  evidence  none"},
		},
		{
			name: "actor in another account, with a finding and no time on the call",
			x: Explanation{Call: call, Answer: &Answer{ActorKind: "notebook-instance", Actor: "nb-1", AccountID: "111111111111",
				Region: "us-east-1", Method: "session-name", Confidence: "high", Finding: "credentials-used-off-compute", FindingReason: "from a laptop"}},
			want: []string{"  answer    notebook-instance nb-1 (111111111111 us-east-1)",
				"  finding   credentials-used-off-compute: from a laptop", "  evidence  none: the call itself says who made it"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteExplanationsText(&b, []Explanation{tt.x}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("WriteExplanationsText(%s) lacks line %q:\n%s", tt.name, w, b.String())
				}
			}
			if strings.Contains(b.String(), "  time") {
				t.Errorf("WriteExplanationsText(%s) prints a time the call does not have:\n%s", tt.name, b.String())
			}
		})
	}
}

// TestExplainCompute: a call attributed because its compute was the one
// on its role rests on the event that put the compute there, and a chain
// from it across accounts starts there too.
func TestExplainCompute(t *testing.T) {
	db := scenarioDB(t)
	xs, err := Explain(t.Context(), db, []string{"c-56-workers-again-call", "c-04-cross-account-chained-call"})
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 2 {
		t.Fatalf("Explain returned %d explanations, want 2", len(xs))
	}
	tests := []struct {
		kind, actor, method string
		evidence            []string
		proves              string
	}{
		{"hyperpod-cluster", "ml-cluster", "sole-compute-on-role", []string{"c-55-scale-up-add-gpu"},
			"UpdateCluster put hyperpod-cluster ml-cluster (gpu) on role arn:aws:iam::444455556666:role/GpuRole, 2024-05-02T10:00:00Z to 2024-05-02T11:00:00Z (update); " +
				"hyperpod-cluster ml-cluster (workers) on role arn:aws:iam::444455556666:role/WorkerRole, 2024-05-02T10:00:00Z to 2024-05-02T11:00:00Z (update)"},
		{"training-job", "churn-train", "access-key-chain", []string{"c-01-create-training-job", "c-03-training-job-assumes-cross-account"},
			"CreateTrainingJob put training-job churn-train on role arn:aws:iam::444455556666:role/MLJobsRole, 2024-05-02T10:00:00Z to 2024-05-02T11:00:00Z (stopping-condition)"},
	}
	for i, tt := range tests {
		x := xs[i]
		if x.Answer == nil || x.Answer.ActorKind != tt.kind || x.Answer.Actor != tt.actor || x.Answer.Method != tt.method {
			t.Errorf("Explain(%s) answer = %+v, want %s %s by %s", x.Call.EventID, x.Answer, tt.kind, tt.actor, tt.method)
			continue
		}
		var ids []string
		for _, e := range x.Evidence {
			ids = append(ids, e.EventID)
		}
		if diff := cmp.Diff(tt.evidence, ids); diff != "" {
			t.Errorf("Explain(%s) evidence (-want +got):\n%s", x.Call.EventID, diff)
			continue
		}
		if got := x.Evidence[0].Proves; got != tt.proves {
			t.Errorf("Explain(%s) first link proves\n%s\nwant\n%s", x.Call.EventID, got, tt.proves)
		}
	}
}
