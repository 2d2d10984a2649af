-- headline: the events in the window, the accounts they were recorded in
-- and the time they span. Attribution's share comes from methods.sql.
SELECT count(*) AS events,
	count(DISTINCT e.recipient_account_id) AS accounts,
	min(e.event_time) AS first_seen,
	max(e.event_time) AS last_seen
FROM events e
WHERE true
{{- template "filter" on "e" .Filter}}
