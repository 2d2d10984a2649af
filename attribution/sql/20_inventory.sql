-- Rebuild the CloudTrail part of notebook_instances: one row per lifetime
-- of a name in an account and region. A lifetime starts at a
-- CreateNotebookInstance and ends at the first DeleteNotebookInstance
-- before the next create; updates and deletes seen before any create (the
-- trail starts later than the instance) make a lifetime with an unknown
-- start. It reads the lifecycle events from notebook_events (stops and
-- starts there are for the findings, not lifetimes). event_id is
-- the event a lifetime rests on: its create, else its first event.
DELETE FROM notebook_instances WHERE source = 'cloudtrail';
INSERT INTO notebook_instances (account_id, region, name, arn, role_arn, lifecycle_config_name,
	instance_type, created_at, deleted_at, source, event_id)
WITH ev2 AS (
	SELECT * FROM notebook_events WHERE name IS NOT NULL AND account_id IS NOT NULL AND region IS NOT NULL
		AND event_name IN ('CreateNotebookInstance', 'UpdateNotebookInstance', 'DeleteNotebookInstance')
), creates AS (
	SELECT *, lead(event_time) OVER (PARTITION BY account_id, region, name ORDER BY event_time, event_id) AS next_create
	FROM ev2 WHERE event_name = 'CreateNotebookInstance'
), firsts AS (
	SELECT account_id, region, name, min(event_time) AS first_create FROM creates GROUP BY ALL
), life AS (
	SELECT account_id, region, name, event_time AS created_at, next_create AS bound,
		arn, role_arn, lcc, instance_type, event_id
	FROM creates
	UNION ALL
	SELECT e.account_id, e.region, e.name, NULL, f.first_create, NULL, NULL, NULL, NULL,
		arg_min(e.event_id, (e.event_time, e.event_id))
	FROM ev2 e LEFT JOIN firsts f USING (account_id, region, name)
	WHERE e.event_name <> 'CreateNotebookInstance' AND (f.first_create IS NULL OR e.event_time < f.first_create)
	GROUP BY e.account_id, e.region, e.name, f.first_create
), within AS (
	SELECT l.account_id, l.region, l.name, l.created_at, e.*
	FROM life l JOIN ev2 e ON e.account_id = l.account_id AND e.region = l.region AND e.name = l.name
		AND (l.created_at IS NULL OR e.event_time >= l.created_at)
		AND (l.bound IS NULL OR e.event_time < l.bound)
	WHERE e.event_name <> 'CreateNotebookInstance'
), dl AS (
	SELECT account_id, region, name, created_at, min(event_time) AS deleted_at
	FROM within WHERE event_name = 'DeleteNotebookInstance' GROUP BY ALL
), up AS (
	SELECT account_id, region, name, created_at,
		arg_max(role_arn, (event_time, event_id)) FILTER (WHERE role_arn IS NOT NULL) AS role_arn,
		arg_max(CASE WHEN lcc_removed THEN '' ELSE lcc END, (event_time, event_id))
			FILTER (WHERE lcc IS NOT NULL OR lcc_removed) AS lcc,
		arg_max(instance_type, (event_time, event_id)) FILTER (WHERE instance_type IS NOT NULL) AS instance_type
	FROM within WHERE event_name = 'UpdateNotebookInstance' GROUP BY ALL
)
SELECT l.account_id, l.region, l.name, l.arn, coalesce(up.role_arn, l.role_arn),
	nullif(coalesce(up.lcc, l.lcc), ''), coalesce(up.instance_type, l.instance_type),
	l.created_at, CASE WHEN l.created_at IS NULL THEN coalesce(dl.deleted_at, l.bound) ELSE dl.deleted_at END,
	'cloudtrail', l.event_id
FROM life l
LEFT JOIN dl ON dl.account_id = l.account_id AND dl.region = l.region AND dl.name = l.name
	AND dl.created_at IS NOT DISTINCT FROM l.created_at
LEFT JOIN up ON up.account_id = l.account_id AND up.region = l.region AND up.name = l.name
	AND up.created_at IS NOT DISTINCT FROM l.created_at;
