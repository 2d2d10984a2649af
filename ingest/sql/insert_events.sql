-- The batch's new events (batch_keep) into event_rows, mapped to columns.
-- DuckDB parses each record once for the whole list of JSON paths and runs
-- on every core: several times faster than decoding the same JSON into Go
-- structs and appending some forty values a row.
--
-- {{ `{{ s "PATH" }}` }} is the text at a JSON path of the record: all the paths read
-- are one list, $paths, extracted together; s[N] is the place of PATH in it.
--
-- A record is stored as the batch holds it: without its eventID's value,
-- which event_id holds, id_pos characters in (the events view puts it
-- back). A random UUID in every record is what zstd compresses worst.
--
-- An S3 resource ARN that request_bucket and request_key spell is stored
-- as 's3:object' or 's3:bucket', and the view spells it out again: object
-- ARNs, unique per object, were the largest column after event_id.
--
-- Empty strings become NULL. An event with no eventID gets a key derived
-- from its content (batch_keys), so the same event loaded twice is still
-- one row.
INSERT INTO event_rows BY NAME
SELECT
    event_id,
    -- Logstash exports lack eventTime.
    coalesce(ctattrib_time({{ s "$.eventTime" }}), ctattrib_time({{ s `$."@timestamp"` }})) AS event_time,
    nullif({{ s "$.eventVersion" }}, '') AS event_version,
    nullif({{ s "$.eventSource" }}, '') AS event_source,
    nullif({{ s "$.eventName" }}, '') AS event_name,
    nullif({{ s "$.awsRegion" }}, '') AS aws_region,
    nullif({{ s "$.recipientAccountId" }}, '') AS recipient_account_id,
    nullif({{ s "$.sourceIPAddress" }}, '') AS source_ip,
    nullif({{ s "$.userAgent" }}, '') AS user_agent,
    nullif({{ s "$.userIdentity.type" }}, '') AS identity_type,
    nullif({{ s "$.userIdentity.principalId" }}, '') AS principal_id,
    nullif({{ s "$.userIdentity.arn" }}, '') AS principal_arn,
    nullif({{ s "$.userIdentity.accountId" }}, '') AS identity_account_id,
    nullif({{ s "$.userIdentity.accessKeyId" }}, '') AS access_key_id,
    nullif({{ s "$.userIdentity.userName" }}, '') AS user_name,
    nullif({{ s "$.userIdentity.sessionContext.sessionIssuer.arn" }}, '') AS role_arn,
    coalesce(nullif({{ s "$.userIdentity.sessionContext.sessionIssuer.userName" }}, ''), nullif(arn.role, '')) AS role_name,
    nullif(arn.session, '') AS session_name,
    nullif({{ s "$.userIdentity.sessionContext.sourceIdentity" }}, '') AS source_identity,
    nullif({{ s "$.userIdentity.invokedBy" }}, '') AS invoked_by,
    ctattrib_bool({{ s "$.userIdentity.sessionContext.attributes.mfaAuthenticated" }}) AS mfa_authenticated,
    ctattrib_time({{ s "$.userIdentity.sessionContext.attributes.creationDate" }}) AS session_created_at,
    nullif({{ s "$.userIdentity.sessionContext.ec2RoleDelivery" }}, '') AS ec2_role_delivery,
    nullif({{ s "$.errorCode" }}, '') AS error_code,
    nullif({{ s "$.errorMessage" }}, '') AS error_message,
    ctattrib_bool({{ s "$.readOnly" }}) AS read_only,
    nullif({{ s "$.eventType" }}, '') AS event_type,
    ctattrib_bool({{ s "$.managementEvent" }}) AS management_event,
    nullif({{ s "$.eventCategory" }}, '') AS event_category,
    nullif({{ s "$.sharedEventID" }}, '') AS shared_event_id,
    nullif({{ s "$.vpcEndpointId" }}, '') AS vpc_endpoint_id,
    nullif({{ s "$.requestParameters.bucketName" }}, '') AS request_bucket,
    nullif({{ s "$.requestParameters.key" }}, '') AS request_key,
    coalesce(nullif({{ s "$.requestParameters.keyId" }}, ''), nullif({{ s "$.requestParameters.KeyId" }}, '')) AS request_kms_key,
    CASE nullif({{ s "$.resources[0].ARN" }}, '')
        WHEN 'arn:aws:s3:::' || nullif({{ s "$.requestParameters.bucketName" }}, '') || '/' || nullif({{ s "$.requestParameters.key" }}, '') THEN 's3:object'
        WHEN 'arn:aws:s3:::' || nullif({{ s "$.requestParameters.bucketName" }}, '') THEN 's3:bucket'
        ELSE nullif({{ s "$.resources[0].ARN" }}, '') END AS resource_arn,
    record,
    id_pos,
    source_uri
FROM (
    -- One match of the principal's ARN gives both the role and the session.
    SELECT *, regexp_extract({{ s "$.userIdentity.arn" }}, {{ literal .SessionARNPattern }}, ['role', 'session']) AS arn
    FROM (
        SELECT json_extract_string(b.record, $paths::VARCHAR[]) AS s,
               k.event_id, b.record, b.id_pos, b.source_uri
        FROM ctattrib_batch($batch, false) b
        JOIN batch_keep k ON k.rid = b.rid
    )
)
