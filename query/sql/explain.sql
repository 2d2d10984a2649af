-- The calls explain was asked about, with their attributions. $ids is
-- the list of event IDs; an ID with no row here is not in the database.
-- The LEFT JOIN keeps a call that attribution has not reached yet
-- (ingest --no-attribute): it is shown without an answer.
SELECT e.event_id, e.event_time,
	e.recipient_account_id AS account_id, e.aws_region AS region,
	e.event_source, e.event_name,
	coalesce(e.principal_arn, e.user_name, e.invoked_by) AS principal,
	e.access_key_id, e.source_ip, e.user_agent, e.error_code,
	a.actor_kind, a.actor, a.method, a.confidence, a.reason, a.note, a.finding,
	a.account_id AS actor_account_id, a.region AS actor_region,
	f.reason AS finding_reason
FROM events e
LEFT JOIN attributions a ON a.event_id = e.event_id
-- The finding the call belongs to, for its reason: findings are few.
LEFT JOIN findings f ON f.kind = a.finding AND list_contains(f.event_ids, e.event_id)
WHERE list_contains($ids, e.event_id)
-- An event ID is unique in the database; should a copy slip in, the
-- first one stands for both.
QUALIFY row_number() OVER (PARTITION BY e.event_id ORDER BY e.event_time, a.actor_kind, f.finding_id) = 1
ORDER BY e.event_id
