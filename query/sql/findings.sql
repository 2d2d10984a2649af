-- One row per finding (attribution.Findings fills the table every run):
-- calls made with a compute's credentials from a place the compute does
-- not call from, after it ended, or from distant networks within minutes.
-- A finding is in the window when its calls overlap it. --account is the
-- account of the credentials' owner; findings carry no region, so
-- --region keeps those with a call recorded there.
SELECT f.kind, f.severity, f.account_id, f.actor_kind, f.actor, f.access_key_id,
	f.first_seen, f.last_seen, f.source_ips, f.user_agents, f.events, f.event_ids, f.reason
FROM findings f
WHERE true
{{- if not .Since.IsZero}}
	AND f.last_seen >= CAST($since AS TIMESTAMPTZ)
{{- end}}
{{- if not .Until.IsZero}}
	AND f.first_seen < CAST($until AS TIMESTAMPTZ)
{{- end}}
{{- if .Account}}
	AND f.account_id = $account
{{- end}}
{{- if .Region}}
	AND EXISTS (SELECT 1 FROM attributions a
		WHERE a.finding IS NOT NULL AND a.aws_region = $region AND list_contains(f.event_ids, a.event_id))
{{- end}}
{{- if .Kind}}
	AND f.kind = $kind
{{- end}}
{{- if .Actor}}
	AND f.actor = $actor
{{- end}}
ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
	f.first_seen, f.kind, f.account_id, f.actor, f.access_key_id
