package awsid_test

import (
	"fmt"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

func ExampleParseSessionARN() {
	s, ok := awsid.ParseSessionARN("arn:aws-us-gov:sts::123456789012:assumed-role/ExampleRole/i-0a1b2c3d4e5f60718")
	fmt.Println(ok, s.Partition, s.Account, s.RoleName, s.SessionName, awsid.IsEC2InstanceID(s.SessionName))
	// Output: true aws-us-gov 123456789012 ExampleRole i-0a1b2c3d4e5f60718 true
}

func ExamplePartitionOfRegion() {
	for _, r := range []string{"eu-central-2", "cn-northwest-1", "us-isob-east-1", "aa-b-99"} {
		p, ok := awsid.PartitionOfRegion(r)
		fmt.Println(r, p, ok)
	}
	// Output:
	// eu-central-2 aws true
	// cn-northwest-1 aws-cn true
	// us-isob-east-1 aws-iso-b true
	// aa-b-99  false
}

// The patterns go into SQL as they are; the group constants pick the
// parts out with DuckDB's regexp_extract.
func Example_sql() {
	fmt.Printf("regexp_extract(principal_arn, '^%s$', %d) AS session_name\n", awsid.SessionARNPattern, awsid.SessionARNGroupSession)
	// Output: regexp_extract(principal_arn, '^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):sts::([0-9]{12}):assumed-role/([A-Za-z0-9_+=,.@-]{1,64})/([A-Za-z0-9_+=,.@-]{2,64})$', 4) AS session_name
}

// A HyperPod node's session name fits STS's 64 characters whatever the
// cluster's name: a long name is cut and ends in a hash of the whole.
func ExampleHyperPodSessionName() {
	for _, cluster := range []string{"ml-cluster", "team-a-llm-pretraining-cluster-us-east-1"} {
		name, _ := awsid.HyperPodSessionName(cluster, "i-0123456789abcdef0")
		s, _ := awsid.ParseHyperPodSessionName(name)
		fmt.Println(name, len(name), s.Truncated(), s.IsCluster(cluster))
	}
	// Output:
	// hyperpod.ml-cluster.i-0123456789abcdef0 39 false true
	// hyperpod.team-a-llm-pretraining-clu=640ae02c.i-0123456789abcdef0 64 true true
}
