-- accounts: the assumed-role calls of each account they were recorded in,
-- by method, unattributed calls as their own method.
SELECT coalesce(a.recipient_account_id, '(none)') AS account_id,
	CASE WHEN a.actor_kind = 'unattributed' THEN 'unattributed' ELSE a.method END AS method,
	count(*) AS calls
FROM attributions a
WHERE a.identity_type = 'AssumedRole'
{{- template "filter" on "a" .Filter}}
GROUP BY ALL
ORDER BY account_id, method
