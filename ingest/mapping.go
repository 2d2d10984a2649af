package ingest

// sessionARNPattern matches arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION
// in any partition; group 1 is the role, group 2 the session. It must agree
// with ParseSessionARN (TestSessionPatternAgrees).
const sessionARNPattern = `^arn:[a-z0-9-]+:sts::[^:]*:assumed-role/([^/]+)/(.+)$`
