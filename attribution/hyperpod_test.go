package attribution_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/attribution"
	"github.com/ctattrib/ctattrib/internal/golden"
)

// HyperPod nodes that run 'ctattrib lifecycle hyperpod' call as
// assumed-role/ROLE/hyperpod.CLUSTER.INSTANCE-ID after the cluster role,
// from the node's default SageMaker session, assumed itself with that name.

const hpRole = "arn:aws:iam::111111111111:role/HyperPodClusterRole"

func hyperPodRecords() []ev {
	node := func(session, key string) ev {
		return assumed("aws", acctA, hpRole, session, key, "2024-08-01T10:00:00Z")
	}
	const node1 = "hyperpod.ml-cluster.i-0a1b2c3d4e5f60718"
	def1 := node("SageMaker", "ASIAHPDEFAULT0000001")
	call := func(id, t string, who ev, source, name string) ev {
		return event(id, t, "us-east-1", acctA, source, name, "10.1.2.3", who, nil, nil)
	}
	admin := iamUser(acctA, "admin", "AKIAADMINEXAMPLE0001")
	chained := assumed("aws", acctA, "arn:aws:iam::111111111111:role/DataRole", "job-42", "ASIAHPCHAINED0000001", "2024-08-01T10:10:00Z")
	return []ev{
		// Node 1 names its session; its calls rest on that AssumeRole.
		assumeRole("hp-01-node1-names", "2024-08-01T10:00:00Z", "us-east-1", acctA, def1, hpRole, node1,
			"ASIAHPNODE1000000001", "2024-08-01T11:00:00Z"),
		call("hp-02-node1-call", "2024-08-01T10:05:00Z", node(node1, "ASIAHPNODE1000000001"), "s3.amazonaws.com", "ListBuckets"),
		// ... and chains on to another role; the chain still names node 1.
		assumeRole("hp-03-node1-chains", "2024-08-01T10:10:00Z", "us-east-1", acctA, node(node1, "ASIAHPNODE1000000001"),
			"arn:aws:iam::111111111111:role/DataRole", "job-42", "ASIAHPCHAINED0000001", "2024-08-01T11:10:00Z"),
		call("hp-04-chained-call", "2024-08-01T10:15:00Z", chained, "s3.amazonaws.com", "GetObject"),
		// Node 2's AssumeRole is not in the data: the session name alone.
		call("hp-05-node2-name-only", "2024-08-01T10:20:00Z", node("hyperpod.ml-cluster.i-0fedcba9876543210", "ASIAHPNODE2000000001"),
			"sagemaker.amazonaws.com", "DescribeCluster"),
		// A cluster name too long for the session name: its truncated form.
		call("hp-06-long-cluster", "2024-08-01T10:25:00Z",
			node("hyperpod.team-a-llm-pretraining-clu=640ae02c.i-0123456789abcdef0", "ASIAHPNODE3000000001"),
			"s3.amazonaws.com", "PutObject"),
		// A person who picks a node's name: the key is theirs.
		assumeRole("hp-07-admin-mimics", "2024-08-01T10:30:00Z", "us-east-1", acctA, admin, hpRole,
			"hyperpod.ml-cluster.i-0aaaabbbbccccdddd", "ASIAHPMIMIC000000001", "2024-08-01T11:30:00Z"),
		call("hp-08-mimic-call", "2024-08-01T10:35:00Z", node("hyperpod.ml-cluster.i-0aaaabbbbccccdddd", "ASIAHPMIMIC000000001"),
			"s3.amazonaws.com", "DeleteObject"),
		// Names that only look like a node's.
		call("hp-09-not-a-node", "2024-08-01T10:40:00Z", node("hyperpod.ml.cluster.i-0a1b2c3d4e5f60718", "ASIAHPODD00000000001"),
			"s3.amazonaws.com", "ListBuckets"),
		call("hp-10-short-id", "2024-08-01T10:41:00Z", node("hyperpod.ml-cluster.i-123", "ASIAHPODD00000000002"),
			"s3.amazonaws.com", "ListBuckets"),
		// The default-session key that named node 1's session is node 1's
		// own, as a notebook's is: its other calls (a pod on the node's
		// instance credentials, a process that ignores AWS_CONFIG_FILE) are
		// node 1's too.
		call("hp-11-default-session", "2024-08-01T10:45:00Z", def1, "s3.amazonaws.com", "ListBuckets"),
	}
}

func TestHyperPodGolden(t *testing.T) {
	db := openDB(t)
	loadFile(t, db, "hyperpod", hyperPodRecords()...)
	attribute(t, db, true)
	golden.Check(t, filepath.Join("testdata", "hyperpod.golden"), []byte(dump(t, db)))
}

// TestHyperPodIncrementalEqualsFull loads the node's calls before and
// after the AssumeRole that names it.
func TestHyperPodIncrementalEqualsFull(t *testing.T) {
	recs := hyperPodRecords()
	full := openDB(t)
	loadFile(t, full, "hyperpod", recs...)
	attribute(t, full, true)
	db := openDB(t)
	loadFile(t, db, "later", recs[1:]...)
	attribute(t, db, false)
	loadFile(t, db, "first", recs[0])
	attribute(t, db, false)
	if diff := cmp.Diff(dump(t, full), dump(t, db)); diff != "" {
		t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
	}
}

// TestHyperPodNodeKeyOffCompute: a node's credentials used from a laptop
// keep their attribution and get a finding, as any compute's do.
func TestHyperPodNodeKeyOffCompute(t *testing.T) {
	recs := hyperPodRecords()
	laptop := event("hp-20-node1-key-on-laptop", "2024-08-01T10:07:00Z", "us-east-1", acctA, "s3.amazonaws.com", "GetObject",
		"203.0.113.50", assumed("aws", acctA, hpRole, "hyperpod.ml-cluster.i-0a1b2c3d4e5f60718", "ASIAHPNODE1000000001", "2024-08-01T10:00:00Z"), nil, nil)
	laptop["userAgent"] = "aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0 exe/x86_64 prompt/off command/s3.cp"
	db := openDB(t)
	loadFile(t, db, "hyperpod", append(recs, laptop)...)
	attribute(t, db, true)
	rows := byEvent(t, db)
	if got := rows["hp-20-node1-key-on-laptop"]; got.Kind != "hyperpod-node" || got.Actor != "ml-cluster/i-0a1b2c3d4e5f60718" {
		t.Errorf("laptop call attributed to %s %s, want hyperpod-node ml-cluster/i-0a1b2c3d4e5f60718", got.Kind, got.Actor)
	}
	if got := findingOf(t, db, "hp-20-node1-key-on-laptop"); got != attribution.FindingOffCompute {
		t.Errorf("finding of the laptop call = %q, want %s", got, attribution.FindingOffCompute)
	}
	if got := findingOf(t, db, "hp-02-node1-call"); got != "" {
		t.Errorf("finding of the node's own call = %q, want none", got)
	}
}
