-- For fixtures written straight into the tables: the event columns
-- attribution copies into attributions, and the columns ingest reads from
-- the record beside it.
UPDATE attributions a SET event_time = e.event_time,
	event_source = e.event_source, event_name = e.event_name, error_code = e.error_code,
	identity_type = e.identity_type, role_arn = e.role_arn, session_name = e.session_name,
	recipient_account_id = e.recipient_account_id, aws_region = e.aws_region
	FROM event_rows e WHERE e.event_id = a.event_id;
UPDATE event_rows SET
	request_bucket  = nullif(record ->> '$.requestParameters.bucketName', ''),
	request_key     = nullif(record ->> '$.requestParameters.key', ''),
	request_kms_key = coalesce(nullif(record ->> '$.requestParameters.keyId', ''), nullif(record ->> '$.requestParameters.KeyId', '')),
	resource_arn    = nullif(record ->> '$.resources[0].ARN', '');
