package awsid

import "regexp"

// A Partition is a group of AWS regions with its own IAM, ARNs and
// endpoints: an account, a role or a key of one partition means nothing in
// another.
type Partition struct {
	// ID is the partition field of its ARNs, such as "aws-cn".
	ID string
	// RegionPrefixes are what its region names start with, before the
	// direction: "us-gov" for us-gov-west-1.
	RegionPrefixes []string
}

// Partitions lists the AWS partitions and their region prefixes, as the AWS
// SDKs' partitions.json defines them.
var Partitions = []Partition{
	{ID: "aws", RegionPrefixes: []string{"af", "ap", "ca", "eu", "il", "me", "mx", "sa", "us"}},
	{ID: "aws-cn", RegionPrefixes: []string{"cn"}},
	{ID: "aws-us-gov", RegionPrefixes: []string{"us-gov"}},
	{ID: "aws-iso", RegionPrefixes: []string{"us-iso"}},
	{ID: "aws-iso-b", RegionPrefixes: []string{"us-isob"}},
	{ID: "aws-iso-e", RegionPrefixes: []string{"eu-isoe"}},
	{ID: "aws-iso-f", RegionPrefixes: []string{"us-isof"}},
	{ID: "aws-eusc", RegionPrefixes: []string{"eusc-de"}},
}

// PartitionPattern matches a partition ID of Partitions. Its one group is
// the partition.
const PartitionPattern = `(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)`

// RegionPattern matches a region name: a prefix of a partition, a
// direction and a number, such as us-east-1, ap-southeast-7, us-gov-west-1
// or eusc-de-east-1. Group 1 is the prefix, group 2 the direction.
const RegionPattern = `(af|ap|ca|eu|il|me|mx|sa|us|cn|us-gov|us-iso|us-isob|us-isof|eu-isoe|eusc-de)-(central|east|west|north|south|northeast|northwest|southeast|southwest)-[1-9][0-9]?`

var (
	partitionRE = full(PartitionPattern)
	regionRE    = full(RegionPattern)
)

// full compiles an exported pattern for a whole-string match. The group
// it adds captures nothing, so group numbers stay those the pattern's
// documentation gives.
func full(p string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + p + `)$`) }

// IsPartition reports whether s is the ID of an AWS partition.
func IsPartition(s string) bool { return partitionRE.MatchString(s) }

// IsRegion reports whether s is a region name in an AWS partition. Pseudo
// regions such as "aws-global" are not.
func IsRegion(s string) bool { return regionRE.MatchString(s) }

// PartitionOfRegion returns the ID of the partition region belongs to, or
// false when region is not a region name.
func PartitionOfRegion(region string) (string, bool) {
	m := regionRE.FindStringSubmatch(region)
	if m == nil {
		return "", false
	}
	for _, p := range Partitions {
		for _, prefix := range p.RegionPrefixes {
			if prefix == m[1] {
				return p.ID, true
			}
		}
	}
	return "", false
}
