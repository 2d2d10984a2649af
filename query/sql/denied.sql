-- denied: the access denials, grouped by everything that explains them: who,
-- which call, which error message and the request fields a bare message's
-- resource comes from. The groups are few next to the events, and Go parses
-- each group's message once.
SELECT e.recipient_account_id AS account_id,
	coalesce(a.actor, e.principal_arn, e.user_name, e.identity_type) AS actor,
	coalesce(e.role_arn, e.principal_arn) AS principal,
	e.event_source, e.event_name, e.aws_region AS region,
	e.error_code, e.error_message,
	e.request_bucket AS bucket,
	e.request_key AS object_key,
	e.request_kms_key AS kms_key,
	e.resource_arn,
	e.vpc_endpoint_id IS NOT NULL AS via_vpc_endpoint,
	count(*) AS n,
	min(e.event_time) AS first_seen,
	max(e.event_time) AS last_seen
FROM events e
-- Only the attributions of denied calls (they carry error_code): joining
-- them whole reads every event_id of the table.
LEFT JOIN (SELECT a.event_id, a.actor FROM attributions a WHERE {{template "denied" "a"}}) a ON a.event_id = e.event_id
WHERE {{template "denied" "e"}}
{{- if .EventSource}}
	AND e.event_source = $event_source
{{- end}}
{{- if .EventName}}
	AND e.event_name = $event_name
{{- end}}
{{- if .Actor}}
	AND a.actor = $actor
{{- end}}
{{- template "filter" on "e" .Filter}}
GROUP BY ALL
