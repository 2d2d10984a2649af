// Package corpus generates deterministic, schema-faithful CloudTrail logs
// for demos, tests and benchmarks.
//
// A corpus is a set of gzip'd CloudTrail log files laid out exactly as
// CloudTrail writes them to S3
// ([prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/...json.gz),
// a few CloudTrail-Digest objects, and optionally a ground-truth CSV naming
// the actor behind every event: the SageMaker notebook instance, Studio
// user profile, EC2 instance and so on, or "unattributed" when CloudTrail
// holds no way to tell.
//
// The same Config always yields byte-identical output, whatever the number
// of workers: every file, and every event inside it, draws from its own PCG
// stream derived from Config.Seed, and the world the events come from
// (accounts, roles, notebook lifecycles, session keys) is a pure function
// of the seed and the start time.
package corpus
