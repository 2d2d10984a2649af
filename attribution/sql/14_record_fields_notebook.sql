-- Add to notebook_events the notebook lifecycle events among the rows of
-- event_rows after rowid $after. It reads event_rows rather than the
-- events view so that only those rows are scanned; rp and re are the
-- request and response as the view reads them (the eventID left out of
-- stored records is not among them).
INSERT INTO notebook_events
SELECT event_id, event_name, event_time, recipient_account_id, aws_region,
	ctj(rp)->>'$.notebookInstanceName',
	ctj(rp)->>'$.roleArn',
	ctj(rp)->>'$.lifecycleConfigName',
	coalesce(ctj(rp)->>'$.disassociateLifecycleConfig', 'false') = 'true',
	ctj(rp)->>'$.instanceType',
	ctj(re)->>'$.notebookInstanceArn'
FROM (SELECT event_id, event_name, event_time, recipient_account_id, aws_region, {{ template "record_json" }}
	FROM event_rows
	WHERE rowid > $after AND {{ isNotebookLifecycle }}
	  AND error_code IS NULL AND event_time IS NOT NULL)
