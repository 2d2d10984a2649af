-- Add to assume_role_fields the successful AssumeRole calls among the
-- rows of event_rows after rowid $after: the role and session asked for,
-- the key issued and when it expires.
INSERT INTO assume_role_fields
SELECT event_id,
	ctj(rp)->>'$.roleArn',
	ctj(rp)->>'$.roleSessionName',
	ctj(re)->>'$.credentials.accessKeyId',
	ctj(re)->>'$.credentials.expiration'
FROM (SELECT event_id, {{ template "record_json" }}
	FROM event_rows
	WHERE rowid > $after AND {{ isAssumeRole }}
	  AND error_code IS NULL AND event_time IS NOT NULL)
