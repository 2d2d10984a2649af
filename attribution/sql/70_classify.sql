-- Attribute the events of {{ .Subject }}.
INSERT INTO attributions (event_id, actor_kind, actor, method, confidence,
	account_id, region, reason, note, evidence_event_id, evidence,
	event_time, event_source, event_name, error_code, identity_type, role_arn, session_name,
	recipient_account_id, aws_region)
{{ template "classify" . }}
