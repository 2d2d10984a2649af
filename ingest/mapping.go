package ingest

// stringPaths are the JSON paths read as text, in the order mapSQL uses
// them (1-based in SQL).
var stringPaths = []string{
	"$.eventID",                  // 1
	"$.eventTime",                // 2
	`$."@timestamp"`,             // 3 (Logstash exports lack eventTime)
	"$.eventVersion",             // 4
	"$.eventSource",              // 5
	"$.eventName",                // 6
	"$.awsRegion",                // 7
	"$.recipientAccountId",       // 8
	"$.sourceIPAddress",          // 9
	"$.userAgent",                // 10
	"$.userIdentity.type",        // 11
	"$.userIdentity.principalId", // 12
	"$.userIdentity.arn",         // 13
	"$.userIdentity.accountId",   // 14
	"$.userIdentity.accessKeyId", // 15
	"$.userIdentity.userName",    // 16
	"$.userIdentity.sessionContext.sessionIssuer.arn",           // 17
	"$.userIdentity.sessionContext.sessionIssuer.userName",      // 18
	"$.userIdentity.sessionContext.sourceIdentity",              // 19
	"$.userIdentity.invokedBy",                                  // 20
	"$.userIdentity.sessionContext.attributes.mfaAuthenticated", // 21
	"$.userIdentity.sessionContext.attributes.creationDate",     // 22
	"$.userIdentity.sessionContext.ec2RoleDelivery",             // 23
	"$.errorCode",                    // 24
	"$.errorMessage",                 // 25
	"$.readOnly",                     // 26
	"$.eventType",                    // 27
	"$.managementEvent",              // 28
	"$.eventCategory",                // 29
	"$.requestID",                    // 30
	"$.sharedEventID",                // 31
	"$.vpcEndpointId",                // 32
	"$.requestParameters.bucketName", // 33
	"$.requestParameters.key",        // 34
	"$.requestParameters.keyId",      // 35
	"$.requestParameters.KeyId",      // 36
	"$.resources[0].ARN",             // 37
}

// mapSQL turns staged raw records into events rows. DuckDB parses each
// record once per path list and runs on every core; it is several times
// faster than decoding the same JSON into Go structs and appending ~40
// values a row (see BenchmarkDecodeRows in the history of this file).
//
// A record is stored as the batch holds it: without its eventID's value,
// which event_id holds, id_pos characters in (the events view puts it
// back). A random UUID in every record is what zstd compresses worst:
// leaving it out made the database 13% smaller.
//
// An S3 resource ARN that request_bucket and request_key spell is stored
// as 's3:object' or 's3:bucket', and the view spells it out again: object
// ARNs, unique per object, were the largest column after event_id.
//
// Empty strings become NULL. Booleans may arrive as JSON booleans or as
// "true"/"false" strings. Times take CloudTrail's form, the fractional and
// space-separated forms of re-shipped logs, and the compact form of old
// creationDate values. An event with no eventID gets a key derived from its
// content, so the same event loaded twice is still one row.
const mapSQL = `
SELECT
    event_id,
    coalesce(ctattrib_time(s[2]), ctattrib_time(s[3]))     AS event_time,
    nullif(s[4], '')  AS event_version,
    nullif(s[5], '')  AS event_source,
    nullif(s[6], '')  AS event_name,
    nullif(s[7], '')  AS aws_region,
    nullif(s[8], '')  AS recipient_account_id,
    nullif(s[9], '')  AS source_ip,
    nullif(s[10], '') AS user_agent,
    nullif(s[11], '') AS identity_type,
    nullif(s[12], '') AS principal_id,
    nullif(s[13], '') AS principal_arn,
    nullif(s[14], '') AS identity_account_id,
    nullif(s[15], '') AS access_key_id,
    nullif(s[16], '') AS user_name,
    nullif(s[17], '') AS role_arn,
    coalesce(nullif(s[18], ''), nullif(arn.role, '')) AS role_name,
    nullif(arn.session, '') AS session_name,
    nullif(s[19], '') AS source_identity,
    nullif(s[20], '') AS invoked_by,
    ctattrib_bool(s[21]) AS mfa_authenticated,
    ctattrib_time(s[22]) AS session_created_at,
    nullif(s[23], '') AS ec2_role_delivery,
    nullif(s[24], '') AS error_code,
    nullif(s[25], '') AS error_message,
    ctattrib_bool(s[26]) AS read_only,
    nullif(s[27], '') AS event_type,
    ctattrib_bool(s[28]) AS management_event,
    nullif(s[29], '') AS event_category,
    nullif(s[31], '') AS shared_event_id,
    nullif(s[32], '') AS vpc_endpoint_id,
    nullif(s[33], '') AS request_bucket,
    nullif(s[34], '') AS request_key,
    coalesce(nullif(s[35], ''), nullif(s[36], '')) AS request_kms_key,
    CASE nullif(s[37], '')
        WHEN 'arn:aws:s3:::' || nullif(s[33], '') || '/' || nullif(s[34], '') THEN 's3:object'
        WHEN 'arn:aws:s3:::' || nullif(s[33], '') THEN 's3:bucket'
        ELSE nullif(s[37], '') END AS resource_arn,
    record,
    id_pos,
    source_uri
FROM (
    -- One match of the principal's ARN gives both the role and the session.
    SELECT *, regexp_extract(s[13], '` + sessionARNPattern + `', ['role', 'session']) AS arn
    FROM (
        SELECT json_extract_string(b.record, $1::VARCHAR[]) AS s,
               k.event_id, b.record, b.id_pos, b.source_uri
        FROM ctattrib_batch(BATCH, false) b
        JOIN batch_keep k ON k.rid = b.rid
    )
)`

// eventIDExpr is an event's key: its eventID, or for the events CloudTrail
// (or a re-shipper) left without one, a hash of the record.
const eventIDExpr = `coalesce(nullif(json_extract_string(record, '$.eventID'), ''), 'ctattrib:' || md5(record))`

// sessionARNPattern matches arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION
// in any partition; group 1 is the role, group 2 the session. It must agree
// with ParseSessionARN (TestSessionPatternAgrees).
const sessionARNPattern = `^arn:[a-z0-9-]+:sts::[^:]*:assumed-role/([^/]+)/(.+)$`

// macroSQL defines the small helpers mapSQL uses. They are temporary: the
// database file keeps no trace of them.
var macroSQL = []string{
	`CREATE OR REPLACE TEMP MACRO ctattrib_time(v) AS coalesce(
		try_cast(v AS TIMESTAMPTZ),
		try_strptime(v, '%Y%m%dT%H%M%SZ')::TIMESTAMPTZ)`,
	`CREATE OR REPLACE TEMP MACRO ctattrib_bool(v) AS CASE lower(v) WHEN 'true' THEN true WHEN 'false' THEN false END`,
}
