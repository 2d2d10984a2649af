-- whodid: which actor made the calls to one API, newest first.
SELECT e.event_time, e.event_name,
	coalesce(a.actor_kind, 'unattributed') AS actor_kind, a.actor, a.method, a.confidence,
	e.recipient_account_id AS account_id, e.aws_region AS region, e.event_id
FROM events e
-- Attributions are filtered by the event name they carry before the join:
-- joining them whole reads every event_id of the table.
LEFT JOIN (SELECT * FROM attributions WHERE event_name = $event_name) a ON a.event_id = e.event_id
WHERE e.event_name = $event_name
{{- if .EventSource}}
	AND e.event_source = $event_source
{{- end}}
{{- if .Resource}}
	AND contains(lower(concat_ws(' ', CAST(e.request_parameters AS VARCHAR),
		CAST(e.response_elements AS VARCHAR), CAST(e.resources AS VARCHAR))), lower($resource))
{{- end}}
{{- template "filter" on "e" .Filter}}
ORDER BY e.event_time DESC, e.event_id
