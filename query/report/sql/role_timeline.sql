-- role_timeline: the assumed-role calls per account, execution role and
-- bucket of $width seconds, and how many of them are attributed: the
-- roll-out over time, which the report draws per account and per role.
SELECT coalesce(a.recipient_account_id, '') AS account_id,
	coalesce(a.role_arn, '') AS role_arn,
	time_bucket(to_seconds($width), a.event_time) AS bucket,
	count(*) AS calls,
	count(*) FILTER (WHERE a.actor_kind <> 'unattributed') AS attributed
FROM attributions a
WHERE a.identity_type = 'AssumedRole' AND a.event_time IS NOT NULL
{{- template "filter" on "a" .Filter}}
GROUP BY ALL
