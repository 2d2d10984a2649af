-- seen_keys: keys known from their own calls rather than from an
-- AssumeRole. A service that calls with a session's key on that session's
-- behalf (S3 decrypting with KMS for a GetObject: forward access) sends
-- its own name as invokedBy and user agent; the session's direct calls
-- with the same key say whose call it was: a Lambda function's or ECS
-- task's when their user agent names the compute, else a session nothing
-- attributes ('unattributed', the session's ARN). A key only ever used
-- with invokedBy is the service's own session (CloudFormation with a
-- stack's service role).
CREATE OR REPLACE TEMP TABLE seen_keys AS
WITH direct AS (
	SELECT access_key_id, coalesce(session_created_at, event_time) AS t, event_time, event_id,
		CASE WHEN session_name IS NULL THEN 'unattributed'
			WHEN user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\' THEN 'lambda-function'
			WHEN user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\' THEN 'ecs-task'
			ELSE 'unattributed' END AS actor_kind,
		session_name, principal_arn,
		coalesce(identity_account_id, recipient_account_id) AS account_id, aws_region AS region
	FROM events
	WHERE identity_type = 'AssumedRole' AND invoked_by IS NULL AND event_time IS NOT NULL
	  AND (user_agent LIKE '%exec-env/AWS\_Lambda%' ESCAPE '\' OR user_agent LIKE '%exec-env/AWS\_ECS%' ESCAPE '\'
		OR access_key_id IN (SELECT access_key_id FROM events WHERE identity_type = 'AssumedRole' AND invoked_by IS NOT NULL))
	  AND regexp_full_match(access_key_id, '[A-Z0-9]{16,128}')
), per_key AS (
	SELECT access_key_id,
		min(t) - INTERVAL 1 MINUTE AS valid_from,
		max(t) + INTERVAL 12 HOUR AS valid_to,
		count(DISTINCT actor_kind || ' ' || session_name) FILTER (WHERE actor_kind <> 'unattributed') AS computes,
		min(actor_kind) FILTER (WHERE actor_kind <> 'unattributed') AS compute_kind,
		min(session_name) FILTER (WHERE actor_kind <> 'unattributed') AS compute,
		min(principal_arn) AS principal_arn,
		min(account_id) AS account_id, min(region) AS region,
		arg_min(event_id, (actor_kind = 'unattributed', event_time, event_id)) AS evidence_event_id
	FROM direct
	GROUP BY access_key_id
)
SELECT access_key_id, valid_from, valid_to,
	CASE WHEN computes = 1 THEN compute_kind ELSE 'unattributed' END AS actor_kind,
	CASE WHEN computes = 1 THEN compute ELSE coalesce(principal_arn, access_key_id) END AS actor,
	account_id, region, evidence_event_id
FROM per_key;
