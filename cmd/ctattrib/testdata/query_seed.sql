-- Two notebook calls (one denied) and an unattributed one, for the query
-- command's tests.
INSERT INTO event_rows (event_id, event_time, event_source, event_name, aws_region, recipient_account_id, identity_type, role_arn, session_name, error_code, error_message, record) VALUES
 ('e1', '2026-11-20T10:00:00Z', 'sagemaker.amazonaws.com', 'CreateEndpoint', 'us-east-1', '111122223333', 'AssumedRole', 'arn:aws:iam::111122223333:role/Exec', 'research-nb-1', NULL, NULL, NULL),
 ('e2', '2026-11-21T10:00:00Z', 's3.amazonaws.com', 'GetObject', 'us-east-1', '111122223333', 'AssumedRole', 'arn:aws:iam::111122223333:role/Exec', 'research-nb-1', 'AccessDenied', 'Access Denied', '{"requestParameters":{"bucketName":"b","key":"k"}}'),
 ('e3', '2026-11-22T10:00:00Z', 'sagemaker.amazonaws.com', 'CreateEndpoint', 'eu-west-1', '111122223333', 'AssumedRole', 'arn:aws:iam::111122223333:role/Exec', 'SageMaker', NULL, NULL, NULL);
INSERT INTO attributions (event_id, actor_kind, actor, method, confidence, account_id, region) VALUES
 ('e1', 'notebook-instance', 'research-nb-1', 'session-name', 'high', '111122223333', 'us-east-1'),
 ('e2', 'notebook-instance', 'research-nb-1', 'session-name', 'high', '111122223333', 'us-east-1'),
 ('e3', 'unattributed', NULL, 'none', 'low', '111122223333', 'eu-west-1');
-- What ingest reads beside the record and attribution copies from events.
UPDATE event_rows SET request_bucket = record ->> '$.requestParameters.bucketName', request_key = record ->> '$.requestParameters.key';
UPDATE attributions a SET event_time = e.event_time, event_source = e.event_source, event_name = e.event_name,
	error_code = e.error_code, identity_type = e.identity_type, role_arn = e.role_arn, session_name = e.session_name,
	recipient_account_id = e.recipient_account_id, aws_region = e.aws_region
	FROM event_rows e WHERE e.event_id = a.event_id;
