-- activity: the timeline of one actor's calls, newest first. finding is
-- the kind of credential-misuse finding a call belongs to (query findings),
-- NULL for the actor's own calls.
SELECT e.event_time, e.event_source, e.event_name, a.actor_kind, a.actor, a.finding,
	e.error_code, e.error_message, e.session_name, e.source_ip,
	e.recipient_account_id AS account_id, e.aws_region AS region, e.event_id
FROM attributions a JOIN events e ON e.event_id = a.event_id
WHERE a.actor = $actor
{{- if .ErrorsOnly}}
	AND e.error_code IS NOT NULL
{{- end}}
{{- if .EventSource}}
	AND e.event_source = $event_source
{{- end}}
{{- if .EventName}}
	AND e.event_name = $event_name
{{- end}}
{{- template "filter" on "e" .Filter}}
ORDER BY e.event_time DESC, e.event_id
